package dev.xen2nitro.functions.guest;

/**
 * Installs the AWS PV driver (runbook step 1). The installer reboots Windows: the document exits 3010, the agent reboots and runs it again, and it finishes once the driver is present (up to 15 minutes).
 * Package AWSPVDriver at the version pinned for the guest's OS ({@link dev.xen2nitro.functions.rules.DriverMatrix}).
 */
public class InstallPvDriver extends DriverInstallStep {
    public InstallPvDriver() {
        super(GuestStep.InstallPvDriver, "AWSPVDriver");
    }
}
