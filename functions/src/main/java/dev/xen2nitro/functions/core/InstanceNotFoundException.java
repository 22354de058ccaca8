package dev.xen2nitro.functions.core;

/** The instance does not exist in this account and region. Not retried. */
public class InstanceNotFoundException extends RuntimeException {
    public InstanceNotFoundException(String message) {
        super(message);
    }
}
