package dev.xen2nitro.functions.typechange;

import dev.xen2nitro.functions.core.Aws;
import dev.xen2nitro.functions.core.Ec2Calls;
import dev.xen2nitro.functions.core.JsonHandler;
import software.amazon.awssdk.services.ec2.model.InstanceStateChange;

/**
 * Asks EC2 to start the instance and returns at once; the state machine polls until it runs and
 * passes its status checks. Starting a running instance is not an error (EC2 StartInstances is idempotent).
 */
public class StartInstance extends JsonHandler<InstanceRef, StartInstance.Result> {

    public record Result(String instanceId, String previousState, String currentState) {}

    public StartInstance() {
        super(InstanceRef.class);
    }

    @Override
    protected Result handle(InstanceRef input) {
        InstanceStateChange change = Ec2Calls.call("StartInstances " + input.instanceId(),
                () -> Aws.ec2().startInstances(r -> r.instanceIds(input.instanceId()))).startingInstances().get(0);
        return new Result(change.instanceId(), change.previousState().nameAsString(), change.currentState().nameAsString());
    }

    @Override
    protected InstanceRef sampleInput() {
        return new InstanceRef("i-0123456789abcdef0");
    }
}
