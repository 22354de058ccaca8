package dev.xen2nitro.functions.lock;

import dev.xen2nitro.functions.core.Executions;
import dev.xen2nitro.functions.core.Aws;
import dev.xen2nitro.functions.core.Ec2Calls;
import dev.xen2nitro.functions.core.ExecutionRef;
import dev.xen2nitro.functions.core.JsonHandler;
import dev.xen2nitro.functions.core.Tags;
import software.amazon.awssdk.services.ec2.model.Tag;

/**
 * Marks the instance as being migrated by this execution (tag xen2nitro:lock, the execution's ARN), or fails fast with
 * {@link InstanceLockedException} when another execution holds it. Taking a lock this execution
 * already holds succeeds, so a retried invocation is harmless.
 */
public class AcquireLock extends JsonHandler<ExecutionRef, AcquireLock.Result> {

    public record Result(String instanceId, String holder) {}

    public AcquireLock() {
        super(ExecutionRef.class);
    }

    static String holder(String instanceId) {
        return Ec2Calls.describeInstance(instanceId).tags().stream()
                .filter(t -> Tags.LOCK.equals(t.key())).map(Tag::value).findFirst().orElse(null);
    }

    @Override
    protected Result handle(ExecutionRef in) {
        String holder = holder(in.instanceId());
        if (holder != null && !holder.equals(in.execution())) {
            throw new InstanceLockedException("instance " + in.instanceId() + " is being migrated by execution " + holder
                    + "; this execution changed nothing. Wait for that execution to end; if it has ended, the cleanup after it"
                    + " (CleanUpExecutionStateMachine) releases the lock once it has put the instance back or finished:"
                    + " see that cleanup's execution and report before you remove the tag " + Tags.LOCK + " by hand");
        }
        Ec2Calls.call("CreateTags " + Tags.LOCK + " on " + in.instanceId(), () -> Aws.ec2().createTags(r -> r.resources(in.instanceId())
                .tags(Tag.builder().key(Tags.LOCK).value(in.execution()).build())));
        // Two executions that tag at the same moment: the later tag wins, and the earlier sees it here.
        String now = holder(in.instanceId());
        if (!in.execution().equals(now)) {
            throw new InstanceLockedException("instance " + in.instanceId() + " was taken by execution " + now + " at the same moment; this execution changed nothing");
        }
        return new Result(in.instanceId(), in.execution());
    }

    @Override
    protected ExecutionRef sampleInput() {
        return new ExecutionRef("i-0123456789abcdef0", Executions.SAMPLE);
    }
}
