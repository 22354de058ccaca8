package dev.xen2nitro.functions.network;

/**
 * Another execution is registering for, or releasing, the temporary endpoints of the same VPC (it holds the VPC's lock),
 * or an endpoint the migration needs is still being deleted; the state machine retries with backoff.
 */
public class EndpointsBusyException extends RuntimeException {
    public EndpointsBusyException(String message) {
        super(message);
    }
}
