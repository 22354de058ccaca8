package dev.xen2nitro.functions.core;

/** Throttling, capacity or a 5xx that outlived the SDK's own retries: the state machine retries with backoff. */
public class TransientAwsException extends RuntimeException {
    public TransientAwsException(String message, Throwable cause) {
        super(message, cause);
    }
}
