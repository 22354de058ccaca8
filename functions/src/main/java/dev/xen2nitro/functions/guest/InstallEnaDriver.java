package dev.xen2nitro.functions.guest;

/**
 * Installs the ENA driver (runbook step 2).
 * Package AwsEnaNetworkDriver at the version pinned for the guest's OS ({@link dev.xen2nitro.functions.rules.DriverMatrix}).
 */
public class InstallEnaDriver extends DriverInstallStep {
    public InstallEnaDriver() {
        super(GuestStep.InstallEnaDriver, "AwsEnaNetworkDriver");
    }
}
