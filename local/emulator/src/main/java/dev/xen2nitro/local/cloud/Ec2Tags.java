package dev.xen2nitro.local.cloud;

import dev.xen2nitro.local.wire.AwsError;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.ec2.model.*;

/** Tags on the resources the world models: CreateTags, DeleteTags, and the Tag list every Describe reply carries. */
public final class Ec2Tags {
    private final Cloud cloud;

    Ec2Tags(Cloud cloud) {
        this.cloud = cloud;
    }

    private Map<String, String> taggable(String id) {
        if (id.startsWith("i-")) return Ec2Instances.instance(cloud, id).tags;
        Map<String, String> t = null;
        if (id.startsWith("ami-") && cloud.images.containsKey(id)) t = cloud.images.get(id).tags;
        if (id.startsWith("snap-") && cloud.snapshots.containsKey(id)) t = cloud.snapshots.get(id).tags;
        if (id.startsWith("vpce-") && cloud.vpcEndpoints.containsKey(id)) t = cloud.vpcEndpoints.get(id).tags;
        if (id.startsWith("sg-") && cloud.securityGroups.containsKey(id)) t = cloud.securityGroups.get(id).tags;
        if (id.startsWith("vpc-") && cloud.vpcs.containsKey(id)) t = cloud.vpcs.get(id).tags;
        if (id.startsWith("subnet-") && cloud.subnets.containsKey(id)) t = cloud.subnets.get(id).tags;
        if (t == null) {
            throw new AwsError("InvalidID", "The ID '" + id + "' is not valid");
        }
        return t;
    }

    public CreateTagsResponse createTags(CreateTagsRequest r) {
        List<Map<String, String>> targets = r.resources().stream().map(this::taggable).toList();
        for (Map<String, String> t : targets) {
            r.tags().forEach(tag -> t.put(tag.key(), tag.value() == null ? "" : tag.value()));
        }
        return CreateTagsResponse.builder().build();
    }

    public DeleteTagsResponse deleteTags(DeleteTagsRequest r) {
        List<Map<String, String>> targets = r.resources().stream().map(this::taggable).toList();
        for (Map<String, String> t : targets) {
            r.tags().forEach(tag -> {
                if (tag.value() == null || tag.value().equals(t.get(tag.key()))) t.remove(tag.key());
            });
        }
        return DeleteTagsResponse.builder().build();
    }

    /** A resource's tags as the SDK's Tag list. */
    static List<Tag> of(Map<String, String> tags) {
        return tags.entrySet().stream().map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build()).toList();
    }
}
