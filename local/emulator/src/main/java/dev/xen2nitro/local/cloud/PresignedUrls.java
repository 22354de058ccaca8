package dev.xen2nitro.local.cloud;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A presigned S3 GET URL as S3 judges it when a guest downloads it: the bucket and Region from the host
 * (virtual-hosted {@code BUCKET.s3.REGION.amazonaws.com} or path-style {@code s3.REGION.amazonaws.com/BUCKET},
 * S3 User Guide, "Virtual hosting of buckets"), the query-string SigV4 signature recomputed with the
 * secret of the access key it names, and its expiry ("Authenticating Requests: Using Query Parameters
 * (AWS Signature Version 4)", S3 API Reference). Written here from that reference, not borrowed from the
 * SDK that signs, so that a signing mistake shows.
 */
public final class PresignedUrls {
    private PresignedUrls() {}

    /** The object a URL names, or why S3 refuses it (the text of S3's error, as the guest's WebClient would see a 403). */
    record Verdict(String bucket, String key, String refusal) {}

    private static final Pattern VIRTUAL = Pattern.compile("^([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\\.s3\\.([a-z0-9-]+)\\.amazonaws\\.com$");
    private static final Pattern PATH_STYLE = Pattern.compile("^s3\\.([a-z0-9-]+)\\.amazonaws\\.com$");
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");
    /** S3 refuses an X-Amz-Expires above seven days (S3 API Reference, query-string authentication). */
    private static final long MAX_EXPIRES = 604_800;
    /**
     * No URL expires sooner than this after its X-Amz-Date, in real milliseconds, whatever the time factor: the
     * Lambda host's floor for a function's timeout, so that a loaded machine (or a local cloud that takes seconds to
     * open) never passes for an expired URL.
     */
    public static final long MIN_REAL_MILLIS = 30_000;

    /**
     * @param nowMillis the emulator's clock
     * @param timeFactor AWS seconds to real seconds: the URL's lifetime is AWS time, scaled like every other duration
     */
    static Verdict judge(String url, String region, long nowMillis, double timeFactor) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            return new Verdict(null, null, "not a URL: " + url);
        }
        if (!"https".equals(uri.getScheme()) || uri.getHost() == null) {
            return new Verdict(null, null, "not an https URL of Amazon S3");
        }
        String host = uri.getHost();
        String rawPath = uri.getRawPath() == null ? "/" : uri.getRawPath();
        String path = URLDecoder.decode(rawPath, StandardCharsets.UTF_8);
        String bucket, key, urlRegion;
        Matcher v = VIRTUAL.matcher(host);
        Matcher ps = PATH_STYLE.matcher(host);
        if (v.matches()) {
            bucket = v.group(1);
            urlRegion = v.group(2);
            key = path.length() > 1 ? path.substring(1) : "";
        } else if (ps.matches()) {
            urlRegion = ps.group(1);
            String p = path.startsWith("/") ? path.substring(1) : path;
            int slash = p.indexOf('/');
            bucket = slash < 0 ? p : p.substring(0, slash);
            key = slash < 0 ? "" : p.substring(slash + 1);
        } else {
            return new Verdict(null, null, "host " + host + " is not a regional Amazon S3 endpoint");
        }
        // A bucket answers at its own Region's endpoint only, and an S3 gateway endpoint serves its own Region.
        if (!region.equals(urlRegion)) {
            return new Verdict(bucket, key, "PermanentRedirect: the bucket " + bucket + " is in " + region + ", the URL names " + urlRegion);
        }
        Map<String, String> query = new TreeMap<>(dev.xen2nitro.local.wire.QueryCodec.parseForm(uri.getRawQuery()));
        String algorithm = query.get("X-Amz-Algorithm"), credential = query.get("X-Amz-Credential"), date = query.get("X-Amz-Date"),
                expires = query.get("X-Amz-Expires"), signed = query.get("X-Amz-SignedHeaders"), signature = query.get("X-Amz-Signature");
        if (!"AWS4-HMAC-SHA256".equals(algorithm) || credential == null || date == null || expires == null || signed == null || signature == null) {
            return new Verdict(bucket, key, "AccessDenied: not a presigned URL (X-Amz-Algorithm, -Credential, -Date, -Expires, -SignedHeaders and -Signature)");
        }
        String[] scope = credential.split("/");
        if (scope.length != 5 || !"s3".equals(scope[3]) || !"aws4_request".equals(scope[4])) {
            return new Verdict(bucket, key, "AuthorizationQueryParametersError: X-Amz-Credential " + credential + " is not KEY/DATE/REGION/s3/aws4_request");
        }
        if (!region.equals(scope[2])) {
            return new Verdict(bucket, key, "AuthorizationQueryParametersError: the credential's Region " + scope[2] + " is wrong; expecting " + region);
        }
        long signedAt, lifetime;
        try {
            signedAt = LocalDateTime.parse(date, AMZ_DATE).toInstant(ZoneOffset.UTC).toEpochMilli();
            lifetime = Long.parseLong(expires);
        } catch (RuntimeException e) {
            return new Verdict(bucket, key, "AuthorizationQueryParametersError: X-Amz-Date or X-Amz-Expires malformed");
        }
        if (lifetime < 1 || lifetime > MAX_EXPIRES || !date.startsWith(scope[1])) {
            return new Verdict(bucket, key, "AuthorizationQueryParametersError: X-Amz-Expires must be 1 to 604800 seconds, dated as the credential");
        }
        String secret = LocalCredentials.secretOf(scope[0]);
        if (secret == null) {
            return new Verdict(bucket, key, "InvalidAccessKeyId: The AWS Access Key Id you provided does not exist in our records.");
        }
        if (!"host".equals(signed)) {
            return new Verdict(bucket, key, "SignatureDoesNotMatch: the URL signs headers (" + signed + ") a plain download does not send");
        }
        StringBuilder canonicalQuery = new StringBuilder();
        for (Map.Entry<String, String> e : query.entrySet()) {
            if (e.getKey().equals("X-Amz-Signature")) continue;
            if (canonicalQuery.length() > 0) canonicalQuery.append('&');
            canonicalQuery.append(encode(e.getKey())).append('=').append(encode(e.getValue()));
        }
        String authority = uri.getPort() < 0 ? host : host + ":" + uri.getPort();
        String canonicalRequest = "GET\n" + rawPath + "\n" + canonicalQuery + "\nhost:" + authority + "\n\nhost\nUNSIGNED-PAYLOAD";
        if (!dev.xen2nitro.local.wire.SigV4.matches(signature, canonicalRequest, date, scope[1], scope[2], "s3", secret)) {
            return new Verdict(bucket, key, "SignatureDoesNotMatch: The request signature we calculated does not match the signature you provided.");
        }
        // X-Amz-Date has whole seconds: the signing may have happened up to a second after it. A URL scaled to under a
        // second of real time would expire while a busy machine runs the function that sends it, so no URL expires
        // within MIN_REAL_MILLIS of being signed (the Lambda host never times a function out under 30 s either).
        long realMillisSince = Math.max(0, nowMillis - signedAt - 999);
        if (realMillisSince > MIN_REAL_MILLIS && realMillisSince / (1000.0 * timeFactor) > lifetime) {
            return new Verdict(bucket, key, "AccessDenied: Request has expired (X-Amz-Expires " + lifetime + " s)");
        }
        return new Verdict(bucket, key, null);
    }

    /** SigV4's URI encoding ({@link SigV4#encode}). */
    static String encode(String s) {
        return dev.xen2nitro.local.wire.SigV4.encode(s);
    }
}
