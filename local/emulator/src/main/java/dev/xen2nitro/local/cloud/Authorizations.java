package dev.xen2nitro.local.cloud;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.ec2.model.AuthorizeSecurityGroupIngressRequest;
import software.amazon.awssdk.services.ec2.model.CreateImageRequest;
import software.amazon.awssdk.services.ec2.model.CreateReplaceRootVolumeTaskRequest;
import software.amazon.awssdk.services.ec2.model.CreateSecurityGroupRequest;
import software.amazon.awssdk.services.ec2.model.CreateTagsRequest;
import software.amazon.awssdk.services.ec2.model.CreateVpcEndpointRequest;
import software.amazon.awssdk.services.ec2.model.DeleteSecurityGroupRequest;
import software.amazon.awssdk.services.ec2.model.DeleteSnapshotRequest;
import software.amazon.awssdk.services.ec2.model.DeleteTagsRequest;
import software.amazon.awssdk.services.ec2.model.DeleteVpcEndpointsRequest;
import software.amazon.awssdk.services.ec2.model.DeregisterImageRequest;
import software.amazon.awssdk.services.ec2.model.ModifyInstanceAttributeRequest;
import software.amazon.awssdk.services.ec2.model.StartInstancesRequest;
import software.amazon.awssdk.services.ec2.model.StopInstancesRequest;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.sns.model.PublishRequest;
import software.amazon.awssdk.services.ssm.model.CreateDocumentRequest;
import software.amazon.awssdk.services.ssm.model.DescribeDocumentRequest;
import software.amazon.awssdk.services.ssm.model.UpdateDocumentDefaultVersionRequest;
import software.amazon.awssdk.services.ssm.model.UpdateDocumentRequest;
import software.amazon.awssdk.services.ssm.model.GetDocumentRequest;
import software.amazon.awssdk.services.ssm.model.SendCommandRequest;

/**
 * What each call the local cloud serves is authorized against: the resources, and the condition keys
 * of each, as the Service Authorization Reference lists them ("Actions, resources, and condition keys
 * for Amazon EC2", "... for AWS Systems Manager", "... for Amazon SNS", "... for Amazon S3"). An action
 * listed there with no resource type is authorized against {@code *}. A resource being created has the
 * ARN of its type with {@code *} for its ID, and is matched by the tags the request puts on it
 * ({@code aws:RequestTag/*}, {@code aws:TagKeys}); tags put on resources by a create call are authorized
 * as {@code ec2:CreateTags} with {@code ec2:CreateAction} set to that call ("Grant permission to tag
 * Amazon EC2 resources during creation", EC2 User Guide). An existing resource brings its tags as
 * {@code aws:ResourceTag/*} and, for EC2, {@code ec2:ResourceTag/*} (for SSM managed instances,
 * {@code ssm:resourceTag/*}).
 */
public final class Authorizations {
    private Authorizations() {}

    /** One authorization: an action on one resource with its request context. */
    public record Target(String action, String resource, Map<String, List<String>> context) {}

    /** Every authorization the call needs; each must be allowed. */
    public static List<Target> of(Cloud cloud, String service, String action, Object request) {
        String a = service + ":" + action;
        List<Target> out = new ArrayList<>();
        switch (a) {
            case "ec2:StopInstances" -> ((StopInstancesRequest) request).instanceIds().forEach(id -> out.add(instance(cloud, a, id)));
            case "ec2:StartInstances" -> ((StartInstancesRequest) request).instanceIds().forEach(id -> out.add(instance(cloud, a, id)));
            case "ec2:ModifyInstanceAttribute" -> {
                ModifyInstanceAttributeRequest r = (ModifyInstanceAttributeRequest) request;
                out.add(withExtra(instance(cloud, a, r.instanceId()), attributes(r)));
            }
            case "ec2:CreateTags" -> {
                CreateTagsRequest r = (CreateTagsRequest) request;
                r.resources().forEach(id -> out.add(existing(cloud, a, id, requestTags(r.tags()))));
            }
            case "ec2:DeleteTags" -> {
                DeleteTagsRequest r = (DeleteTagsRequest) request;
                r.resources().forEach(id -> out.add(existing(cloud, a, id, requestTags(r.tags()))));
            }
            case "ec2:CreateImage" -> {
                CreateImageRequest r = (CreateImageRequest) request;
                out.add(instance(cloud, a, r.instanceId()));
                creates(cloud, a, "CreateImage", r.tagSpecifications(), Map.of("image", "image", "snapshot", "snapshot"), out);
            }
            case "ec2:CreateSecurityGroup" -> {
                CreateSecurityGroupRequest r = (CreateSecurityGroupRequest) request;
                out.add(existing(cloud, a, r.vpcId(), Map.of()));
                creates(cloud, a, "CreateSecurityGroup", r.tagSpecifications(), Map.of("security-group", "security-group"), out);
            }
            case "ec2:AuthorizeSecurityGroupIngress" -> out.add(existing(cloud, a, ((AuthorizeSecurityGroupIngressRequest) request).groupId(), Map.of()));
            case "ec2:RevokeSecurityGroupIngress" -> out.add(existing(cloud, a, ((software.amazon.awssdk.services.ec2.model.RevokeSecurityGroupIngressRequest) request).groupId(), Map.of()));
            case "ec2:DeleteSecurityGroup" -> out.add(existing(cloud, a, ((DeleteSecurityGroupRequest) request).groupId(), Map.of()));
            case "ec2:CreateVpcEndpoint" -> {
                CreateVpcEndpointRequest r = (CreateVpcEndpointRequest) request;
                Map<String, List<String>> vpce = Map.of("ec2:VpceServiceName", List.of(String.valueOf(r.serviceName())));
                out.add(existing(cloud, a, r.vpcId(), vpce));
                r.subnetIds().forEach(id -> out.add(existing(cloud, a, id, vpce)));
                r.securityGroupIds().forEach(id -> out.add(existing(cloud, a, id, vpce)));
                r.routeTableIds().forEach(id -> out.add(existing(cloud, a, id, vpce)));
                creates(cloud, a, "CreateVpcEndpoint", r.tagSpecifications(), Map.of("vpc-endpoint", "vpc-endpoint"), out);
            }
            case "ec2:AuthorizeSecurityGroupEgress" -> out.add(existing(cloud, a, ((software.amazon.awssdk.services.ec2.model.AuthorizeSecurityGroupEgressRequest) request).groupId(), Map.of()));
            case "ec2:RevokeSecurityGroupEgress" -> out.add(existing(cloud, a, ((software.amazon.awssdk.services.ec2.model.RevokeSecurityGroupEgressRequest) request).groupId(), Map.of()));
            case "ec2:TerminateInstances" -> ((software.amazon.awssdk.services.ec2.model.TerminateInstancesRequest) request).instanceIds()
                    .forEach(id -> out.add(instance(cloud, a, id)));
            case "ec2:RunInstances" -> {
                // The image, the subnet and the groups it uses, and the instance, volumes and network interface it creates,
                // these matched by the tags the request puts on them (Service Authorization Reference, Amazon EC2,
                // RunInstances; EC2 User Guide, "Example policies", "Launch instances (RunInstances)").
                var r = (software.amazon.awssdk.services.ec2.model.RunInstancesRequest) request;
                if (r.imageId() != null) out.add(existing(cloud, a, r.imageId(), Map.of()));
                boolean nics = r.hasNetworkInterfaces() && !r.networkInterfaces().isEmpty();
                String subnet = nics ? r.networkInterfaces().get(0).subnetId() : r.subnetId();
                if (subnet != null) out.add(existing(cloud, a, subnet, Map.of()));
                (nics ? r.networkInterfaces().get(0).groups() : r.securityGroupIds()).forEach(g -> out.add(existing(cloud, a, g, Map.of())));
                List<Target> created = new ArrayList<>();
                creates(cloud, a, "RunInstances", r.tagSpecifications(), Map.of("instance", "instance", "volume", "volume",
                        "network-interface", "network-interface"), created);
                // The instance's own keys on the instance being created (ec2:InstanceType, Service Authorization Reference).
                created.forEach(t -> out.add(t.resource().endsWith(":instance/*") && t.action().equals(a)
                        ? withExtra(t, Map.of("ec2:InstanceType", List.of(String.valueOf(r.instanceTypeAsString())))) : t));
                // Launching with a role is passing it to EC2 (IAM User Guide, "Grant a user permissions to pass a role to an
                // AWS service"; EC2 User Guide, "IAM roles for Amazon EC2"): iam:PassRole on the profile's role.
                if (r.iamInstanceProfile() != null) {
                    String profile = r.iamInstanceProfile().arn() != null ? r.iamInstanceProfile().arn()
                            : cloud.instanceProfiles.keySet().stream().filter(p -> p.endsWith("/" + r.iamInstanceProfile().name())).findFirst().orElse(null);
                    String role = profile == null ? null : cloud.instanceProfiles.get(profile);
                    if (role != null) out.add(new Target("iam:PassRole", role, Map.of("iam:PassedToService", List.of("ec2.amazonaws.com"))));
                }
            }
            case "ec2:DeleteVpcEndpoints" -> ((DeleteVpcEndpointsRequest) request).vpcEndpointIds().forEach(id -> out.add(existing(cloud, a, id, Map.of())));
            case "ec2:CreateReplaceRootVolumeTask" -> {
                CreateReplaceRootVolumeTaskRequest r = (CreateReplaceRootVolumeTaskRequest) request;
                out.add(instance(cloud, a, r.instanceId()));
                // The root volume being replaced is a required resource (Service Authorization Reference, Amazon EC2).
                Cloud.Instance i = cloud.instances.get(r.instanceId());
                if (i != null && !i.volumes.isEmpty()) out.add(new Target(a, cloud.arn("volume", i.volumes.get(0).volumeId), Map.of()));
                if (r.imageId() != null) out.add(existing(cloud, a, r.imageId(), Map.of()));
                creates(cloud, a, "CreateReplaceRootVolumeTask", r.tagSpecifications(), Map.of("replace-root-volume-task", "replace-root-volume-task"), out);
            }
            case "ec2:DeregisterImage" -> out.add(existing(cloud, a, ((DeregisterImageRequest) request).imageId(), Map.of()));
            case "ec2:DeleteSnapshot" -> out.add(existing(cloud, a, ((DeleteSnapshotRequest) request).snapshotId(), Map.of()));
            case "ssm:SendCommand" -> {
                SendCommandRequest r = (SendCommandRequest) request;
                out.add(new Target(a, documentArn(cloud, r.documentName()), Map.of()));
                r.instanceIds().forEach(id -> out.add(managedInstance(cloud, a, id)));
            }
            case "ssm:CreateDocument" -> out.add(new Target(a, documentArn(cloud, ((CreateDocumentRequest) request).name()), Map.of()));
            case "ssm:GetDocument" -> out.add(new Target(a, documentArn(cloud, ((GetDocumentRequest) request).name()), Map.of()));
            // Each on the document it names (Service Authorization Reference, AWS Systems Manager: resource type document).
            case "ssm:DescribeDocument" -> out.add(new Target(a, documentArn(cloud, ((DescribeDocumentRequest) request).name()), Map.of()));
            case "ssm:UpdateDocument" -> out.add(new Target(a, documentArn(cloud, ((UpdateDocumentRequest) request).name()), Map.of()));
            case "ssm:UpdateDocumentDefaultVersion" -> out.add(new Target(a,
                    documentArn(cloud, ((UpdateDocumentDefaultVersionRequest) request).name()), Map.of()));
            case "sns:Publish" -> out.add(new Target(a, ((PublishRequest) request).topicArn(), Map.of()));
            // SSM parameters: the parameter (Service Authorization Reference, AWS Systems Manager, resource type parameter).
            case "ssm:PutParameter" -> out.add(new Target(a, SsmParameters.arn(cloud, ((software.amazon.awssdk.services.ssm.model.PutParameterRequest) request).name()), Map.of()));
            case "ssm:GetParameter" -> out.add(new Target(a, SsmParameters.arn(cloud, ((software.amazon.awssdk.services.ssm.model.GetParameterRequest) request).name()), Map.of()));
            // GetParametersByPath: the path, as a parameter ARN; access to a path is access to every level below it (SSM User
            // Guide, "Restricting access to Systems Manager parameters using IAM policies").
            case "ssm:GetParametersByPath" -> out.add(new Target(a, SsmParameters.arn(cloud, ((software.amazon.awssdk.services.ssm.model.GetParametersByPathRequest) request).path()), Map.of()));
            case "ssm:DeleteParameter" -> out.add(new Target(a, SsmParameters.arn(cloud, ((software.amazon.awssdk.services.ssm.model.DeleteParameterRequest) request).name()), Map.of()));
            // KMS: the key, with kms:MacAlgorithm and kms:CallerAccount (Service Authorization Reference, AWS Key Management Service).
            case "kms:GenerateMac" -> {
                var r = (software.amazon.awssdk.services.kms.model.GenerateMacRequest) request;
                out.add(kmsKey(cloud, a, r.keyId(), r.macAlgorithmAsString()));
            }
            case "kms:VerifyMac" -> {
                var r = (software.amazon.awssdk.services.kms.model.VerifyMacRequest) request;
                out.add(kmsKey(cloud, a, r.keyId(), r.macAlgorithmAsString()));
            }
            // Step Functions: StartExecution acts on the state machine (resource type stateMachine); StopExecution,
            // DescribeExecution and GetExecutionHistory on the execution (resource type execution).
            case "states:StartExecution" -> out.add(new Target(a, ((software.amazon.awssdk.services.sfn.model.StartExecutionRequest) request).stateMachineArn(), Map.of()));
            case "states:StopExecution" -> out.add(new Target(a, ((software.amazon.awssdk.services.sfn.model.StopExecutionRequest) request).executionArn(), Map.of()));
            case "states:DescribeExecution" -> out.add(new Target(a, ((software.amazon.awssdk.services.sfn.model.DescribeExecutionRequest) request).executionArn(), Map.of()));
            case "states:GetExecutionHistory" -> out.add(new Target(a, String.valueOf(((software.amazon.awssdk.services.sfn.model.GetExecutionHistoryRequest) request).executionArn()), Map.of()));
            default -> {
                if (!UNSCOPED.contains(a)) {
                    throw new IllegalStateException("the local cloud does not know what " + a + " is authorized against:"
                            + " add it to Authorizations from the Service Authorization Reference");
                }
                out.add(new Target(a, "*", Map.of()));
            }
        }
        return out;
    }

    /** Actions the Service Authorization Reference lists with no resource type: authorized against {@code *}. */
    static final java.util.Set<String> UNSCOPED = java.util.Set.of(
            "ec2:DescribeImages", "ec2:DescribeInstanceAttribute", "ec2:DescribeInstanceStatus", "ec2:DescribeInstanceTypeOfferings",
            "ec2:DescribeInstanceTypes", "ec2:DescribeInstances", "ec2:DescribeReplaceRootVolumeTasks", "ec2:DescribeReservedInstances",
            "ec2:DescribeRouteTables", "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcAttribute",
            "ec2:DescribeVpcEndpoints", "ec2:DescribeVpcs", "ssm:DescribeInstanceInformation", "ssm:GetCommandInvocation",
            "ssm:ListCommandInvocations", "ssm:CancelCommand", "autoscaling:DescribeAutoScalingInstances",
            "states:SendTaskSuccess", "states:SendTaskFailure", "ec2:DescribePrefixLists", "states:SendTaskHeartbeat", "cloudtrail:LookupEvents");

    /** A KMS key, by its ARN whether the request names its ID or its ARN (an unknown key is KMS's NotFoundException). */
    private static Target kmsKey(Cloud cloud, String action, String keyId, String macAlgorithm) {
        Cloud.KmsKey key = KmsApi.key(cloud, keyId);
        Map<String, List<String>> ctx = new LinkedHashMap<>();
        ctx.put("kms:CallerAccount", List.of(cloud.accountId));
        if (macAlgorithm != null) ctx.put("kms:MacAlgorithm", List.of(macAlgorithm));
        return new Target(action, key.arn, ctx);
    }

    /** S3 object reads: the object's ARN (Service Authorization Reference, Amazon S3, GetObject: object). */
    public static Target s3Object(String action, String bucket, String key) {
        return new Target("s3:" + action, "arn:aws:s3:::" + bucket + "/" + key, Map.of());
    }

    private static Target instance(Cloud cloud, String action, String id) {
        Cloud.Instance i = cloud.instances.get(id);
        Map<String, List<String>> ctx = new LinkedHashMap<>();
        if (i != null) {
            ctx.putAll(resourceTags(i.tags, "ec2"));
            ctx.put("ec2:InstanceType", List.of(i.instanceType));
        }
        return new Target(action, cloud.arn("instance", id), ctx);
    }

    /**
     * The attributes a ModifyInstanceAttribute request sets, as its condition keys: {@code ec2:Attribute/NAME} is the value
     * of each attribute the request sets as an object with only a {@code Value} (EC2 User Guide, "Policy structure",
     * ec2:Attribute condition key; Service Authorization Reference, Amazon EC2, ModifyInstanceAttribute). Only the
     * attributes this local cloud changes are given: InstanceType and EnaSupport. A request that sets neither has
     * neither key.
     */
    private static Map<String, List<String>> attributes(ModifyInstanceAttributeRequest r) {
        Map<String, List<String>> ctx = new LinkedHashMap<>();
        if (r.instanceType() != null && r.instanceType().value() != null) {
            ctx.put("ec2:Attribute/InstanceType", List.of(r.instanceType().value()));
        }
        if (r.enaSupport() != null && r.enaSupport().value() != null) {
            ctx.put("ec2:Attribute/EnaSupport", List.of(String.valueOf(r.enaSupport().value())));
        }
        return ctx;
    }

    private static Target managedInstance(Cloud cloud, String action, String id) {
        Cloud.Instance i = cloud.instances.get(id);
        return new Target(action, cloud.arn("instance", id), i == null ? Map.of() : resourceTags(i.tags, "ssm"));
    }

    private static String documentArn(Cloud cloud, String name) {
        // AWS-owned documents have no account in their ARN (Service Authorization Reference, SSM resource type document).
        return "arn:aws:ssm:" + cloud.region + ":" + (name != null && name.startsWith("AWS-") ? "" : cloud.accountId) + ":document/" + name;
    }

    /** An existing EC2 resource by its ID, with its tags; {@code extra} adds request keys. */
    private static Target existing(Cloud cloud, String action, String id, Map<String, List<String>> extra) {
        Map<String, String> tags = null;
        String type;
        if (id.startsWith("i-")) return withExtra(instance(cloud, action, id), extra);
        else if (id.startsWith("ami-")) {
            type = "image";
            Cloud.Image im = cloud.images.get(id);
            if (im != null) tags = im.tags;
            // The world's images are its account's own (ec2:Owner, Service Authorization Reference: image).
            extra = new LinkedHashMap<>(extra);
            if (im != null) extra.put("ec2:Owner", List.of(cloud.accountId));
        }
        else if (id.startsWith("snap-")) { type = "snapshot"; Cloud.Snapshot s = cloud.snapshots.get(id); if (s != null) tags = s.tags; }
        else if (id.startsWith("vpce-")) { type = "vpc-endpoint"; Cloud.VpcEndpoint e = cloud.vpcEndpoints.get(id); if (e != null) tags = e.tags; }
        else if (id.startsWith("sg-")) { type = "security-group"; Cloud.SecurityGroup g = cloud.securityGroups.get(id); if (g != null) tags = g.tags; }
        else if (id.startsWith("vpc-")) { type = "vpc"; Cloud.Vpc v = cloud.vpcs.get(id); if (v != null) tags = v.tags; }
        else if (id.startsWith("subnet-")) { type = "subnet"; Cloud.Subnet s = cloud.subnets.get(id); if (s != null) tags = s.tags; }
        else if (id.startsWith("rtb-")) { type = "route-table"; Cloud.RouteTable t = cloud.routeTables.get(id); if (t != null) tags = t.tags; }
        else type = "unknown";
        // Images and snapshots have no account in their ARN (Service Authorization Reference, EC2 resource types).
        String arn = type.equals("image") || type.equals("snapshot") ? "arn:aws:ec2:" + cloud.region + "::" + type + "/" + id : cloud.arn(type, id);
        Map<String, List<String>> ctx = new LinkedHashMap<>(tags == null ? Map.of() : resourceTags(tags, "ec2"));
        ctx.putAll(extra);
        return new Target(action, arn, ctx);
    }

    private static Target withExtra(Target t, Map<String, List<String>> extra) {
        Map<String, List<String>> ctx = new LinkedHashMap<>(t.context());
        ctx.putAll(extra);
        return new Target(t.action(), t.resource(), ctx);
    }

    /**
     * The resources a create call makes, matched by the tags the request puts on them; each tag specification
     * is also a CreateTags on that resource with {@code ec2:CreateAction}.
     */
    private static void creates(Cloud cloud, String action, String createAction, List<TagSpecification> specs, Map<String, String> types, List<Target> out) {
        for (String type : types.keySet()) {
            Map<String, String> tags = new LinkedHashMap<>();
            specs.stream().filter(s -> type.equals(s.resourceTypeAsString())).forEach(s -> s.tags().forEach(t -> tags.put(t.key(), t.value())));
            String arn = type.equals("image") || type.equals("snapshot") ? "arn:aws:ec2:" + cloud.region + "::" + type + "/*" : cloud.arn(type, "*");
            Map<String, List<String>> ctx = requestTagsOf(tags);
            out.add(new Target(action, arn, ctx));
            if (!tags.isEmpty()) {
                Map<String, List<String>> tagCtx = new LinkedHashMap<>(ctx);
                tagCtx.put("ec2:CreateAction", List.of(createAction));
                out.add(new Target("ec2:CreateTags", arn, tagCtx));
            }
        }
    }

    private static Map<String, List<String>> requestTags(List<Tag> tags) {
        Map<String, String> m = new LinkedHashMap<>();
        tags.forEach(t -> m.put(t.key(), t.value() == null ? "" : t.value()));
        return requestTagsOf(m);
    }

    private static Map<String, List<String>> requestTagsOf(Map<String, String> tags) {
        Map<String, List<String>> ctx = new LinkedHashMap<>();
        if (!tags.isEmpty()) {
            tags.forEach((k, v) -> ctx.put("aws:RequestTag/" + k, List.of(v)));
            ctx.put("aws:TagKeys", List.copyOf(tags.keySet()));
        }
        return ctx;
    }

    private static Map<String, List<String>> resourceTags(Map<String, String> tags, String service) {
        Map<String, List<String>> ctx = new LinkedHashMap<>();
        tags.forEach((k, v) -> {
            ctx.put("aws:ResourceTag/" + k, List.of(v));
            ctx.put(service + ":ResourceTag/" + k, List.of(v));
        });
        return ctx;
    }
}
