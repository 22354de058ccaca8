package dev.xen2nitro.local.wire;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The arithmetic of Signature Version 4 that every check of a signed request shares (IAM User Guide, "Create a signed AWS
 * API request"): the string to sign from the canonical request, the signing key derived from the secret, date, Region and
 * service, and the comparison of signatures in constant time. Each caller builds its own canonical request.
 */
public final class SigV4 {
    private SigV4() {}

    /** The hex SHA-256 of {@code b}, as a payload hash or a canonical request's hash is written. */
    public static String hash(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** SigV4's URI encoding: unreserved characters kept, every other byte %XX in upper case. */
    public static String encode(String s) {
        StringBuilder sb = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~') {
                sb.append(c);
            } else {
                sb.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return sb.toString();
    }

    /** Whether {@code signature} signs {@code canonicalRequest} at {@code date} (yyyyMMdd'T'HHmmss'Z') with {@code secret}. */
    public static boolean matches(String signature, String canonicalRequest, String date, String day, String region, String service, String secret) {
        String scope = day + "/" + region + "/" + service + "/aws4_request";
        String stringToSign = "AWS4-HMAC-SHA256\n" + date + "\n" + scope + "\n" + hash(canonicalRequest.getBytes(StandardCharsets.UTF_8));
        byte[] k = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), day);
        k = hmac(k, region);
        k = hmac(k, service);
        k = hmac(k, "aws4_request");
        return MessageDigest.isEqual(HexFormat.of().formatHex(hmac(k, stringToSign)).getBytes(StandardCharsets.US_ASCII),
                signature.getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
