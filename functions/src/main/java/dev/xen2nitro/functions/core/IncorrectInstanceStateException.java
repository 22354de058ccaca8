package dev.xen2nitro.functions.core;

/** EC2 refused the action because of the instance's state (e.g. a type change while running). */
public class IncorrectInstanceStateException extends RuntimeException {
    public IncorrectInstanceStateException(String message) {
        super(message);
    }
}
