package dev.xen2nitro.functions.guest;

import dev.xen2nitro.functions.core.Aws;
import dev.xen2nitro.functions.core.AwsCalls;
import java.util.List;
import java.util.Map;

/**
 * Sends one of our SSM command documents (template.yaml, named DOCUMENT_PREFIX + step) to the
 * instance. Run Command runs it in the guest; the state machine polls with {@link CheckGuestCommand}.
 */
final class GuestCommands {
    private GuestCommands() {}

    static String send(String instanceId, String step, Map<String, List<String>> parameters) {
        String document = Aws.setting("DOCUMENT_PREFIX") + step;
        return AwsCalls.call("SendCommand " + document + " to " + instanceId, () -> Aws.ssm().sendCommand(r -> r
                .instanceIds(instanceId).documentName(document).parameters(parameters)
                .comment("xen2nitro " + step).timeoutSeconds(600))).command().commandId();
    }
}
