package dev.xen2nitro.functions.typechange;

import dev.xen2nitro.functions.core.EnaAttribute;
import dev.xen2nitro.functions.core.JsonHandler;

/**
 * Sets the instance's enaSupport attribute and reads it back. A Nitro type cannot start without it
 * (RUNBOOK: "Enhanced networking with the Elastic Network Adapter (ENA) is required"); EC2 only
 * accepts the change while the instance is stopped.
 */
public class EnableEnaSupport extends JsonHandler<InstanceRef, EnableEnaSupport.Result> {

    public record Result(String instanceId, boolean enaSupport) {}

    public EnableEnaSupport() {
        super(InstanceRef.class);
    }

    @Override
    protected Result handle(InstanceRef input) {
        return new Result(input.instanceId(), EnaAttribute.set(input.instanceId(), true));
    }

    @Override
    protected InstanceRef sampleInput() {
        return new InstanceRef("i-0123456789abcdef0");
    }
}
