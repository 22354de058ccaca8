package dev.xen2nitro.functions.guest;

import dev.xen2nitro.functions.core.InvalidInputException;
import dev.xen2nitro.functions.core.JsonHandler;
import dev.xen2nitro.functions.core.Validatable;

/**
 * Compares the NIC configuration after the move with what was captured before: when Windows sees
 * the new ENA adapter, a static IP or custom DNS set on the old adapter can be lost (RUNBOOK).
 */
public class CheckNetworkConfig extends JsonHandler<CheckNetworkConfig.Input, GuestRules.NetworkRestore> {

    public record Input(String instanceId, GuestFacts.Network before, String output) implements Validatable {
        @Override
        public void validate() {
            if (output == null || output.isBlank()) {
                throw new InvalidInputException("'output' is required: the output of the CaptureGuestFacts command after the move");
            }
        }
    }

    public CheckNetworkConfig() {
        super(Input.class);
    }

    @Override
    protected GuestRules.NetworkRestore handle(Input in) {
        GuestFacts after = GuestFacts.parse(in.output());
        return GuestRules.compareNetwork(in.before(), after.network() == null ? new GuestFacts.Network(true, null, java.util.List.of()) : after.network());
    }

    @Override
    protected boolean callsNoAws() {
        return true;
    }

    @Override
    protected Input sampleInput() {
        return new Input("i-0123456789abcdef0", new GuestFacts.Network(false, "10.0.1.25", java.util.List.of("10.0.0.10")),
                GuestFacts.sampleOutput());
    }
}
