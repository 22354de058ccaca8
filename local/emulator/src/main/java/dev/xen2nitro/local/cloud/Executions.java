package dev.xen2nitro.local.cloud;

import dev.xen2nitro.local.wire.AwsError;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The executions the runner carries out, as Step Functions' execution API sees them: StartExecution records one (the
 * runner carries it out afterwards), StopExecution asks a running one to stop (the runner aborts it), DescribeExecution
 * reads its status.
 */
public final class Executions {

    public static final class Execution {
        public final String arn, stateMachineArn, name, input;
        public final long startDate = System.currentTimeMillis();
        public String status = "RUNNING"; // RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED
        public Long stopDate;
        public String error, cause;
        public boolean stopRequested;

        Execution(String arn, String stateMachineArn, String name, String input) {
            this.arn = arn;
            this.stateMachineArn = stateMachineArn;
            this.name = name;
            this.input = input;
        }
    }

    private final Map<String, Execution> executions = new LinkedHashMap<>();
    /** The state machines of the deployed stack, by ARN: StartExecution starts only these. */
    private final java.util.Set<String> stateMachines = new java.util.LinkedHashSet<>();

    /** The stack's state machine {@code arn} exists from now on. */
    public synchronized void deployed(String arn) {
        stateMachines.add(arn);
    }

    /**
     * StartExecution (Step Functions API Reference): the name is unique per state machine; the same name and input as a
     * running execution is idempotent and answers with that execution; a closed one, or another input, is
     * ExecutionAlreadyExists.
     */
    public synchronized Execution startExecution(String stateMachineArn, String name, String input) {
        if (!stateMachines.contains(stateMachineArn)) {
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

    public synchronized Execution start(String arn, String stateMachineArn, String name, String input) {
        Execution e = new Execution(arn, stateMachineArn, name, input);
        executions.put(arn, e);
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
        Execution e = get(arn);
        e.status = status;
        e.stopDate = System.currentTimeMillis();
        if (!status.equals("ABORTED") || e.error == null) {
            e.error = error;
            e.cause = cause;
        }
        notifyAll();
    }
}
