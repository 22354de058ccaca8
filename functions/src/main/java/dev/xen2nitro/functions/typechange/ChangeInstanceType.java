package dev.xen2nitro.functions.typechange;

import dev.xen2nitro.functions.core.InstanceTypeAttribute;
import dev.xen2nitro.functions.core.InvalidInputException;
import dev.xen2nitro.functions.core.JsonHandler;
import dev.xen2nitro.functions.core.Validatable;
import dev.xen2nitro.functions.rules.InstanceIds;
import dev.xen2nitro.functions.rules.InstanceTypeNames;
import dev.xen2nitro.functions.rules.NitroTargets;

/**
 * Changes the type of a stopped instance to a Nitro type and reads it back. A target outside {@link NitroTargets} is
 * refused before EC2 is called (its role could not set it either); the rollback sets the original type back with
 * RestoreInstanceType, a function of its own.
 */
public class ChangeInstanceType extends JsonHandler<ChangeInstanceType.Input, ChangeInstanceType.Result> {

    public record Input(String instanceId, String targetType) implements Validatable {
        @Override
        public void validate() {
            InstanceIds.require("instanceId", instanceId);
            InstanceTypeNames.require("targetType", targetType);
            if (!NitroTargets.allows(targetType)) {
                throw new InvalidInputException("'targetType' is \"" + targetType + "\", which is not of a Nitro family this stack"
                        + " changes instances to (" + String.join(", ", NitroTargets.PATTERNS) + "): nothing was changed");
            }
        }
    }

    public record Result(String instanceId, String instanceType) {}

    public ChangeInstanceType() {
        super(Input.class);
    }

    @Override
    protected Result handle(Input input) {
        return new Result(input.instanceId(), InstanceTypeAttribute.set(input.instanceId(), input.targetType()));
    }

    @Override
    protected Input sampleInput() {
        return new Input("i-0123456789abcdef0", "m5.xlarge");
    }
}
