package dev.xen2nitro.functions.guest;

/** An adapter that had a static configuration before is gone from Windows: nothing can be restored onto it. */
public class NetworkAdapterMissingException extends RuntimeException {
    public NetworkAdapterMissingException(String message) {
        super(message);
    }
}
