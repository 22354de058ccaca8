package dev.xen2nitro.functions.rehearsal;

import dev.xen2nitro.functions.core.Aws;
import dev.xen2nitro.functions.core.AwsActionFailedException;
import dev.xen2nitro.functions.core.Ec2Calls;
import dev.xen2nitro.functions.core.Executions;
import dev.xen2nitro.functions.core.InvalidInputException;
import dev.xen2nitro.functions.core.JsonHandler;
import dev.xen2nitro.functions.core.Tags;
import dev.xen2nitro.functions.core.Validatable;
import dev.xen2nitro.functions.rules.InstanceIds;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.IpPermission;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.SecurityGroup;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.ec2.model.VpcEndpoint;

/**
 * Launches the rehearsal's clone: one instance from the backup AMI, of the original's type, in the original's subnet with a new
 * private IP and no public IP, with the stack's rehearsal instance profile (SSM only, so that its agent registers and it has none
 * of the original's permissions), in a security group made for
 * it that admits nothing inbound and lets out only HTTPS to the VPC's interface endpoints (the subnets their interfaces are in)
 * and to the S3 prefix list (the driver packages, through the gateway endpoint). A domain-joined copy of the server thus cannot
 * reach its domain controllers or anything else the original talks to. The clone, its volumes (deleted with it), its network
 * interface and the group are tagged {@value Tags#REHEARSAL_OF} and {@value Tags#REHEARSAL_EXECUTION}: RemoveRehearsal finds
 * them by those tags on every path. A retried call finds the group by name and the instance by its client token.
 */
public class LaunchRehearsal extends JsonHandler<LaunchRehearsal.Input, LaunchRehearsal.Result> {

    /** @param backupImageId the backup AMI, available; subnetId and vpcId the original's (the preflight's facts) */
    /** @param network the guest's adapters as CaptureGuestFacts printed them (macAddress, dhcp, addresses, gateways, dnsServers) */
    public record Input(String instanceId, String execution, String backupImageId, String subnetId, String vpcId,
                        com.fasterxml.jackson.databind.JsonNode network) implements Validatable {
        @Override
        public void validate() {
            InstanceIds.require("instanceId", instanceId);
            Executions.require("execution", execution);
            if (backupImageId == null || !backupImageId.matches("ami-[0-9a-f]{8,17}")) {
                throw new InvalidInputException("'backupImageId' is \"" + backupImageId + "\"; the backup AMI's ID (ami-...) is required");
            }
            if (subnetId == null || !subnetId.startsWith("subnet-") || vpcId == null || !vpcId.startsWith("vpc-")) {
                throw new InvalidInputException("'subnetId' and 'vpcId' of the original are required (the preflight's facts)");
            }
        }
    }

    /**
     * @param executionName, executionArn the execution that migrates the clone: this state machine, a name of this execution's
     * @param volumeGiB    the clone's EBS storage, which it pays for while it exists
     */
    public record Result(String cloneId, String securityGroupId, String instanceType, String privateIpAddress, String launchedAt,
                         int volumeGiB, String executionName, String executionArn, List<String> egress) {}

    public LaunchRehearsal() {
        super(Input.class);
    }

    @Override
    protected Result handle(Input in) {
        Instance original = Ec2Calls.describeInstance(in.instanceId());
        if (!in.subnetId().equals(original.subnetId())) {
            throw new InvalidInputException("'subnetId' " + in.subnetId() + " is not " + in.instanceId() + "'s subnet (" + original.subnetId() + ")");
        }
        refuseUnlessClonable(in, original);
        Image image = Ec2Calls.call("DescribeImages " + in.backupImageId(), () -> Aws.ec2().describeImages(r -> r.imageIds(in.backupImageId())))
                .images().stream().findFirst().orElseThrow(() -> new RehearsalRefusedException("the backup AMI " + in.backupImageId() + " was not found"));
        // Only this instance's own backup: CreateBackupImage tags it with the instance it was taken from.
        boolean ours = image.tags().stream().anyMatch(t -> t.key().equals(Tags.INSTANCE) && t.value().equals(in.instanceId()));
        if (!ours || !"available".equals(image.stateAsString())) {
            throw new RehearsalRefusedException("the AMI " + in.backupImageId() + " is not an available backup of " + in.instanceId()
                    + " (tag " + Tags.INSTANCE + "); the rehearsal is launched only from the backup this execution took");
        }
        List<Tag> tags = List.of(Tag.builder().key(Tags.REHEARSAL_OF).value(in.instanceId()).build(),
                Tag.builder().key(Tags.REHEARSAL_EXECUTION).value(in.execution()).build(),
                Tag.builder().key("Name").value("xen2nitro rehearsal of " + in.instanceId()).build());

        String groupId = securityGroup(in, tags);
        List<String> egress = restrictEgress(groupId, in.vpcId());

        // The stack's rehearsal profile (SSM only), never the original's: the clone must not act with production's permissions.
        String profile = Aws.setting("REHEARSAL_INSTANCE_PROFILE");
        // Every volume of the clone goes with it (BlockDeviceMapping DeleteOnTermination): nothing of the rehearsal is left.
        List<BlockDeviceMapping> disks = image.blockDeviceMappings().stream().filter(b -> b.ebs() != null)
                .map(b -> BlockDeviceMapping.builder().deviceName(b.deviceName()).ebs(e -> e.deleteOnTermination(true)).build()).toList();
        int gib = image.blockDeviceMappings().stream().filter(b -> b.ebs() != null && b.ebs().volumeSize() != null)
                .mapToInt(b -> b.ebs().volumeSize()).sum();
        String token = Executions.clientToken(in.execution(), "rehearsal");
        Instance clone;
        try {
            clone = Ec2Calls.call("RunInstances of the clone of " + in.instanceId(), () -> Aws.ec2().runInstances(r -> r.imageId(image.imageId()).instanceType(original.instanceTypeAsString()).minCount(1).maxCount(1)
                    .clientToken(token)
                    .networkInterfaces(n -> n.deviceIndex(0).subnetId(in.subnetId()).groups(groupId).associatePublicIpAddress(false)
                            .deleteOnTermination(true))
                    .iamInstanceProfile(p -> p.arn(profile))
                    .blockDeviceMappings(disks)
                    .tagSpecifications(spec(ResourceType.INSTANCE, tags), spec(ResourceType.VOLUME, tags), spec(ResourceType.NETWORK_INTERFACE, tags))))
                    .instances().get(0);
        } catch (AwsActionFailedException e) {
            // UnauthorizedOperation carries an encoded message (sts:DecodeAuthorizationMessage decodes it): say what the stack
            // allows, so that an operator can tell which condition refused.
            if (e.getMessage().contains("UnauthorizedOperation")) {
                throw new RehearsalRefusedException("RunInstances of the clone of " + in.instanceId() + " was denied. The stack launches only"
                        + " from its own backup AMIs (tag xen2nitro:instance), into a rehearsal's group, with the stack's rehearsal profile,"
                        + " tagged xen2nitro:rehearsal-of and xen2nitro:rehearsal-execution; an SCP or permissions boundary may refuse more."
                        + " The original was not changed. " + e.getMessage());
            }
            throw e;
        }
        // A stop of the execution does not stop this invocation (Step Functions, StopExecution): a clone launched for an
        // execution that no longer runs would be left to the cleanup, which may have looked already. It goes at once.
        String status = dev.xen2nitro.functions.core.AwsCalls.call("DescribeExecution " + in.execution(),
                () -> Aws.sfn().describeExecution(r -> r.executionArn(in.execution()))).statusAsString();
        if (!"RUNNING".equals(status)) {
            String id = clone.instanceId();
            Ec2Calls.call("TerminateInstances " + id, () -> Aws.ec2().terminateInstances(r -> r.instanceIds(id)));
            throw new RehearsalRefusedException("the execution " + in.execution() + " is " + status + ": its clone " + id + " was terminated");
        }
        String launched = clone.launchTime() == null ? java.time.Instant.now().toString() : clone.launchTime().toString();
        String name = "rehearsal-" + Executions.digest(in.execution());
        // execution:MACHINE:NAME: the clone's migration runs on this execution's own state machine.
        String arn = in.execution().substring(0, in.execution().lastIndexOf(':') + 1) + name;
        return new Result(clone.instanceId(), groupId, clone.instanceTypeAsString(), clone.privateIpAddress(), launched, gib, name, arn, egress);
    }

    /**
     * What a copy of this server cannot do in its isolated group, refused before anything is created. An address set in
     * Windows is the original's: the copy would come up with it, and the VPC delivers only the addresses it assigned (VPC User
     * Guide, "IP addressing"). DNS servers other than the VPC's resolver (its base address plus two, or 169.254.169.253,
     * which security groups do not filter: VPC User Guide, "Amazon DNS server", "Security group rules") are unreachable
     * from the group, so the agent could not resolve the endpoints. Dedicated tenancy or a Dedicated Host (licences bound to
     * a host) is not reproduced by a clone on shared tenancy.
     */
    private static void refuseUnlessClonable(Input in, Instance original) {
        String tenancy = original.placement() == null ? null : original.placement().tenancyAsString();
        if (tenancy != null && !"default".equals(tenancy)) {
            throw new RehearsalRefusedException(in.instanceId() + " runs on " + tenancy + " tenancy; a rehearsal's clone would run on shared"
                    + " tenancy, which its licences may not allow. Migrate it without \"rehearse\". The original was not changed.");
        }
        if (in.network() == null || !in.network().isArray() || in.network().isEmpty()) {
            throw new RehearsalRefusedException("the guest's network configuration is not known (CaptureGuestFacts' network); a clone of it"
                    + " cannot be isolated safely. The original was not changed.");
        }
        String cidr = Ec2Calls.call("DescribeVpcs " + in.vpcId(), () -> Aws.ec2().describeVpcs(r -> r.vpcIds(in.vpcId()))).vpcs().get(0).cidrBlock();
        String resolver = plus(cidr.substring(0, cidr.indexOf('/')), 2);
        for (com.fasterxml.jackson.databind.JsonNode nic : in.network()) {
            String mac = nic.path("macAddress").asText("?");
            if (!nic.path("dhcp").asBoolean(false)) {
                throw new RehearsalRefusedException("the adapter " + mac + " of " + in.instanceId() + " has its address set in Windows: a clone"
                        + " would come up with the original's address, which the VPC does not deliver to it. Use DHCP on the adapter (the"
                        + " instance keeps its private IP) or migrate without \"rehearse\". The original was not changed.");
            }
            for (com.fasterxml.jackson.databind.JsonNode dns : nic.path("dnsServers")) {
                if (!dns.asText().equals(resolver) && !dns.asText().equals("169.254.169.253")) {
                    throw new RehearsalRefusedException("the adapter " + mac + " of " + in.instanceId() + " uses the DNS server " + dns.asText()
                            + ", which the clone's isolated group cannot reach (only the VPC's resolver, " + resolver + ", is reachable):"
                            + " it could not resolve the SSM endpoints. Migrate without \"rehearse\". The original was not changed.");
                }
            }
        }
    }

    /** {@code ip} plus {@code n}. */
    static String plus(String ip, int n) {
        long a = 0;
        for (String part : ip.split("\\.")) a = a * 256 + Long.parseLong(part);
        a += n;
        return (a >> 24 & 255) + "." + (a >> 16 & 255) + "." + (a >> 8 & 255) + "." + (a & 255);
    }

    private static TagSpecification spec(ResourceType type, List<Tag> tags) {
        return TagSpecification.builder().resourceType(type).tags(tags).build();
    }

    /** The clone's own group: found by name when a retry already made it. */
    private static String securityGroup(Input in, List<Tag> tags) {
        String name = Executions.resourceName("xen2nitro-rehearsal-", in.execution(), 255);
        List<SecurityGroup> found = Ec2Calls.call("DescribeSecurityGroups " + name, () -> Aws.ec2().describeSecurityGroups(r -> r.filters(
                Filter.builder().name("vpc-id").values(in.vpcId()).build(), Filter.builder().name("group-name").values(name).build()))).securityGroups();
        if (!found.isEmpty()) {
            return found.get(0).groupId();
        }
        List<Tag> groupTags = new ArrayList<>(tags);
        groupTags.add(Tag.builder().key(Tags.TEMPORARY).value("true").build());
        return Ec2Calls.call("CreateSecurityGroup " + name, () -> Aws.ec2().createSecurityGroup(r -> r.vpcId(in.vpcId()).groupName(name)
                .description("xen2nitro rehearsal of " + in.instanceId() + ": no inbound; outbound HTTPS to the VPC endpoints only")
                .tagSpecifications(spec(ResourceType.SECURITY_GROUP, groupTags)))).groupId();
    }

    /**
     * A new group allows all outbound traffic (VPC User Guide, "Security group rules"): that rule is revoked, and HTTPS is
     * allowed to the subnets of the VPC's interface endpoints (SSM's agent connects to ssm, ssmmessages and ec2messages over
     * 443, SSM User Guide, "Create VPC endpoints") and to the S3 prefix list when the VPC has an S3 gateway endpoint (VPC User
     * Guide, "Gateway endpoints": security groups must allow traffic to the prefix list). Returns the rules it holds.
     */
    private static List<String> restrictEgress(String groupId, String vpcId) {
        SecurityGroup group = describeNew(groupId);
        List<VpcEndpoint> endpoints = Ec2Calls.call("DescribeVpcEndpoints " + vpcId, () -> Aws.ec2().describeVpcEndpoints(r -> r.filters(
                Filter.builder().name("vpc-id").values(vpcId).build()))).vpcEndpoints().stream()
                .filter(e -> !Set.of("deleting", "deleted", "failed", "rejected").contains(e.stateAsString())).toList();
        Set<String> subnets = new LinkedHashSet<>();
        endpoints.stream().filter(e -> "Interface".equals(e.vpcEndpointTypeAsString())).forEach(e -> subnets.addAll(e.subnetIds()));
        if (subnets.isEmpty()) {
            throw new RehearsalRefusedException("the VPC " + vpcId + " has no interface endpoints for the clone's SSM agent to reach;"
                    + " they are made before the backup (PrepareEndpoints), so this is unexpected: see the execution's history");
        }
        Set<String> cidrs = new LinkedHashSet<>();
        Ec2Calls.call("DescribeSubnets " + subnets, () -> Aws.ec2().describeSubnets(r -> r.subnetIds(subnets))).subnets()
                .forEach(s -> cidrs.add(s.cidrBlock()));
        String prefixList = null;
        if (endpoints.stream().anyMatch(e -> "Gateway".equals(e.vpcEndpointTypeAsString()) && e.serviceName().endsWith(".s3"))) {
            String s3 = "com.amazonaws." + Aws.region().id() + ".s3";
            prefixList = Ec2Calls.call("DescribePrefixLists " + s3, () -> Aws.ec2().describePrefixLists(r -> r.filters(
                    Filter.builder().name("prefix-list-name").values(s3).build()))).prefixLists().stream()
                    .map(p -> p.prefixListId()).findFirst().orElse(null);
        }
        List<String> held = new ArrayList<>();
        String pl = prefixList;
        for (IpPermission p : group.ipPermissionsEgress()) {
            boolean wanted = "tcp".equals(p.ipProtocol()) && Integer.valueOf(443).equals(p.fromPort()) && Integer.valueOf(443).equals(p.toPort())
                    && p.ipRanges().stream().allMatch(x -> cidrs.contains(x.cidrIp()))
                    && p.prefixListIds().stream().allMatch(x -> x.prefixListId().equals(pl))
                    && p.userIdGroupPairs().isEmpty() && p.ipv6Ranges().isEmpty();
            if (!wanted) {
                Ec2Calls.call("RevokeSecurityGroupEgress " + groupId, () -> Aws.ec2().revokeSecurityGroupEgress(r -> r.groupId(groupId).ipPermissions(p)));
            }
        }
        SecurityGroup now = Ec2Calls.call("DescribeSecurityGroups " + groupId, () -> Aws.ec2().describeSecurityGroups(r -> r.groupIds(groupId)))
                .securityGroups().get(0);
        Set<String> have = new LinkedHashSet<>();
        now.ipPermissionsEgress().forEach(p -> {
            p.ipRanges().forEach(x -> have.add(x.cidrIp()));
            p.prefixListIds().forEach(x -> have.add(x.prefixListId()));
        });
        for (String cidr : cidrs) {
            if (!have.contains(cidr)) {
                authorize(groupId, IpPermission.builder().ipProtocol("tcp").fromPort(443).toPort(443)
                        .ipRanges(x -> x.cidrIp(cidr).description("HTTPS to the VPC's interface endpoints")).build());
            }
            held.add("tcp/443 to " + cidr);
        }
        if (pl != null) {
            if (!have.contains(pl)) {
                authorize(groupId, IpPermission.builder().ipProtocol("tcp").fromPort(443).toPort(443)
                        .prefixListIds(x -> x.prefixListId(pl).description("HTTPS to S3 through the gateway endpoint")).build());
            }
            held.add("tcp/443 to " + pl + " (S3)");
        }
        return held;
    }

    /**
     * A group just created, which EC2 may not show at once ("Eventual consistency in the Amazon EC2 API": a Describe right
     * after a create can answer NotFound): that is a transient error, which the state machine retries (transient-retry.yaml);
     * the retry finds the group by its name and goes on.
     */
    private static SecurityGroup describeNew(String groupId) {
        try {
            return Ec2Calls.call("DescribeSecurityGroups " + groupId, () -> Aws.ec2().describeSecurityGroups(r -> r.groupIds(groupId)))
                    .securityGroups().get(0);
        } catch (AwsActionFailedException e) {
            if (e.getMessage().contains("InvalidGroup.NotFound")) {
                throw new dev.xen2nitro.functions.core.TransientAwsException("the new security group " + groupId
                        + " is not visible yet (EC2 eventual consistency): " + e.getMessage(), e);
            }
            throw e;
        }
    }

    private static void authorize(String groupId, IpPermission p) {
        try {
            Aws.ec2().authorizeSecurityGroupEgress(r -> r.groupId(groupId).ipPermissions(p));
        } catch (Ec2Exception e) {
            // A retry after the rule was added: it is there.
            if (e.awsErrorDetails() == null || !"InvalidPermission.Duplicate".equals(e.awsErrorDetails().errorCode())) {
                throw new AwsActionFailedException("AuthorizeSecurityGroupEgress " + groupId + " failed: " + e.getMessage(), e);
            }
        }
    }

    @Override
    protected Input sampleInput() {
        return new Input("i-0123456789abcdef0", Executions.SAMPLE, "ami-0123456789abcdef0", "subnet-0123456789abcdef0", "vpc-0123456789abcdef0",
                JSON.createArrayNode());
    }
}
