package dev.xen2nitro.functions.cleanup;

import dev.xen2nitro.functions.core.Aws;
import dev.xen2nitro.functions.core.AwsCalls;
import dev.xen2nitro.functions.core.Ec2Calls;
import dev.xen2nitro.functions.core.Executions;
import dev.xen2nitro.functions.core.InstanceNotFoundException;
import dev.xen2nitro.functions.core.InvalidInputException;
import dev.xen2nitro.functions.core.JsonHandler;
import dev.xen2nitro.functions.core.Tags;
import dev.xen2nitro.functions.core.Validatable;
import dev.xen2nitro.functions.guest.GuestCommands;
import dev.xen2nitro.functions.guest.GuestStep;
import dev.xen2nitro.functions.rules.InstanceIds;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ssm.model.CommandInvocation;
import software.amazon.awssdk.services.ssm.model.CommandInvocationStatus;

/**
 * The first step of the cleanup after a migration that ended FAILED, TIMED_OUT or ABORTED without running its own
 * final states (a stopped execution runs none of them). Reads, changes nothing: whether that execution still holds
 * the instance's lock, whether it sent any step that changes the guest (its commands are found by their comments),
 * whether the instance's type, enaSupport or state differ from what its backup AMI records, and so what the
 * cleanup must do: nothing but the endpoints (the migration's own ending ran, or it never took the lock), release
 * the lock (nothing had changed yet), or roll back (something had).
 */
public class InspectEndedExecution extends JsonHandler<InspectEndedExecution.Input, InspectEndedExecution.Result> {

    /**
     * The event's detail: @param execution its executionArn, @param status how it ended, @param input the execution's
     * input as the event carries it (a JSON string; null when it was too large to include)
     */
    public record Input(String execution, String status, String input) implements Validatable {
        @Override
        public void validate() {
            Executions.require("execution", execution);
            if (!Set.of("FAILED", "TIMED_OUT", "ABORTED").contains(status)) {
                throw new InvalidInputException("'status' is \"" + status + "\"; the cleanup runs for FAILED, TIMED_OUT or ABORTED executions");
            }
        }

        String instanceId() {
            return instanceIdOf(input);
        }
    }

    /** The instance an execution's input (as the event carries it) names, or null. */
    public static String instanceIdOf(String input) {
        return inputField(input, "instanceId");
    }

    /** A text field of an execution's input as the event carries it (a JSON string, null when too large), or null. */
    static String inputField(String input, String field) {
        if (input == null) {
            return null;
        }
        try {
            return JSON.readTree(input).path(field).asText(null);
        } catch (java.io.IOException notJson) {
            return null;
        }
    }

    /**
     * @param action none (the lock is not this execution's), finish (it had recorded its outcome), release (nothing had
     *               changed that a rejected migration would not leave), rollback (something had, and the backup AMI
     *               records what it was), attention (something had, and nothing records what it was) or gone (the
     *               instance is gone: a report, with the backup AMI when there is one, and nothing else)
     * @param recordedStatus the outcome the execution recorded (action finish)
     */
    public record Result(String instanceId, String status, String action, String reason, boolean held, List<String> guestStepsSent,
                         String backupImageId, String originalType, Boolean originalEnaSupport, String originalState,
                         String recordedStatus, String instanceType, Boolean enaSupport, String state) {}

    public InspectEndedExecution() {
        super(Input.class);
    }

    @Override
    protected Result handle(Input in) {
        String ended = "The execution ended " + in.status() + " without running its final states.";
        String instanceId = in.instanceId();
        if (!InstanceIds.isWellFormed(instanceId)) {
            return new Result(null, in.status(), "none", ended + " Its input, as the event carries it, names no instance (an input too large for the event is left out of it): there is no lock of its own to find.",
                    false, List.of(), null, null, null, null, null, null, null, null);
        }
        Instance i;
        try {
            i = Ec2Calls.describeInstance(instanceId);
        } catch (InstanceNotFoundException notListed) {
            // An ID that names no instance (the migration's preflight refused it), or an instance terminated long enough ago
            // that DescribeInstances no longer lists it ("Terminated instances remain visible after termination (for
            // approximately one hour)", EC2 API Reference, TerminateInstances).
            return gone(in, ended, instanceId, "EC2 does not list it: " + notListed.getMessage());
        }
        String state = i.state().nameAsString();
        if ("terminated".equals(state) || "shutting-down".equals(state)) {
            return gone(in, ended, instanceId, "it is " + state);
        }
        Map<String, String> tags = i.tags().stream().collect(Collectors.toMap(Tag::key, Tag::value, (a, b) -> b));
        String type = i.instanceTypeAsString();
        // DescribeInstances leaves enaSupport out when it is not enabled.
        Boolean ena = Boolean.TRUE.equals(i.enaSupport());
        if (!in.execution().equals(tags.get(Tags.LOCK))) {
            return new Result(instanceId, in.status(), "none", ended + " It does not hold the instance's lock ("
                    + (tags.containsKey(Tags.LOCK) ? "another execution does" : "none is set") + "): the instance is not this cleanup's to change.",
                    false, List.of(), null, null, null, null, null, type, ena, state);
        }
        if (tags.containsKey(Tags.REHEARSAL_OF)) {
            // A rehearsal's clone is disposable: its rehearsing execution (or that execution's cleanup) terminates it.
            return new Result(instanceId, in.status(), "release", ended + " The instance is the rehearsal clone of " + tags.get(Tags.REHEARSAL_OF)
                    + ": nothing is rolled back; the rehearsing execution " + tags.get(Tags.REHEARSAL_EXECUTION) + " removes it, or its own cleanup does.",
                    true, List.of(), null, null, null, null, null, type, ena, state);
        }
        String recorded = in.execution().equals(tags.get(Tags.EXECUTION)) ? tags.get(Tags.STATUS) : null;
        if (recorded != null) {
            // RecordOutcome ran for this execution (after the verification, or in its final states): its outcome stands.
            return new Result(instanceId, in.status(), "finish", ended + " It had recorded its outcome, " + recorded
                    + ", and was stopped in the states that follow: the cleanup finishes them and changes nothing else.",
                    true, List.of(), tags.get(Tags.BACKUP_IMAGE), null, null, null, recorded, type, ena, state);
        }
        List<CommandInvocation> commands = AwsCalls.call("ListCommandInvocations " + instanceId, () -> Aws.ssm()
                .listCommandInvocationsPaginator(r -> r.instanceId(instanceId)).commandInvocations().stream()
                .filter(c -> GuestCommands.sentBy(c.comment(), in.execution()) && step(c) != null && step(c).changesGuest()).toList());
        List<String> sent = commands.stream().map(c -> step(c).name()).distinct().toList();
        List<String> pastApproval = commands.stream().filter(c -> !step(c).beforeApproval()).map(c -> step(c).name()).distinct().toList();
        List<String> unfinished = commands.stream().filter(c -> c.status() != CommandInvocationStatus.SUCCESS)
                .map(c -> step(c).name() + " " + c.statusAsString()).distinct().toList();
        Image backup = backupImage(in.execution(), instanceId);
        Map<String, String> original = backup == null ? Map.of()
                : backup.tags().stream().collect(Collectors.toMap(Tag::key, Tag::value, (a, b) -> b));
        String originalType = original.get(Tags.ORIGINAL_TYPE);
        Boolean originalEna = original.containsKey(Tags.ORIGINAL_ENA_SUPPORT) ? Boolean.valueOf(original.get(Tags.ORIGINAL_ENA_SUPPORT)) : null;
        String originalState = original.get(Tags.ORIGINAL_STATE);
        boolean moved = originalType != null && (!originalType.equals(type) || !Objects.equals(originalEna, ena)
                || ("running".equals(originalState) && !"running".equals(state)));
        String backupId = backup == null ? null : backup.imageId();
        if (!moved && pastApproval.isEmpty() && unfinished.isEmpty()) {
            return new Result(instanceId, in.status(), "release", ended + " Nothing on the instance had changed that a rejected migration"
                    + " would not leave: " + (sent.isEmpty() ? "no step that changes the guest was sent" : "the steps before the approval ("
                            + String.join(", ", sent) + ") had completed, and their drivers stay, as after a rejection")
                    + (backupId == null ? "; no backup AMI was taken." : "; its type, enaSupport and state are as the backup AMI " + backupId
                            + " records, and the AMI is kept."),
                    true, sent, backupId, originalType, originalEna, originalState, null, type, ena, state);
        }
        List<String> what = new java.util.ArrayList<>();
        if (!pastApproval.isEmpty()) what.add("it had sent " + String.join(", ", pastApproval));
        if (!unfinished.isEmpty()) what.add("a guest step had not completed (" + String.join(", ", unfinished) + ")");
        if (moved) what.add("the instance is " + type + " (enaSupport " + ena + ", " + state + "), not " + originalType
                + " (enaSupport " + originalEna + ", " + originalState + ")");
        boolean restorable = backup != null && "available".equals(backup.stateAsString()) && originalType != null && originalEna != null
                && originalState != null;
        if (!restorable) {
            return new Result(instanceId, in.status(), "attention", ended + " The instance had changed (" + String.join("; ", what)
                    + ") but no available backup AMI records how it was: it needs an operator.",
                    true, sent, backupId, originalType, originalEna, originalState, null, type, ena, state);
        }
        return new Result(instanceId, in.status(), "rollback", ended + " The instance had changed (" + String.join("; ", what)
                + "): it is rolled back from " + backupId + ".", true, sent, backupId, originalType, originalEna, originalState, null, type, ena, state);
    }

    /**
     * Whether the execution's own PublishReport state sent its report, as its history (GetExecutionHistory) records it:
     * the state exited, and its last attempt before that succeeded (LambdaFunctionSucceeded or TaskSucceeded; a retried
     * attempt that failed or timed out first does not count against it). Only that says the report went out; a FAILED
     * status does not (its PublishReport may have failed and been caught, or the execution may have failed with an error
     * no Catch takes).
     */
    static boolean reported(String execution) {
        return AwsCalls.call("GetExecutionHistory " + execution, () -> {
            String current = null;
            boolean lastAttemptSucceeded = false;
            for (software.amazon.awssdk.services.sfn.model.HistoryEvent e : Aws.sfn().getExecutionHistoryPaginator(
                    r -> r.executionArn(execution).includeExecutionData(false).maxResults(1000)).events()) {
                String type = e.typeAsString();
                if (type.endsWith("StateEntered") && e.stateEnteredEventDetails() != null) {
                    current = e.stateEnteredEventDetails().name();
                    lastAttemptSucceeded = false;
                } else if (type.endsWith("StateExited") && e.stateExitedEventDetails() != null) {
                    if (e.stateExitedEventDetails().name().equals(REPORT_STATE) && lastAttemptSucceeded) {
                        return true;
                    }
                } else if (REPORT_STATE.equals(current) && (type.equals("LambdaFunctionSucceeded") || type.equals("TaskSucceeded"))) {
                    lastAttemptSucceeded = true;
                } else if (REPORT_STATE.equals(current) && !type.startsWith("Execution") && (type.endsWith("Failed") || type.endsWith("TimedOut"))) {
                    lastAttemptSucceeded = false;
                }
            }
            return false;
        });
    }

    /** The migration's state that mails its report (statemachine/migrate-instance.asl.yaml). */
    static final String REPORT_STATE = "PublishReport";

    /** The backup AMI the execution took of the instance (found by its tags), or null. */
    private static Image backupImage(String execution, String instanceId) {
        List<Image> images = Ec2Calls.call("DescribeImages of " + execution, () -> Aws.ec2().describeImages(r -> r.owners("self")
                .filters(f -> f.name("tag:" + Tags.EXECUTION).values(execution), f -> f.name("tag:" + Tags.INSTANCE).values(instanceId))))
                .images();
        return images.isEmpty() ? null : images.get(0);
    }

    /**
     * The instance is gone, terminated or never there: nothing of it is left to change, roll back or unlock (the lock is
     * a tag of the instance), and nothing can be recorded on it ({@code gone}: the report alone). A backup AMI the
     * execution took is then all that is left of the instance, and the report says it is kept, so that a termination
     * nobody meant is not found out too late. Nothing is said ({@code none}) when the execution had sent its own report
     * (a preflight refuses an ID that names no instance, and says so), or when it was a rehearsal clone's run.
     */
    private static Result gone(Input in, String ended, String instanceId, String why) {
        String gone = " Its instance " + instanceId + " is gone (" + why + ")";
        String original = inputField(in.input(), "rehearsalOf");
        if (original != null) {
            return new Result(instanceId, in.status(), "none", ended + gone + ": it was the rehearsal clone of " + original
                    + ", which the rehearsing execution removes and reports.", false, List.of(), null, null, null, null, null, null, null, null);
        }
        if (reported(in.execution())) {
            return new Result(instanceId, in.status(), "none", ended + gone + ", and the execution had sent its own report"
                    + " (PublishReport succeeded): nothing more is said.", false, List.of(), null, null, null, null, null, null, null, null);
        }
        Image backup = backupImage(in.execution(), instanceId);
        if (backup == null) {
            return new Result(instanceId, in.status(), "gone", ended + gone + " and it had taken no backup AMI: there is nothing of it"
                    + " to change, roll back or keep.", false, List.of(), null, null, null, null, null, null, null, null);
        }
        return new Result(instanceId, in.status(), "gone", ended + gone + ": nothing is rolled back. Its backup AMI " + backup.imageId() + " is kept: launch an instance from it if the"
                + " instance was not meant to go; otherwise deregister it and delete its snapshots.",
                false, List.of(), backup.imageId(), null, null, null, null, null, null, null);
    }

    /** The guest step a command of this workflow ran ("xen2nitro STEP ..."), or null. */
    private static GuestStep step(CommandInvocation c) {
        String[] words = c.comment() == null ? new String[0] : c.comment().split(" ");
        try {
            return words.length > 1 ? GuestStep.valueOf(words[1]) : null;
        } catch (IllegalArgumentException notAStep) {
            return null;
        }
    }

    @Override
    protected Input sampleInput() {
        return new Input(Executions.SAMPLE, "ABORTED", "{\"instanceId\":\"i-0123456789abcdef0\"}");
    }
}
