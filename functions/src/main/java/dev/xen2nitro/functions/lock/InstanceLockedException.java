package dev.xen2nitro.functions.lock;

/** Another execution is migrating this instance; this one stops without touching it. */
public class InstanceLockedException extends RuntimeException {
    public InstanceLockedException(String message) {
        super(message);
    }
}
