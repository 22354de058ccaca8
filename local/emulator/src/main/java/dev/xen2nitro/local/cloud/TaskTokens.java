package dev.xen2nitro.local.cloud;

import dev.xen2nitro.local.wire.AwsError;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Step Functions task-token API of a .waitForTaskToken state: the runner opens a token, the
 * approver closes it with SendTaskSuccess or SendTaskFailure, the runner reads the outcome.
 */
public final class TaskTokens {

    public static final class Task {
        public final String token, stateName;
        public String status = "waiting"; // waiting, succeeded, failed, timed-out
        public String output, error, cause;
        public long lastHeartbeat = System.currentTimeMillis();

        Task(String token, String stateName) {
            this.token = token;
            this.stateName = stateName;
        }
    }

    private final Map<String, Task> tasks = new LinkedHashMap<>();

    public synchronized Task open(String token, String stateName) {
        return tasks.computeIfAbsent(token, t -> new Task(t, stateName));
    }

    public synchronized Task get(String token) {
        return tasks.get(token);
    }

    public synchronized Map<String, Task> all() {
        return new LinkedHashMap<>(tasks);
    }

    private Task live(String token) {
        Task t = tasks.get(token);
        // SendTaskSuccess reference: a malformed token is InvalidToken; an expired or closed one is TaskTimedOut.
        if (t == null) {
            throw new AwsError("InvalidToken", "Invalid Token: '" + token + "'");
        }
        if (!"waiting".equals(t.status)) {
            throw new AwsError("TaskTimedOut", "Task Timed Out: 'Provided task does not exist anymore'");
        }
        return t;
    }

    public synchronized void succeed(String token, String output) {
        Task t = live(token);
        t.status = "succeeded";
        t.output = output;
        notifyAll();
    }

    public synchronized void fail(String token, String error, String cause) {
        Task t = live(token);
        t.status = "failed";
        t.error = error;
        t.cause = cause;
        notifyAll();
    }

    public synchronized void heartbeat(String token) {
        live(token).lastHeartbeat = System.currentTimeMillis();
    }

    /** Closes a task whose state timed out, so later answers get TaskTimedOut. */
    public synchronized void expire(String token) {
        Task t = tasks.get(token);
        if (t != null && "waiting".equals(t.status)) {
            t.status = "timed-out";
            notifyAll();
        }
    }

    /** Waits up to {@code millis} for the task to close; returns it either way. */
    public synchronized Task await(String token, long millis) throws InterruptedException {
        long end = System.currentTimeMillis() + millis;
        Task t = tasks.get(token);
        while (t != null && "waiting".equals(t.status) && System.currentTimeMillis() < end) {
            wait(Math.max(1, end - System.currentTimeMillis()));
        }
        return t;
    }
}
