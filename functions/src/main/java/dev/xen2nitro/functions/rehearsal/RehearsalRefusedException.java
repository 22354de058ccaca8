package dev.xen2nitro.functions.rehearsal;

/** The rehearsal cannot be set up as asked (its message says what to change); the original has not been touched. */
public class RehearsalRefusedException extends RuntimeException {
    public RehearsalRefusedException(String message) {
        super(message);
    }
}
