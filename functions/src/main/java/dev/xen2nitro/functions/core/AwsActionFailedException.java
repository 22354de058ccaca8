package dev.xen2nitro.functions.core;

/** AWS refused the action for a reason that retrying will not change; the message carries AWS's code and text. */
public class AwsActionFailedException extends RuntimeException {
    public AwsActionFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
