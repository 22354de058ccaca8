package dev.xen2nitro.functions.typechange;

import dev.xen2nitro.functions.core.Validatable;
import dev.xen2nitro.functions.rules.InstanceIds;

/** Input of the steps that act on one instance and need nothing else. */
public record InstanceRef(String instanceId) implements Validatable {
    @Override
    public void validate() {
        InstanceIds.require("instanceId", instanceId);
    }
}
