package dev.xen2nitro.functions.core;

import java.util.Set;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;

/**
 * Runs one EC2 call and turns its failure into one of our named errors, so the state machine
 * can tell "try again later" from "this instance cannot do that" from "the input is wrong".
 */
public final class Ec2Calls {
    private Ec2Calls() {}

    // EC2 API error reference: these are client errors caused by the request's target, not by the moment.
    private static final Set<String> NOT_FOUND = Set.of("InvalidInstanceID.NotFound", "InvalidInstanceID.Malformed");
    // Throttling and capacity errors are worth retrying with backoff (EC2 API error reference,
    // "RequestLimitExceeded", "InsufficientInstanceCapacity").
    private static final Set<String> TRANSIENT = Set.of("RequestLimitExceeded", "Throttling", "ThrottlingException",
            "InsufficientInstanceCapacity", "ServiceUnavailable", "Unavailable", "InternalError");

    /** The instance, or {@link InstanceNotFoundException} naming the region to check. */
    public static software.amazon.awssdk.services.ec2.model.Instance describeInstance(String instanceId) {
        return call("DescribeInstances " + instanceId, () -> Aws.ec2().describeInstances(r -> r.instanceIds(instanceId)))
                .reservations().stream().flatMap(r -> r.instances().stream()).findFirst()
                .orElseThrow(() -> new InstanceNotFoundException("instance " + instanceId + " was not found in region " + Aws.region()));
    }

    public static <T> T call(String action, Supplier<T> call) {
        try {
            return call.get();
        } catch (Ec2Exception e) {
            String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
            String message = action + " failed: " + code + ": "
                    + (e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorMessage());
            if (code != null && NOT_FOUND.contains(code)) {
                throw new InstanceNotFoundException(message + " Check the instance ID and the region of the stack.");
            }
            if ("IncorrectInstanceState".equals(code)) {
                throw new IncorrectInstanceStateException(message);
            }
            if ((code != null && TRANSIENT.contains(code)) || e.statusCode() >= 500) {
                throw new TransientAwsException(message, e);
            }
            throw new AwsActionFailedException(message, e);
        } catch (SdkClientException e) {
            throw new TransientAwsException(action + " could not reach EC2: " + e.getMessage(), e);
        }
    }
}
