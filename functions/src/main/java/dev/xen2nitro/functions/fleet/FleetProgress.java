package dev.xen2nitro.functions.fleet;

import dev.xen2nitro.functions.core.InvalidInputException;
import dev.xen2nitro.functions.core.JsonHandler;
import dev.xen2nitro.functions.core.Validatable;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Between two waves of a fleet: adds the wave that ended to what is done, and gives the next wave, at most maxConcurrency
 * migrations, unless more than toleratedFailurePercentage of the fleet has failed, when no further wave starts. Calls no
 * AWS service.
 *
 * <p>The fleet runs its migrations in waves rather than through a Map state's own failure tolerance: ToleratedFailurePercentage
 * is a field of a Map state in Distributed mode only (Step Functions Developer Guide, "Map state in Distributed mode"),
 * whose iterations are child workflows of their own; in Inline mode, every iteration's events are in the fleet's history,
 * and a migration that ended is counted here. A wave ends when its slowest migration ends.
 */
public class FleetProgress extends JsonHandler<FleetProgress.Input, FleetProgress.Result> {

    /**
     * What became of one migration, as the fleet's Map state keeps it.
     *
     * @param status    the child execution's status: SUCCEEDED, FAILED, TIMED_OUT or ABORTED
     * @param error     its error, when it did not succeed (the migration's outcome, e.g. Xen2Nitro.ApprovalRejected)
     * @param startDate when it started, as StartExecution.sync:2 gives it (epoch seconds or milliseconds), null when not known
     * @param stopDate  when it ended, likewise
     * @param failure   what the fleet's Map caught when the child did not succeed ({Error, Cause}, as Step Functions gives
     *                  it: a failed, timed-out or stopped child is States.TaskFailed with its description as the cause, whose
     *                  Error and Cause may be absent); read into the other fields here
     */
    public record Outcome(String instanceId, String status, String error, Number startDate, Number stopDate,
                          com.fasterxml.jackson.databind.JsonNode failure) {

        /** The outcome with what {@code failure} says read into its fields. */
        Outcome read() {
            if (failure == null || failure.isNull()) {
                return failure == null ? this : new Outcome(instanceId, status, error, startDate, stopDate, null);
            }
            String caught = failure.path("Error").asText("States.TaskFailed");
            com.fasterxml.jackson.databind.JsonNode child = null;
            if ("States.TaskFailed".equals(caught) && failure.path("Cause").isTextual()) {
                try {
                    child = JSON.readTree(failure.path("Cause").asText());
                } catch (java.io.IOException notJson) {
                    child = null;
                }
            }
            if (child == null || !child.isObject()) {
                // The child could not be started (or the cause is not its description).
                return new Outcome(instanceId, "FAILED", caught, null, null, null);
            }
            String st = child.path("Status").asText("FAILED");
            String err = child.path("Error").isTextual() ? child.path("Error").asText() : st.equals("ABORTED") ? "States.Aborted" : st;
            return new Outcome(instanceId, st, err, child.path("StartDate").isNumber() ? child.path("StartDate").numberValue() : null,
                    child.path("StopDate").isNumber() ? child.path("StopDate").numberValue() : null, null);
        }

        /** How long the migration took, in seconds, or null. */
        public Long seconds() {
            if (startDate == null || stopDate == null) return null;
            double scale = stopDate.doubleValue() < 1e11 ? 1 : 1000;
            return Math.round((stopDate.doubleValue() - startDate.doubleValue()) / scale);
        }
    }

    public record Input(List<PlanFleet.Move> migrate, List<Outcome> done, List<Outcome> wave, Integer maxConcurrency,
                        Integer toleratedFailurePercentage) implements Validatable {
        @Override
        public void validate() {
            if (migrate == null) {
                throw new InvalidInputException("'migrate' is required: the plan's instances to migrate (PlanFleet)");
            }
            if (maxConcurrency == null || maxConcurrency < 1 || maxConcurrency > FleetRequest.MAX_CONCURRENCY) {
                throw new InvalidInputException("'maxConcurrency' is " + maxConcurrency + "; give 1 to " + FleetRequest.MAX_CONCURRENCY);
            }
            if (toleratedFailurePercentage == null || toleratedFailurePercentage < 0 || toleratedFailurePercentage > 100) {
                throw new InvalidInputException("'toleratedFailurePercentage' is " + toleratedFailurePercentage + "; give 0 to 100");
            }
        }
    }

    /**
     * @param next    the next wave; empty when the fleet is done or stopped
     * @param stopped why no further wave starts although migrations are left, or null
     */
    public record Result(List<Outcome> done, List<PlanFleet.Move> next, boolean more, int succeeded, int failed, int notStarted, String stopped) {}

    public FleetProgress() {
        super(Input.class);
    }

    @Override
    protected Result handle(Input in) {
        List<Outcome> done = new ArrayList<>();
        if (in.done() != null) done.addAll(in.done());
        if (in.wave() != null) in.wave().forEach(o -> done.add(o.read()));
        Set<String> ended = new LinkedHashSet<>();
        done.forEach(o -> ended.add(o.instanceId()));
        List<PlanFleet.Move> left = in.migrate().stream().filter(m -> !ended.contains(m.instanceId())).toList();
        int failed = (int) done.stream().filter(o -> !"SUCCEEDED".equals(o.status())).count();
        int succeeded = done.size() - failed;
        int total = in.migrate().size();
        // As a Map Run's tolerance: it fails when the failed items exceed the percentage of all items.
        if (!left.isEmpty() && failed * 100L > (long) in.toleratedFailurePercentage() * total) {
            return new Result(done, List.of(), false, succeeded, failed, left.size(), failed + " of " + total + " migrations failed, more than the"
                    + " tolerated " + in.toleratedFailurePercentage() + "%: the other " + left.size() + " were not started");
        }
        List<PlanFleet.Move> next = left.subList(0, Math.min(left.size(), in.maxConcurrency()));
        return new Result(done, next, !next.isEmpty(), succeeded, failed, left.size(), null);
    }

    @Override
    protected Input sampleInput() {
        return new Input(List.of(new PlanFleet.Move("i-0123456789abcdef0", "m5.xlarge")), List.of(), List.of(), 10, 0);
    }
}
