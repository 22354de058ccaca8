package dev.xen2nitro.functions.rehearsal;

/** A rehearsal's clone is still shutting down, or its security group still in use by it; retried until they are gone. */
public class RehearsalStillRemovingException extends RuntimeException {
    public RehearsalStillRemovingException(String message) {
        super(message);
    }
}
