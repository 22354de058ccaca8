package dev.xen2nitro.functions.rollback;

import dev.xen2nitro.functions.core.Aws;
import dev.xen2nitro.functions.core.Ec2Calls;
import dev.xen2nitro.functions.core.InvalidInputException;
import dev.xen2nitro.functions.core.JsonHandler;
import dev.xen2nitro.functions.core.Validatable;

/**
 * The state of the root-volume replacement: pending, in-progress, succeeded, failing, failed
 * (or failing-detached, failed-detached). On failure the original root stays attached (replace-root.html).
 */
public class CheckRootVolumeReplacement extends JsonHandler<CheckRootVolumeReplacement.Input, CheckRootVolumeReplacement.Result> {

    public record Input(String taskId) implements Validatable {
        @Override
        public void validate() {
            if (taskId == null || !taskId.startsWith("replacevol-")) {
                throw new InvalidInputException("'taskId' is \"" + taskId + "\"; expected a replace-root-volume task ID (replacevol-...)");
            }
        }
    }

    public record Result(String taskId, String state, boolean done, boolean succeeded) {}

    public CheckRootVolumeReplacement() {
        super(Input.class);
    }

    @Override
    protected Result handle(Input in) {
        String state = Ec2Calls.call("DescribeReplaceRootVolumeTasks " + in.taskId(), () -> Aws.ec2().describeReplaceRootVolumeTasks(
                r -> r.replaceRootVolumeTaskIds(in.taskId()))).replaceRootVolumeTasks().get(0).taskStateAsString();
        boolean done = state.equals("succeeded") || state.startsWith("failed");
        return new Result(in.taskId(), state, done, state.equals("succeeded"));
    }

    @Override
    protected Input sampleInput() {
        return new Input("replacevol-0123456789abcdef0");
    }
}
