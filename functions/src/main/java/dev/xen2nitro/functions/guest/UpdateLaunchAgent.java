package dev.xen2nitro.functions.guest;

import dev.xen2nitro.functions.core.InvalidInputException;
import dev.xen2nitro.functions.core.JsonHandler;
import dev.xen2nitro.functions.core.Validatable;
import dev.xen2nitro.functions.rules.InstanceIds;
import java.util.List;
import java.util.Map;

/**
 * Updates EC2Config (2012 R2 and older) or EC2Launch keeping its configuration (runbook step 6:
 * back up config.xml, install, restore it, restart the service, confirm the version).
 */
public class UpdateLaunchAgent extends JsonHandler<UpdateLaunchAgent.Input, CommandSent> {

    public record Input(String instanceId, String execution, boolean run, String agent, String version) implements Validatable {
        @Override
        public void validate() {
            InstanceIds.require("instanceId", instanceId);
            if (run && (agent == null || version == null)) {
                throw new InvalidInputException("'agent' and 'version' are required when the step runs");
            }
        }
    }

    public UpdateLaunchAgent() {
        super(Input.class);
    }

    @Override
    protected CommandSent handle(Input in) {
        if (!in.run()) {
            return CommandSent.skipped(in.instanceId(), GuestStep.UpdateLaunchAgent.name(), "the launch agent is current");
        }
        return CommandSent.sent(in.instanceId(), GuestCommands.send(in.instanceId(), in.execution(), GuestStep.UpdateLaunchAgent,
                Map.of("Agent", List.of(in.agent()), "Version", List.of(in.version()))), GuestStep.UpdateLaunchAgent.name());
    }

    @Override
    protected Input sampleInput() {
        return new Input("i-0123456789abcdef0", "sample", false, "EC2Config", "4.9.5777");
    }
}
