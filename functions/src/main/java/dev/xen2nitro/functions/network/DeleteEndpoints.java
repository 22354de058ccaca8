package dev.xen2nitro.functions.network;

import dev.xen2nitro.functions.cleanup.InspectEndedExecution;
import dev.xen2nitro.functions.core.Aws;
import dev.xen2nitro.functions.core.AwsActionFailedException;
import dev.xen2nitro.functions.core.AwsCalls;
import dev.xen2nitro.functions.core.Ec2Calls;
import dev.xen2nitro.functions.core.Executions;
import dev.xen2nitro.functions.core.InstanceNotFoundException;
import dev.xen2nitro.functions.core.InvalidInputException;
import dev.xen2nitro.functions.core.JsonHandler;
import dev.xen2nitro.functions.core.Tags;
import dev.xen2nitro.functions.core.TransientAwsException;
import dev.xen2nitro.functions.core.Validatable;
import dev.xen2nitro.functions.rules.InstanceIds;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.SecurityGroup;

/**
 * Releases the execution's use of its VPC's temporary endpoints ({@link EndpointSharing}), on every path: the migration's
 * own ending, and the cleanup after one that ended FAILED, TIMED_OUT or ABORTED. Under the VPC's lock
 * ({@link EndpointUsers}) it removes the execution's user record, drops the users whose executions have ended
 * (states:DescribeExecution; one that cannot be described is kept), and then, with nobody left, deletes the temporary
 * endpoints and group of the VPC; with users left, only the S3 gateway endpoints of route tables none of them has, and
 * the group's rules for subnets none of them is in. Endpoints and groups that this stack did not create as shared
 * temporary resources (tagged xen2nitro:temporary and with the VPC's registry path) are never touched; deleting what is
 * already gone is not an error.
 *
 * <p>The VPC is the one given (the migration knows it from its preflight); the cleanup, which does not, finds the VPC
 * whose users name the execution, or else the VPC of the instance its input names (then there is no record of its own,
 * and only ended users are dropped). While an endpoint's interfaces are still being removed the group is in use
 * (DependencyViolation): {@link ResourceStillInUseException}, after the lock is released, makes the state machine
 * retry; the retry reads the users again under the lock, so a migration that registered meanwhile keeps the group.
 */
public class DeleteEndpoints extends JsonHandler<DeleteEndpoints.Input, DeleteEndpoints.Result> {

    /**
     * @param vpcId the VPC of the execution's instance, when the caller knows it
     * @param input the ended execution's input as the cleanup's event carries it (JSON text), to find its instance otherwise
     */
    public record Input(String execution, String vpcId, String input) implements Validatable {
        @Override
        public void validate() {
            Executions.require("execution", execution);
            if (vpcId != null && !vpcId.matches("vpc-[0-9a-f]{8,17}")) {
                throw new InvalidInputException("'vpcId' is \"" + vpcId + "\", which is not a VPC ID (vpc-...)");
            }
        }
    }

    /**
     * @param vpcId             the VPC released, or null when the execution used none
     * @param released          whether the execution was registered there
     * @param droppedUsers      the executions dropped because they had ended
     * @param usersLeft         how many users the VPC still has
     * @param revokedCidrs      the subnets the temporary group no longer admits
     */
    public record Result(String vpcId, boolean released, List<String> droppedUsers, int usersLeft, List<String> deletedEndpoints,
                         List<String> deletedSecurityGroups, List<String> revokedCidrs) {}

    public DeleteEndpoints() {
        super(Input.class);
    }

    @Override
    protected Result handle(Input in) {
        String vpcId = in.vpcId() != null ? in.vpcId() : EndpointUsers.vpcOf(in.execution());
        if (vpcId == null) {
            vpcId = vpcOfInstance(InspectEndedExecution.instanceIdOf(in.input()));
        }
        if (vpcId == null) {
            return new Result(null, false, List.of(), 0, List.of(), List.of(), List.of());
        }
        String vpc = vpcId;
        String users = EndpointUsers.vpcPath(vpc);
        try (EndpointUsers.Lock lock = EndpointUsers.lock(vpc, in.execution())) {
            boolean released = EndpointUsers.remove(vpc, in.execution());
            List<String> dropped = new ArrayList<>();
            List<EndpointSharing.User> remaining = new ArrayList<>();
            for (EndpointSharing.User u : EndpointUsers.users(vpc)) {
                if (u.execution() != null && EndpointSharing.stale(status(u.execution()))) {
                    EndpointUsers.remove(vpc, u.execution());
                    dropped.add(u.execution());
                } else {
                    remaining.add(u);
                }
            }
            List<EndpointSharing.Endpoint> ours = Ec2Calls.call("DescribeVpcEndpoints of " + users, () -> Aws.ec2().describeVpcEndpoints(r -> r.filters(
                            f -> f.name("vpc-id").values(vpc), f -> f.name("tag:" + Tags.TEMPORARY).values("true"),
                            f -> f.name("tag:" + Tags.ENDPOINT_USERS).values(users))))
                    .vpcEndpoints().stream().map(e -> PrepareEndpoints.view(e, users)).filter(EndpointSharing.Endpoint::ours).toList();
            SecurityGroup group = PrepareEndpoints.group(vpc);
            boolean groupOurs = group != null && group.tags().stream().anyMatch(t -> t.key().equals(Tags.ENDPOINT_USERS) && t.value().equals(users));
            List<String> cidrs = !groupOurs ? List.of() : group.ipPermissions().stream().filter(p -> "tcp".equals(p.ipProtocol())
                    && p.fromPort() != null && p.fromPort() == 443).flatMap(p -> p.ipRanges().stream().map(r -> r.cidrIp())).distinct().toList();
            EndpointSharing.Release r = EndpointSharing.release(remaining, ours, cidrs);
            if (!r.deleteEndpoints().isEmpty()) {
                Ec2Calls.call("DeleteVpcEndpoints " + r.deleteEndpoints(), () -> Aws.ec2().deleteVpcEndpoints(x -> x.vpcEndpointIds(r.deleteEndpoints())));
            }
            for (String cidr : r.revokeCidrs()) {
                Ec2Calls.call("RevokeSecurityGroupIngress " + group.groupId() + " " + cidr, () -> Aws.ec2().revokeSecurityGroupIngress(x -> x
                        .groupId(group.groupId()).ipPermissions(p -> p.ipProtocol("tcp").fromPort(443).toPort(443).ipRanges(ip -> ip.cidrIp(cidr)))));
            }
            List<String> deletedGroups = new ArrayList<>();
            if (r.deleteGroup() && groupOurs) {
                try {
                    Ec2Calls.call("DeleteSecurityGroup " + group.groupId(), () -> Aws.ec2().deleteSecurityGroup(x -> x.groupId(group.groupId())));
                    deletedGroups.add(group.groupId());
                } catch (AwsActionFailedException e) {
                    if (e.getCause() instanceof Ec2Exception ec2 && ec2.awsErrorDetails() != null
                            && "DependencyViolation".equals(ec2.awsErrorDetails().errorCode())) {
                        throw new ResourceStillInUseException("security group " + group.groupId() + " is still used by the endpoints being deleted;"
                                + " trying again (the users of " + vpc + " are read again first)");
                    }
                    throw e;
                }
            }
            return new Result(vpc, released, dropped, remaining.size(), r.deleteEndpoints(), deletedGroups, r.revokeCidrs());
        }
    }

    /** The execution's status, or null when it cannot be told (the user is then kept). */
    private static String status(String execution) {
        try {
            return AwsCalls.call("DescribeExecution " + execution, () -> Aws.sfn().describeExecution(r -> r.executionArn(execution))).statusAsString();
        } catch (AwsActionFailedException | TransientAwsException unknown) {
            return null;
        }
    }

    /** The VPC of the instance, or null when there is none to find (no instance named, or it is gone). */
    private static String vpcOfInstance(String instanceId) {
        if (!InstanceIds.isWellFormed(instanceId)) {
            return null;
        }
        try {
            return Ec2Calls.describeInstance(instanceId).vpcId();
        } catch (InstanceNotFoundException gone) {
            return null;
        }
    }

    @Override
    protected Input sampleInput() {
        return new Input(Executions.SAMPLE, "vpc-0123456789abcdef0", null);
    }
}
