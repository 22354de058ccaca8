package dev.xen2nitro.functions.core;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Executions are known by their ARN ({@code $$.Execution.Id}): a name is chosen by whoever starts the
 * execution and is unique only within one state machine (Step Functions API reference, StartExecution:
 * "name ... must be unique for your AWS account, Region, and state machine"), so the lock and everything an
 * execution tags as its own carry the whole ARN. Where AWS limits a name or token more tightly than a tag
 * value (AMI names: 128 characters, no colon; client tokens: 64 ASCII characters), the execution is named by a
 * digest of its ARN, with as much of its readable name as fits.
 */
public final class Executions {
    private Executions() {}

    /** The execution the handlers' sample inputs name (for priming). */
    public static final String SAMPLE = "arn:aws:states:us-east-1:123456789012:execution:xen2nitro-MigrateInstance:sample";

    /**
     * A standard execution's ARN: arn:PARTITION:states:REGION:ACCOUNT:execution:STATE-MACHINE:NAME, each name 1 to 80
     * characters without whitespace, brackets (< > { } [ ]), wildcards (? *), special characters
     * (" # % \\ ^ | ~ ` $ & , ; : /) or control characters (StartExecution and CreateStateMachine API reference, "name").
     */
    private static final String NAME = "[^\\s<>{}\\[\\]?*\"#%\\\\^|~`$&,;:/\\p{Cntrl}]{1,80}";
    private static final Pattern ARN = Pattern.compile("arn:aws[a-z-]*:states:[a-z0-9-]+:[0-9]{12}:execution:" + NAME + ":" + NAME);

    public static boolean isArn(String value) {
        return value != null && ARN.matcher(value).matches();
    }

    /** Throws {@link InvalidInputException} naming the field unless {@code value} is an execution's ARN. */
    public static void require(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new InvalidInputException("'" + field + "' is required: the execution's ARN ($$.Execution.Id)");
        }
        if (!isArn(value)) {
            throw new InvalidInputException("'" + field + "' is \"" + value + "\", which is not an execution's ARN: expected "
                    + "arn:aws:states:REGION:ACCOUNT:execution:STATE-MACHINE:NAME ($$.Execution.Id)");
        }
    }

    /** The execution's name: the ARN's last part. */
    public static String name(String arn) {
        return arn.substring(arn.lastIndexOf(':') + 1);
    }

    /** 16 hexadecimal characters of the SHA-256 of the ARN: the same for every invocation of one execution. */
    public static String digest(String arn) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(arn.getBytes(StandardCharsets.UTF_8))).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * An idempotency token of at most 64 characters (EC2 API reference, "Ensuring idempotency"): the digest and
     * {@code purpose}, so that one execution's retries share it and two executions never do.
     */
    public static String clientToken(String arn, String purpose) {
        String token = digest(arn) + "-" + purpose;
        return token.length() > 64 ? token.substring(0, 64) : token;
    }

    /**
     * {@code prefix}, the execution's name with every character outside {@code [A-Za-z0-9._-]} replaced by '-'
     * and shortened to fit, and the digest: at most {@code max} characters, which AMI names (3 to 128 of
     * letters, digits, ( ) [ ] space . / - ' @ _) and security group names accept.
     */
    public static String resourceName(String prefix, String arn, int max) {
        String digest = digest(arn);
        String readable = name(arn).replaceAll("[^A-Za-z0-9._-]", "-");
        int room = max - prefix.length() - digest.length() - 1;
        if (room <= 0) {
            return (prefix + digest).substring(0, Math.min(max, prefix.length() + digest.length()));
        }
        if (readable.length() > room - 1) {
            readable = readable.substring(0, Math.max(0, room - 1));
        }
        return prefix + (readable.isEmpty() ? "" : readable + "-") + digest;
    }
}
