package dev.xen2nitro.functions.typechange;

import dev.xen2nitro.functions.core.Aws;
import dev.xen2nitro.functions.core.Ec2Calls;
import dev.xen2nitro.functions.core.JsonHandler;
import software.amazon.awssdk.services.ec2.model.InstanceAttributeName;

/**
 * Sets the instance's enaSupport attribute and reads it back. A Nitro type cannot start without it
 * (RUNBOOK: "Enhanced networking with the Elastic Network Adapter (ENA) is required"); EC2 only
 * accepts the change while the instance is stopped.
 */
public class EnableEnaSupport extends JsonHandler<InstanceRef, EnableEnaSupport.Result> {

    public record Result(String instanceId, boolean enaSupport) {}

    public EnableEnaSupport() {
        super(InstanceRef.class);
    }

    @Override
    protected Result handle(InstanceRef input) {
        String id = input.instanceId();
        Ec2Calls.call("ModifyInstanceAttribute enaSupport on " + id,
                () -> Aws.ec2().modifyInstanceAttribute(r -> r.instanceId(id).enaSupport(v -> v.value(true))));
        Boolean ena = Ec2Calls.call("DescribeInstanceAttribute enaSupport of " + id,
                () -> Aws.ec2().describeInstanceAttribute(r -> r.instanceId(id).attribute(InstanceAttributeName.ENA_SUPPORT)))
                .enaSupport().value();
        return new Result(id, Boolean.TRUE.equals(ena));
    }

    @Override
    protected InstanceRef sampleInput() {
        return new InstanceRef("i-0123456789abcdef0");
    }
}
