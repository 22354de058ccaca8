package dev.xen2nitro.local.wire;

/** An error the emulator returns the way the real service does: a code, a message and an HTTP status. */
public class AwsError extends RuntimeException {
    private final String code;
    private final int status;

    public AwsError(String code, String message) {
        this(code, message, 400);
    }

    public AwsError(String code, String message, int status) {
        super(message);
        this.code = code;
        this.status = status;
    }

    public String code() {
        return code;
    }

    public int status() {
        return status;
    }
}
