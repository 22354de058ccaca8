package dev.xen2nitro.functions.guest;

import dev.xen2nitro.functions.core.JsonHandler;
import dev.xen2nitro.functions.typechange.InstanceRef;
import java.util.Map;

/**
 * Asks the guest for its facts (OS version, AWS driver versions, launch agent, NIC configuration,
 * domain-controller role, power settings) as JSON; read with {@link CheckGuestCommand}, judged by
 * {@link AssessGuest}. Changes nothing.
 */
public class CaptureGuestFacts extends JsonHandler<InstanceRef, CommandSent> {

    public CaptureGuestFacts() {
        super(InstanceRef.class);
    }

    @Override
    protected CommandSent handle(InstanceRef in) {
        return CommandSent.sent(in.instanceId(), GuestCommands.send(in.instanceId(), "CaptureGuestFacts", Map.of()), "CaptureGuestFacts");
    }

    @Override
    protected InstanceRef sampleInput() {
        return new InstanceRef("i-0123456789abcdef0");
    }
}
