package dev.xen2nitro.functions.guest;

import dev.xen2nitro.functions.core.JsonHandler;

/**
 * Installs the NVMe driver and then runs Sysprep_Generalize_Pnp (runbook step 3): the last guest change before the stop, since 2008 R2 and 2012 may no longer boot on Xen afterwards.
 * The package is AWSNVMe at the version pinned for the guest's OS ({@link dev.xen2nitro.functions.rules.DriverMatrix});
 * from the stack's bucket it is checked against its SHA-256 sum in the guest. Skipped when the plan says so.
 */
public class InstallNvmeDriver extends JsonHandler<DriverInstall, CommandSent> {

    public InstallNvmeDriver() {
        super(DriverInstall.class);
    }

    @Override
    protected CommandSent handle(DriverInstall in) {
        if (!in.run()) {
            return CommandSent.skipped(in.instanceId(), "InstallNvmeDriver", "the plan skips it");
        }
        return CommandSent.sent(in.instanceId(), GuestCommands.send(in.instanceId(), in.execution(), "InstallNvmeDriver",
                DriverPackages.parameters("AWSNVMe", in.version(), in.source())), "InstallNvmeDriver");
    }

    @Override
    protected DriverInstall sampleInput() {
        return new DriverInstall("i-0123456789abcdef0", "sample", false, "1.0.0", "bucket");
    }
}
