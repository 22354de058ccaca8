package dev.xen2nitro.functions.guest;

import dev.xen2nitro.functions.core.InvalidInputException;
import dev.xen2nitro.functions.core.JsonHandler;
import dev.xen2nitro.functions.core.Validatable;
import java.util.List;

/**
 * Compares every adapter's configuration with what was captured before, matched by MAC address: the PV
 * upgrade, and Windows seeing the new ENA adapter, can lose a static IP or custom DNS servers (RUNBOOK).
 */
public class CheckNetworkConfig extends JsonHandler<CheckNetworkConfig.Input, GuestRules.NetworkRestore> {

    public record Input(String instanceId, List<GuestFacts.Nic> before, String output) implements Validatable {
        @Override
        public void validate() {
            if (output == null || output.isBlank()) {
                throw new InvalidInputException("'output' is required: the output of the CaptureGuestFacts command after the change");
            }
            if (before == null) {
                throw new InvalidInputException("'before' is required: the adapters CaptureGuestFacts reported before the change");
            }
        }
    }

    public CheckNetworkConfig() {
        super(Input.class);
    }

    @Override
    protected GuestRules.NetworkRestore handle(Input in) {
        return GuestRules.compareNetwork(in.before(), GuestFacts.parse(in.output()).network());
    }

    @Override
    protected boolean callsNoAws() {
        return true;
    }

    @Override
    protected Input sampleInput() {
        String sample = GuestFacts.sampleOutput();
        return new Input("i-0123456789abcdef0", GuestFacts.parse(sample).network(), sample);
    }
}
