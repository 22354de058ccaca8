package dev.xen2nitro.functions.guest;

import dev.xen2nitro.functions.core.Aws;
import dev.xen2nitro.functions.core.AwsCalls;
import dev.xen2nitro.functions.core.InvalidInputException;
import dev.xen2nitro.functions.core.JsonHandler;
import dev.xen2nitro.functions.core.Validatable;
import dev.xen2nitro.functions.rules.InstanceIds;
import software.amazon.awssdk.services.ssm.model.GetCommandInvocationResponse;
import software.amazon.awssdk.services.ssm.model.InvocationDoesNotExistException;

/**
 * The state of a command in the guest, for the state machine's wait loops. A command that reboots
 * Windows (exit 3010) stays InProgress across the reboot (SSM, "Rebooting managed nodes from scripts").
 */
public class CheckGuestCommand extends JsonHandler<CheckGuestCommand.Input, CheckGuestCommand.Result> {

    public record Input(String instanceId, String commandId) implements Validatable {
        @Override
        public void validate() {
            InstanceIds.require("instanceId", instanceId);
            if (commandId == null || commandId.isBlank()) {
                throw new InvalidInputException("'commandId' is required: the ID SendCommand returned");
            }
        }
    }

    /**
     * @param done      the command reached a final state
     * @param succeeded it ended in Success
     */
    public record Result(String instanceId, String commandId, String status, boolean done, boolean succeeded,
                         Integer responseCode, String output, String error) {}

    public CheckGuestCommand() {
        super(Input.class);
    }

    // SSM limits inline output to 24,000 characters; the state machine needs far less.
    private static final int MAX_OUTPUT = 8000;

    @Override
    protected Result handle(Input in) {
        GetCommandInvocationResponse r;
        try {
            r = Aws.ssm().getCommandInvocation(x -> x.commandId(in.commandId()).instanceId(in.instanceId()));
        } catch (InvocationDoesNotExistException e) {
            // Shortly after SendCommand the invocation may not be visible yet.
            return new Result(in.instanceId(), in.commandId(), "Pending", false, false, null, "", "");
        } catch (RuntimeException e) {
            return AwsCalls.call("GetCommandInvocation " + in.commandId(), () -> { throw e; });
        }
        String status = r.statusAsString();
        boolean done = switch (status) {
            case "Success", "Failed", "Cancelled", "TimedOut", "Undeliverable", "Terminated", "InvalidPlatform", "AccessDenied",
                    "DeliveryTimedOut", "ExecutionTimedOut" -> true;
            default -> false;
        };
        return new Result(in.instanceId(), in.commandId(), status, done, "Success".equals(status), r.responseCode(),
                trim(r.standardOutputContent()), trim(r.standardErrorContent()));
    }

    private static String trim(String s) {
        if (s == null) return "";
        return s.length() > MAX_OUTPUT ? s.substring(s.length() - MAX_OUTPUT) : s;
    }

    @Override
    protected Input sampleInput() {
        return new Input("i-0123456789abcdef0", "11111111-2222-3333-4444-555555555555");
    }
}
