package dev.xen2nitro.statemachine;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Writes each state machine's deployed definition ({@code NAME.asl.json}) from its source
 * ({@code NAME.asl.yaml}): ASL written in YAML, with what would repeat written once.
 *
 * <ul>
 *   <li>The retry policy for transient errors ({@code transient-retry.yaml}, shared by every machine) is
 *       appended to every Task's own {@code Retry}, after the entries of {@code TaskDefaults.Retry}.</li>
 *   <li>{@code TaskDefaults.Catch} (top level, the failure catch): appended to every Task's own
 *       {@code Catch} unless the Task already catches {@code States.ALL}.</li>
 *   <li>{@code Type: Poll}: a bounded wait loop. {@code Every} seconds between polls, a limit of
 *       {@code Within} seconds, {@code Check} (the Tasks that read the state, by name, run in order), {@code Until} (the Choice rules tried
 *       after each check, in order) and {@code TimedOut} (the cause when the limit is reached; {@code {limit}}
 *       is replaced by the limit in words). It becomes a Wait, the Task, a Choice ({@code Decide}), a
 *       counter and the limit's error ({@code Xen2Nitro.PollLimitReached}, or {@code LimitError} where the
 *       limit has a meaning of its own). The limit is written once.</li>
 *   <li>{@code Type: GuestStep}: a step run in the guest through SSM: the Task that sends the command
 *       (its handler answers {@code commandId} and {@code skipped}), then a Poll on
 *       {@code GuestStepDefaults.Check} until the command ends. The limit is as long as Run Command may
 *       take: the delivery timeout SendCommand is given ({@code GuestStepDefaults.DeliverySeconds}), then
 *       the {@code timeoutSeconds} of the step's SSM document in template.yaml ({@code Document}) for the
 *       first run and again for each of its {@code Reboots} (after exit 3010 the agent reboots Windows and
 *       runs the script again from the start), plus {@code RebootSeconds} for each reboot. A step may
 *       name its own {@code OnFailure} and {@code OnLimit} (default: the machine's), and
 *       {@code NextIfSkipped} when a skipped step goes elsewhere than {@code Next}, and {@code Catch} for the
 *       send and check tasks when their failures must not reach the failure catch.</li>
 *   <li>A Pass state with {@code PollCounters: true} starts every loop's counter (its Result).</li>
 * </ul>
 *
 * Usage: {@code Generator SOURCE_DIR OUTPUT_DIR} (template.yaml is read from SOURCE_DIR/..). The build
 * writes target/generated for the test that compares it with the committed definitions, then (package
 * phase) the committed definitions themselves.
 */
public final class Generator {
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final ObjectMapper JSON = new ObjectMapper();
    static final String LIMIT_ERROR = "Xen2Nitro.PollLimitReached";

    private final JsonNode template;
    private final JsonNode transientRetry;

    Generator(Path sources) throws IOException {
        // CloudFormation short-form tags (!Ref, !Sub) read as their plain scalar text.
        this.template = YAML.readTree(sources.getParent().resolve("template.yaml").toFile());
        this.transientRetry = YAML.readTree(sources.resolve("transient-retry.yaml").toFile()).path("Retry");
        if (!transientRetry.isArray() || transientRetry.isEmpty()) {
            throw new IllegalArgumentException(sources.resolve("transient-retry.yaml") + " has no Retry list");
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: Generator SOURCE_DIR OUTPUT_DIR");
            System.exit(2);
        }
        Path sources = Path.of(args[0]).toAbsolutePath().normalize();
        Path out = Path.of(args[1]);
        Generator g = new Generator(sources);
        Files.createDirectories(out);
        for (Path source : sources(sources)) {
            String name = source.getFileName().toString().replaceFirst("\\.asl\\.yaml$", "");
            Files.writeString(out.resolve(name + ".asl.json"), g.generate(source));
        }
    }

    static List<Path> sources(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".asl.yaml")).sorted().toList();
        }
    }

    /** The definition's JSON text, formatted as it is committed. */
    String generate(Path source) throws IOException {
        ObjectNode definition = expand((ObjectNode) YAML.readTree(source.toFile()), source.getFileName().toString());
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter()
                .withObjectIndenter(new DefaultIndenter("  ", "\n"))
                .withArrayIndenter(new DefaultIndenter("  ", "\n"));
        return JSON.writer(printer).writeValueAsString(definition)
                .replace("\" : ", "\": ") + "\n";
    }

    ObjectNode expand(ObjectNode source, String file) {
        ObjectNode taskDefaults = (ObjectNode) source.remove("TaskDefaults");
        ObjectNode guestDefaults = (ObjectNode) source.remove("GuestStepDefaults");
        if (taskDefaults == null) {
            throw new IllegalArgumentException(file + ": TaskDefaults (the failure catch) is missing");
        }
        ObjectNode states = (ObjectNode) source.get("States");
        ObjectNode expanded = JsonNodeFactory.instance.objectNode();
        Map<String, Integer> counters = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = states.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            ObjectNode state = (ObjectNode) e.getValue().deepCopy();
            switch (state.path("Type").asText()) {
                case "Poll" -> poll(e.getKey(), state, expanded, counters, file);
                case "GuestStep" -> guestStep(e.getKey(), state, guestDefaults, expanded, counters, file);
                default -> put(expanded, e.getKey(), state, file);
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = expanded.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            ObjectNode state = (ObjectNode) e.getValue();
            if (state.path("Type").asText().equals("Task")) {
                applyDefaults(state, taskDefaults, transientRetry);
            }
            if (state.path("PollCounters").asBoolean(false)) {
                state.remove("PollCounters");
                ObjectNode result = JsonNodeFactory.instance.objectNode();
                counters.keySet().forEach(c -> result.putObject(c).put("count", 0));
                List<String> after = List.of("ResultPath", "Next", "End");
                ObjectNode ordered = JsonNodeFactory.instance.objectNode();
                state.fields().forEachRemaining(f -> { if (!after.contains(f.getKey())) ordered.set(f.getKey(), f.getValue()); });
                ordered.set("Result", result);
                after.forEach(k -> { if (state.has(k)) ordered.set(k, state.get(k)); });
                e.setValue(ordered);
            }
        }
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        source.fields().forEachRemaining(f -> out.set(f.getKey(), f.getKey().equals("States") ? expanded : f.getValue()));
        return out;
    }

    private static void put(ObjectNode states, String name, ObjectNode state, String file) {
        if (states.has(name)) {
            throw new IllegalArgumentException(file + ": two states are named " + name);
        }
        states.set(name, state);
    }

    private static void applyDefaults(ObjectNode task, ObjectNode defaults, JsonNode transientRetry) {
        ArrayNode retry = task.has("Retry") ? (ArrayNode) task.get("Retry") : JsonNodeFactory.instance.arrayNode();
        defaults.withArray("Retry").forEach(r -> retry.add(r.deepCopy()));
        transientRetry.forEach(r -> retry.add(r.deepCopy()));
        ArrayNode catches = task.has("Catch") ? (ArrayNode) task.get("Catch") : JsonNodeFactory.instance.arrayNode();
        boolean catchesAll = false;
        for (JsonNode c : catches) {
            for (JsonNode error : c.path("ErrorEquals")) {
                catchesAll |= error.asText().equals("States.ALL");
            }
        }
        if (!catchesAll) {
            defaults.withArray("Catch").forEach(c -> catches.add(c.deepCopy()));
        }
        // ASL's order of fields as AWS's examples write them: Retry and Catch after the data fields, Next last.
        JsonNode next = task.remove("Next");
        JsonNode end = task.remove("End");
        task.remove("Retry");
        task.remove("Catch");
        task.set("Retry", retry);
        task.set("Catch", catches);
        if (next != null) task.set("Next", next);
        if (end != null) task.set("End", end);
    }

    /** A Poll named WaitForX: Wait, Check, Decide, CountXPoll, XPollLimitReached; counter $.polls.X. */
    private void poll(String name, ObjectNode p, ObjectNode states, Map<String, Integer> counters, String file) {
        if (!name.startsWith("WaitFor")) {
            throw new IllegalArgumentException(file + ": Poll " + name + " must be named WaitForSomething");
        }
        String subject = name.substring("WaitFor".length());
        int every = require(p, "Every", name, file).asInt();
        int within = require(p, "Within", name, file).asInt();
        ObjectNode check = (ObjectNode) require(p, "Check", name, file);
        if (check.isEmpty()) {
            throw new IllegalArgumentException(file + ": Poll " + name + ": Check names at least one Task");
        }
        String checkName = check.fieldNames().next();
        String decide = require(p, "Decide", name, file).asText();
        String timedOut = require(p, "TimedOut", name, file).asText();
        String onLimit = p.path("OnLimit").asText("HandleFailure");
        int polls = (within + every - 1) / every;
        counters.put(subject, polls);

        ObjectNode wait = JsonNodeFactory.instance.objectNode();
        wait.put("Type", "Wait");
        if (p.has("Comment")) wait.set("Comment", p.get("Comment"));
        wait.put("Seconds", every);
        wait.put("Next", checkName);
        put(states, name, wait, file);

        // The Check tasks run in order, the last one before the decision.
        List<String> checks = new ArrayList<>();
        check.fieldNames().forEachRemaining(checks::add);
        for (int k = 0; k < checks.size(); k++) {
            ObjectNode task = (ObjectNode) check.get(checks.get(k));
            task.put("Type", "Task");
            task.put("Next", k + 1 < checks.size() ? checks.get(k + 1) : decide);
            put(states, checks.get(k), task, file);
        }

        ObjectNode choice = JsonNodeFactory.instance.objectNode();
        choice.put("Type", "Choice");
        choice.put("Comment", "Polls every " + every + " s, at most " + polls + " times (" + words(within) + ").");
        ArrayNode rules = choice.putArray("Choices");
        require(p, "Until", name, file).forEach(r -> rules.add(r.deepCopy()));
        ObjectNode limit = rules.addObject();
        limit.put("Variable", "$.polls." + subject + ".count");
        limit.put("NumericGreaterThanEquals", polls);
        limit.put("Next", subject + "PollLimitReached");
        choice.put("Default", "Count" + subject + "Poll");
        put(states, decide, choice, file);

        ObjectNode count = JsonNodeFactory.instance.objectNode();
        count.put("Type", "Pass");
        count.putObject("Parameters").put("count.$", "States.MathAdd($.polls." + subject + ".count, 1)");
        count.put("ResultPath", "$.polls." + subject);
        count.put("Next", name);
        put(states, "Count" + subject + "Poll", count, file);

        ObjectNode error = JsonNodeFactory.instance.objectNode();
        error.put("Type", "Pass");
        ObjectNode result = error.putObject("Result");
        result.put("Error", p.path("LimitError").asText(LIMIT_ERROR));
        result.put("Cause", timedOut.replace("{limit}", words(within)));
        error.put("ResultPath", "$.error");
        error.put("Next", onLimit);
        put(states, subject + "PollLimitReached", error, file);
    }

    /** A GuestStep S: the Task S that sends the command, WasSSent, then the Poll WaitForS on the command. */
    private void guestStep(String name, ObjectNode s, ObjectNode defaults, ObjectNode states, Map<String, Integer> counters,
                           String file) {
        if (defaults == null) {
            throw new IllegalArgumentException(file + ": GuestStep " + name + " needs GuestStepDefaults at the top level");
        }
        String document = require(s, "Document", name, file).asText();
        int reboots = s.path("Reboots").asInt(0);
        int within = require(defaults, "DeliverySeconds", "GuestStepDefaults", file).asInt()
                + documentTimeout(document, file) * (reboots + 1) + reboots * s.path("RebootSeconds").asInt(0);
        if (reboots > 0 && !s.has("RebootSeconds")) {
            throw new IllegalArgumentException(file + ": GuestStep " + name + " reboots: say how long a reboot may take (RebootSeconds)");
        }
        String next = require(s, "Next", name, file).asText();
        String onFailure = s.has("OnFailure") ? s.get("OnFailure").asText()
                : require(defaults, "OnFailure", "GuestStepDefaults", file).asText();

        ObjectNode send = JsonNodeFactory.instance.objectNode();
        send.put("Type", "Task");
        if (s.has("Comment")) send.set("Comment", s.get("Comment"));
        send.set("Resource", require(s, "Resource", name, file));
        send.set("Parameters", require(s, "Parameters", name, file));
        ObjectNode selector = send.putObject("ResultSelector");
        selector.put("commandId.$", "$.commandId");
        selector.put("skipped.$", "$.skipped");
        selector.put("step", name);
        send.put("ResultPath", "$.command");
        // A step whose failures must not end in the failure catch names its own Catch: it applies to the task
        // that sends the command and to the task that checks it.
        if (s.has("Catch")) send.set("Catch", s.get("Catch").deepCopy());
        send.put("Next", "Was" + name + "Sent");
        put(states, name, send, file);

        ObjectNode sent = JsonNodeFactory.instance.objectNode();
        sent.put("Type", "Choice");
        ObjectNode skipped = sent.putArray("Choices").addObject();
        skipped.put("Variable", "$.command.skipped");
        skipped.put("BooleanEquals", true);
        skipped.put("Next", s.path("NextIfSkipped").asText(next));
        sent.put("Default", "WaitFor" + name);
        put(states, "Was" + name + "Sent", sent, file);

        ObjectNode poll = JsonNodeFactory.instance.objectNode();
        poll.put("Every", defaults.path("Every").asInt(10));
        poll.put("Within", within);
        ObjectNode check = defaults.get("Check").deepCopy();
        if (s.has("Catch")) check.set("Catch", s.get("Catch").deepCopy());
        poll.putObject("Check").set("Check" + name, check);
        poll.put("Decide", "Is" + name + "Done");
        ArrayNode until = poll.putArray("Until");
        ObjectNode done = until.addObject();
        ArrayNode and = done.putArray("And");
        and.addObject().put("Variable", "$.commandState.done").put("BooleanEquals", true);
        and.addObject().put("Variable", "$.commandState.succeeded").put("BooleanEquals", true);
        done.put("Next", next);
        until.addObject().put("Variable", "$.commandState.done").put("BooleanEquals", true).put("Next", onFailure);
        if (s.has("OnLimit")) poll.set("OnLimit", s.get("OnLimit"));
        poll.put("TimedOut", name + " did not finish in the guest within {limit} (SendCommand's delivery timeout and "
                + document + "'s timeoutSeconds" + (reboots > 0 ? " for each run, and the reboot" : "") + ").");
        poll(("WaitFor" + name), poll, states, counters, file);
    }

    /**
     * The time Run Command gives a document: the sum of its steps' {@code timeoutSeconds}, 3600 for a step
     * that sets none (SSM plugin reference, aws:runPowerShellScript: "timeoutSeconds ... default 3600").
     */
    int documentTimeout(String logicalId, String file) {
        JsonNode doc = template.path("Resources").path(logicalId);
        if (!doc.path("Type").asText().equals("AWS::SSM::Document")) {
            throw new IllegalArgumentException(file + ": Document " + logicalId + " is not an AWS::SSM::Document of template.yaml");
        }
        int total = 0;
        for (JsonNode step : doc.path("Properties").path("Content").path("mainSteps")) {
            total += step.path("inputs").path("timeoutSeconds").asInt(3600);
        }
        return total;
    }

    private static JsonNode require(JsonNode node, String field, String state, String file) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException(file + ": " + state + " needs " + field);
        }
        return v;
    }

    /** 2700 -> "45 minutes", 3600 -> "1 hour", 5400 -> "90 minutes", 90 -> "90 seconds". */
    static String words(int seconds) {
        if (seconds % 3600 == 0) return seconds / 3600 + (seconds == 3600 ? " hour" : " hours");
        if (seconds % 60 == 0) return seconds / 60 + " minutes";
        return seconds + " seconds";
    }


}
