package dev.xen2nitro.local.guest;

import java.util.Map;

/**
 * What each AWS driver release supports, as the guest model knows it from AWS's documentation,
 * kept apart from the product's own pinned versions so that a mistake there shows in the tests
 * instead of being repeated here. For each Windows Server version, the newest release of each
 * driver that still supports it; a newer release does not install on it.
 *
 * <p>Sources: EC2 User Guide, "ENA Windows driver releases" (2.7.0 removed Windows Server 2012 and
 * 2012 R2; 2.2.3 is the last for 2008 R2), "AWS PV driver history" (8.3.5 last for 2008 R2, 8.4.3
 * for 2012 and 2012 R2; no PV driver for 2025), "AWS NVMe driver version history" (1.3.2 last for
 * 2008 R2, 1.5.1 for 2012 and 2012 R2). Later versions have no ceiling here.
 */
public final class DriverReleases {
    public enum Driver { PV, ENA, NVME }

    /** Newest supported release per driver and OS; absent: no ceiling; "none": never supported. */
    private static final Map<Driver, Map<String, String>> NEWEST = Map.of(
            Driver.PV, Map.of("2008R2", "8.3.5", "2012", "8.4.3", "2012R2", "8.4.3", "2025", "none"),
            Driver.ENA, Map.of("2008R2", "2.2.3", "2012", "2.6.0", "2012R2", "2.6.0"),
            Driver.NVME, Map.of("2008R2", "1.3.2", "2012", "1.5.1", "2012R2", "1.5.1"));

    private DriverReleases() {}

    /** Why release {@code version} of the driver does not install on {@code os}, or null when it does. */
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
