package dev.xen2nitro.functions.guest;

import dev.xen2nitro.functions.core.InvalidInputException;
import dev.xen2nitro.functions.core.JsonHandler;
import dev.xen2nitro.functions.core.Validatable;
import dev.xen2nitro.functions.rules.InstanceIds;
import java.util.ArrayList;
import java.util.List;

/**
 * Before the guest is changed: every package the plan installs has a SHA-256 pinned in the functions
 * and its zip in the stack's bucket. A missing one ends the migration here with what to run
 * ({@link PackageNotStagedException}), instead of after the first driver changed the guest.
 */
public class CheckPackagesStaged extends JsonHandler<CheckPackagesStaged.Input, CheckPackagesStaged.Result> {

    /** A planned step: whether it runs, and the package version it installs. */
    public record Planned(boolean run, String version) {}

    public record Input(String instanceId, Planned pv, Planned ena, Planned nvme, String launchAgentName, Planned launchAgent)
            implements Validatable {
        @Override
        public void validate() {
            InstanceIds.require("instanceId", instanceId);
            for (Planned p : new Planned[] {pv, ena, nvme, launchAgent}) {
                if (p == null) {
                    throw new InvalidInputException("'pv', 'ena', 'nvme' and 'launchAgent' are required: the plan of AssessGuest");
                }
                if (p.run() && (p.version() == null || !DriverPackages.VERSION.matcher(p.version()).matches())) {
                    throw new InvalidInputException("a planned version is \"" + p.version() + "\"; expected a dotted version such as 8.4.3");
                }
            }
        }
    }

    public record Package(String name, String version, String key, String sha256) {}

    public record Result(String instanceId, List<Package> packages) {}

    public CheckPackagesStaged() {
        super(Input.class);
    }

    @Override
    protected Result handle(Input in) {
        List<Package> out = new ArrayList<>();
        add(out, in.pv(), "AWSPVDriver");
        add(out, in.ena(), "AwsEnaNetworkDriver");
        add(out, in.nvme(), "AWSNVMe");
        // Only EC2Config is installed from a package; the EC2Launch branches report what they find.
        if ("EC2Config".equals(in.launchAgentName())) {
            add(out, in.launchAgent(), UpdateLaunchAgent.PACKAGE);
        }
        return new Result(in.instanceId(), out);
    }

    private static void add(List<Package> out, Planned p, String pkg) {
        if (!p.run()) return;
        String sha = DriverPackages.pinned(pkg, p.version());
        DriverPackages.requireStaged(pkg, p.version());
        out.add(new Package(pkg, p.version(), DriverPackages.key(pkg, p.version()), sha));
    }

    /** Each package at a pinned version when there is one (priming then runs the bucket checks), else nothing planned. */
    @Override
    protected Input sampleInput() {
        return new Input("i-0123456789abcdef0", sample("AWSPVDriver"), sample("AwsEnaNetworkDriver"), sample("AWSNVMe"), "EC2Config",
                sample(UpdateLaunchAgent.PACKAGE));
    }

    private static Planned sample(String pkg) {
        return PackagePins.anyVersion(pkg).map(v -> new Planned(true, v)).orElseGet(() -> new Planned(false, null));
    }
}
