package dev.xen2nitro.functions.guest;

/** A package has no SHA-256 pinned in the functions, or its zip is not in the stack's bucket; nothing was sent to the guest. */
public class PackageNotStagedException extends RuntimeException {
    public PackageNotStagedException(String message) {
        super(message);
    }
}
