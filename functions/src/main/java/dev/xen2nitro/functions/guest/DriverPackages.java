package dev.xen2nitro.functions.guest;

import dev.xen2nitro.functions.core.Aws;
import dev.xen2nitro.functions.core.AwsCalls;
import dev.xen2nitro.functions.core.InvalidInputException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The packages staged in the stack's bucket by scripts/stage-drivers.sh, each zip at
 * {@code drivers/PACKAGE/VERSION/PACKAGE.zip}, and what an install document needs to fetch one: a
 * presigned GET URL of that object and the SHA-256 pinned in the functions' jar ({@link PackagePins}).
 * The guest downloads with .NET, needing neither AWS Tools for PowerShell nor any permission of its
 * instance profile: the URL carries this function's.
 */
final class DriverPackages {
    private DriverPackages() {}

    /**
     * How long a URL stays valid: SendCommand's delivery timeout (the command may start that late) and five
     * minutes for the download. A URL presigned with temporary credentials, as a Lambda function's are, stops
     * working when they expire, even if its own expiry is later (S3 User Guide, "Sharing objects with presigned
     * URLs"); the function's session outlasts these fifteen minutes by far.
     */
    static final Duration URL_VALIDITY = Duration.ofSeconds(GuestStep.DELIVERY_TIMEOUT_SECONDS + 300);

    /**
     * The longest URL sent. A command's document and its parameter values together may not exceed 64 KB
     * (SSM API Reference, CreateDocument, Content: "This quota also includes the content specified for input
     * parameters at runtime"); a URL with a Lambda session token is about 2 KB.
     */
    static final int MAX_URL_LENGTH = 8192;

    static final Pattern SHA256 = Pattern.compile(DocumentParameters.SHA256);
    static final Pattern VERSION = Pattern.compile(DocumentParameters.VERSION);

    static String key(String pkg, String version) {
        return "drivers/" + PackagePins.path(pkg, version);
    }

    /**
     * The URL pattern of a package's PackageUrl, as the SSM document's allowedPattern writes it: https, the
     * stack's bucket virtual-hosted at the regional S3 endpoint, the package's key under drivers/, and only
     * the characters of a presigned query string (no quote, no $, no space: the value lands in PowerShell).
     */
    static Pattern urlPattern(String bucket, String region, String domain, String pkg) {
        return Pattern.compile("^" + DocumentParameters.packageUrl(bucket, region, domain, pkg) + "$");
    }

    /** The pinned SHA-256, or the error that says how to pin it; nothing is read from the bucket. */
    static String pinned(String pkg, String version) {
        return PackagePins.sha256(pkg, version).orElseThrow(() -> new PackageNotStagedException("no SHA-256 is pinned for "
                + key(pkg, version) + " in " + PackagePins.source() + ": download " + pkg + " " + version + " from AWS, check it, run"
                + " scripts/pin-packages.sh DIR, commit the line it prints to that file, deploy, and stage the zip with"
                + " scripts/stage-drivers.sh (README, \"Driver packages\"). Nothing in the guest was changed."));
    }

    /** Whether the zip is in the bucket (HeadObject, allowed by s3:GetObject); refused with what to run when not. */
    static void requireStaged(String pkg, String version) {
        String bucket = Aws.setting("DRIVER_BUCKET");
        String key = key(pkg, version);
        try {
            AwsCalls.call("HeadObject s3://" + bucket + "/" + key, () -> Aws.s3().headObject(r -> r.bucket(bucket).key(key)));
        } catch (RuntimeException e) {
            if (e.getCause() instanceof NoSuchKeyException || (e.getCause() instanceof S3Exception s3 && s3.statusCode() == 404)) {
                throw new PackageNotStagedException(pkg + " " + version + " is pinned but not staged at s3://" + bucket + "/" + key
                        + ": stage it with scripts/stage-drivers.sh " + bucket + " DIR (README, \"Driver packages\")."
                        + " Nothing in the guest was changed.");
            }
            throw e;
        }
    }

    /** Parameters of an install document for {@code pkg} at {@code version}: Version, PackageUrl, Sha256. */
    static Map<String, List<String>> parameters(String pkg, String version) {
        String sha = pinned(pkg, version);
        String bucket = Aws.setting("DRIVER_BUCKET");
        String key = key(pkg, version);
        String url = Aws.s3Presigner().presignGetObject(p -> p.signatureDuration(URL_VALIDITY)
                .getObjectRequest(g -> g.bucket(bucket).key(key))).url().toString();
        Map<String, List<String>> p = new LinkedHashMap<>();
        p.put("Version", List.of(version));
        p.put("PackageUrl", List.of(url));
        p.put("Sha256", List.of(sha));
        validate(pkg, p, bucket, Aws.region().id(), Aws.s3Domain());
        return p;
    }

    /**
     * The same checks as the SSM document's allowedPattern, made before SendCommand so that a value the
     * document would refuse never leaves the function.
     */
    static void validate(String pkg, Map<String, List<String>> p, String bucket, String region, String domain) {
        String version = single(p, "Version");
        String url = single(p, "PackageUrl");
        String sha = single(p, "Sha256");
        if (!VERSION.matcher(version).matches()) {
            throw new InvalidInputException("Version \"" + version + "\" is not a dotted version such as 8.4.3; nothing was sent");
        }
        if (!SHA256.matcher(sha).matches()) {
            throw new InvalidInputException("Sha256 \"" + sha + "\" is not 64 lower-case hex digits; nothing was sent");
        }
        if (url.length() > MAX_URL_LENGTH || !urlPattern(bucket, region, domain, pkg).matcher(url).matches()
                || !url.contains("/" + PackagePins.path(pkg, version) + "?")) {
            throw new InvalidInputException("PackageUrl is not a presigned https URL of " + PackagePins.path(pkg, version)
                    + " under drivers/ in s3://" + bucket + " (" + region + "); nothing was sent: " + abbreviate(url));
        }
    }

    private static String single(Map<String, List<String>> p, String name) {
        List<String> v = p.get(name);
        if (v == null || v.size() != 1 || v.get(0) == null) {
            throw new InvalidInputException(name + " must have exactly one value; nothing was sent");
        }
        return v.get(0);
    }

    private static String abbreviate(String url) {
        int q = url.indexOf('?');
        return q < 0 ? (url.length() > 200 ? url.substring(0, 200) + "..." : url) : url.substring(0, q) + "?...";
    }
}
