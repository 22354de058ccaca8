package dev.xen2nitro.functions.rollback;

import dev.xen2nitro.functions.core.EnaAttribute;
import dev.xen2nitro.functions.core.JsonHandler;
import dev.xen2nitro.functions.core.Validatable;
import dev.xen2nitro.functions.rules.InstanceIds;

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
        return new Result(in.instanceId(), EnaAttribute.set(in.instanceId(), in.enaSupport()));
    }

    @Override
    protected Input sampleInput() {
        return new Input("i-0123456789abcdef0", false);
    }
}
