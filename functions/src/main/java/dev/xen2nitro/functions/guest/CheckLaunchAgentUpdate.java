package dev.xen2nitro.functions.guest;

import dev.xen2nitro.functions.core.Aws;
import dev.xen2nitro.functions.core.AwsActionFailedException;
import dev.xen2nitro.functions.core.AwsCalls;
import dev.xen2nitro.functions.core.Executions;
import dev.xen2nitro.functions.core.InvalidInputException;
import dev.xen2nitro.functions.core.JsonHandler;
import dev.xen2nitro.functions.core.Validatable;
import dev.xen2nitro.functions.rules.InstanceIds;
import java.util.Map;
import software.amazon.awssdk.services.ssm.model.GetCommandInvocationResponse;
import software.amazon.awssdk.services.ssm.model.InvalidInstanceIdException;
import software.amazon.awssdk.services.ssm.model.InvocationDoesNotExistException;

/**
 * One poll of the EC2Config update that {@link UpdateLaunchAgent} started out of band: reads the result
 * of the last read-only CheckLaunchAgentUpdate command it sent, and sends the next one while the update
 * runs. The installer replaces the SSM agent, so a check may find the agent gone (SendCommand refuses an
 * instance that is not online: InvalidInstanceId, SSM API reference) or its command ended by the
 * replacement; both mean "ask again", and the state machine's poll limit bounds the asking.
 *
 * <p>It reads a command and sends one, two calls where handlers usually make one, so that each poll of
 * the state machine is one Task and the loop keeps the shape of every other wait.
 */
public class CheckLaunchAgentUpdate extends JsonHandler<CheckLaunchAgentUpdate.Input, CheckLaunchAgentUpdate.Result> {

    /** The line the CheckLaunchAgentUpdate document prints before the result file's first line. */
    static final String MARKER = "xen2nitro-ec2config: ";

    /**
     * @param attempt   the poll's count, so that each check is a command of its own
     * @param commandId the check sent by the previous poll, or null
     */
    public record Input(String instanceId, String execution, int attempt, String commandId) implements Validatable {
        @Override
        public void validate() {
            InstanceIds.require("instanceId", instanceId);
            Executions.require("execution", execution);
        }
    }

    /**
     * @param state   {@code running}, {@code done} or {@code failed} from the guest's result file;
     *                {@code checking} while a check command runs; {@code agent-offline} while SSM cannot reach the agent
     * @param message the result file's line, or why there is none yet
     */
    public record Result(String instanceId, String state, String commandId, String message) {}

    public CheckLaunchAgentUpdate() {
        super(Input.class);
    }

    @Override
    protected Result handle(Input in) {
        if (in.commandId() != null) {
            GetCommandInvocationResponse r;
            try {
                r = AwsCalls.call("GetCommandInvocation " + in.commandId(), () -> Aws.ssm()
                        .getCommandInvocation(x -> x.commandId(in.commandId()).instanceId(in.instanceId())));
            } catch (AwsActionFailedException e) {
                if (!(e.getCause() instanceof InvocationDoesNotExistException)) throw e;
                return new Result(in.instanceId(), "checking", in.commandId(), "the check was sent and is not visible yet");
            }
            switch (r.statusAsString()) {
                case "Pending", "InProgress", "Delayed" -> {
                    return new Result(in.instanceId(), "checking", in.commandId(), "the check runs");
                }
                case "Success" -> {
                    Result read = read(in.instanceId(), r.standardOutputContent());
                    if (!"running".equals(read.state())) return read;
                }
                default -> {
                    // Ended by the agent's replacement, or never delivered while the agent was away: ask again.
                }
            }
        }
        try {
            String id = GuestCommands.send(in.instanceId(), in.execution(), GuestStep.CheckLaunchAgentUpdate, Map.of(), "#" + in.attempt());
            return new Result(in.instanceId(), "checking", id, "check sent");
        } catch (AwsActionFailedException e) {
            if (!(e.getCause() instanceof InvalidInstanceIdException)) throw e;
            return new Result(in.instanceId(), "agent-offline", null, "the SSM agent is not online (the installer replaces it)");
        }
    }

    /** The document's line: "xen2nitro-ec2config: done 4.9.5777", "... failed: why", "... running" or "... absent". */
    static Result read(String instanceId, String output) {
        String line = output == null ? "" : output.lines().filter(l -> l.startsWith(MARKER)).reduce((a, b) -> b).orElse("");
        String value = line.isEmpty() ? "" : line.substring(MARKER.length()).strip();
        if (value.startsWith("done")) return new Result(instanceId, "done", null, value);
        if (value.startsWith("failed")) return new Result(instanceId, "failed", null, value);
        if (value.equals("running")) return new Result(instanceId, "running", null, value);
        return new Result(instanceId, "failed", null, value.equals("absent")
                ? "the guest has no result of the EC2Config update: the scheduled task never wrote one (see the task xen2nitro-UpdateEc2Config)"
                : "the check printed no result line: " + (output == null ? "" : output.strip()));
    }

    @Override
    protected Input sampleInput() {
        return new Input("i-0123456789abcdef0", Executions.SAMPLE, 0, null);
    }
}
