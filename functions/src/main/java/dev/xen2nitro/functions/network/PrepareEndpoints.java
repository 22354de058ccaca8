package dev.xen2nitro.functions.network;

import dev.xen2nitro.functions.core.Aws;
import dev.xen2nitro.functions.core.Ec2Calls;
import dev.xen2nitro.functions.core.Executions;
import dev.xen2nitro.functions.core.InvalidInputException;
import dev.xen2nitro.functions.core.JsonHandler;
import dev.xen2nitro.functions.core.Tags;
import dev.xen2nitro.functions.core.Validatable;
import dev.xen2nitro.functions.rules.InstanceIds;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.SecurityGroup;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.ec2.model.VpcEndpoint;
import software.amazon.awssdk.services.ec2.model.VpcEndpointType;

/**
 * Makes the instance's subnet reach SSM Run Command and S3 without internet access (RUNBOOK: interface endpoints ssm,
 * ec2messages and ssmmessages with private DNS, a security group admitting TCP 443 from the subnet, and an S3 gateway
 * endpoint on the subnet's route table), sharing with the other migrations of the VPC what is there
 * ({@link EndpointSharing}): under the VPC's lock ({@link EndpointUsers}), an endpoint of the service already in the VPC,
 * in any live state, is used; one this stack did not create is never touched; what is missing is created once per VPC,
 * tagged xen2nitro:temporary with the VPC's registry path, and the execution is registered as a user of the temporary
 * ones before anything is created, so that {@link DeleteEndpoints} deletes them only once the last user has released
 * them. The temporary group gets a rule for each user's subnet. ClientTokens make a retried call create nothing twice.
 */
public class PrepareEndpoints extends JsonHandler<PrepareEndpoints.Input, PrepareEndpoints.Result> {

    /** The preflight facts: @param internetRoute whether the subnet routes to the internet (then it needs no endpoint). */
    public record Input(String instanceId, String execution, String vpcId, String subnetId, String subnetCidr,
                        List<String> routeTableIds, Boolean internetRoute) implements Validatable {
        @Override
        public void validate() {
            InstanceIds.require("instanceId", instanceId);
            Executions.require("execution", execution);
            if (vpcId == null || subnetId == null || subnetCidr == null || routeTableIds == null || internetRoute == null) {
                throw new InvalidInputException("vpcId, subnetId, subnetCidr, routeTableIds and internetRoute are required (from the preflight facts)");
            }
            if (!vpcId.matches("vpc-[0-9a-f]{8,17}")) {
                throw new InvalidInputException("'vpcId' is \"" + vpcId + "\", which is not a VPC ID (vpc-...)");
            }
        }
    }

    /**
     * @param created         the endpoints this execution created
     * @param reused          the temporary endpoints of earlier migrations it relies on
     * @param securityGroupId the temporary group admitting its subnet, when it relies on a temporary interface endpoint
     * @param registered      whether it is a user of the VPC's temporary endpoints (DeleteEndpoints releases it)
     */
    public record Result(List<String> created, List<String> reused, String securityGroupId, boolean registered) {}

    public PrepareEndpoints() {
        super(Input.class);
    }

    private static List<TagSpecification> tags(ResourceType type, String execution, String users, String name) {
        return List.of(TagSpecification.builder().resourceType(type).tags(
                Tag.builder().key(Tags.EXECUTION).value(execution).build(),
                Tag.builder().key(Tags.TEMPORARY).value("true").build(),
                Tag.builder().key(Tags.ENDPOINT_USERS).value(users).build(),
                Tag.builder().key("Name").value(name).build()).build());
    }

    /** A VPC endpoint as {@link EndpointSharing} sees it: ours when temporary and registered under {@code users}. */
    static EndpointSharing.Endpoint view(VpcEndpoint e, String users) {
        Map<String, String> tags = e.tags().stream().collect(Collectors.toMap(Tag::key, Tag::value, (a, b) -> b));
        String service = e.serviceName().substring(e.serviceName().lastIndexOf('.') + 1);
        boolean ours = "true".equals(tags.get(Tags.TEMPORARY)) && users.equals(tags.get(Tags.ENDPOINT_USERS));
        return new EndpointSharing.Endpoint(e.vpcEndpointId(), service, "Gateway".equalsIgnoreCase(e.vpcEndpointTypeAsString()),
                e.stateAsString(), ours, e.routeTableIds());
    }

    /** The temporary group of the VPC's endpoints, found by its name. */
    static SecurityGroup group(String vpcId) {
        String name = groupName();
        return Ec2Calls.call("DescribeSecurityGroups " + name, () -> Aws.ec2().describeSecurityGroups(r -> r.filters(
                f -> f.name("vpc-id").values(vpcId), f -> f.name("group-name").values(name)))).securityGroups().stream().findFirst().orElse(null);
    }

    /** One per VPC and stack: security group names are unique within a VPC (CreateSecurityGroup, InvalidGroup.Duplicate). */
    static String groupName() {
        return EndpointUsers.stackName() + "-ssm-endpoints";
    }

    @Override
    protected Result handle(Input in) {
        String users = EndpointUsers.vpcPath(in.vpcId());
        try (EndpointUsers.Lock lock = EndpointUsers.lock(in.vpcId(), in.execution())) {
            List<EndpointSharing.Endpoint> inVpc = Ec2Calls.call("DescribeVpcEndpoints in " + in.vpcId(), () -> Aws.ec2().describeVpcEndpoints(
                    r -> r.filters(f -> f.name("vpc-id").values(in.vpcId())))).vpcEndpoints().stream().map(e -> view(e, users)).toList();
            EndpointSharing.Plan plan = EndpointSharing.plan(in.internetRoute(), in.routeTableIds(), inVpc);
            if (plan.waitFor() != null) {
                throw new EndpointsBusyException(plan.waitFor() + "; trying again shortly");
            }
            if (plan.register()) {
                // Before anything is created: whatever this call leaves behind has a user that DeleteEndpoints releases.
                EndpointUsers.register(in.vpcId(), new EndpointSharing.User(in.execution(), in.instanceId(), in.subnetId(), in.subnetCidr(),
                        in.routeTableIds()));
            }
            String sg = plan.openGroup() ? openGroup(in, users) : null;
            String region = Aws.region().id();
            List<String> created = new ArrayList<>();
            for (String service : plan.createInterface()) {
                String name = "com.amazonaws." + region + "." + service;
                String clientToken = Executions.clientToken(in.execution(), service);
                created.add(Ec2Calls.call("CreateVpcEndpoint " + name, () -> Aws.ec2().createVpcEndpoint(r -> r.vpcId(in.vpcId())
                        .vpcEndpointType(VpcEndpointType.INTERFACE).serviceName(name).subnetIds(in.subnetId())
                        .securityGroupIds(sg).privateDnsEnabled(true).clientToken(clientToken)
                        .tagSpecifications(tags(ResourceType.VPC_ENDPOINT, in.execution(), users, "xen2nitro-" + service))))
                        .vpcEndpoint().vpcEndpointId());
            }
            for (String table : plan.createGateway()) {
                String name = "com.amazonaws." + region + "." + EndpointSharing.S3;
                String clientToken = Executions.clientToken(in.execution(), "s3-" + table);
                created.add(Ec2Calls.call("CreateVpcEndpoint " + name + " on " + table, () -> Aws.ec2().createVpcEndpoint(r -> r.vpcId(in.vpcId())
                        .vpcEndpointType(VpcEndpointType.GATEWAY).serviceName(name).routeTableIds(table).clientToken(clientToken)
                        .tagSpecifications(tags(ResourceType.VPC_ENDPOINT, in.execution(), users, "xen2nitro-s3"))))
                        .vpcEndpoint().vpcEndpointId());
            }
            return new Result(created, plan.reuse(), sg, plan.register());
        }
    }

    /** The VPC's temporary group, created if need be, admitting TCP 443 from the instance's subnet. */
    private static String openGroup(Input in, String users) {
        SecurityGroup existing = group(in.vpcId());
        String name = groupName();
        String id = existing != null ? existing.groupId()
                : Ec2Calls.call("CreateSecurityGroup " + name, () -> Aws.ec2().createSecurityGroup(r -> r.vpcId(in.vpcId()).groupName(name)
                        .description("xen2nitro: HTTPS from the subnets of the migrations in " + in.vpcId() + " to the SSM endpoints (temporary)")
                        .tagSpecifications(tags(ResourceType.SECURITY_GROUP, in.execution(), users, name)))).groupId();
        boolean open = existing != null && existing.ipPermissions().stream().anyMatch(p -> "tcp".equals(p.ipProtocol())
                && p.fromPort() != null && p.fromPort() == 443 && p.ipRanges().stream().anyMatch(r -> in.subnetCidr().equals(r.cidrIp())));
        if (!open) {
            Ec2Calls.call("AuthorizeSecurityGroupIngress " + id, () -> Aws.ec2().authorizeSecurityGroupIngress(r -> r.groupId(id)
                    .ipPermissions(p -> p.ipProtocol("tcp").fromPort(443).toPort(443)
                            .ipRanges(ip -> ip.cidrIp(in.subnetCidr()).description("SSM agent of " + in.subnetId())))));
        }
        return id;
    }

    @Override
    protected Input sampleInput() {
        return new Input("i-0123456789abcdef0", Executions.SAMPLE, "vpc-0123456789abcdef0", "subnet-0123456789abcdef0", "10.0.1.0/24",
                List.of("rtb-0123456789abcdef0"), false);
    }
}
