package dev.xen2nitro.functions.rules;

import java.util.Map;

/**
 * The AWS driver versions to install, per Windows Server version. Never "latest": end-of-life
 * versions have a newest supported release, and installing a newer one fails (ENA 2.7.0 removed
 * 2012 and 2012 R2).
 *
 * <p>Source: EC2 User Guide, "AWS device drivers for Windows instances", "ENA Windows driver
 * releases" and "AWS PV driver history" (as summarised in RUNBOOK.md, "Facts for the local cloud").
 */
public final class DriverMatrix {
    private DriverMatrix() {}

    /** Pinned versions; {@code pv} is null where the AWS PV driver is not supported (Windows Server 2025). */
    public record Pinned(String pv, String ena, String nvme) {}

    private static final Pinned LATEST = new Pinned("8.6.0", "2.11.0", "1.8.0");

    private static final Map<String, Pinned> BY_OS = Map.of(
            "2008R2", new Pinned("8.3.5", "2.2.3", "1.3.2"),
            "2012", new Pinned("8.4.3", "2.6.0", "1.5.1"),
            "2012R2", new Pinned("8.4.3", "2.6.0", "1.5.1"),
            "2016", LATEST,
            "2019", LATEST,
            "2022", LATEST,
            "2025", new Pinned(null, "2.11.0", "1.8.0"));

    public static boolean supports(String os) {
        return BY_OS.containsKey(os);
    }

    /** The pinned versions for {@code os} (2008R2, 2012, 2012R2, 2016, 2019, 2022, 2025). */
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
