package dev.xen2nitro.functions.network;

import dev.xen2nitro.functions.core.Aws;
import dev.xen2nitro.functions.core.AwsActionFailedException;
import dev.xen2nitro.functions.core.Ec2Calls;
import dev.xen2nitro.functions.core.Executions;
import dev.xen2nitro.functions.core.InvalidInputException;
import dev.xen2nitro.functions.core.JsonHandler;
import dev.xen2nitro.functions.core.Tags;
import dev.xen2nitro.functions.core.Validatable;
import java.util.List;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.SecurityGroup;
import software.amazon.awssdk.services.ec2.model.VpcEndpoint;

/**
 * Deletes the endpoints and security group this execution created, found by their tags
 * (xen2nitro:execution and xen2nitro:temporary), and nothing else. Runs on every path; deleting
 * what is already gone is not an error. While an endpoint's interfaces are still being removed the
 * group is in use (DependencyViolation): {@link ResourceStillInUseException} makes the state machine retry.
 */
public class DeleteEndpoints extends JsonHandler<DeleteEndpoints.Input, DeleteEndpoints.Result> {

    public record Input(String execution) implements Validatable {
        @Override
        public void validate() {
            Executions.require("execution", execution);
        }
    }

    public record Result(List<String> deletedEndpoints, List<String> deletedSecurityGroups) {}

    public DeleteEndpoints() {
        super(Input.class);
    }

    @Override
    protected Result handle(Input in) {
        List<String> endpoints = Ec2Calls.call("DescribeVpcEndpoints of " + in.execution(), () -> Aws.ec2().describeVpcEndpoints(r -> r.filters(
                        f -> f.name("tag:" + Tags.EXECUTION).values(in.execution()), f -> f.name("tag:" + Tags.TEMPORARY).values("true"))))
                .vpcEndpoints().stream().filter(e -> !"deleted".equals(e.stateAsString())).map(VpcEndpoint::vpcEndpointId).toList();
        if (!endpoints.isEmpty()) {
            Ec2Calls.call("DeleteVpcEndpoints " + endpoints, () -> Aws.ec2().deleteVpcEndpoints(r -> r.vpcEndpointIds(endpoints)));
        }
        List<String> groups = Ec2Calls.call("DescribeSecurityGroups of " + in.execution(), () -> Aws.ec2().describeSecurityGroups(r -> r.filters(
                        f -> f.name("tag:" + Tags.EXECUTION).values(in.execution()), f -> f.name("tag:" + Tags.TEMPORARY).values("true"))))
                .securityGroups().stream().map(SecurityGroup::groupId).toList();
        for (String g : groups) {
            try {
                Ec2Calls.call("DeleteSecurityGroup " + g, () -> Aws.ec2().deleteSecurityGroup(r -> r.groupId(g)));
            } catch (AwsActionFailedException e) {
                if (e.getCause() instanceof Ec2Exception ec2 && ec2.awsErrorDetails() != null
                        && "DependencyViolation".equals(ec2.awsErrorDetails().errorCode())) {
                    throw new ResourceStillInUseException("security group " + g + " is still used by the endpoints being deleted; trying again");
                }
                throw e;
            }
        }
        return new Result(endpoints, groups);
    }

    @Override
    protected Input sampleInput() {
        return new Input(Executions.SAMPLE);
    }
}
