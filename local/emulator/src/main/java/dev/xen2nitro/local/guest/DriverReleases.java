package dev.xen2nitro.local.guest;

import java.util.Map;

/**
 * What each AWS driver release supports and what Windows reports once it is installed, as the guest
 * model knows it from AWS's documentation, kept apart from the product's own pinned versions so that a
 * mistake there shows in the tests instead of being repeated here.
 *
 * <p>For each Windows Server version, the newest package of each driver that still supports it; a
 * newer package does not install on it. Sources (EC2 User Guide): "Track ENA Windows driver version
 * releases" (2.2.3 is the last for 2008 R2, 2.4.0 removed it; 2.7.0 removed 2012 and 2012 R2, whose
 * last is 2.6.0), "Paravirtual drivers for Windows instances" (AWS PV 8.3.5 last for 2008 R2, 8.4.3 for
 * 2012 and 2012 R2; no AWS PV driver for 2025; 2008 runs Citrix PV 5.9), "AWS NVMe Windows driver
 * version history" (1.3.2 last for 2008 and 2008 R2, 1.5.1 for 2012 and 2012 R2). Later versions have
 * no ceiling here.
 *
 * <p>The driver version Windows reports is the package's own, except where the NVMe history lists
 * another: package 1.5.1 contains driver 1.5.0. The PV package history lists package versions only,
 * and Windows reports the package version in {@code HKLM\Software\Amazon\PVDriver\Version}; the ENA
 * history lists one version per release.
 */
public final class DriverReleases {
    public enum Driver { PV, ENA, NVME }

    /** Newest supported package per driver and OS; absent: no ceiling; "none": never supported. */
    private static final Map<Driver, Map<String, String>> NEWEST = Map.of(
            Driver.PV, Map.of("2008", "none", "2008R2", "8.3.5", "2012", "8.4.3", "2012R2", "8.4.3", "2025", "none"),
            Driver.ENA, Map.of("2008", "none", "2008R2", "2.2.3", "2012", "2.6.0", "2012R2", "2.6.0"),
            Driver.NVME, Map.of("2008", "1.3.2", "2008R2", "1.3.2", "2012", "1.5.1", "2012R2", "1.5.1"));

    /** Packages whose driver reports a version other than the package's (AWS NVMe driver version history). */
    private static final Map<Driver, Map<String, String>> REPORTED = Map.of(
            Driver.PV, Map.of(),
            Driver.ENA, Map.of(),
            Driver.NVME, Map.of("1.5.1", "1.5.0"));

    private DriverReleases() {}

    /** The driver version Windows reports once package {@code packageVersion} is installed. */
    public static String reportedVersion(Driver driver, String packageVersion) {
        return REPORTED.get(driver).getOrDefault(packageVersion, packageVersion);
    }

    /** Why package {@code version} of the driver does not install on {@code os}, or null when it does. */
    public static String unsupported(Driver driver, String version, String os) {
        String newest = NEWEST.get(driver).get(os);
        if (newest == null || version == null) {
            return null;
        }
        if (newest.equals("none")) {
            return name(driver) + " drivers are not supported on Windows Server " + os;
        }
        return newer(version, newest)
                ? name(driver) + " driver " + version + " does not support Windows Server " + os + " (last release for it: " + newest + ")"
                : null;
    }

    private static String name(Driver d) {
        return switch (d) {
            case PV -> "AWS PV";
            case ENA -> "ENA";
            case NVME -> "AWS NVMe";
        };
    }

    /** Whether dotted version {@code have} is {@code want} or newer. */
    public static boolean atLeast(String have, String want) {
        return !newer(want, have);
    }

    /** Dotted numeric versions, compared part by part; a missing part counts as 0. */
    static boolean newer(String a, String b) {
        String[] x = a.split("\\."), y = b.split("\\.");
        for (int k = 0; k < Math.max(x.length, y.length); k++) {
            int p = k < x.length ? Integer.parseInt(x[k].replaceAll("\\D.*", "0")) : 0;
            int q = k < y.length ? Integer.parseInt(y[k].replaceAll("\\D.*", "0")) : 0;
            if (p != q) {
                return p > q;
            }
        }
        return false;
    }
}
