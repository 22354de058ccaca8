package dev.xen2nitro.functions.core;

import dev.xen2nitro.functions.rules.InstanceIds;

/** Input of the steps that act on one instance for one execution. */
public record ExecutionRef(String instanceId, String execution) implements Validatable {
    @Override
    public void validate() {
        InstanceIds.require("instanceId", instanceId);
        Executions.require("execution", execution);
    }
}
