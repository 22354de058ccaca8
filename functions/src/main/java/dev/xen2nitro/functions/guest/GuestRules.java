package dev.xen2nitro.functions.guest;

import dev.xen2nitro.functions.preflight.Check;
import dev.xen2nitro.functions.rules.DriverMatrix;
import dev.xen2nitro.functions.rules.Versions;
import dev.xen2nitro.functions.rules.WindowsReleases;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides from the guest's facts whether it may be migrated, and which steps run (README, "One
 * migration", steps 4 to 10, and "Driver packages"). No SDK here; unit-tested.
 */
public final class GuestRules {
    private GuestRules() {}

    /**
     * A step of the plan: whether it runs, the version it installs (for a driver, the package), the
     * driver version Windows reports once it is installed (null for other steps), and why.
     */
    public record Step(GuestStep name, boolean run, String version, String driverVersion, String reason) {
        Step(GuestStep name, boolean run, String version, String reason) {
            this(name, run, version, null, reason);
        }
    }

    public record Assessment(boolean ready, List<Check> checks, Step pv, Step ena, Step nvme, Step launchAgent,
                             String launchAgentName, Step powerManagement, GuestFacts.Network network) {}

    /** AMIs older than this need the powercfg settings for a clean shutdown on Nitro (RUNBOOK step 7). */
    static final LocalDate POWER_SETTINGS_CUTOFF = LocalDate.of(2018, 11, 28);

    public static Assessment assess(GuestFacts g) {
        List<Check> checks = new ArrayList<>();
        WindowsReleases.Decision release = WindowsReleases.of(g.os());
        boolean osKnown = release.supported() && DriverMatrix.supports(release.release());
        checks.add(osKnown ? Check.pass("os-supported", "Windows Server " + release.release() + " (" + g.os() + ")")
                : Check.fail("os-supported", release.refusal()));
        boolean dc = g.domainController() || (g.roles() != null && g.roles().contains("DomainController"));
        // RUNBOOK: domain controllers need a different procedure.
        checks.add(dc ? Check.fail("not-domain-controller", "the instance is a domain controller; this workflow refuses domain controllers"
                        + " (see README#domain-controllers): migrate it by hand with the AWS procedure for domain controllers")
                : Check.pass("not-domain-controller", "not a domain controller"));
        if (!osKnown) {
            return new Assessment(false, checks, null, null, null, null, null, null, g.network());
        }
        String os = release.release();
        DriverMatrix.Pinned pinned = DriverMatrix.forOs(os);
        GuestFacts.Drivers d = g.drivers() == null ? new GuestFacts.Drivers(null, null, null) : g.drivers();
        Step pv = pinned.pv() == null
                ? new Step(GuestStep.InstallPvDriver, false, null, "the AWS PV driver is not supported on Windows Server " + os)
                : driver(GuestStep.InstallPvDriver, "AWS PV", d.pv(), pinned.pv());
        Step ena = driver(GuestStep.InstallEnaDriver, "ENA", d.ena(), pinned.ena());
        Step nvme = driver(GuestStep.InstallNvmeDriver, "NVMe", d.nvme(), pinned.nvme());
        GuestFacts.LaunchAgent agent = g.launchAgent();
        Step launch;
        if (agent == null || agent.name() == null || agent.name().isBlank()) {
            launch = new Step(GuestStep.UpdateLaunchAgent, false, null, "no EC2Config or EC2Launch found in the guest");
        } else {
            String want = DriverMatrix.launchAgentVersion(agent.name());
            launch = Versions.atLeast(agent.version(), want)
                    ? new Step(GuestStep.UpdateLaunchAgent, false, want, agent.name() + " " + agent.version() + " is current")
                    : new Step(GuestStep.UpdateLaunchAgent, true, want, agent.name() + " " + agent.version() + " -> " + want + ", configuration kept");
        }
        boolean oldAmi = g.amiCreated() != null && LocalDate.parse(g.amiCreated()).isBefore(POWER_SETTINGS_CUTOFF);
        Step power = g.powerManagementSet()
                ? new Step(GuestStep.SetPowerManagement, false, null, "power settings already applied")
                : oldAmi ? new Step(GuestStep.SetPowerManagement, true, null, "AMI from " + g.amiCreated() + " is older than 2018-11-28: set powercfg so Nitro can shut Windows down")
                : new Step(GuestStep.SetPowerManagement, false, null, "AMI from " + (g.amiCreated() == null ? "an unknown date" : g.amiCreated())
                        + " needs no power settings");
        boolean ready = checks.stream().allMatch(Check::passed);
        return new Assessment(ready, checks, pv, ena, nvme, launch, agent == null ? null : agent.name(), power, g.network());
    }

    /** Compares the driver version Windows reports with the pinned release's driver version, never its package version. */
    static Step driver(GuestStep step, String label, String installed, DriverMatrix.Release pinned) {
        String pkg = pinned.packageVersion();
        String want = pinned.driverVersion();
        boolean differ = !pkg.equals(want);
        if (Versions.atLeast(installed, want)) {
            return new Step(step, false, pkg, want, label + " " + installed + " is at or above the pinned " + want
                    + (differ ? " (the driver of package " + pkg + ")" : ""));
        }
        return new Step(step, true, pkg, want, label + " " + (installed == null ? "absent" : installed) + " -> " + pkg
                + (differ ? " (package; Windows reports driver " + want + ")" : ""));
    }

    /**
     * The final check of one driver: the version Windows reports is at least the pinned driver version
     * (the plan's {@code driverVersion}, which for AWS NVMe 1.5.1 is 1.5.0), never the package version.
     */
    public static Check driverCheck(String name, String installed, String pinnedDriver) {
        return Versions.atLeast(installed, pinnedDriver) ? Check.pass(name, installed + " (pinned driver " + pinnedDriver + ")")
                : Check.fail(name, (installed == null ? "absent" : installed) + ", expected at least driver " + pinnedDriver);
    }

    /** What to restore when the new adapter lost the static configuration captured before. */
    public record NetworkRestore(boolean needed, String ipAddress, List<String> dnsServers, String reason) {}

    public static NetworkRestore compareNetwork(GuestFacts.Network before, GuestFacts.Network after) {
        if (before == null || before.dhcp() && (before.dnsServers() == null || before.dnsServers().isEmpty())) {
            return new NetworkRestore(false, null, List.of(), "the adapter used DHCP before; nothing to restore");
        }
        boolean ipLost = !before.dhcp() && (after.dhcp()
                || after.ipAddress() == null || !after.ipAddress().equals(before.ipAddress()));
        List<String> dnsBefore = before.dnsServers() == null ? List.of() : before.dnsServers();
        boolean dnsLost = !dnsBefore.isEmpty() && !dnsBefore.equals(after.dnsServers());
        if (!ipLost && !dnsLost) {
            return new NetworkRestore(false, null, List.of(), "static IP and DNS servers kept by the new adapter");
        }
        return new NetworkRestore(true, ipLost ? before.ipAddress() : null, dnsLost ? dnsBefore : List.of(),
                "the ENA adapter lost " + (ipLost ? "the static IP " + before.ipAddress() : "") + (ipLost && dnsLost ? " and " : "")
                        + (dnsLost ? "the DNS servers " + dnsBefore : ""));
    }
}
