package dev.xen2nitro.functions.backup;

import dev.xen2nitro.functions.core.Executions;
import dev.xen2nitro.functions.core.Aws;
import dev.xen2nitro.functions.core.Ec2Calls;
import dev.xen2nitro.functions.core.InvalidInputException;
import dev.xen2nitro.functions.core.JsonHandler;
import dev.xen2nitro.functions.core.Tags;
import dev.xen2nitro.functions.core.Validatable;
import dev.xen2nitro.functions.rules.InstanceIds;
import dev.xen2nitro.functions.rules.InstanceTypeNames;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/**
 * Starts the backup AMI of the instance (runbook step 0), tagged with the instance, the execution,
 * the date and the instance's type, enaSupport and state before the migration (what a rollback restores,
 * also when the execution was stopped midway), and tags the instance with it. The image and its snapshots are kept after the
 * migration: they are the way back. One image per execution: a retried call finds the first by name.
 * CreateImage reboots the instance (NoReboot false) so the file systems are consistent: with NoReboot true it "creates
 * crash-consistent snapshots that include only the data that has been written to the volumes", without what Windows holds
 * in memory (EC2 API Reference, CreateImage), and "we can't guarantee the file system integrity of the created image" (EC2
 * User Guide, "Create an Amazon EBS-backed AMI"). This image is the way back, so it keeps the reboot, about two minutes of
 * the migration's downtime (local/perf). The reboot-free consistent image AWS documents for Windows, a VSS snapshot
 * (AWSEC2-CreateVssSnapshot), needs the AWS VSS components in the guest and the EC2 API reachable from it.
 */
public class CreateBackupImage extends JsonHandler<CreateBackupImage.Input, CreateBackupImage.Result> {

    /** @param originalType, originalEnaSupport, originalState the instance before the migration (the preflight's facts) */
    public record Input(String instanceId, String execution, String originalType, Boolean originalEnaSupport, String originalState)
            implements Validatable {
        @Override
        public void validate() {
            InstanceIds.require("instanceId", instanceId);
            Executions.require("execution", execution);
            InstanceTypeNames.require("originalType", originalType);
            if (originalEnaSupport == null) {
                throw new InvalidInputException("'originalEnaSupport' is required: the preflight's facts.enaSupport");
            }
            if (!"running".equals(originalState) && !"stopped".equals(originalState)) {
                throw new InvalidInputException("'originalState' is \"" + originalState + "\"; running or stopped (the preflight's facts.state)");
            }
        }
    }

    public record Result(String imageId, String name) {}

    public CreateBackupImage() {
        super(Input.class);
    }

    @Override
    protected Result handle(Input in) {
        String imageName = Executions.resourceName("xen2nitro-" + in.instanceId() + "-", in.execution(), 128);
        List<Image> existing = Ec2Calls.call("DescribeImages " + imageName, () -> Aws.ec2().describeImages(r -> r.owners("self")
                .filters(f -> f.name("name").values(imageName)))).images();
        String imageId;
        if (!existing.isEmpty()) {
            imageId = existing.get(0).imageId();
        } else {
            List<Tag> tags = List.of(Tag.builder().key(Tags.INSTANCE).value(in.instanceId()).build(),
                    Tag.builder().key(Tags.EXECUTION).value(in.execution()).build(),
                    Tag.builder().key(Tags.DATE).value(LocalDate.now(ZoneOffset.UTC).toString()).build(),
                    Tag.builder().key(Tags.ORIGINAL_TYPE).value(in.originalType()).build(),
                    Tag.builder().key(Tags.ORIGINAL_ENA_SUPPORT).value(String.valueOf(in.originalEnaSupport())).build(),
                    Tag.builder().key(Tags.ORIGINAL_STATE).value(in.originalState()).build(),
                    Tag.builder().key("Name").value("xen2nitro backup of " + in.instanceId()).build());
            imageId = Ec2Calls.call("CreateImage of " + in.instanceId(), () -> Aws.ec2().createImage(r -> r.instanceId(in.instanceId())
                    .name(imageName).description("xen2nitro backup before the Xen to Nitro migration (execution " + Executions.name(in.execution()) + ")")
                    .noReboot(false)
                    .tagSpecifications(TagSpecification.builder().resourceType(ResourceType.IMAGE).tags(tags).build(),
                            TagSpecification.builder().resourceType(ResourceType.SNAPSHOT).tags(tags).build()))).imageId();
        }
        Ec2Calls.call("CreateTags " + Tags.BACKUP_IMAGE + " on " + in.instanceId(), () -> Aws.ec2().createTags(r -> r.resources(in.instanceId())
                .tags(Tag.builder().key(Tags.BACKUP_IMAGE).value(imageId).build())));
        return new Result(imageId, imageName);
    }

    @Override
    protected Input sampleInput() {
        return new Input("i-0123456789abcdef0", Executions.SAMPLE, "m4.xlarge", false, "running");
    }
}
