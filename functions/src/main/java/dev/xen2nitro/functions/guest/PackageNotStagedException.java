package dev.xen2nitro.functions.guest;

/** A driver package or its SHA-256 sum is missing from the stack's bucket; nothing was installed. */
public class PackageNotStagedException extends RuntimeException {
    public PackageNotStagedException(String message) {
        super(message);
    }
}
