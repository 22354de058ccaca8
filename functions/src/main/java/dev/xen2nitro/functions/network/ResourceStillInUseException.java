package dev.xen2nitro.functions.network;

/** A temporary resource cannot be deleted yet (an endpoint's interfaces are still going away); retried. */
public class ResourceStillInUseException extends RuntimeException {
    public ResourceStillInUseException(String message) {
        super(message);
    }
}
