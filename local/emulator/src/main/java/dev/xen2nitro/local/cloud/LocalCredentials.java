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

    /**
     * The placeholder key sam local gives a function when the shell has no AWS credentials (AWS SAM CLI,
     * samcli/local/lambdafn/env_vars.py, {@code _DEFAULT_AWS_CREDS}): known here too, so that what a function run by
     * sam local presigns verifies. Like any key the local cloud did not issue to a role, it acts as an administrator.
     */
    public static final String SAM_LOCAL_ACCESS_KEY_ID = "defaultkey";
    public static final String SAM_LOCAL_SECRET_ACCESS_KEY = "defaultsecret";

    /** The secret of an access key the local cloud issued, or null. */
    static String secretOf(String accessKeyId) {
        if (SAM_LOCAL_ACCESS_KEY_ID.equals(accessKeyId)) return SAM_LOCAL_SECRET_ACCESS_KEY;
        return ACCESS_KEY_ID.equals(accessKeyId) ? SECRET_ACCESS_KEY : null;
    }
}
