package dev.xen2nitro.local.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.xen2nitro.local.LocalCloud;
import dev.xen2nitro.local.Runner;
import dev.xen2nitro.local.cloud.Cloud;
import dev.xen2nitro.local.world.WorldLoader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code local/bench}: a fleet of {@link FleetWorld} through MigrateFleetStateMachine in the local cloud (EC2 throttling on,
 * batch approval answered by the local approver), then its figures: migrations, throttled EC2 calls and those that reached
 * the state machines, API calls and state transitions per instance, the largest execution histories against Step
 * Functions' 25,000 events, the largest state payload against 256 KiB, and the modelled and real wall times.
 *
 * <pre>
 * local/bench [--instances 1000] [--vpcs 20] [--concurrency 25] [--tolerated 5] [--time-factor F] [--out target/bench]
 * </pre>
 */
public final class FleetBenchmark {
    static final String FLEET = "MigrateFleetStateMachine";
    static final ObjectMapper JSON = new ObjectMapper();
    /** Step Functions quotas: "Maximum execution history size 25,000 events"; "Maximum input or output size for a state 256 KiB". */
    static final int HISTORY_QUOTA = 25_000, PAYLOAD_QUOTA = 256 * 1024;

    public static void main(String[] argv) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        for (int i = 0; i + 1 < argv.length; i += 2) a.put(argv[i], argv[i + 1]);
        if (argv.length % 2 != 0 || !List.of("--instances", "--vpcs", "--concurrency", "--tolerated", "--time-factor", "--out").containsAll(a.keySet())) {
            System.err.println("usage: local/bench [--instances 1000] [--vpcs 20] [--concurrency 25] [--tolerated 5] [--time-factor F] [--out DIR]");
            System.exit(2);
        }
        int instances = Integer.parseInt(a.getOrDefault("--instances", "1000"));
        int vpcs = Integer.parseInt(a.getOrDefault("--vpcs", "20"));
        int concurrency = Integer.parseInt(a.getOrDefault("--concurrency", "25"));
        int tolerated = Integer.parseInt(a.getOrDefault("--tolerated", "5"));
        Path root = Path.of(System.getProperty("xen2nitro.projectRoot", ".")).toAbsolutePath().normalize();
        Path out = Path.of(a.getOrDefault("--out", root.resolve("local/target/bench").toString()));
        Files.createDirectories(out);

        var world = FleetWorld.world(instances, vpcs);
        if (a.containsKey("--time-factor")) world.put("timeFactor", Double.parseDouble(a.get("--time-factor")));
        Path worldFile = out.resolve("fleet-world.json");
        JSON.writerWithDefaultPrettyPrinter().writeValue(worldFile.toFile(), world);
        Cloud cloud = WorldLoader.load(world.toString(), worldFile.toString());
        String input = "{\"selection\":{\"tags\":{\"" + FleetWorld.TAG + "\":[\"" + FleetWorld.TAG_VALUE + "\"]}},\"maxConcurrency\":" + concurrency
                + ",\"toleratedFailurePercentage\":" + tolerated + "}";

        try (LocalCloud local = LocalCloud.open(root, cloud);
             PrintStream progress = new PrintStream(Files.newOutputStream(out.resolve("progress.log")), false, StandardCharsets.UTF_8)) {
            Histories histories = new Histories(local.definitions());
            System.out.printf("fleet benchmark: %d instances in %d VPCs (%d with endpoints already), maxConcurrency %d, tolerated %d%%,"
                            + " time factor %s, %d cores%n  world %s%n  input %s%n  progress %s%n", instances, vpcs,
                    (vpcs + FleetWorld.ENDPOINTS_EVERY - 1) / FleetWorld.ENDPOINTS_EVERY, concurrency, tolerated, cloud.timeFactor,
                    Runtime.getRuntime().availableProcessors(), worldFile, input, out.resolve("progress.log"));
            AtomicInteger ended = new AtomicInteger();
            long started = System.nanoTime();
            Thread ticker = new Thread(() -> {
                try {
                    for (;;) {
                        Thread.sleep(30_000);
                        System.out.printf("  %5.0f s: %d of %d migrations ended%n", (System.nanoTime() - started) / 1e9, ended.get(), instances);
                    }
                } catch (InterruptedException done) {
                    // The fleet ended.
                }
            });
            ticker.setDaemon(true);
            ticker.start();
            Runner.Report report = local.runner(progress).onEvent(e -> {
                if ("ChildEnded".equals(e.path("type").asText())) ended.incrementAndGet();
                histories.accept(e);
            }).run(FLEET, input, "auto");
            long realMillis = Math.round((System.nanoTime() - started) / 1e6);
            ticker.interrupt();
            progress.flush();
            Map<String, Object> after = local.world();
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve("report.json").toFile(), report.toMap());
            print(report, cloud, after, histories, instances, realMillis);
        }
        System.exit(0);
    }

    @SuppressWarnings("unchecked")
    static void print(Runner.Report report, Cloud cloud, Map<String, Object> after, Histories h, int instances, long realMillis) {
        System.out.printf("%nfleet %s%s%n", report.status(), report.error() == null ? "" : " (" + report.error() + ")");
        Map<String, Integer> statuses = new TreeMap<>();
        for (Map<String, Object> i : (List<Map<String, Object>>) after.get("instances")) {
            Object tags = i.get("tags");
            String status = tags instanceof Map<?, ?> t && t.get("xen2nitro:status") != null ? String.valueOf(t.get("xen2nitro:status")) : "untouched";
            statuses.merge(status, 1, Integer::sum);
        }
        System.out.printf("instances: %d; child executions %s; instances by xen2nitro:status tag %s%n", instances, h.childStatuses, statuses);

        Map<String, Long> throttled = cloud.ec2Throttling.throttled();
        long throttledTotal = throttled.values().stream().mapToLong(Long::longValue).sum();
        Map<String, Long> byService = new TreeMap<>();
        long calls;
        synchronized (cloud) {
            calls = cloud.calls.size();
            cloud.calls.forEach(c -> byService.merge(c.get("service"), 1L, Long::sum));
        }
        System.out.printf("EC2 calls throttled (RequestLimitExceeded): %d %s%n", throttledTotal, throttled);
        System.out.printf("  reached the state machines: %d retries by Retry %s; task failures %s%n", h.retries.values().stream().mapToInt(i -> i).sum(),
                h.retries, h.taskFailures);
        System.out.printf("API calls: %d, per instance %.1f:", calls, calls / (double) instances);
        byService.forEach((s, n) -> System.out.printf(" %s %.1f", s, n / (double) instances));
        System.out.println();
        System.out.printf("state transitions (states entered): fleet %d (%.2f per instance), children %d (%.1f per instance, %d executions)%n",
                h.entered(FLEET), h.entered(FLEET) / (double) instances, h.childEntered(), h.childEntered() / (double) instances, h.executions() - 1);
        Map.Entry<String, Integer> largest = h.largestChild();
        System.out.printf("execution history, estimated events (quota %,d): fleet %,d (%.1f%%); largest child %,d (%s)%n", HISTORY_QUOTA,
                h.events(FLEET), 100.0 * h.events(FLEET) / HISTORY_QUOTA, largest == null ? 0 : largest.getValue(), largest == null ? "-" : largest.getKey());
        System.out.printf("largest state payload (quota %,d bytes): fleet %,d bytes (%s), children %,d bytes (%s)%n", PAYLOAD_QUOTA,
                h.payload(FLEET), h.payloadState(FLEET), h.childPayload(), h.childPayloadState());
        Long plan = report.states().stream().filter(s -> "PlanFleet".equals(s.get("name"))).map(s -> (Long) s.get("durationMillis")).findFirst().orElse(null);
        System.out.printf("wall time: real %.1f s (PlanFleet %.1f s); modelled %.1f h (real / time factor %s)%n", realMillis / 1000.0,
                plan == null ? Double.NaN : plan / 1000.0, realMillis / 1000.0 / cloud.timeFactor / 3600, cloud.timeFactor);
    }

    /**
     * Counts each execution's events from the runner's: the fleet's (state names without a prefix) and each child's (prefixed
     * with its machine and instance). AWS's history is estimated from them by each state's type: every state entered and
     * exited is one event each (XStateEntered, XStateExited); a Task adds TaskScheduled and TaskStarted (LambdaFunctionScheduled
     * and LambdaFunctionStarted), TaskSubmitted when it is .sync or .waitForTaskToken, and TaskSucceeded or TaskFailed; each
     * retry adds another TaskScheduled and TaskStarted; a Map adds MapStateStarted and MapStateSucceeded (or MapStateFailed),
     * and MapIterationStarted and MapIterationSucceeded (or Failed) for each iteration; an execution adds ExecutionStarted
     * and its ending.
     */
    static final class Histories {
        /** State definitions by machine and state name (Map iterations' states included). */
        final Map<String, Map<String, JsonNode>> states = new LinkedHashMap<>();
        final Map<String, Integer> events = new LinkedHashMap<>(), entered = new LinkedHashMap<>(), payload = new LinkedHashMap<>();
        final Map<String, String> payloadState = new LinkedHashMap<>(), lastError = new LinkedHashMap<>();
        final Map<String, Integer> retries = new TreeMap<>(), taskFailures = new TreeMap<>(), childStatuses = new TreeMap<>();

        Histories(Map<String, String> definitions) throws java.io.IOException {
            for (var d : definitions.entrySet()) {
                Map<String, JsonNode> byName = new LinkedHashMap<>();
                collect(JSON.readTree(d.getValue()).path("States"), byName);
                states.put(d.getKey(), byName);
            }
        }

        private static void collect(JsonNode states, Map<String, JsonNode> into) {
            states.fields().forEachRemaining(s -> {
                into.put(s.getKey(), s.getValue());
                JsonNode inner = s.getValue().has("ItemProcessor") ? s.getValue().path("ItemProcessor") : s.getValue().path("Iterator");
                collect(inner.path("States"), into);
                s.getValue().path("Branches").forEach(b -> collect(b.path("States"), into));
            });
        }

        synchronized void accept(JsonNode e) {
            String type = e.path("type").asText();
            if (type.equals("ChildEnded")) {
                childStatuses.merge(e.path("status").asText(), 1, Integer::sum);
                return;
            }
            if (type.startsWith("MapIteration")) {
                events.merge(FLEET, 1, Integer::sum);
                return;
            }
            if (!e.has("state")) return;
            String full = e.path("state").asText();
            int colon = full.lastIndexOf(':');
            String execution = colon < 0 ? FLEET : full.substring(0, colon), name = full.substring(colon + 1);
            String machine = execution.contains("[") ? execution.substring(0, execution.indexOf('[')) : execution;
            JsonNode def = states.getOrDefault(machine, Map.of()).get(name);
            String stateType = def == null ? "" : def.path("Type").asText();
            String resource = def == null ? "" : def.path("Resource").asText();
            boolean task = stateType.equals("Task"), map = stateType.equals("Map");
            int n = 0;
            switch (type) {
                case "StateEntered" -> {
                    if (!events.containsKey(execution)) n += 2;
                    n += 1 + (task ? 2 : 0) + (task && (resource.contains(".sync") || resource.endsWith(".waitForTaskToken")) ? 1 : 0) + (map ? 1 : 0);
                    entered.merge(execution, 1, Integer::sum);
                    size(execution, full, e.path("inputBytes").asInt());
                }
                case "StateExited" -> {
                    n += 1 + (task || map ? 1 : 0);
                    size(execution, full, e.path("outputBytes").asInt());
                }
                case "StateFailed" -> {
                    n += task || map ? 1 : 0;
                    String error = e.path("error").asText();
                    lastError.put(full, error);
                    if (task) taskFailures.merge(shortName(error), 1, Integer::sum);
                }
                case "StateRetried" -> {
                    n += task ? 2 : 0;
                    retries.merge(shortName(lastError.getOrDefault(full, "?")), 1, Integer::sum);
                }
                default -> { }
            }
            events.merge(execution, n, Integer::sum);
        }

        private void size(String execution, String state, int bytes) {
            if (bytes > payload.getOrDefault(execution, -1)) {
                payload.put(execution, bytes);
                payloadState.put(execution, state);
            }
        }

        static String shortName(String error) {
            return error.startsWith("dev.xen2nitro.") ? error.substring(error.lastIndexOf('.') + 1) : error;
        }

        synchronized int entered(String execution) {
            return entered.getOrDefault(execution, 0);
        }

        synchronized int childEntered() {
            return entered.entrySet().stream().filter(x -> !x.getKey().equals(FLEET)).mapToInt(Map.Entry::getValue).sum();
        }

        synchronized int executions() {
            return events.size();
        }

        synchronized int events(String execution) {
            return events.getOrDefault(execution, 0);
        }

        synchronized Map.Entry<String, Integer> largestChild() {
            return events.entrySet().stream().filter(x -> !x.getKey().equals(FLEET)).max(Map.Entry.comparingByValue()).orElse(null);
        }

        synchronized int payload(String execution) {
            return payload.getOrDefault(execution, 0);
        }

        synchronized String payloadState(String execution) {
            return payloadState.getOrDefault(execution, "-");
        }

        synchronized int childPayload() {
            return payload.entrySet().stream().filter(x -> !x.getKey().equals(FLEET)).mapToInt(Map.Entry::getValue).max().orElse(0);
        }

        synchronized String childPayloadState() {
            return payload.entrySet().stream().filter(x -> !x.getKey().equals(FLEET)).max(Map.Entry.comparingByValue())
                    .map(x -> payloadState.get(x.getKey())).orElse("-");
        }
    }
}
