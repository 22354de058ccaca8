package dev.xen2nitro.functions.typechange;

import dev.xen2nitro.functions.core.Aws;
import dev.xen2nitro.functions.core.Ec2Calls;
import dev.xen2nitro.functions.core.JsonHandler;
import dev.xen2nitro.functions.core.Validatable;
import dev.xen2nitro.functions.rules.InstanceIds;
import dev.xen2nitro.functions.rules.InstanceTypeNames;
import software.amazon.awssdk.services.ec2.model.InstanceAttributeName;

/** Changes the type of a stopped instance and reads it back (EC2 refuses while it runs: IncorrectInstanceState). */
public class ChangeInstanceType extends JsonHandler<ChangeInstanceType.Input, ChangeInstanceType.Result> {

    public record Input(String instanceId, String targetType) implements Validatable {
        @Override
        public void validate() {
            InstanceIds.require("instanceId", instanceId);
            InstanceTypeNames.require("targetType", targetType);
        }
    }

    public record Result(String instanceId, String instanceType) {}

    public ChangeInstanceType() {
        super(Input.class);
    }

    @Override
    protected Result handle(Input input) {
        String id = input.instanceId();
        Ec2Calls.call("ModifyInstanceAttribute instanceType=" + input.targetType() + " on " + id,
                () -> Aws.ec2().modifyInstanceAttribute(r -> r.instanceId(id).instanceType(v -> v.value(input.targetType()))));
        String type = Ec2Calls.call("DescribeInstanceAttribute instanceType of " + id,
                () -> Aws.ec2().describeInstanceAttribute(r -> r.instanceId(id).attribute(InstanceAttributeName.INSTANCE_TYPE)))
                .instanceType().value();
        return new Result(id, type);
    }

    @Override
    protected Input sampleInput() {
        return new Input("i-0123456789abcdef0", "m5.xlarge");
    }
}
