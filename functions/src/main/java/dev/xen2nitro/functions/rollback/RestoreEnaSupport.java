package dev.xen2nitro.functions.rollback;

import dev.xen2nitro.functions.core.Aws;
import dev.xen2nitro.functions.core.Ec2Calls;
import dev.xen2nitro.functions.core.JsonHandler;
import dev.xen2nitro.functions.core.Validatable;
import dev.xen2nitro.functions.rules.InstanceIds;
import software.amazon.awssdk.services.ec2.model.InstanceAttributeName;

/** Puts the stopped instance's enaSupport back to what it was before the migration, and reads it back. */
public class RestoreEnaSupport extends JsonHandler<RestoreEnaSupport.Input, RestoreEnaSupport.Result> {

    public record Input(String instanceId, boolean enaSupport) implements Validatable {
        @Override
        public void validate() {
            InstanceIds.require("instanceId", instanceId);
        }
    }

    public record Result(String instanceId, boolean enaSupport) {}

    public RestoreEnaSupport() {
        super(Input.class);
    }

    @Override
    protected Result handle(Input in) {
        String id = in.instanceId();
        Ec2Calls.call("ModifyInstanceAttribute enaSupport=" + in.enaSupport() + " on " + id,
                () -> Aws.ec2().modifyInstanceAttribute(r -> r.instanceId(id).enaSupport(v -> v.value(in.enaSupport()))));
        Boolean now = Ec2Calls.call("DescribeInstanceAttribute enaSupport of " + id, () -> Aws.ec2().describeInstanceAttribute(
                r -> r.instanceId(id).attribute(InstanceAttributeName.ENA_SUPPORT))).enaSupport().value();
        return new Result(id, Boolean.TRUE.equals(now));
    }

    @Override
    protected Input sampleInput() {
        return new Input("i-0123456789abcdef0", false);
    }
}
