package dev.xen2nitro.functions.typechange;

import dev.xen2nitro.functions.core.Aws;
import dev.xen2nitro.functions.core.Ec2Calls;
import dev.xen2nitro.functions.core.JsonHandler;
import software.amazon.awssdk.services.ec2.model.InstanceStateChange;

/**
 * Asks EC2 to stop the instance and returns at once; the state machine polls until it is stopped.
 * Stopping an instance that is already stopping or stopped is not an error (EC2 StopInstances is idempotent).
 */
public class StopInstance extends JsonHandler<InstanceRef, StopInstance.Result> {

    public record Result(String instanceId, String previousState, String currentState) {}

    public StopInstance() {
        super(InstanceRef.class);
    }

    @Override
    protected Result handle(InstanceRef input) {
        InstanceStateChange change = Ec2Calls.call("StopInstances " + input.instanceId(),
                () -> Aws.ec2().stopInstances(r -> r.instanceIds(input.instanceId()))).stoppingInstances().get(0);
        return new Result(change.instanceId(), change.previousState().nameAsString(), change.currentState().nameAsString());
    }

    @Override
    protected InstanceRef sampleInput() {
        return new InstanceRef("i-0123456789abcdef0");
    }
}
