package dev.xen2nitro.functions.guest;

import dev.xen2nitro.functions.core.JsonHandler;

/**
 * Installs the AWS PV driver (runbook step 1). The installer reboots Windows: the document exits 3010, the agent reboots and runs it again, and it finishes once the driver is present (up to 15 minutes).
 * The package is AWSPVDriver at the version pinned for the guest's OS ({@link dev.xen2nitro.functions.rules.DriverMatrix});
 * from the stack's bucket it is checked against its SHA-256 sum in the guest. Skipped when the plan says so.
 */
public class InstallPvDriver extends JsonHandler<DriverInstall, CommandSent> {

    public InstallPvDriver() {
        super(DriverInstall.class);
    }

    @Override
    protected CommandSent handle(DriverInstall in) {
        if (!in.run()) {
            return CommandSent.skipped(in.instanceId(), "InstallPvDriver", "the plan skips it");
        }
        return CommandSent.sent(in.instanceId(), GuestCommands.send(in.instanceId(), in.execution(), "InstallPvDriver",
                DriverPackages.parameters("AWSPVDriver", in.version(), in.source())), "InstallPvDriver");
    }

    @Override
    protected DriverInstall sampleInput() {
        return new DriverInstall("i-0123456789abcdef0", "sample", false, "1.0.0", "bucket");
    }
}
