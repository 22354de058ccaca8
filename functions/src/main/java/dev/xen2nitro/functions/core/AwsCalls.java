package dev.xen2nitro.functions.core;

import java.util.Set;
import java.util.function.Supplier;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * Runs one call to SSM, SNS or S3 and names its failure: throttling and 5xx become
 * {@link TransientAwsException} (the state machine retries), anything else {@link AwsActionFailedException}
 * with the service's code and message. EC2 has its own finer mapping in {@link Ec2Calls}.
 */
public final class AwsCalls {
    private AwsCalls() {}

    private static final Set<String> TRANSIENT = Set.of("ThrottlingException", "Throttling", "TooManyRequestsException",
            "RequestLimitExceeded", "InternalServerError", "InternalFailure", "ServiceUnavailable", "SlowDown");

    public static <T> T call(String action, Supplier<T> call) {
        try {
            return call.get();
        } catch (AwsServiceException e) {
            String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
            String message = action + " failed: " + code + ": " + (e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorMessage());
            if ((code != null && TRANSIENT.contains(code)) || e.statusCode() >= 500 || e.isThrottlingException()) {
                throw new TransientAwsException(message, e);
            }
            throw new AwsActionFailedException(message, e);
        } catch (SdkClientException e) {
            throw new TransientAwsException(action + " could not reach the service: " + e.getMessage(), e);
        }
    }
}
