package dev.xen2nitro.functions.cleanup;

import dev.xen2nitro.functions.core.Aws;
import dev.xen2nitro.functions.core.AwsCalls;
import dev.xen2nitro.functions.core.Executions;
import dev.xen2nitro.functions.core.JsonHandler;
import dev.xen2nitro.functions.guest.GuestCommands;
import java.util.List;
import java.util.Set;
import software.amazon.awssdk.services.ssm.model.CommandInvocation;

/**
 * The second step of the cleanup: cancels every guest command the ended execution sent that has not ended
 * (Pending, InProgress, Delayed), so that none is delivered after the cleanup has looked, or onto a root volume
 * the rollback restored. A stopped execution does not stop what it had started (SSM API reference, CancelCommand:
 * "There is no guarantee that the command will be terminated"), so what it reads next is the command's status,
 * and a cancelled step counts as not completed.
 */
public class CancelGuestCommands extends JsonHandler<CancelGuestCommands.Input, CancelGuestCommands.Result> {

    /** @param execution the ended execution's ARN; @param input its input as the event carries it (a JSON string, or null) */
    public record Input(String execution, String input) implements dev.xen2nitro.functions.core.Validatable {
        @Override
        public void validate() {
            Executions.require("execution", execution);
        }
    }

    /** @param cancelled the commands asked to cancel; @param running those still not ended (the cleanup waits for them) */
    public record Result(List<String> cancelled, int running) {}

    /** Command invocation statuses that have not ended (SSM API reference, CommandInvocation, Status). */
    static final Set<String> NOT_ENDED = Set.of("Pending", "InProgress", "Delayed", "Cancelling");

    public CancelGuestCommands() {
        super(Input.class);
    }

    @Override
    protected Result handle(Input in) {
        String instanceId = InspectEndedExecution.instanceIdOf(in.input());
        if (!dev.xen2nitro.functions.rules.InstanceIds.isWellFormed(instanceId)) {
            return new Result(List.of(), 0);
        }
        List<CommandInvocation> open = AwsCalls.call("ListCommandInvocations " + instanceId, () -> Aws.ssm()
                .listCommandInvocationsPaginator(r -> r.instanceId(instanceId)).commandInvocations().stream()
                .filter(c -> GuestCommands.sentBy(c.comment(), in.execution()) && NOT_ENDED.contains(c.statusAsString())).toList());
        List<String> cancelled = open.stream().filter(c -> !"Cancelling".equals(c.statusAsString())).map(CommandInvocation::commandId).toList();
        for (String id : cancelled) {
            AwsCalls.call("CancelCommand " + id, () -> Aws.ssm().cancelCommand(r -> r.commandId(id).instanceIds(instanceId)));
        }
        long running = AwsCalls.call("ListCommandInvocations " + instanceId, () -> Aws.ssm()
                .listCommandInvocationsPaginator(r -> r.instanceId(instanceId)).commandInvocations().stream()
                .filter(c -> GuestCommands.sentBy(c.comment(), in.execution()) && NOT_ENDED.contains(c.statusAsString())).count());
        return new Result(cancelled, (int) running);
    }

    @Override
    protected Input sampleInput() {
        return new Input(Executions.SAMPLE, "{\"instanceId\":\"i-0123456789abcdef0\"}");
    }
}
