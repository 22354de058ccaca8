package dev.xen2nitro.local.cloud;

import dev.xen2nitro.local.wire.AwsError;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import software.amazon.awssdk.services.ec2.model.*;

/** AMIs and their snapshots: CreateImage, DescribeImages, DeregisterImage, DeleteSnapshot. */
public final class Ec2Images {
    private final Cloud cloud;

    Ec2Images(Cloud cloud) {
        this.cloud = cloud;
    }

    public CreateImageResponse createImage(CreateImageRequest r) {
        Cloud.Instance i = Ec2Instances.instance(cloud, r.instanceId());
        if (r.name() == null || r.name().isBlank()) {
            throw new AwsError("MissingParameter", "The request must contain the parameter name");
        }
        if (cloud.images.values().stream().anyMatch(im -> im.name.equals(r.name()) && !"deregistered".equals(im.state))) {
            throw new AwsError("InvalidAMIName.Duplicate", "AMI name " + r.name() + " is already in use by AMI "
                    + cloud.images.values().stream().filter(im -> im.name.equals(r.name())).findFirst().get().id);
        }
        Cloud.Image image = new Cloud.Image();
        image.id = Cloud.newId("ami");
        image.name = r.name();
        image.description = r.description();
        image.state = "pending";
        image.architecture = i.architecture;
        image.enaSupport = i.enaSupport;
        image.platform = i.isWindows() ? "windows" : null;
        image.sourceInstanceId = i.id;
        // CreateImage: "several minutes (sometimes up to 24 hours)".
        image.availableAt = cloud.after(Cloud.IMAGE_SECONDS);
        // World fault "ImageStuckPending": the call succeeds but the image never becomes available.
        if (cloud.takeFault("ec2", "CreateImage:ImageStuckPending") != null) {
            image.availableAt = Long.MAX_VALUE;
        }
        image.guest = i.guest == null ? null : i.guest.copy();
        for (Cloud.Volume v : i.volumes) {
            Cloud.Snapshot s = new Cloud.Snapshot();
            s.id = Cloud.newId("snap");
            s.volumeId = v.volumeId;
            s.imageId = image.id;
            s.sizeGiB = v.sizeGiB;
            cloud.snapshots.put(s.id, s);
            image.blockDevices.add(new String[] {v.deviceName, s.id, String.valueOf(v.sizeGiB)});
        }
        for (TagSpecification spec : r.tagSpecifications()) {
            for (Tag t : spec.tags()) {
                if ("snapshot".equals(spec.resourceTypeAsString())) {
                    image.blockDevices.forEach(bd -> cloud.snapshots.get(bd[1]).tags.put(t.key(), t.value()));
                } else {
                    image.tags.put(t.key(), t.value());
                }
            }
        }
        cloud.images.put(image.id, image);
        // CreateImage reboots the instance unless NoReboot is set (API reference, CreateImage: NoReboot false "ensures
        // that all buffered data and data in memory is written to the volumes before the snapshots are created").
        if (!Boolean.TRUE.equals(r.noReboot()) && "running".equals(i.state)) {
            i.boot(cloud, "CreateImage reboot");
        }
        return CreateImageResponse.builder().imageId(image.id).build();
    }

    public DescribeImagesResponse describeImages(DescribeImagesRequest r) {
        List<software.amazon.awssdk.services.ec2.model.Image> out = new ArrayList<>();
        Collection<Cloud.Image> chosen;
        if (r.hasImageIds()) {
            chosen = new ArrayList<>();
            for (String id : r.imageIds()) {
                Cloud.Image im = cloud.images.get(id);
                if (im == null || "deregistered".equals(im.state)) {
                    throw new AwsError("InvalidAMIID.NotFound", "The image id '[" + id + "]' does not exist");
                }
                chosen.add(im);
            }
        } else {
            chosen = cloud.images.values();
        }
        for (Cloud.Image im : chosen) {
            if ("deregistered".equals(im.state)) continue;
            if (!Filters.match(r.filters(), Set.of("name", "state", "image-id"), im.tags, f -> switch (f) {
                case "name" -> List.of(im.name);
                case "state" -> List.of(im.state);
                default -> List.of(im.id);
            })) continue;
            boolean windows = "windows".equals(im.platform);
            // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Image.html: the account's own EBS-backed
            // machine image, private, at OWNER/NAME, with the billing fields of its platform (EC2 User Guide,
            // "AMI billing information fields"). CreateImage copies the instance's block device mapping, whose
            // volumes are deleted on termination.
            out.add(software.amazon.awssdk.services.ec2.model.Image.builder().imageId(im.id).name(im.name)
                    .description(im.description).state(im.state).architecture(im.architecture).enaSupport(im.enaSupport)
                    .platform(im.platform).ownerId(cloud.accountId).creationDate(QueryIso.of(im.created))
                    .imageType("machine").publicLaunchPermissions(false).imageLocation(cloud.accountId + "/" + im.name)
                    .hypervisor("xen").sourceInstanceId(im.sourceInstanceId)
                    .platformDetails(windows ? "Windows" : "Linux/UNIX").usageOperation(windows ? "RunInstances:0002" : "RunInstances")
                    .rootDeviceType("ebs").virtualizationType("hvm").rootDeviceName("/dev/sda1")
                    .blockDeviceMappings(im.blockDevices.stream().map(bd -> BlockDeviceMapping.builder().deviceName(bd[0])
                            .ebs(e -> e.snapshotId(bd[1]).volumeSize(Integer.parseInt(bd[2])).deleteOnTermination(true)).build()).toList())
                    .tags(Ec2Tags.of(im.tags)).build());
        }
        return DescribeImagesResponse.builder().images(out).build();
    }

    public DeregisterImageResponse deregisterImage(DeregisterImageRequest r) {
        Cloud.Image im = cloud.images.get(r.imageId());
        if (im == null || "deregistered".equals(im.state)) {
            throw new AwsError("InvalidAMIID.NotFound", "The image id '[" + r.imageId() + "]' does not exist");
        }
        im.state = "deregistered";
        return DeregisterImageResponse.builder().build();
    }

    public DeleteSnapshotResponse deleteSnapshot(DeleteSnapshotRequest r) {
        Cloud.Snapshot s = cloud.snapshots.get(r.snapshotId());
        if (s == null) {
            throw new AwsError("InvalidSnapshot.NotFound", "The snapshot '" + r.snapshotId() + "' does not exist.");
        }
        Cloud.Image im = s.imageId == null ? null : cloud.images.get(s.imageId);
        // A snapshot backing a registered AMI cannot be deleted (EC2 User Guide, delete a snapshot).
        if (im != null && !"deregistered".equals(im.state)) {
            throw new AwsError("InvalidSnapshot.InUse", "The snapshot " + s.id + " is currently in use by " + im.id);
        }
        cloud.snapshots.remove(s.id);
        return DeleteSnapshotResponse.builder().build();
    }
}
