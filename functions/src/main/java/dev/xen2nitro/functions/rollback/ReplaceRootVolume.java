package dev.xen2nitro.functions.rollback;

import dev.xen2nitro.functions.core.Aws;
import dev.xen2nitro.functions.core.Ec2Calls;
import dev.xen2nitro.functions.core.Executions;
import dev.xen2nitro.functions.core.InvalidInputException;
import dev.xen2nitro.functions.core.JsonHandler;
import dev.xen2nitro.functions.core.Tags;
import dev.xen2nitro.functions.core.Validatable;
import dev.xen2nitro.functions.rules.InstanceIds;
import software.amazon.awssdk.services.ec2.model.ReplaceRootVolumeTask;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;

/**
 * Restores the root volume from the backup AMI with CreateReplaceRootVolumeTask: the instance keeps
 * its ID, network interfaces, private IP, data volumes and IAM profile, and is rebooted onto the
 * restored root (EC2 User Guide, replace-root.html). Rolling back the type alone is not safe: after
 * Sysprep_Generalize_Pnp, 2008 R2 and 2012 may no longer boot on Xen. The replaced root volume is
 * kept (DeleteReplacedRootVolume false). The instance must be running, whatever its guest does.
 * A task already started by this execution is returned rather than started twice (ClientToken).
 */
public class ReplaceRootVolume extends JsonHandler<ReplaceRootVolume.Input, ReplaceRootVolume.Result> {

    public record Input(String instanceId, String execution, String imageId) implements Validatable {
        @Override
        public void validate() {
            InstanceIds.require("instanceId", instanceId);
            if (imageId == null || !imageId.matches("ami-[0-9a-f]{8,17}")) {
                throw new InvalidInputException("'imageId' is \"" + imageId + "\"; the backup AMI (ami-...) is needed to restore the root volume");
            }
            Executions.require("execution", execution);
        }
    }

    public record Result(String taskId, String state) {}

    public ReplaceRootVolume() {
        super(Input.class);
    }

    @Override
    protected Result handle(Input in) {
        String clientToken = Executions.clientToken(in.execution(), "rollback");
        ReplaceRootVolumeTask t = Ec2Calls.call("CreateReplaceRootVolumeTask " + in.instanceId() + " from " + in.imageId(),
                () -> Aws.ec2().createReplaceRootVolumeTask(r -> r.instanceId(in.instanceId()).imageId(in.imageId())
                        .deleteReplacedRootVolume(false).clientToken(clientToken)
                        .tagSpecifications(s -> s.resourceType(ResourceType.REPLACE_ROOT_VOLUME_TASK)
                                .tags(Tag.builder().key(Tags.EXECUTION).value(in.execution()).build())))).replaceRootVolumeTask();
        return new Result(t.replaceRootVolumeTaskId(), t.taskStateAsString());
    }

    @Override
    protected Input sampleInput() {
        return new Input("i-0123456789abcdef0", Executions.SAMPLE, "ami-0123456789abcdef0");
    }
}
