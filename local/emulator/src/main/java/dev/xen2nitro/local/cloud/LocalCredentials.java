package dev.xen2nitro.local.cloud;

/**
 * The credentials the local Lambda host gives the functions (as the aws.accessKeyId and
 * aws.secretAccessKey system properties). The emulator knows the secret, as IAM knows a key's, so that
 * it can verify what the functions sign: the presigned package URLs a guest downloads.
 */
public final class LocalCredentials {
    private LocalCredentials() {}

    public static final String ACCESS_KEY_ID = "AKIALOCAL";
    public static final String SECRET_ACCESS_KEY = "local-secret";

    /** The secret of an access key the local cloud issued, or null. */
    static String secretOf(String accessKeyId) {
        return ACCESS_KEY_ID.equals(accessKeyId) ? SECRET_ACCESS_KEY : null;
    }
}
