package dev.xen2nitro.functions.guest;

import dev.xen2nitro.functions.core.Aws;
import dev.xen2nitro.functions.core.AwsCalls;
import java.util.List;
import java.util.Map;

/**
 * Sends the SSM command document of a {@link GuestStep} to the
 * instance. Run Command runs it in the guest; the state machine polls with {@link CheckGuestCommand}.
 */
final class GuestCommands {
    private GuestCommands() {}

    /**
     * Sends the step's document once per execution: a retried invocation (say, after a Lambda timeout
     * that came after SendCommand) finds the command by its comment and returns it instead of running
     * the step twice; a PV install that is rebooting the guest could not even be sent again.
     */
    static String send(String instanceId, String execution, GuestStep step, Map<String, List<String>> parameters) {
        return send(instanceId, execution, step, parameters, "");
    }

    /** As {@link #send(String, String, GuestStep, Map)}, once per execution and {@code label} (a step sent repeatedly names each send). */
    static String send(String instanceId, String execution, GuestStep step, Map<String, List<String>> parameters, String label) {
        String document = step.document();
        String full = "xen2nitro " + step + " " + execution + (label.isEmpty() ? "" : " " + label);
        // SSM limits a command's comment to 100 characters.
        String comment = full.length() > 100 ? full.substring(0, 100) : full;
        String existing = AwsCalls.call("ListCommandInvocations " + instanceId, () -> Aws.ssm()
                .listCommandInvocationsPaginator(r -> r.instanceId(instanceId)).commandInvocations().stream()
                .filter(c -> document.equals(c.documentName()) && comment.equals(c.comment()))
                .map(c -> c.commandId()).findFirst().orElse(null));
        if (existing != null) {
            return existing;
        }
        return AwsCalls.call("SendCommand " + document + " to " + instanceId, () -> Aws.ssm().sendCommand(r -> r
                .instanceIds(instanceId).documentName(document).parameters(parameters)
                .comment(comment).timeoutSeconds(GuestStep.DELIVERY_TIMEOUT_SECONDS))).command().commandId();
    }
}
