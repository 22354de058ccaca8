package dev.xen2nitro.functions.guest;

import dev.xen2nitro.functions.core.JsonHandler;
import dev.xen2nitro.functions.core.Validatable;
import dev.xen2nitro.functions.rules.InstanceIds;
import java.util.Map;

/** Sets the powercfg values that let Nitro shut Windows down cleanly, for AMIs older than 2018-11-28 (runbook step 7). */
public class SetPowerManagement extends JsonHandler<SetPowerManagement.Input, CommandSent> {

    public record Input(String instanceId, String execution, boolean run) implements Validatable {
        @Override
        public void validate() {
            InstanceIds.require("instanceId", instanceId);
        }
    }

    public SetPowerManagement() {
        super(Input.class);
    }

    @Override
    protected CommandSent handle(Input in) {
        if (!in.run()) {
            return CommandSent.skipped(in.instanceId(), GuestStep.SetPowerManagement.name(), "not needed for this AMI");
        }
        return CommandSent.sent(in.instanceId(), GuestCommands.send(in.instanceId(), in.execution(), GuestStep.SetPowerManagement, Map.of()), GuestStep.SetPowerManagement.name());
    }

    @Override
    protected Input sampleInput() {
        return new Input("i-0123456789abcdef0", "sample", false);
    }
}
