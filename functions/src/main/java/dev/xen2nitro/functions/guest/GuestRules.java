package dev.xen2nitro.functions.guest;

import dev.xen2nitro.functions.preflight.Check;
import dev.xen2nitro.functions.rules.DriverMatrix;
import dev.xen2nitro.functions.rules.Versions;
import dev.xen2nitro.functions.rules.WindowsReleases;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

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

    public record Assessment(boolean ready, List<Check> checks, String refusal, Step pv, Step ena, Step nvme, Step launchAgent,
                             String launchAgentName, Step powerManagement, List<GuestFacts.Nic> network) {}

    /**
     * .NET Framework 4.5, the first with TLS 1.2 ({@code SecurityProtocolType.Tls12} is new in 4.5): the lowest
     * {@code Release} value of 4.5 or later is 378389 (Microsoft, "How to: Determine which .NET Framework
     * versions are installed": "378389 .NET Framework 4.5"; the key is absent below 4.5). The guest downloads
     * the packages over HTTPS with .NET, and every AWS endpoint, S3 included, accepts TLS 1.2 or later only
     * (AWS Security Blog, "TLS 1.2 to become the minimum TLS protocol level for all AWS API endpoints"). The guest
     * then unpacks them with {@code System.IO.Compression.ZipFile}, also .NET Framework 4.5 or later.
     */
    static final int DOTNET_45_RELEASE = 378389;

    /**
     * Windows Management Framework 5.1, which brings PowerShell 5.1, per release (Microsoft, "Install and
     * configure WMF 5.1": Win7AndW2K8R2-KB3191566 for 2008 R2 SP1, which needs .NET Framework 4.5.2 first;
     * W2K12-KB3191565 for 2012; Win8.1AndW2K12R2-KB3191564 for 2012 R2). 2016 and later ship 5.1
     * (Microsoft, "Windows Management Framework": "Included").
     */
    static String wmfFor(String release) {
        return switch (release) {
            case "2008R2" -> "Windows Management Framework 5.1 (KB3191566; it needs .NET Framework 4.5.2 or later first)";
            case "2012" -> "Windows Management Framework 5.1 (KB3191565)";
            case "2012R2" -> "Windows Management Framework 5.1 (KB3191564)";
            default -> "Windows Management Framework 5.1";
        };
    }

    /**
     * ENA on Windows Server 2008 R2 SP1 needs the SHA-2 code signing support update KB4474419 (EC2 User Guide,
     * "Enable enhanced networking with ENA on Windows instances", requirements: "If the instance is running
     * Windows Server 2008 R2 SP1, ensure that is has the SHA-2 code signing support update").
     */
    static final String KB_SHA2_CODE_SIGNING = "KB4474419";

    /**
     * AWS PV 8.3.3 and later on Windows Server 2008 R2 need the SHA-2 update of Microsoft Security Advisory
     * 3033929 (EC2 User Guide, "Paravirtual drivers for Windows instances", PV 8.3.3: "To update this driver on
     * Windows Server 2008 R2 instances, you must first verify that the appropriate patches are installed to
     * address the following Microsoft Security Advisory: Microsoft Security Advisory 3033929").
     * Only KB3033929 itself is accepted: whether the later SHA-2 code signing support update KB4474419 includes or
     * replaces its SHA-2 code signing support on Windows 7 and Windows Server 2008 R2 could not be confirmed from a
     * Microsoft source (Microsoft's "2019 SHA-2 Code Signing Support requirement for Windows and WSUS", KB4472027, says
     * nothing of 3033929, and neither KB article's replacement information could be read), so a guest with KB4474419 only
     * is still refused.
     */
    static final String KB_ADVISORY_3033929 = "KB3033929";
    static final String PV_NEEDS_3033929 = "8.3.3";

    public static Assessment assess(GuestFacts g) {
        return assess(g, null);
    }

    /** As {@link #assess(GuestFacts)}, also refusing a target type the guest's release does not run on. */
    public static Assessment assess(GuestFacts g, String targetType) {
        List<Check> checks = new ArrayList<>();
        WindowsReleases.Decision release = WindowsReleases.of(g.os());
        boolean osKnown = release.supported() && DriverMatrix.supports(release.release());
        checks.add(osKnown ? Check.pass("os-supported", "Windows Server " + release.release() + " (" + g.os() + ")")
                : Check.fail("os-supported", release.refusal()));
        // Win32_OperatingSystem.ProductType: 1 work station, 2 domain controller, 3 server (Microsoft, "Win32_OperatingSystem
        // class"). Windows 7, 8, 8.1 and 10 report the version numbers of 2008 R2, 2012, 2012 R2 and 2016-2025.
        checks.add(g.productType() == 1 ? Check.fail("windows-server", "the guest runs a client edition of Windows (" + g.os()
                        + ", ProductType 1), not Windows Server: this workflow migrates Windows Server only; migrate it by hand")
                : Check.pass("windows-server", "Windows Server (ProductType " + g.productType() + ")"));
        boolean dc = g.domainController() || g.productType() == 2 || (g.roles() != null && g.roles().contains("DomainController"));
        // RUNBOOK: domain controllers need a different procedure.
        checks.add(dc ? Check.fail("not-domain-controller", "the instance is a domain controller; this workflow refuses domain controllers"
                        + " (see README#domain-controllers): migrate it by hand with the AWS procedure for domain controllers")
                : Check.pass("not-domain-controller", "not a domain controller"));
        if (!osKnown) {
            return new Assessment(false, checks, Check.refusal(checks), null, null, null, null, null, null, g.network());
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
        // The EC2Config update unpacks a package as the drivers do; EC2Launch's step installs nothing.
        boolean ec2ConfigPackage = launch.run() && "EC2Config".equalsIgnoreCase(agent.name());
        checks.addAll(prerequisites(g, os, pv, ena, nvme, ec2ConfigPackage));
        String targetRefusal = dev.xen2nitro.functions.rules.Ws2008R2Targets.refusal(os, targetType);
        if (targetType != null) {
            checks.add(targetRefusal == null ? Check.pass("target-supports-os", targetType + " runs Windows Server " + os)
                    : Check.fail("target-supports-os", targetRefusal));
        }
        Step power = power(g.power());
        boolean ready = checks.stream().allMatch(Check::passed);
        return new Assessment(ready, checks, Check.refusal(checks), pv, ena, nvme, launch, agent == null ? null : agent.name(), power, g.network());
    }

    /** What Windows must have before the package steps can work; each refusal names what to install. */
    static List<Check> prerequisites(GuestFacts g, String os, Step pv, Step ena, Step nvme, boolean ec2ConfigPackage) {
        List<Check> out = new ArrayList<>();
        Set<String> hotfixes = new HashSet<>();
        if (g.hotfixes() != null) g.hotfixes().forEach(h -> hotfixes.add(h.trim().toUpperCase(Locale.ROOT)));
        List<String> packages = new ArrayList<>();
        if (pv.run()) packages.add("AWS PV");
        if (ena.run()) packages.add("ENA");
        if (nvme.run()) packages.add("NVMe");
        if (ec2ConfigPackage) packages.add("EC2Config");
        if (!packages.isEmpty()) {
            // Every package step unpacks its zip with ZipFile.ExtractToDirectory of System.IO.Compression.FileSystem, a .NET
            // Framework 4.5 assembly (Microsoft Learn, "ZipFile.ExtractToDirectory Method": .NET Framework 4.5 and later).
            // PowerShell 2.0 runs on CLR 2.0 and cannot load a .NET 4.5 assembly even where .NET 4.5 is installed; PowerShell 3.0
            // and later run on CLR 4 (Microsoft, "Windows PowerShell System Requirements"). AWS's ENA and NVMe install scripts
            // need PowerShell 3.0 or later too (EC2 User Guide, "Install the ENA driver" and "AWS NVMe drivers", prerequisites;
            // "Migrate to latest generation instance types": "You must use PowerShell version 3.0 or later").
            String ps = g.powerShell();
            boolean known = ps != null && ps.matches("[0-9]+(\\.[0-9]+)*");
            String steps = String.join(", ", packages);
            out.add(known && Versions.atLeast(ps, "3.0")
                    ? Check.pass("powershell-3", "PowerShell " + ps)
                    : Check.fail("powershell-3", "the guest has PowerShell " + (ps == null ? "of an unknown version" : ps)
                            + "; the package steps (" + steps + ") unpack with .NET Framework 4.5, which PowerShell 2.0 cannot load (it runs"
                            + " on CLR 2.0 even where .NET 4.5 is installed), and AWS's ENA and NVMe install scripts need PowerShell 3.0 or"
                            + " later: install " + wmfFor(os) + ", restart Windows, then start the migration again"));
            Integer release = g.dotNetRelease();
            out.add(release != null && release >= DOTNET_45_RELEASE
                    ? Check.pass("dotnet-4.5", ".NET Framework 4.5 or later (Release " + release + ")")
                    : Check.fail("dotnet-4.5", "the guest has " + (release == null ? "no .NET Framework 4.5 or later" : ".NET Framework Release "
                            + release) + "; the package steps (" + steps + ") download over TLS 1.2, which AWS endpoints require, and unpack"
                            + " with ZipFile, both of which need .NET Framework 4.5 or later (Release " + DOTNET_45_RELEASE + "): install"
                            + " .NET Framework 4.5.2 or later, restart Windows, then start the migration again"));
        }
        if (os.equals("2008R2") && ena.run()) {
            out.add(hotfixes.contains(KB_SHA2_CODE_SIGNING)
                    ? Check.pass("sha2-code-signing", KB_SHA2_CODE_SIGNING + " installed")
                    : Check.fail("sha2-code-signing", "Windows Server 2008 R2 needs the SHA-2 code signing support update "
                            + KB_SHA2_CODE_SIGNING + " before the ENA driver can be installed: install " + KB_SHA2_CODE_SIGNING
                            + ", restart Windows, then start the migration again"));
        }
        if (os.equals("2008R2") && pv.run() && Versions.atLeast(pv.version(), PV_NEEDS_3033929)) {
            out.add(hotfixes.contains(KB_ADVISORY_3033929)
                    ? Check.pass("sha2-advisory-3033929", KB_ADVISORY_3033929 + " installed")
                    : Check.fail("sha2-advisory-3033929", "AWS PV " + pv.version() + " on Windows Server 2008 R2 needs the SHA-2 update of"
                            + " Microsoft Security Advisory 3033929: install " + KB_ADVISORY_3033929
                            + ", restart Windows, then start the migration again"));
        }
        return out;
    }

    /** Runs SetPowerManagement when any scheme present has another value than 0; decided from the values, not from dates. */
    static Step power(GuestFacts.Power p) {
        List<Integer> present = p == null ? List.of() : p.present();
        String values = p == null ? "no values" : "Balanced " + p.balanced() + ", High performance " + p.highPerformance()
                + ", Power saver " + p.powerSaver();
        if (present.isEmpty()) {
            return new Step(GuestStep.SetPowerManagement, false, null, "none of the three power schemes exists (" + values + ")");
        }
        boolean set = present.stream().allMatch(v -> v == 0);
        return set ? new Step(GuestStep.SetPowerManagement, false, null, "power settings already 0 (" + values + ")")
                : new Step(GuestStep.SetPowerManagement, true, null, "power settings not 0 (" + values
                        + "): set them so Nitro can shut Windows down cleanly");
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

    /** What to put back on one adapter: static addresses (with gateways), or DNS servers, or both; empty lists leave that part alone. */
    public record AdapterRestore(String macAddress, List<GuestFacts.Address> addresses, List<String> gateways, List<String> dnsServers) {}

    /** What to restore when adapters lost the static configuration captured before. */
    public record NetworkRestore(boolean needed, List<AdapterRestore> adapters, String reason) {}

    /**
     * Compares every adapter with what it had before, matched by MAC address: the network interface keeps
     * its MAC address across the stop, start and type change, and Windows sees a new device for it
     * (EC2 User Guide, "Elastic network interfaces": a network interface's attributes include "a MAC address"
     * and "follow it"; "Migrate to latest generation instance types": "the static IP or custom DNS network
     * settings on the existing ENI may be lost as the instance will default to a new Enhanced Networking
     * Adapter device").
     */
    public static NetworkRestore compareNetwork(List<GuestFacts.Nic> before, List<GuestFacts.Nic> after) {
        List<AdapterRestore> restores = new ArrayList<>();
        List<String> lost = new ArrayList<>();
        for (GuestFacts.Nic b : before == null ? List.<GuestFacts.Nic>of() : before) {
            List<String> dnsBefore = list(b.dnsServers());
            if (b.dhcp() && dnsBefore.isEmpty()) {
                continue;
            }
            GuestFacts.Nic a = (after == null ? List.<GuestFacts.Nic>of() : after).stream()
                    .filter(n -> n.macAddress() != null && n.macAddress().equalsIgnoreCase(b.macAddress())).findFirst().orElse(null);
            if (a == null) {
                throw new NetworkAdapterMissingException("the adapter with MAC address " + b.macAddress() + " is gone from Windows;"
                        + " it had " + ipList(b) + ": check the adapters in Device Manager and with ipconfig /all");
            }
            List<String> addressesAfter = list(a.addresses()).stream().map(GuestFacts.Address::ipAddress).toList();
            boolean staticLost = !b.dhcp() && (a.dhcp() || !addressesAfter.containsAll(
                    list(b.addresses()).stream().map(GuestFacts.Address::ipAddress).toList()));
            boolean gatewaysLost = !b.dhcp() && !list(a.gateways()).containsAll(list(b.gateways()));
            boolean dnsLost = !dnsBefore.isEmpty() && !dnsBefore.equals(list(a.dnsServers()));
            if (!staticLost && !gatewaysLost && !dnsLost) {
                continue;
            }
            restores.add(new AdapterRestore(b.macAddress(), staticLost ? list(b.addresses()) : List.of(),
                    staticLost || gatewaysLost ? list(b.gateways()) : List.of(), dnsLost ? dnsBefore : List.of()));
            List<String> what = new ArrayList<>();
            if (staticLost) what.add("the static addresses " + ipList(b));
            if (gatewaysLost && !staticLost) what.add("the gateways " + list(b.gateways()));
            if (dnsLost) what.add("the DNS servers " + dnsBefore);
            lost.add("adapter " + b.macAddress() + " lost " + String.join(" and ", what));
        }
        if (restores.isEmpty()) {
            return new NetworkRestore(false, List.of(), "every adapter kept its static addresses, gateways and DNS servers");
        }
        return new NetworkRestore(true, restores, String.join("; ", lost));
    }

    private static String ipList(GuestFacts.Nic n) {
        return list(n.addresses()).stream().map(x -> x.ipAddress() + "/" + x.subnetMask()).toList().toString();
    }

    private static <T> List<T> list(List<T> l) {
        return l == null ? List.of() : l;
    }
}
