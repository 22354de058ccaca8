package dev.xen2nitro.functions.guest;

/**
 * Installs the NVMe driver and then runs Sysprep_Generalize_Pnp (runbook step 3): the last guest change before the stop, since 2008 R2 and 2012 may no longer boot on Xen afterwards.
 * Package AWSNVMe at the version pinned for the guest's OS ({@link dev.xen2nitro.functions.rules.DriverMatrix}).
 */
public class InstallNvmeDriver extends DriverInstallStep {
    public InstallNvmeDriver() {
        super(GuestStep.InstallNvmeDriver, "AWSNVMe");
    }
}
