package dev.xen2nitro.local.cloud;

import dev.xen2nitro.local.wire.AwsError;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.ec2.model.*;

/** Root volume replacement: CreateReplaceRootVolumeTask and DescribeReplaceRootVolumeTasks (replace-root.html). */
public final class Ec2RootVolumes {
    private final Cloud cloud;

    Ec2RootVolumes(Cloud cloud) {
        this.cloud = cloud;
    }

    public CreateReplaceRootVolumeTaskResponse createReplaceRootVolumeTask(CreateReplaceRootVolumeTaskRequest r) {
        Cloud.Instance i = Ec2Instances.instance(cloud, r.instanceId());
        // replace-root.html: the instance must be running; EBS root only; the AMI must match architecture,
        // and support ENA when the instance is ENA-enabled.
        if (!"running".equals(i.state)) {
            throw new AwsError("IncorrectInstanceState", "The instance '" + i.id + "' must be in the 'running' state to replace its root volume.");
        }
        if (r.clientToken() != null) {
            for (Cloud.ReplaceRootTask t : cloud.replaceRootTasks.values()) {
                if (r.clientToken().equals(t.clientToken)) {
                    return CreateReplaceRootVolumeTaskResponse.builder().replaceRootVolumeTask(toSdk(t)).build();
                }
            }
        }
        if (r.imageId() != null) {
            Cloud.Image im = cloud.images.get(r.imageId());
            if (im == null || "deregistered".equals(im.state)) {
                throw new AwsError("InvalidAMIID.NotFound", "The image id '[" + r.imageId() + "]' does not exist");
            }
            if (!"available".equals(im.state)) {
                throw new AwsError("IncorrectState", "The image '" + im.id + "' is not in the 'available' state.");
            }
            if (!im.architecture.equals(i.architecture)) {
                throw new AwsError("InvalidParameterCombination", "The architecture of image " + im.id + " (" + im.architecture
                        + ") does not match instance " + i.id + " (" + i.architecture + ").");
            }
            if (i.enaSupport && !im.enaSupport) {
                throw new AwsError("InvalidParameterCombination", "Instance " + i.id + " is enabled for ENA, but image " + im.id + " does not support ENA.");
            }
        }
        if (cloud.replaceRootTasks.values().stream().anyMatch(t -> t.instanceId.equals(i.id)
                && ("pending".equals(t.state) || "in-progress".equals(t.state)))) {
            throw new AwsError("IncorrectState", "A root volume replacement task is already in progress for " + i.id);
        }
        Cloud.ReplaceRootTask t = new Cloud.ReplaceRootTask();
        t.id = Cloud.newId("replacevol");
        t.instanceId = i.id;
        t.imageId = r.imageId();
        t.deleteReplacedRootVolume = Boolean.TRUE.equals(r.deleteReplacedRootVolume());
        // The documentation's example took 20 s.
        t.doneAt = cloud.after(Cloud.REPLACE_ROOT_SECONDS);
        r.tagSpecifications().forEach(s -> s.tags().forEach(tag -> t.tags.put(tag.key(), tag.value())));
        t.clientToken = r.clientToken();
        cloud.replaceRootTasks.put(t.id, t);
        return CreateReplaceRootVolumeTaskResponse.builder().replaceRootVolumeTask(toSdk(t)).build();
    }

    private ReplaceRootVolumeTask toSdk(Cloud.ReplaceRootTask t) {
        return ReplaceRootVolumeTask.builder().replaceRootVolumeTaskId(t.id).instanceId(t.instanceId).imageId(t.imageId)
                .taskState(t.state).startTime(QueryIso.of(t.startTime))
                .completeTime(t.completeTime == null ? null : QueryIso.of(t.completeTime))
                .deleteReplacedRootVolume(t.deleteReplacedRootVolume).build();
    }

    public DescribeReplaceRootVolumeTasksResponse describeReplaceRootVolumeTasks(DescribeReplaceRootVolumeTasksRequest r) {
        List<ReplaceRootVolumeTask> out = new ArrayList<>();
        for (Cloud.ReplaceRootTask t : cloud.replaceRootTasks.values()) {
            if (r.hasReplaceRootVolumeTaskIds() && !r.replaceRootVolumeTaskIds().contains(t.id)) continue;
            if (!Filters.match(r.filters(), Set.of("instance-id"), Map.of(), f -> List.of(t.instanceId))) continue;
            out.add(toSdk(t));
        }
        return DescribeReplaceRootVolumeTasksResponse.builder().replaceRootVolumeTasks(out).build();
    }
}
