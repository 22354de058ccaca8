package dev.xen2nitro.functions.network;

import dev.xen2nitro.functions.core.Executions;
import dev.xen2nitro.functions.core.Aws;
import dev.xen2nitro.functions.core.Ec2Calls;
import dev.xen2nitro.functions.core.InvalidInputException;
import dev.xen2nitro.functions.core.JsonHandler;
import dev.xen2nitro.functions.core.Tags;
import dev.xen2nitro.functions.core.Validatable;
import dev.xen2nitro.functions.rules.InstanceIds;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.SecurityGroup;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.ec2.model.VpcEndpointType;

/**
 * Creates the endpoints the subnet lacks for SSM Run Command without internet access (RUNBOOK:
 * interface endpoints ssm, ec2messages and ssmmessages with private DNS, a security group admitting
 * TCP 443 from the subnet, and an S3 gateway endpoint on the subnet's route table), each tagged with
 * the execution and xen2nitro:temporary so that {@link DeleteEndpoints} removes exactly these.
 * Endpoints that exist are reused and never touched. ClientTokens make a retried call create nothing twice.
 */
public class PrepareEndpoints extends JsonHandler<PrepareEndpoints.Input, PrepareEndpoints.Result> {

    static final Set<String> SERVICES = Set.of("ssm", "ec2messages", "ssmmessages", "s3");

    public record Input(String instanceId, String execution, String vpcId, String subnetId, String subnetCidr,
                        List<String> routeTableIds, List<String> missing) implements Validatable {
        @Override
        public void validate() {
            InstanceIds.require("instanceId", instanceId);
            Executions.require("execution", execution);
            if (vpcId == null || subnetId == null || subnetCidr == null || missing == null) {
                throw new InvalidInputException("vpcId, subnetId, subnetCidr and missing are required (from the preflight report)");
            }
            for (String m : missing) {
                if (!SERVICES.contains(m)) {
                    throw new InvalidInputException("'missing' names " + m + "; this workflow creates endpoints for " + SERVICES);
                }
            }
        }
    }

    public record Result(List<String> created, String securityGroupId) {}

    public PrepareEndpoints() {
        super(Input.class);
    }

    private static List<TagSpecification> tags(ResourceType type, String execution, String name) {
        return List.of(TagSpecification.builder().resourceType(type).tags(
                Tag.builder().key(Tags.EXECUTION).value(execution).build(),
                Tag.builder().key(Tags.TEMPORARY).value("true").build(),
                Tag.builder().key("Name").value(name).build()).build());
    }

    @Override
    protected Result handle(Input in) {
        List<String> created = new ArrayList<>();
        String region = Aws.region().id();
        String sg = null;
        boolean needsInterface = in.missing().stream().anyMatch(s -> !s.equals("s3"));
        if (needsInterface) {
            String groupName = Executions.resourceName("xen2nitro-endpoints-", in.execution(), 255);
            List<SecurityGroup> existing = Ec2Calls.call("DescribeSecurityGroups " + groupName, () -> Aws.ec2().describeSecurityGroups(r -> r.filters(
                    f -> f.name("vpc-id").values(in.vpcId()), f -> f.name("group-name").values(groupName)))).securityGroups();
            String id = existing.isEmpty()
                    ? Ec2Calls.call("CreateSecurityGroup " + groupName, () -> Aws.ec2().createSecurityGroup(r -> r.vpcId(in.vpcId())
                        .groupName(groupName).description("xen2nitro: HTTPS from " + in.subnetId() + " to the SSM endpoints (temporary)")
                        .tagSpecifications(tags(ResourceType.SECURITY_GROUP, in.execution(), groupName)))).groupId()
                    : existing.get(0).groupId();
            // A retried call may find the group created but not yet opened.
            boolean open = !existing.isEmpty() && existing.get(0).ipPermissions().stream().anyMatch(p -> "tcp".equals(p.ipProtocol())
                    && p.fromPort() != null && p.fromPort() == 443 && p.ipRanges().stream().anyMatch(r -> in.subnetCidr().equals(r.cidrIp())));
            if (!open) {
                Ec2Calls.call("AuthorizeSecurityGroupIngress " + id, () -> Aws.ec2().authorizeSecurityGroupIngress(r -> r.groupId(id)
                        .ipPermissions(p -> p.ipProtocol("tcp").fromPort(443).toPort(443)
                                .ipRanges(ip -> ip.cidrIp(in.subnetCidr()).description("SSM agent of " + in.subnetId())))));
            }
            sg = id;
        }
        String group = sg;
        for (String service : in.missing()) {
            String name = "com.amazonaws." + region + "." + service;
            String clientToken = Executions.clientToken(in.execution(), service);
            String id;
            if (service.equals("s3")) {
                id = Ec2Calls.call("CreateVpcEndpoint " + name, () -> Aws.ec2().createVpcEndpoint(r -> r.vpcId(in.vpcId())
                        .vpcEndpointType(VpcEndpointType.GATEWAY).serviceName(name).routeTableIds(in.routeTableIds())
                        .clientToken(clientToken).tagSpecifications(tags(ResourceType.VPC_ENDPOINT, in.execution(), "xen2nitro-s3"))))
                        .vpcEndpoint().vpcEndpointId();
            } else {
                id = Ec2Calls.call("CreateVpcEndpoint " + name, () -> Aws.ec2().createVpcEndpoint(r -> r.vpcId(in.vpcId())
                        .vpcEndpointType(VpcEndpointType.INTERFACE).serviceName(name).subnetIds(in.subnetId())
                        .securityGroupIds(group).privateDnsEnabled(true).clientToken(clientToken)
                        .tagSpecifications(tags(ResourceType.VPC_ENDPOINT, in.execution(), "xen2nitro-" + service))))
                        .vpcEndpoint().vpcEndpointId();
            }
            created.add(id);
        }
        return new Result(created, sg);
    }

    @Override
    protected Input sampleInput() {
        return new Input("i-0123456789abcdef0", Executions.SAMPLE, "vpc-0123456789abcdef0", "subnet-0123456789abcdef0", "10.0.1.0/24",
                List.of("rtb-0123456789abcdef0"), List.of("ssm", "ec2messages", "ssmmessages", "s3"));
    }
}
