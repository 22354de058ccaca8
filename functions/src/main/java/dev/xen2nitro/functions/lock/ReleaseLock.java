package dev.xen2nitro.functions.lock;

import dev.xen2nitro.functions.core.Executions;
import dev.xen2nitro.functions.core.Aws;
import dev.xen2nitro.functions.core.Ec2Calls;
import dev.xen2nitro.functions.core.ExecutionRef;
import dev.xen2nitro.functions.core.JsonHandler;
import dev.xen2nitro.functions.core.Tags;
import software.amazon.awssdk.services.ec2.model.Tag;

/**
 * Removes this execution's lock. DeleteTags with a value deletes the tag only while it has that
 * value (EC2 DeleteTags reference), so another execution's lock is never removed.
 */
public class ReleaseLock extends JsonHandler<ExecutionRef, ReleaseLock.Result> {

    public record Result(String instanceId, boolean released) {}

    public ReleaseLock() {
        super(ExecutionRef.class);
    }

    @Override
    protected Result handle(ExecutionRef in) {
        String holder = AcquireLock.holder(in.instanceId());
        if (!in.execution().equals(holder)) {
            return new Result(in.instanceId(), false);
        }
        Ec2Calls.call("DeleteTags " + Tags.LOCK + " on " + in.instanceId(), () -> Aws.ec2().deleteTags(r -> r.resources(in.instanceId())
                .tags(Tag.builder().key(Tags.LOCK).value(in.execution()).build())));
        return new Result(in.instanceId(), true);
    }

    @Override
    protected ExecutionRef sampleInput() {
        return new ExecutionRef("i-0123456789abcdef0", Executions.SAMPLE);
    }
}
