package dev.xen2nitro.functions.guest;

import dev.xen2nitro.functions.core.Executions;
import dev.xen2nitro.functions.core.InvalidInputException;
import dev.xen2nitro.functions.core.Validatable;
import dev.xen2nitro.functions.rules.InstanceIds;

/** Input of the driver steps: the package version pinned for the guest's OS; it comes from the stack's bucket. */
public record DriverInstall(String instanceId, String execution, boolean run, String version, String driverSource) implements Validatable {
    @Override
    public void validate() {
        InstanceIds.require("instanceId", instanceId);
        Executions.require("execution", execution);
        if (run && (version == null || !version.matches("[0-9]+(\\.[0-9]+){1,3}"))) {
            throw new InvalidInputException("'version' is \"" + version + "\"; expected a driver version such as 8.4.3");
        }
        if (driverSource != null && !driverSource.equals("bucket")) {
            throw new InvalidInputException("'driverSource' is \"" + driverSource + "\"; the packages come from the stack's bucket only");
        }
    }
}
