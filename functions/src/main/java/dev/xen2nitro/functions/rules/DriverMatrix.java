package dev.xen2nitro.functions.rules;

import java.util.Map;

/**
 * The AWS driver packages to install, per Windows Server version. Never "latest": end-of-life
 * versions have a newest supported release, and installing a newer one fails (ENA 2.7.0 removed
 * 2012 and 2012 R2).
 *
 * <p>Each pin carries two versions: the package to install, and the driver version Windows reports
 * once it is installed, which the plan's skip decision and the final verification compare with what
 * the guest prints. They differ where AWS's table says so: the AWS NVMe package 1.5.1 contains driver
 * 1.5.0, so "at least 1.5.1" would fail a healthy 2012 R2 instance.
 *
 * <p>Sources (EC2 User Guide, read 2026-11-26):
 * <ul>
 * <li>"Paravirtual drivers for Windows instances" (xen-drivers-overview.html): 2008 R2 runs AWS PV
 *     8.3.5, 2012 and 2012 R2 run 8.4.3, 2016 to 2022 the latest, 2025 none; the package history's
 *     newest is 8.6.1 (21 July 2026; 8.6.0 is no longer linked). Windows reports the package version
 *     in {@code HKLM\Software\Amazon\PVDriver\Version}.</li>
 * <li>"Track ENA Windows driver version releases" (ena-driver-releases-windows.html): 2008 R2 runs
 *     2.2.3 and earlier, 2012 and 2012 R2 2.6.0 and earlier, 2016 and later the latest, 2.11.0
 *     (1 August 2025). The table lists one version per release: package and driver are the same.</li>
 * <li>"AWS NVMe Windows driver version history" (nvme-driver-version-history.html): 2008 R2 runs
 *     1.3.2 and earlier, 2012 and 2012 R2 1.5.1 and earlier, 2016 and later the latest, package 1.8.2
 *     (15 June 2026; 1.8.0 is no longer linked); package 1.5.1 contains driver 1.5.0, every other
 *     package the driver of its own version.</li>
 * </ul>
 */
public final class DriverMatrix {
    private DriverMatrix() {}

    /** A package to install and the driver version Windows reports once it is installed. */
    public record Release(String packageVersion, String driverVersion) {
        static Release same(String version) {
            return new Release(version, version);
        }
    }

    /** Pinned releases; {@code pv} is null where the AWS PV driver is not supported (Windows Server 2025). */
    public record Pinned(Release pv, Release ena, Release nvme) {}

    private static final Release PV_LATEST = Release.same("8.6.1");
    private static final Release ENA_LATEST = Release.same("2.11.0");
    private static final Release NVME_LATEST = Release.same("1.8.2");
    private static final Pinned LATEST = new Pinned(PV_LATEST, ENA_LATEST, NVME_LATEST);
    private static final Pinned WS2012 = new Pinned(Release.same("8.4.3"), Release.same("2.6.0"), new Release("1.5.1", "1.5.0"));

    private static final Map<String, Pinned> BY_OS = Map.of(
            "2008R2", new Pinned(Release.same("8.3.5"), Release.same("2.2.3"), Release.same("1.3.2")),
            "2012", WS2012,
            "2012R2", WS2012,
            "2016", LATEST,
            "2019", LATEST,
            "2022", LATEST,
            "2025", new Pinned(null, ENA_LATEST, NVME_LATEST));

    public static boolean supports(String os) {
        return BY_OS.containsKey(os);
    }

    /** The pinned releases for {@code os} (2008R2, 2012, 2012R2, 2016, 2019, 2022, 2025). */
    public static Pinned forOs(String os) {
        Pinned p = BY_OS.get(os);
        if (p == null) {
            throw new IllegalArgumentException("no driver versions are pinned for Windows Server " + os
                    + "; supported: 2008R2, 2012, 2012R2, 2016, 2019, 2022, 2025");
        }
        return p;
    }

    /** EC2Config is the launch agent on 2012 R2 and older; only 4.9.5777 is still downloadable. */
    public static final String EC2CONFIG_VERSION = "4.9.5777";
    /** EC2Launch v1 on 2016 and 2019. */
    public static final String EC2LAUNCH_VERSION = "1.3.2004256";
    /** EC2Launch v2 on 2016 to 2025. */
    public static final String EC2LAUNCH_V2_VERSION = "2.0.2107";

    public static String launchAgentVersion(String agent) {
        return switch (agent) {
            case "EC2Config" -> EC2CONFIG_VERSION;
            case "EC2Launch" -> EC2LAUNCH_VERSION;
            case "EC2LaunchV2" -> EC2LAUNCH_V2_VERSION;
            default -> throw new IllegalArgumentException("unknown launch agent " + agent);
        };
    }
}
