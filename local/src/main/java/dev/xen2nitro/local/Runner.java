package dev.xen2nitro.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.xen2nitro.local.host.LambdaHost;
import dev.xen2nitro.local.host.Template;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Executes one state machine of template.yaml with aws-local-stepfunctions (local/runner/run.mjs),
 * its Lambda tasks served by the {@link LambdaHost} and its AWS calls by the {@link Emulator};
 * prints each state as it enters and leaves, and returns the report.
 */
public final class Runner {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param executionArn the execution's ARN
     * @param triggered the executions EventBridge rules of the template started when this one ended (the cleanup
     *                  after a migration that ended FAILED, TIMED_OUT or ABORTED), in order
     */
    public record Report(String executionArn, String status, String error, String cause, JsonNode output, List<Map<String, Object>> states,
                         long durationMillis, List<Report> triggered) {
        public List<String> visited() {
            return states.stream().map(s -> (String) s.get("name")).toList();
        }

        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("status", status);
            m.put("error", error);
            m.put("cause", cause);
            m.put("durationMillis", durationMillis);
            m.put("statesVisited", visited());
            m.put("states", states);
            m.put("output", output);
            m.put("executionArn", executionArn);
            m.put("triggered", triggered.stream().map(Report::toMap).toList());
            return m;
        }
    }

    private final Path projectRoot;
    private final Template template;
    private final Emulator emulator;
    private final LambdaHost host;
    private final PrintStream progress;
    private StateListener listener = (execution, state) -> { };
    private java.util.function.Consumer<JsonNode> events = e -> { };
    /** Who starts the execution (CloudTrail records it), or null for one a service starts (EventBridge). */
    private dev.xen2nitro.local.host.LocalPeople.Person startedBy = dev.xen2nitro.local.host.LocalPeople.OPERATOR;

    /** Told of each state an execution enters, with the execution's ARN; its children's states by their prefixed names. */
    @FunctionalInterface
    public interface StateListener {
        void entered(String executionArn, String state);
    }

    /** The person who starts the execution: operator unless told otherwise; null when a service starts it. */
    public Runner startedBy(dev.xen2nitro.local.host.LocalPeople.Person person) {
        this.startedBy = person;
        return this;
    }

    /**
     * Gives {@code events} every event the runner reports, the children's too, as it arrives (run.mjs: its type, state,
     * error, the sizes of the state's input and output...).
     */
    public Runner onEvent(java.util.function.Consumer<JsonNode> events) {
        this.events = events;
        return this;
    }

    /** Calls {@code listener} as each state is entered (a test stops an execution in a given state with it). */
    public Runner onStateEntered(StateListener listener) {
        this.listener = listener;
        return this;
    }

    public Runner(Path projectRoot, Template template, Emulator emulator, LambdaHost host, PrintStream progress) {
        this.projectRoot = projectRoot;
        this.template = template;
        this.emulator = emulator;
        this.host = host;
        this.progress = progress;
    }

    private java.net.URI lambdaEndpoint;

    /** Lambda tasks go to {@code endpoint} (POST /2015-03-31/functions/NAME/invocations) instead of the Lambda host. */
    public Runner lambdaEndpoint(java.net.URI endpoint) {
        this.lambdaEndpoint = endpoint;
        return this;
    }

    /** The name of the execution to run: a new one unless {@link #runStarted} names one StartExecution recorded. */
    private String executionName;

    /**
     * Runs the execution {@code executionArn} that StartExecution recorded in the local cloud (a function started it), as
     * Step Functions would: its state machine of template.yaml, its name and input. CloudTrail recorded its start then.
     */
    public Report runStarted(String executionArn, String approval) throws IOException, InterruptedException {
        var e = emulator.cloud().executions.get(executionArn);
        this.executionName = e.name;
        this.startedBy = null;
        return run(e.stateMachineArn.substring(e.stateMachineArn.lastIndexOf(':') + 1), e.input, approval);
    }

    /** Runs the state machine {@code stateMachine} of template.yaml, its placeholders filled from the template. */
    public Report run(String stateMachine, String inputJson, String approval) throws IOException, InterruptedException {
        var cloud = emulator.cloud();
        return runDefinition(template.definition(template.stateMachine(stateMachine), cloud.region, cloud.accountId), inputJson, approval,
                stateMachine);
    }

    /**
     * Runs a definition whose placeholders are already filled, as the state machine {@code role} of
     * template.yaml: its ARN and its role, by which the local cloud authorizes the execution's calls.
     */
    public Report runDefinition(String asl, String inputJson, String approval, String role) throws IOException, InterruptedException {
        var cloud = emulator.cloud();
        Path work = Files.createTempDirectory("xen2nitro-run");
        Path definition = work.resolve("definition.asl.json");
        Files.writeString(definition, asl);
        Path input = work.resolve("input.json");
        Files.writeString(input, inputJson);
        // Every state machine of the template, for the child executions a definition starts (.sync).
        Map<String, JsonNode> machines = new LinkedHashMap<>();
        for (Template.StateMachine sm : template.stateMachines().values()) {
            machines.put(Template.stateMachineArn(sm.logicalId(), cloud.region, cloud.accountId),
                    JSON.readTree(template.definition(sm, cloud.region, cloud.accountId)));
        }
        Path stateMachines = work.resolve("state-machines.json");
        JSON.writeValue(stateMachines.toFile(), machines);
        // Each machine's role session, so that the local cloud authorizes each execution's calls by its role.
        Map<String, String> keys = new LinkedHashMap<>();
        for (Template.StateMachine sm : template.stateMachines().values()) {
            keys.put(Template.stateMachineArn(sm.logicalId(), cloud.region, cloud.accountId), LocalCloud.credentials(sm.logicalId()).accessKeyId());
        }
        Path credentials = work.resolve("credentials.json");
        JSON.writeValue(credentials.toFile(), keys);
        Path runnerDir = projectRoot.resolve("local/runner");
        if (!Files.isDirectory(runnerDir.resolve("node_modules/aws-local-stepfunctions"))) {
            throw new IllegalStateException("the runner's npm packages are missing: run (cd local/runner && npm ci), or ./mvnw package");
        }
        String stateMachineArn = Template.stateMachineArn(template.stateMachine(role).logicalId(), cloud.region, cloud.accountId);
        String name = executionName != null ? executionName : UUID.randomUUID().toString();
        String executionArn = stateMachineArn.replace(":stateMachine:", ":execution:") + ":" + name;
        ProcessBuilder pb = new ProcessBuilder("node", "run.mjs", "--definition", definition.toString(), "--input", input.toString(),
                "--emulator", emulator.endpoint().toString(), "--approval", approval,
                "--state-machines", stateMachines.toString(), "--credentials", credentials.toString(),
                "--state-machine-arn", stateMachineArn,
                "--time-factor", String.valueOf(cloud.timeFactor), "--name", name)
                .directory(runnerDir.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT);
        Map<String, String> env = pb.environment();
        env.put("AWS_ENDPOINT_URL_LAMBDA", (lambdaEndpoint != null ? lambdaEndpoint : host.endpoint()).toString());
        env.put("AWS_REGION", cloud.region);
        env.put("AWS_ACCESS_KEY_ID", "AKIALOCAL");
        env.put("AWS_SECRET_ACCESS_KEY", "local-secret");
        env.remove("AWS_PROFILE");
        // The SDK for JavaScript warns that its 2027 releases need Node 22; package-lock.json pins today's.
        env.put("AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED", "true");
        long started = System.currentTimeMillis();
        if (cloud.executions.find(executionArn) == null) {
            cloud.executions.start(executionArn, stateMachineArn, name, inputJson);
        }
        if (startedBy != null) {
            cloud.recordStartExecution(executionArn, stateMachineArn, name, startedBy.arn(cloud.accountId), startedBy.accessKeyId());
        }
        progress.printf("execution %s%n  (to stop it: aws stepfunctions stop-execution --execution-arn %s --endpoint-url %s)%n",
                executionArn, executionArn, emulator.endpoint());
        Process p = pb.start();
        // StopExecution (aws stepfunctions stop-execution --endpoint-url ...) reaches the runner as a line "abort".
        Thread stopper = new Thread(() -> {
            try {
                if (cloud.executions.awaitStop(executionArn)) {
                    progress.printf("%8.3fs  StopExecution: the execution is stopped%n", (System.currentTimeMillis() - started) / 1000.0);
                    p.getOutputStream().write("abort\n".getBytes(StandardCharsets.UTF_8));
                    p.getOutputStream().flush();
                }
            } catch (InterruptedException | IOException | RuntimeException ended) {
                // The execution ended first.
            }
        }, "stop " + name);
        stopper.setDaemon(true);
        stopper.start();
        List<Map<String, Object>> states = new ArrayList<>();
        Map<String, Map<String, Object>> open = new LinkedHashMap<>();
        Map<String, Long> childStarts = new LinkedHashMap<>();
        List<java.util.concurrent.CompletableFuture<List<Report>>> childDeliveries = new ArrayList<>();
        // Each execution's history (GetExecutionHistory), this one's and its children's.
        HistoryRecorder history = new HistoryRecorder(cloud.executions);
        JsonNode result = null;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                JsonNode e;
                try {
                    e = JSON.readTree(line);
                } catch (IOException notJson) {
                    progress.println(line);
                    continue;
                }
                events.accept(e);
                history.accept(e);
                String type = e.path("type").asText();
                String state = e.path("state").asText(null);
                long t = e.path("timestamp").asLong(System.currentTimeMillis());
                switch (type) {
                    case "StateEntered" -> {
                        Map<String, Object> s = new LinkedHashMap<>();
                        s.put("name", state);
                        s.put("enteredAt", t - started);
                        open.put(state, s);
                        states.add(s);
                        progress.printf("%8.3fs  > %s%n", (t - started) / 1000.0, state);
                        // A child's states too, by their prefixed names (Machine[i-...]:State): a test may stop the execution in one.
                        listener.entered(executionArn, state);
                    }
                    case "StateExited" -> close(open.remove(state), t, "succeeded", null, started);
                    case "StateFailed" -> close(open.remove(state), t, "failed", e.path("error").asText() + ": " + e.path("cause").asText(), started);
                    case "StateRetried" -> progress.printf("%8.3fs    %s retried (attempt %d)%n", (t - started) / 1000.0, state, e.path("attempt").asInt());
                    case "StateCaught" -> progress.printf("%8.3fs    %s error caught%n", (t - started) / 1000.0, state);
                    case "TaskTokenWaiting" -> answer(e, executionArn, approval, (t - started) / 1000.0);
                    case "ChildStarted" -> {
                        String child = e.path("executionArn").asText();
                        cloud.executions.start(child, e.path("stateMachineArn").asText(), e.path("name").asText(), e.path("input").asText());
                        childStarts.put(child, t);
                    }
                    case "ChildEnded" -> {
                        // EventBridge gets every Standard execution's status change, a child's too: the cleanup's rule
                        // runs after a child that failed or was stopped, beside the executions still running.
                        String child = e.path("executionArn").asText();
                        String status = e.path("status").asText();
                        String err = e.path("error").isTextual() ? e.path("error").asText() : null;
                        String why = e.path("cause").isTextual() ? e.path("cause").asText() : null;
                        cloud.executions.end(child, status, err, why, e.path("output").isTextual() ? e.path("output").asText() : null);
                        var x = cloud.executions.get(child);
                        long childStarted = childStarts.getOrDefault(child, t);
                        childDeliveries.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                            try {
                                return deliverStatusChange(child, x.stateMachineArn, x.name, x.input, status, err, why, childStarted);
                            } catch (IOException | InterruptedException ex) {
                                throw new IllegalStateException(ex);
                            }
                        }));
                    }
                    case "Result" -> {
                        // The execution ends here: whatever the runner writes after it (a task still under way when it was
                        // stopped) is no part of its history.
                        result = e;
                        cloud.executions.end(executionArn, e.path("status").asText(), text(e.path("error")), text(e.path("cause")),
                                e.has("output") ? JSON.writeValueAsString(e.get("output")) : null);
                    }
                    default -> { }
                }
            }
        }
        p.waitFor();
        long duration = System.currentTimeMillis() - started;
        if (result == null) {
            cloud.executions.end(executionArn, "FAILED", "Xen2Nitro.RunnerFailed", "the runner exited with " + p.exitValue());
            return new Report(executionArn, "FAILED", "Xen2Nitro.RunnerFailed", "the runner exited with " + p.exitValue() + " and no result",
                    null, states, duration, List.of());
        }
        String status = result.path("status").asText();
        // aws-local-stepfunctions prefixes a failed execution's cause with its error name.
        String error = text(result.path("error"));
        String cause = text(result.path("cause"));
        // A migration's outcome (migrated, restored, ...) is in its output; a failed execution says its error and cause.
        JsonNode outcome = result.path("output").path("outcome");
        String said = error != null ? " (" + error + ": " + cause + ")"
                : outcome.hasNonNull("status") ? " (outcome " + outcome.get("status").asText()
                        + (outcome.hasNonNull("reason") ? ": " + outcome.get("reason").asText() : "") + ")" : "";
        progress.printf("%8.3fs  execution %s%s%n", duration / 1000.0, status, said);
        List<Report> triggered = new ArrayList<>();
        for (var d : childDeliveries) {
            triggered.addAll(d.join());
        }
        triggered.addAll(deliverStatusChange(executionArn, stateMachineArn, name, inputJson, status, error, cause, started));
        return new Report(executionArn, status, error, cause, result.get("output"), states, duration, triggered);
    }

    /**
     * What EventBridge does when a Standard execution ends: the "Step Functions Execution Status Change" event
     * (Step Functions Developer Guide, "Automating Step Functions event delivery with EventBridge") goes to the
     * default bus, and each rule of the template whose pattern matches starts its state machine with the event.
     */
    private List<Report> deliverStatusChange(String executionArn, String stateMachineArn, String name, String inputJson, String status,
                                             String error, String cause, long started) throws IOException, InterruptedException {
        var cloud = emulator.cloud();
        var event = JSON.createObjectNode();
        event.put("version", "0");
        event.put("id", UUID.randomUUID().toString());
        event.put("detail-type", "Step Functions Execution Status Change");
        event.put("source", "aws.states");
        event.put("account", cloud.accountId);
        event.put("time", java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
        event.put("region", cloud.region);
        event.putArray("resources").add(executionArn);
        var detail = event.putObject("detail");
        detail.put("executionArn", executionArn);
        detail.put("stateMachineArn", stateMachineArn);
        detail.put("name", name);
        detail.put("status", status);
        detail.put("startDate", started);
        detail.put("stopDate", System.currentTimeMillis());
        detail.put("input", inputJson);
        detail.putObject("inputDetails").put("included", true);
        detail.putNull("output");
        detail.putNull("outputDetails");
        detail.put("error", error);
        detail.put("cause", cause);
        List<Report> out = new ArrayList<>();
        for (Template.EventRule rule : template.eventRules()) {
            boolean match = dev.xen2nitro.local.host.EventPatterns.matches(rule.pattern(), event,
                    v -> template.stateMachines().containsKey(v) ? Template.stateMachineArn(v, cloud.region, cloud.accountId) : v);
            if (match) {
                progress.printf("EventBridge rule %s: %s ended %s; starting %s%n", rule.name(), name, status, rule.target());
                Runner next = new Runner(projectRoot, template, emulator, host, progress).startedBy(null);
                out.add(next.runDefinition(template.definition(template.stateMachine(rule.target()), cloud.region, cloud.accountId),
                        JSON.writeValueAsString(event), "auto", rule.target()));
            }
        }
        return out;
    }

    /** The function that asks the stack's approvers, and the one they answer at. */
    static final String REQUEST_APPROVAL = "RequestApprovalFunction", ANSWER_APPROVAL = "AnswerApprovalFunction";

    /**
     * A .waitForTaskToken state waits: answered as {@code approval} says. The stack's approval request is answered as its
     * approvers answer it, at the approval function's URL as a local approver (alice, or bob when alice started the
     * execution): {@code auto} approves the plan whose hash RequestApproval returned, {@code reject} rejects it,
     * {@code manual} prints the commands and waits. Any other state's token is answered with SendTaskSuccess or
     * SendTaskFailure as an administrator would, or, manually, by whoever types the command printed.
     */
    private void answer(JsonNode e, String topExecutionArn, String approval, double at) throws IOException, InterruptedException {
        // The execution that asks: this one, or a child of it (a fleet's migration asking its own approval).
        String executionArn = e.path("execution").isTextual() ? e.path("execution").asText() : topExecutionArn;
        String state = e.path("state").asText();
        String token = e.path("token").asText();
        var cloud = emulator.cloud();
        if (LambdaHost.functionName(e.path("function").asText()).equals(REQUEST_APPROVAL) && template.functions().containsKey(ANSWER_APPROVAL)) {
            java.net.URI url = host.functionUrl(ANSWER_APPROVAL);
            String planHash = e.path("response").path("planHash").asText();
            dev.xen2nitro.local.host.LocalPeople.Person approver = approver();
            String approve = Approvers.answer(executionArn, true, planHash, null);
            String reject = Approvers.answer(executionArn, false, null, "rejected by the local runner (--approval reject)");
            if (approval.equals("manual")) {
                StringBuilder links = new StringBuilder();
                mailedLinks(executionArn).forEach((who, link) -> links.append(String.format("      %s's: %s%n", who.substring(who.lastIndexOf('/') + 1), link)));
                // The mail's "until" is in AWS time; the wait passes at the time factor.
                String expiresAt = e.path("response").path("expiresAt").asText(null);
                String until = expiresAt == null ? "" : String.format("; it times out in about %.0f s real, %s in AWS time at time factor %s",
                        Math.max(0, java.time.Duration.between(java.time.Instant.now(), java.time.Instant.parse(expiresAt)).toMillis() / 1000.0
                                * cloud.timeFactor), expiresAt, cloud.timeFactor);
                progress.printf("%8.3fs    %s waits for the approvers (alice or bob; plan %s%s). Open the link mailed to each:%n%s"
                                + "    or, as %s, approve:%n      %s%n    reject:%n      %s%n    what waits: GET %s?execution=%s (signed likewise)%n",
                        at, state, planHash, until, links.length() == 0 ? "      (no links: the stack takes answers only at its URL)\n" : links,
                        approver.name(), Approvers.curl(url, approve, approver, cloud.region),
                        Approvers.curl(url, reject, approver, cloud.region), url,
                        java.net.URLEncoder.encode(executionArn, java.nio.charset.StandardCharsets.UTF_8));
                return;
            }
            Approvers.Reply r = Approvers.call(url, "POST", null, approval.equals("reject") ? reject : approve, approver, cloud.region);
            progress.printf("%8.3fs    %s: %s %s at the approval function's URL: %d %s%n", at, state, approver.name(),
                    approval.equals("reject") ? "rejects" : "approves", r.status(), r.body());
            return;
        }
        switch (approval) {
            case "auto" -> cloud.taskTokens.succeed(token, "{\"approved\":true,\"approver\":\"local-runner (auto)\"}");
            case "reject" -> cloud.taskTokens.fail(token, "Xen2Nitro.ApprovalRejected", "rejected by local-runner (reject)");
            default -> progress.printf("%8.3fs    %s waits for its task token: aws stepfunctions send-task-success --task-token '%s'"
                    + " --task-output '{}' --endpoint-url %s%n", at, state, token, emulator.endpoint());
        }
    }

    /** The links the approval request mailed for {@code executionArn}, by the approver each was mailed to (its message attribute). */
    Map<String, String> mailedLinks(String executionArn) {
        var cloud = emulator.cloud();
        java.util.regex.Pattern link = java.util.regex.Pattern.compile("^  (http\\S+\\?approval=\\S+)$", java.util.regex.Pattern.MULTILINE);
        Map<String, String> out = new java.util.LinkedHashMap<>();
        synchronized (cloud) {
            for (var topic : cloud.topics.values()) {
                for (var n : topic) {
                    java.util.regex.Matcher m = link.matcher(n.message());
                    String approver = n.attributes().get("approver");
                    if (approver != null && n.message().contains("(execution " + executionArn + ")") && m.find()) {
                        out.put(approver, m.group(1));
                    }
                }
            }
        }
        return out;
    }

    /** The local approver who answers: alice, unless she started the execution. */
    private dev.xen2nitro.local.host.LocalPeople.Person approver() {
        return startedBy == dev.xen2nitro.local.host.LocalPeople.ALICE ? dev.xen2nitro.local.host.LocalPeople.BOB
                : dev.xen2nitro.local.host.LocalPeople.ALICE;
    }

    private static String text(JsonNode n) {
        return n == null || n.isMissingNode() || n.isNull() ? null : n.asText();
    }

    private void close(Map<String, Object> s, long t, String outcome, String error, long started) {
        if (s == null) return;
        long entered = (Long) s.get("enteredAt");
        s.put("durationMillis", t - started - entered);
        s.put("outcome", outcome);
        if (error != null) s.put("error", error);
        progress.printf("%8.3fs  < %s %s in %d ms%s%n", (t - started) / 1000.0, s.get("name"), outcome, t - started - entered,
                error == null ? "" : " (" + error + ")");
    }
}
