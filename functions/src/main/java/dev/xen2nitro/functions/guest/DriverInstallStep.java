package dev.xen2nitro.functions.guest;

import dev.xen2nitro.functions.core.Executions;
import dev.xen2nitro.functions.core.JsonHandler;

/**
 * A driver step: sends its install document with the package pinned for the guest's OS, from the
 * stack's bucket (SHA-256 checked in the guest); skipped when the plan says so.
 */
abstract class DriverInstallStep extends JsonHandler<DriverInstall, CommandSent> {
    private final GuestStep step;
    private final String pkg;

    DriverInstallStep(GuestStep step, String pkg) {
        super(DriverInstall.class);
        this.step = step;
        this.pkg = pkg;
    }

    @Override
    protected CommandSent handle(DriverInstall in) {
        if (!in.run()) {
            return CommandSent.skipped(in.instanceId(), step.name(), "the plan skips it");
        }
        return CommandSent.sent(in.instanceId(), GuestCommands.send(in.instanceId(), in.execution(), step,
                DriverPackages.parameters(pkg, in.version())), step.name());
    }

    /** The install of a pinned version when there is one (priming then runs the send path), else a skipped step. */
    @Override
    protected DriverInstall sampleInput() {
        return PackagePins.anyVersion(pkg).map(v -> new DriverInstall("i-0123456789abcdef0", Executions.SAMPLE, true, v, "bucket"))
                .orElseGet(() -> new DriverInstall("i-0123456789abcdef0", Executions.SAMPLE, false, "1.0.0", "bucket"));
    }
}
