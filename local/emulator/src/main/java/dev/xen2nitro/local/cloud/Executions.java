package dev.xen2nitro.local.cloud;

import dev.xen2nitro.local.wire.AwsError;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The executions the runner carries out, as Step Functions' execution API sees them: StartExecution records one (the
 * runner carries it out afterwards), StopExecution asks a running one to stop (the runner aborts it), DescribeExecution
 * reads its status, GetExecutionHistory its events (the runner records them as it carries the execution out; the start
 * and the end are recorded here).
 */
public final class Executions {

    public static final class Execution {
        public final String arn, stateMachineArn, name, input;
        public final long startDate = System.currentTimeMillis();
        public String status = "RUNNING"; // RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED
        public Long stopDate;
        public String error, cause;
        /** What a succeeded execution gave (DescribeExecution's output), as JSON text. */
        public String output;
        public boolean stopRequested;
        /** Its state machine's role (ExecutionStarted's roleArn), or null when unknown. */
        public final String roleArn;
        private final java.util.List<ExecutionHistory.Event> history = new java.util.ArrayList<>();

        Execution(String arn, String stateMachineArn, String name, String input, String roleArn) {
            this.arn = arn;
            this.stateMachineArn = stateMachineArn;
            this.name = name;
            this.input = input;
            this.roleArn = roleArn;
        }
    }

    private final Map<String, Execution> executions = new LinkedHashMap<>();
    /** The state machines of the deployed stack, by ARN, with their roles' ARNs: StartExecution starts only these. */
    private final Map<String, String> stateMachines = new LinkedHashMap<>();

    /** The stack's state machine {@code arn} exists from now on. */
    public synchronized void deployed(String arn) {
        deployed(arn, null);
    }

    /** The stack's state machine {@code arn}, which runs as the role {@code roleArn}, exists from now on. */
    public synchronized void deployed(String arn, String roleArn) {
        if (roleArn != null || !stateMachines.containsKey(arn)) {
            stateMachines.put(arn, roleArn);
        }
    }

    /**
     * StartExecution (Step Functions API Reference): the name is unique per state machine; the same name and input as a
     * running execution is idempotent and answers with that execution; a closed one, or another input, is
     * ExecutionAlreadyExists.
     */
    public synchronized Execution startExecution(String stateMachineArn, String name, String input) {
        if (!stateMachines.containsKey(stateMachineArn)) {
            throw new AwsError("StateMachineDoesNotExist", "State Machine Does Not Exist: '" + stateMachineArn + "'");
        }
        // Names: 1 to 80 characters, without whitespace, brackets, wildcards, the special characters " # % \ ^ | ~ ` $ & , ; : /
        // or control characters (StartExecution, name).
        if (name.isEmpty() || name.length() > 80 || name.chars().anyMatch(c -> Character.isWhitespace(c) || c < 0x20 || (c >= 0x7f && c <= 0x9f)
                || "<>{}[]?*\"#%\\^|~`$&,;:/".indexOf(c) >= 0)) {
            throw new AwsError("InvalidName", "Invalid Name: '" + name + "'");
        }
        String arn = stateMachineArn.replace(":stateMachine:", ":execution:") + ":" + name;
        Execution e = executions.get(arn);
        if (e != null) {
            if (e.status.equals("RUNNING") && e.input.equals(input)) {
                return e;
            }
            throw new AwsError("ExecutionAlreadyExists", "Execution Already Exists: '" + arn + "'");
        }
        return start(arn, stateMachineArn, name, input);
    }

    /** The execution {@code arn}, or null when there is none. */
    public synchronized Execution find(String arn) {
        return executions.get(arn);
    }

    /** Every execution, in the order they were started. */
    public synchronized java.util.List<Execution> all() {
        return java.util.List.copyOf(executions.values());
    }

    /** Records the execution {@code arn} as started now, its history beginning with ExecutionStarted. */
    public synchronized Execution start(String arn, String stateMachineArn, String name, String input) {
        Execution e = new Execution(arn, stateMachineArn, name, input, stateMachines.get(stateMachineArn));
        executions.put(arn, e);
        // ExecutionStarted: executionStartedEventDetails with the input and the role the execution runs as (API Reference,
        // ExecutionStartedEventDetails); it follows no event (previousEventId 0).
        com.fasterxml.jackson.databind.node.ObjectNode details = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        if (e.roleArn != null) {
            details.put("roleArn", e.roleArn);
        }
        append(e, 0, e.startDate, "ExecutionStarted", "executionStartedEventDetails", details, "input", ExecutionHistory.Data.of(input));
        return e;
    }

    public synchronized Execution get(String arn) {
        Execution e = executions.get(arn);
        if (e == null) {
            // StopExecution and DescribeExecution API reference: ExecutionDoesNotExist.
            throw new AwsError("ExecutionDoesNotExist", "Execution Does Not Exist: '" + arn + "'");
        }
        return e;
    }

    /** StopExecution: a running execution is asked to stop; one that has ended is left as it ended. */
    public synchronized Execution stop(String arn, String error, String cause) {
        Execution e = get(arn);
        if (e.status.equals("RUNNING") && !e.stopRequested) {
            e.stopRequested = true;
            e.error = error;
            e.cause = cause;
            notifyAll();
        }
        return e;
    }

    /** Waits until a stop of {@code arn} is asked for or it ends; true when it is to stop. */
    public synchronized boolean awaitStop(String arn) throws InterruptedException {
        Execution e = get(arn);
        while (!e.stopRequested && e.status.equals("RUNNING")) {
            wait();
        }
        return e.stopRequested && e.status.equals("RUNNING");
    }

    public synchronized void end(String arn, String status, String error, String cause) {
        end(arn, status, error, cause, null);
    }

    /**
     * The execution {@code arn} ended with {@code status}; {@code output} is what a succeeded one gave. Its history ends with
     * the event of that status (HistoryEventType): ExecutionSucceeded with the output, ExecutionFailed or ExecutionTimedOut
     * with the error and cause, ExecutionAborted with those StopExecution gave. Nothing is recorded after it.
     */
    public synchronized void end(String arn, String status, String error, String cause, String output) {
        Execution e = get(arn);
        boolean running = e.status.equals("RUNNING");
        e.status = status;
        e.stopDate = System.currentTimeMillis();
        if (!status.equals("ABORTED") || e.error == null) {
            e.error = error;
            e.cause = cause;
        }
        if (status.equals("SUCCEEDED")) {
            e.output = output;
        }
        if (running) {
            com.fasterxml.jackson.databind.node.ObjectNode details = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
            long previous = e.history.isEmpty() ? 0 : e.history.get(e.history.size() - 1).id();
            switch (status) {
                case "SUCCEEDED" -> append(e, previous, e.stopDate, "ExecutionSucceeded", "executionSucceededEventDetails", details, "output",
                        ExecutionHistory.Data.of(output == null ? "null" : output));
                case "ABORTED" -> {
                    // An execution stopped by StopExecution: ExecutionAborted with the error and cause StopExecution gave, if
                    // any; it follows no event (previousEventId 0, as Step Functions records it).
                    errorAndCause(details, e.error, e.cause);
                    append(e, 0, e.stopDate, "ExecutionAborted", "executionAbortedEventDetails", details, null, null);
                }
                case "TIMED_OUT" -> {
                    errorAndCause(details, e.error, e.cause);
                    append(e, previous, e.stopDate, "ExecutionTimedOut", "executionTimedOutEventDetails", details, null, null);
                }
                default -> {
                    errorAndCause(details, e.error, e.cause);
                    append(e, previous, e.stopDate, "ExecutionFailed", "executionFailedEventDetails", details, null, null);
                }
            }
        }
        notifyAll();
    }

    private static void errorAndCause(com.fasterxml.jackson.databind.node.ObjectNode details, String error, String cause) {
        if (error != null) details.put("error", error);
        if (cause != null) details.put("cause", cause);
    }

    /**
     * Records an event of the running execution {@code arn}'s history (see {@link ExecutionHistory.Event}); its id is the next
     * one, its time {@code timestamp} or, when an event before it was recorded later, that one's (the history is in the order
     * of time). Returns its id, or 0 when nothing is recorded: the execution is unknown or has ended.
     */
    public synchronized long record(String arn, long previousEventId, long timestamp, String type, String detailsField,
                                    com.fasterxml.jackson.databind.node.ObjectNode details, String dataField, ExecutionHistory.Data data) {
        Execution e = executions.get(arn);
        if (e == null || !e.status.equals("RUNNING")) {
            return 0;
        }
        return append(e, previousEventId, timestamp, type, detailsField, details, dataField, data);
    }

    private static long append(Execution e, long previousEventId, long timestamp, String type, String detailsField,
                               com.fasterxml.jackson.databind.node.ObjectNode details, String dataField, ExecutionHistory.Data data) {
        long id = e.history.size() + 1L;
        long at = e.history.isEmpty() ? timestamp : Math.max(timestamp, e.history.get(e.history.size() - 1).timestamp());
        e.history.add(new ExecutionHistory.Event(id, previousEventId, at, type, detailsField, details, dataField, data));
        return id;
    }

    /** The id of the last event of {@code arn}'s history (0 when it has none). */
    public synchronized long lastEventId(String arn) {
        Execution e = executions.get(arn);
        return e == null ? 0 : e.history.size();
    }

    /** The events of {@code arn}'s history, in order (a copy). */
    public synchronized java.util.List<ExecutionHistory.Event> history(String arn) {
        return java.util.List.copyOf(get(arn).history);
    }
}
