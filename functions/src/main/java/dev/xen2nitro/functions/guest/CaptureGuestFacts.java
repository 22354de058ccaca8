package dev.xen2nitro.functions.guest;

import dev.xen2nitro.functions.core.Executions;
import dev.xen2nitro.functions.core.InvalidInputException;
import dev.xen2nitro.functions.core.JsonHandler;
import dev.xen2nitro.functions.core.Validatable;
import dev.xen2nitro.functions.rules.InstanceIds;
import java.util.Map;

/**
 * Asks the guest for its facts (OS version, AWS driver versions, launch agent, NIC configuration,
 * domain-controller role, power settings) as JSON; read with {@link CheckGuestCommand}, judged by
 * {@link AssessGuest}. Changes nothing.
 */
public class CaptureGuestFacts extends JsonHandler<CaptureGuestFacts.Input, CommandSent> {

    /** @param label which capture this is (before or after the move): one command per label and execution */
    public record Input(String instanceId, String execution, String label) implements Validatable {
        @Override
        public void validate() {
            InstanceIds.require("instanceId", instanceId);
            Executions.require("execution", execution);
        }
    }

    public CaptureGuestFacts() {
        super(Input.class);
    }

    @Override
    protected CommandSent handle(Input in) {
        String label = in.label() == null ? GuestStep.CaptureGuestFacts.name() : in.label();
        return CommandSent.sent(in.instanceId(), GuestCommands.send(in.instanceId(), in.execution(), GuestStep.CaptureGuestFacts, Map.of(), label), label);
    }

    @Override
    protected Input sampleInput() {
        return new Input("i-0123456789abcdef0", Executions.SAMPLE, null);
    }
}
