package dev.xen2nitro.functions.rehearsal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.xen2nitro.functions.core.Aws;
import dev.xen2nitro.functions.core.AwsCalls;
import dev.xen2nitro.functions.core.Executions;
import dev.xen2nitro.functions.core.InvalidInputException;
import dev.xen2nitro.functions.core.JsonHandler;
import dev.xen2nitro.functions.core.Validatable;
import dev.xen2nitro.functions.rules.InstanceIds;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;

/**
 * What the rehearsal showed, from the clone's execution as Step Functions recorded it (GetExecutionHistory, DescribeExecution):
 * each state's outcome and time on the clone, in the order they first ran; how it ended (migrated, or the step that failed and
 * what it gave); the time the server was unavailable on the clone, which the real run will take again; and what the clone cost
 * (its running time and its storage, for the README's prices).
 */
public class SummarizeRehearsal extends JsonHandler<SummarizeRehearsal.Input, SummarizeRehearsal.Result> {

    /** @param execution the clone's migration; launchedAt when the clone was launched; volumeGiB its storage */
    public record Input(String execution, String cloneId, String instanceType, String launchedAt, Integer volumeGiB) implements Validatable {
        @Override
        public void validate() {
            Executions.require("execution", execution);
            InstanceIds.require("cloneId", cloneId);
            try {
                Instant.parse(launchedAt);
            } catch (RuntimeException e) {
                throw new InvalidInputException("'launchedAt' is \"" + launchedAt + "\"; the clone's launch time (ISO-8601) is required");
            }
        }
    }

    /**
     * One state of the clone's run: how often it was entered, its time in all, and how its last run ended ({@code succeeded},
     * {@code failed}, or {@code running} when the execution ended inside it).
     */
    public record Step(String step, int runs, double seconds, String outcome, String error) {}

    /**
     * The spans in which the server did not serve: the PV driver's install with its reboot, and the stop and start. The clone
     * takes no backup; the original's migration adds its backup AMI's reboot (CreateBackupImage) to these.
     */
    public record Unavailable(String span, double seconds) {}

    /**
     * @param status       {@code migrated} when the clone's migration ended so; otherwise its outcome's status or the execution's
     * @param failedStep   the state that ended the run (the last before its failure ending), or null
     * @param failedOutput that state's error and, for a guest step, the command's state (its output), or null
     */
    public record Result(boolean rehearsed, String status, String execution, String executionStatus, String cloneId, String instanceType,
                         String reason, String failedStep, JsonNode failedOutput, List<Step> steps, List<Unavailable> unavailable,
                         double unavailableSeconds, double rehearsalSeconds, double cloneRunningSeconds, int cloneVolumeGiB) {}

    public SummarizeRehearsal() {
        super(Input.class);
    }

    /** The states after which a run has failed: the common failure ending. */
    static final String FAILURE_ENDING = "HandleFailure";

    @Override
    protected Result handle(Input in) {
        DescribeExecutionResponse d = AwsCalls.call("DescribeExecution " + in.execution(),
                () -> Aws.sfn().describeExecution(r -> r.executionArn(in.execution())));
        List<HistoryEvent> events = new ArrayList<>();
        AwsCalls.call("GetExecutionHistory " + in.execution(), () -> {
            Aws.sfn().getExecutionHistoryPaginator(r -> r.executionArn(in.execution()).includeExecutionData(true).maxResults(1000))
                    .events().forEach(events::add);
            return events.size();
        });
        Map<String, double[]> time = new LinkedHashMap<>(); // runs, seconds
        Map<String, String> outcome = new LinkedHashMap<>(), error = new LinkedHashMap<>();
        Map<String, Instant> open = new LinkedHashMap<>();
        Map<String, Instant> firstEntered = new LinkedHashMap<>();
        String current = null, lastExited = null, failedStep = null;
        JsonNode lastExitedOutput = null, failedOutput = null;
        Instant start = null, end = null;
        for (HistoryEvent e : events) {
            String type = e.typeAsString();
            if (start == null) start = e.timestamp();
            end = e.timestamp();
            if (type.endsWith("StateEntered") && e.stateEnteredEventDetails() != null) {
                String name = e.stateEnteredEventDetails().name();
                if (name.equals(FAILURE_ENDING) && failedStep == null && lastExited != null) {
                    failedStep = lastExited;
                    failedOutput = lastExitedOutput;
                }
                time.computeIfAbsent(name, k -> new double[2])[0]++;
                firstEntered.putIfAbsent(name, e.timestamp());
                open.put(name, e.timestamp());
                outcome.put(name, "running");
                error.remove(name);
                current = name;
            } else if (type.endsWith("StateExited") && e.stateExitedEventDetails() != null) {
                String name = e.stateExitedEventDetails().name();
                Instant from = open.remove(name);
                if (from != null) time.computeIfAbsent(name, k -> new double[2])[1] += Duration.between(from, e.timestamp()).toMillis() / 1000.0;
                if (!"failed".equals(outcome.get(name))) outcome.put(name, "succeeded");
                lastExited = name;
                lastExitedOutput = failureOf(e.stateExitedEventDetails().output());
            } else if (type.endsWith("Failed") && current != null && !type.startsWith("Execution")) {
                outcome.put(current, "failed");
                error.put(current, failureText(e));
            }
        }
        List<Step> steps = new ArrayList<>();
        time.forEach((name, t) -> steps.add(new Step(name, (int) t[0], Math.round(t[1] * 1000) / 1000.0, outcome.get(name), error.get(name))));

        List<Unavailable> unavailable = new ArrayList<>();
        span(unavailable, "PV driver install and its reboot", firstEntered.get("InstallPvDriver"), firstEntered.get("CaptureGuestFactsAfterPvDriver"));
        span(unavailable, "stop, type change and start until SSM is back", firstEntered.get("StopInstance"), firstEntered.get("CaptureGuestFactsAfterMove"));
        double down = unavailable.stream().mapToDouble(Unavailable::seconds).sum();

        JsonNode output = read(d.output());
        // The clone's run ends with its outcome (RehearsalRunEnded); a failed one gives none, and its cause says why.
        JsonNode ended = output == null ? null : output.has("outcome") ? output.get("outcome") : output;
        String outcomeStatus = ended == null ? null : ended.path("status").asText(null);
        String executionStatus = d.statusAsString();
        boolean migrated = "SUCCEEDED".equals(executionStatus) && "migrated".equals(outcomeStatus);
        String status = migrated ? "migrated" : outcomeStatus != null ? outcomeStatus : executionStatus.toLowerCase();
        String reason = ended != null && ended.path("reason").isTextual() ? ended.path("reason").asText()
                : d.cause() != null ? d.cause() : d.error();
        if (migrated) {
            failedStep = null;
            failedOutput = null;
        } else if (failedStep == null && current != null) {
            failedStep = current;
        }
        double rehearsal = start == null || end == null ? 0 : Duration.between(start, d.stopDate() != null ? d.stopDate() : end).toMillis() / 1000.0;
        double running = Duration.between(Instant.parse(in.launchedAt()), Instant.now()).toMillis() / 1000.0;
        return new Result(true, status, in.execution(), executionStatus, in.cloneId(), in.instanceType(), reason, failedStep, failedOutput,
                steps, unavailable, Math.round(down * 1000) / 1000.0, rehearsal, running, in.volumeGiB() == null ? 0 : in.volumeGiB());
    }

    private static void span(List<Unavailable> out, String what, Instant from, Instant to) {
        if (from != null && to != null && !to.isBefore(from)) {
            out.add(new Unavailable(what, Duration.between(from, to).toMillis() / 1000.0));
        }
    }

    private static String failureText(HistoryEvent e) {
        if (e.taskFailedEventDetails() != null) return e.taskFailedEventDetails().error() + ": " + e.taskFailedEventDetails().cause();
        if (e.lambdaFunctionFailedEventDetails() != null) {
            return e.lambdaFunctionFailedEventDetails().error() + ": " + e.lambdaFunctionFailedEventDetails().cause();
        }
        return e.typeAsString();
    }

    /** Of a state's output (the migration document), what says how it failed: its error and a guest command's state. */
    private static JsonNode failureOf(String output) {
        JsonNode doc = read(output);
        if (doc == null || !doc.isObject()) return null;
        ObjectNode out = JSON.createObjectNode();
        if (doc.has("error")) out.set("error", doc.get("error"));
        if (doc.has("commandState")) out.set("commandState", doc.get("commandState"));
        if (doc.has("command")) out.set("command", doc.get("command"));
        return out.isEmpty() ? null : out;
    }

    private static JsonNode read(String json) {
        if (json == null) return null;
        try {
            return JSON.readTree(json);
        } catch (java.io.IOException e) {
            return null;
        }
    }

    @Override
    protected Input sampleInput() {
        return new Input(Executions.SAMPLE, "i-0fedcba9876543210", "m4.xlarge", "2026-11-26T10:00:00Z", 50);
    }
}
