package dev.xen2nitro.functions.rehearsal;

import dev.xen2nitro.functions.core.Aws;
import dev.xen2nitro.functions.core.AwsActionFailedException;
import dev.xen2nitro.functions.core.Ec2Calls;
import dev.xen2nitro.functions.core.Executions;
import dev.xen2nitro.functions.core.JsonHandler;
import dev.xen2nitro.functions.core.Tags;
import dev.xen2nitro.functions.core.Validatable;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.SecurityGroup;

/**
 * Removes what a rehearsal launched, found by its tags alone ({@value Tags#REHEARSAL_EXECUTION} = the rehearsing execution, and
 * {@value Tags#REHEARSAL_OF} present): terminates the clones, whose volumes and network interface go with them (launched with
 * DeleteOnTermination), and once they are terminated deletes their security group. The ending of the execution calls it, and so
 * does the cleanup of an execution that was stopped; with nothing to remove it does nothing. While a clone is still shutting
 * down (or its group still in use) it raises {@link RehearsalStillRemovingException}, which the state machine retries.
 * Nothing that lacks the rehearsal tags is touched: the original is never among what it finds.
 */
public class RemoveRehearsal extends JsonHandler<RemoveRehearsal.Input, RemoveRehearsal.Result> {

    public record Input(String execution) implements Validatable {
        @Override
        public void validate() {
            Executions.require("execution", execution);
        }
    }

    /** @param clones the clones found (terminated now), groups the security groups deleted */
    public record Result(List<String> clones, List<String> securityGroups) {}

    public RemoveRehearsal() {
        super(Input.class);
    }

    @Override
    protected Result handle(Input in) {
        List<Instance> clones = Ec2Calls.call("DescribeInstances of the rehearsal of " + in.execution(), () -> Aws.ec2().describeInstances(r -> r
                .filters(Filter.builder().name("tag:" + Tags.REHEARSAL_EXECUTION).values(in.execution()).build(),
                        Filter.builder().name("tag-key").values(Tags.REHEARSAL_OF).build())))
                .reservations().stream().flatMap(r -> r.instances().stream()).toList();
        List<String> ids = clones.stream().map(Instance::instanceId).toList();
        List<String> ending = clones.stream().filter(i -> !"terminated".equals(i.state().nameAsString()))
                .filter(i -> !"shutting-down".equals(i.state().nameAsString())).map(Instance::instanceId).toList();
        if (!ending.isEmpty()) {
            Ec2Calls.call("TerminateInstances " + ending, () -> Aws.ec2().terminateInstances(r -> r.instanceIds(ending)));
        }
        List<String> left = clones.stream().filter(i -> !"terminated".equals(i.state().nameAsString())).map(Instance::instanceId).toList();
        if (!left.isEmpty()) {
            throw new RehearsalStillRemovingException("the rehearsal's clone " + left + " is shutting down; its security group is deleted once it is terminated");
        }
        List<SecurityGroup> groups = Ec2Calls.call("DescribeSecurityGroups of the rehearsal of " + in.execution(), () -> Aws.ec2()
                .describeSecurityGroups(r -> r.filters(Filter.builder().name("tag:" + Tags.REHEARSAL_EXECUTION).values(in.execution()).build(),
                        Filter.builder().name("tag-key").values(Tags.REHEARSAL_OF).build()))).securityGroups();
        List<String> deleted = new ArrayList<>();
        for (SecurityGroup g : groups) {
            try {
                Ec2Calls.call("DeleteSecurityGroup " + g.groupId(), () -> Aws.ec2().deleteSecurityGroup(r -> r.groupId(g.groupId())));
                deleted.add(g.groupId());
            } catch (AwsActionFailedException e) {
                // EC2 error reference: DependencyViolation while a network interface still uses the group (a terminated
                // instance's interface is deleted shortly after it terminates).
                if (e.getMessage().contains("DependencyViolation")) {
                    throw new RehearsalStillRemovingException("the rehearsal's security group " + g.groupId() + " is still in use: " + e.getMessage());
                }
                if (!e.getMessage().contains("InvalidGroup.NotFound")) throw e;
            }
        }
        return new Result(ids, deleted);
    }

    @Override
    protected Input sampleInput() {
        return new Input(Executions.SAMPLE);
    }
}
