package dev.xen2nitro.functions.guest;

import dev.xen2nitro.functions.core.Aws;
import dev.xen2nitro.functions.core.InvalidInputException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The parameters each guest document of template.yaml declares, with the {@code allowedPattern} or {@code allowedValues}
 * SSM checks them against, written as the template writes them (the bucket, Region and domain in place of its !Sub).
 * Every command's parameters are checked here before anything is sent, so that a value SSM would refuse never leaves
 * the function, and the check reads each pattern against the whole value (a final line break included), as strictly as
 * any reading of it. DocumentParametersTest compares this table with template.yaml's.
 */
public final class DocumentParameters {
    private DocumentParameters() {}

    /** A declared parameter: a pattern or the allowed values, and whether the document gives it a default. */
    public record Declared(String allowedPattern, List<String> allowedValues, boolean hasDefault) {
        boolean admits(String value) {
            return value != null && (allowedValues != null ? allowedValues.contains(value)
                    : Pattern.compile(allowedPattern).matcher(value).matches());
        }
    }

    public static final String VERSION = "^[0-9]+(\\.[0-9]+){1,3}$";
    public static final String SHA256 = "^[0-9a-f]{64}$";
    public static final List<String> AGENTS = List.of("EC2Config", "EC2Launch", "EC2LaunchV2");

    /**
     * A presigned GET URL of {@code pkg}'s zip in the stack's bucket, at the regional virtual-hosted endpoint, with only
     * the characters of a presigned query string (no quote, $, ;, backtick, brace, space or line break).
     */
    public static String packageUrl(String bucket, String region, String domain, String pkg) {
        return "https://" + bucket + "\\.s3\\." + region + "\\." + domain + "/drivers/" + pkg + "/[0-9]+(\\.[0-9]+){1,3}/" + pkg
                + "\\.zip\\?[A-Za-z0-9%=&._~-]+";
    }

    /** The parameters of {@code step}'s document in a stack whose driver bucket is {@code bucket}, in {@code region}. */
    public static Map<String, Declared> of(GuestStep step, String bucket, String region, String domain) {
        Map<String, Declared> p = new LinkedHashMap<>();
        switch (step) {
            case InstallPvDriver, InstallEnaDriver, InstallNvmeDriver -> {
                String pkg = switch (step) {
                    case InstallPvDriver -> "AWSPVDriver";
                    case InstallEnaDriver -> "AwsEnaNetworkDriver";
                    default -> "AWSNVMe";
                };
                p.put("Version", new Declared(VERSION, null, false));
                p.put("PackageUrl", new Declared("^" + packageUrl(bucket, region, domain, pkg) + "$", null, false));
                p.put("Sha256", new Declared(SHA256, null, false));
            }
            case UpdateLaunchAgent -> {
                p.put("Agent", new Declared(null, AGENTS, false));
                p.put("Version", new Declared(VERSION, null, false));
                // For EC2Config only; empty for EC2Launch, which downloads nothing.
                p.put("PackageUrl", new Declared("^(" + packageUrl(bucket, region, domain, UpdateLaunchAgent.PACKAGE) + ")?$", null, true));
                p.put("Sha256", new Declared("^([0-9a-f]{64})?$", null, true));
            }
            case RestoreNetworkConfig -> p.put("Adapters", new Declared(dev.xen2nitro.functions.guest.RestoreNetworkConfig.ADAPTERS_PATTERN, null, false));
            case CaptureGuestFacts, CheckLaunchAgentUpdate, SetPowerManagement -> {
                // No parameters: these scripts read nothing from the command.
            }
        }
        return p;
    }

    /** As {@link #check(GuestStep, Map, String, String, String)}, for this function's stack. */
    static void check(GuestStep step, Map<String, List<String>> given) {
        check(step, given, Aws.setting("DRIVER_BUCKET"), Aws.region().id(), Aws.s3Domain());
    }

    /**
     * Refuses, before anything is sent, parameters the document would refuse: one it does not declare, a required one
     * missing, more or less than one value, or a value outside the parameter's pattern or values.
     */
    public static void check(GuestStep step, Map<String, List<String>> given, String bucket, String region, String domain) {
        Map<String, Declared> declared = of(step, bucket, region, domain);
        for (String name : given.keySet()) {
            if (!declared.containsKey(name)) {
                throw new InvalidInputException("the " + step + " document declares no parameter " + name + "; nothing was sent");
            }
        }
        declared.forEach((name, d) -> {
            List<String> values = given.get(name);
            if (values == null) {
                if (!d.hasDefault()) {
                    throw new InvalidInputException("the " + step + " document needs the parameter " + name + "; nothing was sent");
                }
                return;
            }
            if (values.size() != 1 || !d.admits(values.get(0))) {
                String shown = values.size() != 1 ? values.size() + " values" : "\"" + abbreviate(name, values.get(0)) + "\"";
                throw new InvalidInputException("the " + step + " document's parameter " + name + " admits "
                        + (d.allowedValues() != null ? "only " + String.join(", ", d.allowedValues()) : "only values matching " + d.allowedPattern())
                        + ", not " + shown + "; nothing was sent");
            }
        });
    }

    /** The value as an error message may show it: a URL without its query (a presigned URL's is a credential). */
    private static String abbreviate(String name, String v) {
        String s = name.equals("PackageUrl") && v.contains("?") ? v.substring(0, v.indexOf('?')) + "?..." : v;
        s = s.length() > 200 ? s.substring(0, 200) + "..." : s;
        return s.replace("\n", "\\n").replace("\r", "\\r");
    }
}
