package dev.xen2nitro.functions.rollback;

import dev.xen2nitro.functions.core.InstanceTypeAttribute;
import dev.xen2nitro.functions.core.JsonHandler;
import dev.xen2nitro.functions.core.Validatable;
import dev.xen2nitro.functions.rules.InstanceIds;
import dev.xen2nitro.functions.rules.InstanceTypeNames;

/**
 * Puts the stopped instance's type back to what it was before the migration (a Xen type), and reads it back. A function
 * of its own: ChangeInstanceType's role may set Nitro types only.
 */
public class RestoreInstanceType extends JsonHandler<RestoreInstanceType.Input, RestoreInstanceType.Result> {

    public record Input(String instanceId, String instanceType) implements Validatable {
        @Override
        public void validate() {
            InstanceIds.require("instanceId", instanceId);
            InstanceTypeNames.require("instanceType", instanceType);
        }
    }

    public record Result(String instanceId, String instanceType) {}

    public RestoreInstanceType() {
        super(Input.class);
    }

    @Override
    protected Result handle(Input in) {
        return new Result(in.instanceId(), InstanceTypeAttribute.set(in.instanceId(), in.instanceType()));
    }

    @Override
    protected Input sampleInput() {
        return new Input("i-0123456789abcdef0", "m4.xlarge");
    }
}
