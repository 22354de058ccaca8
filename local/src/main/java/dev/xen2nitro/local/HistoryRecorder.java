package dev.xen2nitro.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.xen2nitro.local.cloud.ExecutionHistory.Data;
import dev.xen2nitro.local.cloud.Executions;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Records the runner's events (run.mjs) as each execution's history in the local cloud, the events Step Functions records
 * (API Reference, "HistoryEvent" and its "HistoryEventType" values), for GetExecutionHistory. The execution's start and
 * end are recorded by {@link Executions} itself. For each state, by its type {@code T} (Task, Pass, Choice, Wait, Succeed,
 * Fail, Map, Parallel): {@code TStateEntered} with {@code stateEnteredEventDetails} (name, input) and {@code TStateExited}
 * with {@code stateExitedEventDetails} (name, output); a Fail state is only entered, the execution failing after it. A
 * Task's attempts, by its resource:
 * <ul>
 *   <li>a Lambda function's ARN (the function invoked directly): LambdaFunctionScheduled (resource, input,
 *       timeoutInSeconds), LambdaFunctionStarted, then LambdaFunctionSucceeded (output), LambdaFunctionFailed or
 *       LambdaFunctionTimedOut (error, cause);</li>
 *   <li>a service integration ({@code arn:aws:states:::lambda:invoke}, {@code ...:lambda:invoke.waitForTaskToken},
 *       {@code ...:states:startExecution.sync:2}): TaskScheduled (resourceType, resource, region, parameters,
 *       timeoutInSeconds, heartbeatInSeconds), TaskStarted, TaskSubmitted (output: the request's answer) for .sync and
 *       .waitForTaskToken, then TaskSucceeded (output), TaskFailed or TaskTimedOut (error, cause), each with resourceType
 *       and resource ({@code lambda} and {@code invoke}, {@code states} and {@code startExecution.sync:2});</li>
 * </ul>
 * a retry schedules the task again, with no event of its own (Step Functions Developer Guide, "Invoke an AWS Lambda
 * function with Step Functions" and "Integrating services with Step Functions"; "Viewing execution details": event types).
 * A Map state adds MapStateStarted (length) after it is entered, MapIterationStarted and MapIterationSucceeded or
 * MapIterationFailed (name, index) around each iteration, and MapStateSucceeded or MapStateFailed before it exits; a
 * Parallel state ParallelStateStarted and ParallelStateSucceeded or ParallelStateFailed.
 *
 * <p>{@code previousEventId} is the event before it on the same path (the execution's, or the Map iteration's), 0 for the
 * first state entered, as Step Functions numbers them.
 */
final class HistoryRecorder {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    /** One attempt of a Task: where it is recorded, and whether its end is. */
    private static final class Attempt {
        final String execution, path, resource;
        boolean ended;

        Attempt(String execution, String path, String resource) {
            this.execution = execution;
            this.path = path;
            this.resource = resource;
        }
    }

    private final Executions executions;
    /** The last event on each path: {@code ARN#} the execution's, {@code ARN#i} Map iteration i's. */
    private final Map<String, Long> last = new HashMap<>();
    /** The last state output on each path, a StateEntered with {@code inputIsLastOutput} has as its input. */
    private final Map<String, Data> lastOutput = new HashMap<>();
    /** The paths of Task states entered or retried whose attempt is not scheduled yet, by {@code ARN|state name}. */
    private final Map<String, Deque<String>> toSchedule = new HashMap<>();
    /** The attempts by the runner's number, and those not ended by {@code ARN|state name}. */
    private final Map<Long, Attempt> attempts = new HashMap<>();
    private final Map<String, Deque<Attempt>> open = new HashMap<>();
    /** The Map and Parallel states ({@code path|name}) that failed since they were entered. */
    private final Set<String> failed = new HashSet<>();

    HistoryRecorder(Executions executions) {
        this.executions = executions;
    }

    /** Records what {@code e}, one line of the runner, adds to its execution's history. */
    void accept(JsonNode e) {
        String execution = e.path("execution").asText(null);
        if (execution == null) {
            return;
        }
        String type = e.path("type").asText();
        String name = e.path("name").asText(null);
        String stateType = e.path("stateType").asText("");
        String path = execution + "#" + (e.has("index") ? e.path("index").asText() : "");
        long t = e.path("timestamp").asLong(System.currentTimeMillis());
        switch (type) {
            case "StateEntered" -> {
                Data input = e.path("inputIsLastOutput").asBoolean(false) ? lastOutput.get(path) : Data.of(e.path("input").asText("null"));
                record(execution, path, t, stateType + "StateEntered", "stateEnteredEventDetails", named(name), "input", input);
                failed.remove(path + "|" + name);
                if (stateType.equals("Map")) {
                    // MapStateStarted: the number of items the state iterates over (MapStateStartedEventDetails: length).
                    ObjectNode d = F.objectNode();
                    if (e.has("mapLength")) d.put("length", e.path("mapLength").asInt());
                    record(execution, path, t, "MapStateStarted", "mapStateStartedEventDetails", d, null, null);
                }
                if (stateType.equals("Parallel")) record(execution, path, t, "ParallelStateStarted", null, null, null, null);
                if (stateType.equals("Task")) toSchedule.computeIfAbsent(execution + "|" + name, k -> new ArrayDeque<>()).addLast(path);
            }
            case "StateRetried" -> {
                if (stateType.equals("Task")) toSchedule.computeIfAbsent(execution + "|" + name, k -> new ArrayDeque<>()).addLast(path);
            }
            case "StateExited" -> {
                Data output = Data.of(e.path("output").asText("null"));
                lastOutput.put(path, output);
                boolean wasFailed = failed.remove(path + "|" + name);
                // A Map or Parallel state exits after its ending: succeeded, unless a failure was caught (Catch).
                if (stateType.equals("Map") && !wasFailed) record(execution, null, t, "MapStateSucceeded", null, null, null, null);
                if (stateType.equals("Parallel") && !wasFailed) record(execution, null, t, "ParallelStateSucceeded", null, null, null, null);
                if (stateType.equals("Map") || stateType.equals("Parallel")) last.put(path, executions.lastEventId(execution));
                record(execution, path, t, stateType + "StateExited", "stateExitedEventDetails", named(name), "output", output);
            }
            case "StateFailed" -> {
                switch (stateType) {
                    case "Task" -> {
                        // An attempt the runner did not end itself (the state's own timeout ended it): its failure.
                        Deque<Attempt> q = open.get(execution + "|" + name);
                        Attempt a = q == null ? null : q.pollFirst();
                        if (a != null) {
                            ended(a, t, e.path("error").asText(null), e.path("cause").asText(null));
                        } else if (toSchedule.containsKey(execution + "|" + name)) {
                            // Failed before its attempt was scheduled (its input or parameters): no attempt to wait for.
                            toSchedule.get(execution + "|" + name).removeFirstOccurrence(path);
                        }
                    }
                    case "Map", "Parallel" -> {
                        if (failed.add(path + "|" + name)) {
                            record(execution, null, t, stateType + "StateFailed", null, null, null, null);
                            last.put(path, executions.lastEventId(execution));
                        }
                    }
                    default -> { }
                }
            }
            case "MapIterationStarted", "MapIterationSucceeded", "MapIterationFailed" -> {
                // The first event of an iteration follows the Map state's last.
                if (type.equals("MapIterationStarted")) last.put(path, last.getOrDefault(execution + "#", 0L));
                ObjectNode d = F.objectNode();
                d.put("name", name);
                d.put("index", e.path("index").asInt());
                String field = Character.toLowerCase(type.charAt(0)) + type.substring(1) + "EventDetails";
                record(execution, path, t, type, field, d, null, null);
            }
            case "TaskScheduled" -> scheduled(e, execution, name, t);
            case "TaskStarted", "TaskSubmitted", "TaskSucceeded" -> {
                Attempt a = attempts.get(e.path("task").asLong());
                if (a == null || a.ended) return;
                Service s = Service.of(a.resource);
                if (type.equals("TaskSucceeded")) {
                    a.ended = true;
                    Deque<Attempt> q = open.get(execution + "|" + name);
                    if (q != null) q.remove(a);
                }
                Data output = type.equals("TaskStarted") ? null : Data.of(e.path("output").asText("null"));
                if (s == null) {
                    // LambdaFunctionStarted has no details; LambdaFunctionSucceeded its output (there is no LambdaFunctionSubmitted).
                    if (type.equals("TaskStarted")) record(execution, a.path, t, "LambdaFunctionStarted", null, null, null, null);
                    if (type.equals("TaskSucceeded")) {
                        record(execution, a.path, t, "LambdaFunctionSucceeded", "lambdaFunctionSucceededEventDetails", F.objectNode(), "output", output);
                    }
                    return;
                }
                String field = Character.toLowerCase(type.charAt(0)) + type.substring(1) + "EventDetails";
                record(execution, a.path, t, type, field, s.details(), output == null ? null : "output", output);
            }
            case "TaskFailed" -> {
                Attempt a = attempts.get(e.path("task").asLong());
                if (a != null && !a.ended) {
                    Deque<Attempt> q = open.get(execution + "|" + name);
                    if (q != null) q.remove(a);
                    ended(a, t, e.path("error").asText(null), e.path("cause").asText(null));
                }
            }
            default -> { }
        }
    }

    private void scheduled(JsonNode e, String execution, String name, long t) {
        Deque<String> q = toSchedule.get(execution + "|" + name);
        String path = q == null || q.isEmpty() ? execution + "#" : q.pollFirst();
        String resource = e.path("resource").asText();
        Attempt a = new Attempt(execution, path, resource);
        attempts.put(e.path("task").asLong(), a);
        open.computeIfAbsent(execution + "|" + name, k -> new ArrayDeque<>()).addLast(a);
        Service s = Service.of(resource);
        ObjectNode d;
        if (s == null) {
            // LambdaFunctionScheduledEventDetails: the function's ARN and its input.
            d = F.objectNode();
            d.put("resource", resource);
            timeouts(e, d);
            record(execution, path, t, "LambdaFunctionScheduled", "lambdaFunctionScheduledEventDetails", d, "input",
                    Data.of(e.path("parameters").asText("null")));
            return;
        }
        // TaskScheduledEventDetails: the service and action, the Region, the parameters as JSON text, the timeouts.
        d = s.details();
        d.put("region", e.path("region").asText());
        d.put("parameters", e.path("parameters").asText("null"));
        timeouts(e, d);
        record(execution, path, t, "TaskScheduled", "taskScheduledEventDetails", d, null, null);
    }

    private static void timeouts(JsonNode e, ObjectNode d) {
        if (e.path("timeoutSeconds").canConvertToLong()) d.put("timeoutInSeconds", e.path("timeoutSeconds").asLong());
        if (e.path("heartbeatSeconds").canConvertToLong()) d.put("heartbeatInSeconds", e.path("heartbeatSeconds").asLong());
    }

    /**
     * The end of a failed attempt: States.Timeout is a timeout (TaskTimedOut, LambdaFunctionTimedOut), any other error a
     * failure (TaskFailed, LambdaFunctionFailed), with the error and cause the state machine sees.
     */
    private void ended(Attempt a, long t, String error, String cause) {
        a.ended = true;
        boolean timedOut = "States.Timeout".equals(error);
        Service s = Service.of(a.resource);
        ObjectNode d = s == null ? F.objectNode() : s.details();
        if (error != null) d.put("error", error);
        if (cause != null) d.put("cause", cause);
        String type = (s == null ? "LambdaFunction" : "Task") + (timedOut ? "TimedOut" : "Failed");
        record(a.execution, a.path, t, type, Character.toLowerCase(type.charAt(0)) + type.substring(1) + "EventDetails", d, null, null);
    }

    /**
     * A service integration's resource ({@code arn:aws:states:::SERVICE:ACTION}) as the history names it: resourceType the
     * service, resource the action with its pattern ({@code invoke.waitForTaskToken}, {@code startExecution.sync:2}). A
     * Lambda function's own ARN is none (null): its events are LambdaFunction*.
     */
    private record Service(String resourceType, String resource) {
        static Service of(String arn) {
            if (!arn.startsWith("arn:aws:states:::")) {
                return null;
            }
            String rest = arn.substring("arn:aws:states:::".length());
            int colon = rest.indexOf(':');
            return colon < 0 ? new Service(rest, rest) : new Service(rest.substring(0, colon), rest.substring(colon + 1));
        }

        ObjectNode details() {
            ObjectNode d = F.objectNode();
            d.put("resourceType", resourceType);
            d.put("resource", resource);
            return d;
        }
    }

    private static ObjectNode named(String name) {
        ObjectNode d = F.objectNode();
        d.put("name", name);
        return d;
    }

    /**
     * Records one event after the last one on {@code path} (0 when it is the first, the first state entered); without a path
     * (a Map or Parallel state's ending, after its iterations), after the execution's last event.
     */
    private void record(String execution, String path, long t, String type, String detailsField, ObjectNode details, String dataField, Data data) {
        long previous = path == null ? executions.lastEventId(execution) : last.getOrDefault(path, 0L);
        long id = executions.record(execution, previous, t, type, detailsField, details, dataField, data);
        if (id > 0 && path != null) {
            last.put(path, id);
        }
    }
}
