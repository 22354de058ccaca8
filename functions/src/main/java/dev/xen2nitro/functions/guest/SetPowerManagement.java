package dev.xen2nitro.functions.guest;

import dev.xen2nitro.functions.core.Executions;
import dev.xen2nitro.functions.core.JsonHandler;
import dev.xen2nitro.functions.core.Validatable;
import dev.xen2nitro.functions.rules.InstanceIds;
import java.util.Map;

/**
 * Sets the power setting that lets Nitro shut Windows down cleanly (runbook step 7) to 0 in the three
 * schemes, when the guest's facts show a value other than 0; the document reads the values back and fails
 * unless every one is 0.
 */
public class SetPowerManagement extends JsonHandler<SetPowerManagement.Input, CommandSent> {

    public record Input(String instanceId, String execution, boolean run) implements Validatable {
        @Override
        public void validate() {
            InstanceIds.require("instanceId", instanceId);
            Executions.require("execution", execution);
        }
    }

    public SetPowerManagement() {
        super(Input.class);
    }

    @Override
    protected CommandSent handle(Input in) {
        if (!in.run()) {
            return CommandSent.skipped(in.instanceId(), GuestStep.SetPowerManagement.name(), "every power scheme already has the value 0");
        }
        return CommandSent.sent(in.instanceId(), GuestCommands.send(in.instanceId(), in.execution(), GuestStep.SetPowerManagement, Map.of()), GuestStep.SetPowerManagement.name());
    }

    @Override
    protected Input sampleInput() {
        return new Input("i-0123456789abcdef0", Executions.SAMPLE, false);
    }
}
