package dev.xen2nitro.functions.rules;

import java.util.Map;

/**
 * Which Windows Server release a guest runs, decided from the version number Windows reports
 * ({@code Win32_OperatingSystem.Version}, e.g. 6.3.9600), which CaptureGuestFacts prints as {@code os}.
 * Anything this workflow has no pinned drivers for is refused by name, never taken for the newest
 * release: Windows Server 2008 (6.0) runs Citrix PV 5.9 and AWS NVMe 1.3.2 at most (EC2 User Guide,
 * "Paravirtual drivers for Windows instances", "AWS NVMe Windows driver version history"), and would
 * otherwise get the drivers of 2016.
 */
public final class WindowsReleases {
    private WindowsReleases() {}

    public static final String SUPPORTED = "Windows Server 2008 R2 (6.1), 2012 (6.2), 2012 R2 (6.3), 2016 (10.0.14393),"
            + " 2019 (10.0.17763), 2022 (10.0.20348) and 2025 (10.0.26100)";

    /** The release (a key of {@link DriverMatrix}), or why the guest is refused. */
    public record Decision(String release, String refusal) {
        public boolean supported() {
            return release != null;
        }
    }

    /** Windows 6.x: one server release per minor version (a service pack changes only the build). */
    private static final Map<String, String> BY_MINOR = Map.of("6.1", "2008R2", "6.2", "2012", "6.3", "2012R2");

    /** Windows 10.0: the long-term server releases, each its own build; other builds are Semi-Annual Channel or client releases. */
    private static final Map<String, String> BY_BUILD = Map.of("14393", "2016", "17763", "2019", "20348", "2022", "26100", "2025");

    public static Decision of(String version) {
        if (version == null || !version.matches("[0-9]+\\.[0-9]+\\.[0-9]+(\\.[0-9]+)?")) {
            return new Decision(null, "the guest reported its Windows version as " + (version == null ? "nothing" : "'" + version + "'")
                    + ", not a version number such as 6.3.9600: the CaptureGuestFacts document and the functions come from different"
                    + " versions of template.yaml; deploy the stack again so both are the same version");
        }
        String[] p = version.split("\\.");
        if ("6".equals(p[0]) && "1".equals(p[1]) && Integer.parseInt(p[2]) < 7601) {
            // The ENA driver needs Windows Server 2008 R2 with Service Pack 1 (build 7601) (EC2 User Guide, "Enable
            // enhanced networking with ENA on Windows instances", prerequisites).
            return new Decision(null, "Windows Server 2008 R2 build " + p[2] + " has no Service Pack 1, which the ENA driver needs:"
                    + " install Service Pack 1 (build 7601) first, then start the migration again");
        }
        String release = "10".equals(p[0]) && "0".equals(p[1]) ? BY_BUILD.get(p[2]) : BY_MINOR.get(p[0] + "." + p[1]);
        if (release != null) {
            return new Decision(release, null);
        }
        String what = version.startsWith("6.0.") ? "Windows Server 2008 (" + version + "), which AWS supports only with Citrix PV 5.9,"
                : "Windows " + version + ", a build";
        return new Decision(null, what + " has no pinned driver versions in this workflow; supported: " + SUPPORTED
                + ". Upgrade Windows to a supported release first, or migrate this instance by hand");
    }
}
