package dev.xen2nitro.functions.fleet;

import dev.xen2nitro.functions.core.InvalidInputException;
import dev.xen2nitro.functions.core.Validatable;

/**
 * The input of a fleet execution (MigrateFleetStateMachine): which instances, and how to run their migrations.
 *
 * @param selection                  exactly one of {@code instanceIds}, {@code tags} or {@code reservationsEndingWithinDays}
 *                                   ({@link SelectInstances})
 * @param dryRun                     true: plan and report only; nothing is changed and no approval is asked
 * @param approval                   {@code batch}, the only way and the default: one approval for the plan of the whole fleet
 *                                   (an instance approved on its own is a single migration)
 * @param maxConcurrency             at most this many migrations run at once (1 to 40; default 10): a Map state in inline mode
 *                                   runs at most 40 iterations concurrently (Step Functions Developer Guide, "Map state in Inline mode")
 * @param toleratedFailurePercentage no further migration starts once more than this percentage of the fleet has failed
 *                                   (0 to 100; default 0: after a wave with a failure, no more start)
 * @param approvalTimeoutSeconds     how long the approval waits (60 s to 7 days; default 1 day)
 * @param allowInstanceStoreLoss     as for a single migration
 * @param trigger                    what started the fleet, shown in its reports (a schedule, a purchase, a person)
 * @param rehearse                   true: each migration rehearses on a clone of its instance first (README, "Rehearsal")
 */
public record FleetRequest(SelectInstances.Input selection, Boolean dryRun, String approval, Integer maxConcurrency,
                           Integer toleratedFailurePercentage, Integer approvalTimeoutSeconds, Boolean allowInstanceStoreLoss,
                           Trigger trigger, Boolean rehearse) implements Validatable {

    /**
     * @param source {@code schedule}, {@code purchase} or {@code console}
     * @param detail what it was, in words
     */
    public record Trigger(String source, String detail) {}

    public static final int MAX_CONCURRENCY = 40, DEFAULT_CONCURRENCY = 10;

    @Override
    public void validate() {
        if (selection == null) {
            throw new InvalidInputException("'selection' is required: {\"instanceIds\": [\"i-...\"]}, {\"tags\": {\"KEY\": [\"VALUE\"]}}"
                    + " or {\"reservationsEndingWithinDays\": 30}");
        }
        selection.validate();
        if (approval != null && !approval.equals("batch")) {
            // A fleet's children are started by the fleet's role, so a per-instance approval could not tell their starter.
            throw new InvalidInputException("'approval' is \"" + approval + "\"; a fleet is approved as one batch (\"batch\", the"
                    + " default). To approve each instance on its own, start a single migration (MigrateInstanceStateMachine) for each");
        }
        if (maxConcurrency != null && (maxConcurrency < 1 || maxConcurrency > MAX_CONCURRENCY)) {
            throw new InvalidInputException("'maxConcurrency' is " + maxConcurrency + "; give 1 to " + MAX_CONCURRENCY);
        }
        if (toleratedFailurePercentage != null && (toleratedFailurePercentage < 0 || toleratedFailurePercentage > 100)) {
            throw new InvalidInputException("'toleratedFailurePercentage' is " + toleratedFailurePercentage + "; give 0 to 100");
        }
        if (approvalTimeoutSeconds != null && (approvalTimeoutSeconds < 60 || approvalTimeoutSeconds > 604_800)) {
            throw new InvalidInputException("'approvalTimeoutSeconds' is " + approvalTimeoutSeconds
                    + "; it must be between 60 (one minute) and 604800 (seven days)");
        }
        if (trigger != null && (trigger.source() == null || trigger.source().isBlank())) {
            throw new InvalidInputException("'trigger' names its 'source' (schedule, purchase, console) when given");
        }
    }

    public boolean isDryRun() {
        return Boolean.TRUE.equals(dryRun);
    }

    public String approvalOrDefault() {
        return approval == null ? "batch" : approval;
    }

    public int concurrency() {
        return maxConcurrency == null ? DEFAULT_CONCURRENCY : maxConcurrency;
    }

    public int tolerance() {
        return toleratedFailurePercentage == null ? 0 : toleratedFailurePercentage;
    }

    public int approvalTimeout() {
        return approvalTimeoutSeconds == null ? 86_400 : approvalTimeoutSeconds;
    }
}
