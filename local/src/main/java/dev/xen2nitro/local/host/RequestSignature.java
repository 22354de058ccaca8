package dev.xen2nitro.local.host;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import dev.xen2nitro.local.wire.SigV4;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A request signed with Signature Version 4 in its Authorization header, checked as the service that receives it checks
 * it: the canonical request rebuilt from what arrived, the string to sign, the signing key derived from the secret of
 * the access key named, and the signature compared ("Create a signed AWS API request", IAM User Guide; "When your
 * function URL receives a request, Lambda also calculates the SigV4 signature. Lambda processes the request only if the
 * signatures match", Lambda Developer Guide, "Invoking Lambda function URLs"). Written from that reference rather than
 * borrowed from the SDK that signs, so that a signing mistake shows.
 */
public final class RequestSignature {
    private RequestSignature() {}

    /** The access key that signed, or why the request is refused (as the service words it). */
    public record Verdict(String accessKeyId, String refusal) {
        public boolean valid() {
            return refusal == null;
        }
    }

    private static final Pattern AUTHORIZATION = Pattern.compile(
            "AWS4-HMAC-SHA256\\s+Credential=([^/,\\s]+)/([0-9]{8})/([^/]+)/([^/]+)/aws4_request,\\s*SignedHeaders=([^,\\s]+),\\s*Signature=([0-9a-f]{64})");
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");
    /** A signature is good for five minutes either side of the service's clock (IAM User Guide, "Elements of an AWS API request signature"). */
    private static final Duration SKEW = Duration.ofMinutes(5);

    /**
     * @param headers every header as received, by name in any case, each with its values in order
     * @param secrets the secret of an access key, or null for a key that does not exist
     */
    public static Verdict verify(String method, String rawPath, String rawQuery, Map<String, List<String>> headers, byte[] body,
                                 String region, String service, Function<String, String> secrets, Instant now) {
        Map<String, List<String>> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        h.putAll(headers);
        String authorization = first(h, "authorization");
        if (authorization == null) {
            return new Verdict(null, "Missing Authentication Token");
        }
        Matcher m = AUTHORIZATION.matcher(authorization.trim());
        if (!m.matches()) {
            return new Verdict(null, "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' of AWS4-HMAC-SHA256");
        }
        String key = m.group(1), day = m.group(2), scopeRegion = m.group(3), scopeService = m.group(4), signedHeaders = m.group(5),
                signature = m.group(6);
        String secret = secrets.apply(key);
        if (secret == null) {
            return new Verdict(key, "The security token included in the request is invalid.");
        }
        if (!region.equals(scopeRegion) || !service.equals(scopeService)) {
            return new Verdict(key, "Credential should be scoped to a valid region and service: " + region + "/" + service
                    + ", not " + scopeRegion + "/" + scopeService);
        }
        String date = first(h, "x-amz-date");
        if (date == null || !date.startsWith(day)) {
            return new Verdict(key, "The request must carry X-Amz-Date of the day its credential is scoped to");
        }
        Instant signedAt;
        try {
            signedAt = LocalDateTime.parse(date, AMZ_DATE).toInstant(ZoneOffset.UTC);
        } catch (RuntimeException e) {
            return new Verdict(key, "X-Amz-Date " + date + " is not yyyyMMddTHHmmssZ");
        }
        if (Duration.between(signedAt, now).abs().compareTo(SKEW) > 0) {
            return new Verdict(key, "Signature expired: " + date + " is now earlier or later than 5 minutes from the service's time");
        }
        List<String> names = List.of(signedHeaders.split(";"));
        if (!names.contains("host")) {
            return new Verdict(key, "'Host' must be a signed header");
        }
        StringBuilder canonicalHeaders = new StringBuilder();
        for (String name : names) {
            List<String> values = h.get(name);
            if (values == null) {
                return new Verdict(key, "The request signs header '" + name + "', which it does not carry");
            }
            List<String> trimmed = new ArrayList<>();
            values.forEach(v -> trimmed.add(v.trim().replaceAll("\\s+", " ")));
            canonicalHeaders.append(name.toLowerCase(Locale.ROOT)).append(':').append(String.join(",", trimmed)).append('\n');
        }
        String payloadHash = SigV4.hash(body);
        String canonicalRequest = method + "\n" + canonicalPath(rawPath) + "\n" + canonicalQuery(rawQuery) + "\n" + canonicalHeaders + "\n"
                + signedHeaders + "\n" + payloadHash;
        if (!SigV4.matches(signature, canonicalRequest, date, day, region, service, secret)) {
            return new Verdict(key, "The request signature we calculated does not match the signature you provided. Check your AWS Secret"
                    + " Access Key and signing method. Consult the service documentation for details.");
        }
        return new Verdict(key, null);
    }

    /** Every path segment URI-encoded twice, as every service but S3 canonicalizes it (the segments arrive encoded once). */
    public static String canonicalPath(String rawPath) {
        if (rawPath == null || rawPath.isEmpty()) {
            return "/";
        }
        StringBuilder out = new StringBuilder();
        String[] segments = rawPath.split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            if (i > 0) out.append('/');
            out.append(encode(encode(URLDecoder.decode(segments[i], StandardCharsets.UTF_8))));
        }
        return out.toString();
    }

    /** The query's names and values, each URI-encoded, sorted by name then value. */
    public static String canonicalQuery(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return "";
        }
        List<String[]> pairs = new ArrayList<>();
        for (String p : rawQuery.split("&")) {
            if (p.isEmpty()) continue;
            int eq = p.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? p : p.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(p.substring(eq + 1), StandardCharsets.UTF_8);
            pairs.add(new String[] {encode(name), encode(value)});
        }
        pairs.sort((a, b) -> a[0].equals(b[0]) ? a[1].compareTo(b[1]) : a[0].compareTo(b[0]));
        StringBuilder out = new StringBuilder();
        for (String[] p : pairs) {
            if (out.length() > 0) out.append('&');
            out.append(p[0]).append('=').append(p[1]);
        }
        return out.toString();
    }

    /** SigV4's URI encoding ({@link SigV4#encode}). */
    static String encode(String s) {
        return dev.xen2nitro.local.wire.SigV4.encode(s);
    }

    private static String first(Map<String, List<String>> h, String name) {
        List<String> v = h.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }
}
