package dev.xen2nitro.functions.guest;

import dev.xen2nitro.functions.core.JsonHandler;

/**
 * Installs the ENA driver (runbook step 2).
 * The package is AwsEnaNetworkDriver at the version pinned for the guest's OS ({@link dev.xen2nitro.functions.rules.DriverMatrix});
 * from the stack's bucket it is checked against its SHA-256 sum in the guest. Skipped when the plan says so.
 */
public class InstallEnaDriver extends JsonHandler<DriverInstall, CommandSent> {

    public InstallEnaDriver() {
        super(DriverInstall.class);
    }

    @Override
    protected CommandSent handle(DriverInstall in) {
        if (!in.run()) {
            return CommandSent.skipped(in.instanceId(), "InstallEnaDriver", "the plan skips it");
        }
        return CommandSent.sent(in.instanceId(), GuestCommands.send(in.instanceId(), in.execution(), "InstallEnaDriver",
                DriverPackages.parameters("AwsEnaNetworkDriver", in.version(), in.source())), "InstallEnaDriver");
    }

    @Override
    protected DriverInstall sampleInput() {
        return new DriverInstall("i-0123456789abcdef0", "sample", false, "1.0.0", "bucket");
    }
}
