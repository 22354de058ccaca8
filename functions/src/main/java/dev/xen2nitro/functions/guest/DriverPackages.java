package dev.xen2nitro.functions.guest;

import dev.xen2nitro.functions.core.Aws;
import dev.xen2nitro.functions.core.AwsCalls;
import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * The driver packages staged in the stack's bucket by scripts/stage-drivers.sh: each zip at
 * {@code drivers/PACKAGE/VERSION/PACKAGE.zip}, and their SHA-256 sums in {@code drivers/SHA256SUMS}
 * (sha256sum's format). The guest verifies the sum before it installs.
 */
final class DriverPackages {
    private DriverPackages() {}

    static final String SUMS = "drivers/SHA256SUMS";

    static String key(String pkg, String version) {
        return "drivers/" + pkg + "/" + version + "/" + pkg + ".zip";
    }

    /** Parameters of an install document for {@code pkg} at {@code version}, from the stack's bucket. */
    static Map<String, java.util.List<String>> parameters(String pkg, String version) {
        Map<String, java.util.List<String>> p = new LinkedHashMap<>();
        p.put("Version", java.util.List.of(version));
        String bucket = Aws.setting("DRIVER_BUCKET");
        String key = key(pkg, version);
        String sums;
        try {
            sums = AwsCalls.call("GetObject s3://" + bucket + "/" + SUMS, () -> Aws.s3().getObjectAsBytes(r -> r.bucket(bucket).key(SUMS))).asUtf8String();
        } catch (RuntimeException e) {
            if (e.getCause() instanceof NoSuchKeyException) {
                throw new PackageNotStagedException("s3://" + bucket + "/" + SUMS + " does not exist: stage the driver packages with"
                        + " scripts/stage-drivers.sh " + bucket + " DIR (see README#driver-packages)");
            }
            throw e;
        }
        String sha = sums.lines().map(String::trim).filter(l -> l.endsWith(" " + key) || l.endsWith("*" + key))
                .map(l -> l.split("\\s+")[0]).findFirst()
                .orElseThrow(() -> new PackageNotStagedException(pkg + " " + version + " is not staged in s3://" + bucket + "/" + key
                        + ": put the zip there and its sum in " + SUMS + " with scripts/stage-drivers.sh (see README#driver-packages)"));
        p.put("PackageBucket", java.util.List.of(bucket));
        p.put("PackageKey", java.util.List.of(key));
        p.put("Sha256", java.util.List.of(sha));
        return p;
    }
}
