package dev.xen2nitro.local.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.xen2nitro.local.LocalCloud;
import dev.xen2nitro.local.Runner;
import dev.xen2nitro.local.cloud.Cloud;
import dev.xen2nitro.local.world.WorldLoader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What one migration costs and how long its server is unavailable, in the local cloud, beside the manual procedure: the
 * seed's case (local/worlds/seed-2012r2-private.json, events/MigrateInstance-seed.json) and each migratable server of
 * local/worlds/mixed-fleet.json on its own, each through MigrateInstanceStateMachine in a fresh account, approved by the
 * local approver.
 *
 * <p>Per migration: its outcome; the state transitions of its executions (states entered, the rollback child's too, and
 * each retry, which Step Functions bills as a transition) and their price; the AWS API calls by service (the emulator's
 * log, less the runner's own task-token and authorization calls); and the spans in which the server was unavailable, as
 * the emulator modelled them (each reboot and the stop/start, from AWS's durations: {@link Cloud#STOP_SECONDS},
 * {@link Cloud#START_SECONDS}, {@link Cloud#STATUS_INIT_SECONDS}, {@link Cloud#REBOOT_SECONDS}), until the status checks
 * pass (the services answer later: a lower bound). The manual procedure (RUNBOOK: stop, backup AMI,
 * start; the PV install's reboot; stop, ENA and type, start) is modelled from the same constants with no time between
 * the steps, so it is a lower bound.
 *
 * <p>The time factor {@value #TIME_FACTOR} makes a migration's hours a minute or so here. What runs in real time (the
 * functions, the runner) is divided by it like everything else, so a span's part between two states (the instance
 * stopped, waiting for the next poll and for StartInstances) is modelled generously: a larger factor shrinks that part.
 */
public final class MigrationBenchmark {
    /** AWS time over real time for these runs. */
    public static final double TIME_FACTOR = 0.05;
    /** Step Functions Standard workflows, USD per state transition (AWS Step Functions pricing: USD 0.025 per 1,000, us-east-1). */
    static final double PRICE_PER_TRANSITION = 0.025 / 1000;
    static final String MACHINE = "MigrateInstanceStateMachine";
    static final ObjectMapper JSON = new ObjectMapper();

    public record Figures(String caseName, String instanceId, String os, String status, int transitions, int retries,
                          Map<String, Integer> calls, List<Cloud.Outage> outages, double unavailableSeconds, double manualSeconds,
                          String spans) {
        double cost() {
            return (transitions + retries) * PRICE_PER_TRANSITION;
        }
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(System.getProperty("xen2nitro.projectRoot", ".")).toAbsolutePath().normalize();
        print(measure(root, root.resolve("local/target/perf")), System.out);
        System.exit(0);
    }

    /** Runs the seed's migration and each of the mixed fleet's migratable servers. */
    public static List<Figures> measure(Path root, Path out) throws Exception {
        Files.createDirectories(out);
        List<Figures> all = new ArrayList<>();
        all.add(run(root, out, "seed", "seed-2012r2-private", Files.readString(root.resolve("events/MigrateInstance-seed.json"))));
        JsonNode fleet = JSON.readTree(root.resolve("local/worlds/mixed-fleet.json").toFile());
        for (JsonNode i : fleet.get("instances")) {
            String name = i.path("tags").path("Name").asText();
            // The servers the fleet migrates; the others are refused by the preflight (Nitro already, instance store,
            // domain controller, Spot, Linux), which changes nothing.
            if (List.of("legacy-2008", "batch-2012r2", "web-2016", "app-2016").contains(name)) {
                all.add(run(root, out, "mixed-fleet " + name, "mixed-fleet", "{\"instanceId\":\"" + i.get("id").asText() + "\"}"));
            }
        }
        return all;
    }

    private static Figures run(Path root, Path out, String caseName, String world, String input) throws Exception {
        ObjectNode w = (ObjectNode) JSON.readTree(root.resolve("local/worlds/" + world + ".json").toFile());
        w.put("timeFactor", TIME_FACTOR);
        Cloud cloud = WorldLoader.load(JSON.writeValueAsString(w), world + ".json");
        String instanceId = JSON.readTree(input).get("instanceId").asText();
        AtomicInteger entered = new AtomicInteger(), retried = new AtomicInteger();
        Path log = out.resolve(caseName.replace(' ', '-') + ".log");
        try (LocalCloud local = LocalCloud.open(root, cloud);
             PrintStream progress = new PrintStream(Files.newOutputStream(log), true, StandardCharsets.UTF_8)) {
            Runner.Report report = local.runner(progress).onEvent(e -> {
                switch (e.path("type").asText()) {
                    case "StateEntered" -> entered.incrementAndGet();
                    case "StateRetried" -> retried.incrementAndGet();
                    default -> { }
                }
            }).run(MACHINE, input, "auto");
            Map<String, Integer> calls = new TreeMap<>();
            List<Cloud.Outage> outages;
            String os, status;
            synchronized (cloud) {
                cloud.calls.forEach(c -> {
                    if (!"local".equals(c.get("service"))) calls.merge(c.get("service"), 1, Integer::sum);
                });
                Cloud.Instance i = cloud.instances.get(instanceId);
                outages = List.copyOf(i.outages);
                os = i.guest == null ? "-" : i.guest.os;
                status = i.tags.getOrDefault("xen2nitro:status", report.status());
            }
            long now = System.currentTimeMillis();
            double unavailable = outages.stream().mapToDouble(o -> o.seconds(cloud, now)).sum();
            StringBuilder spans = new StringBuilder();
            boolean pvReboot = false;
            for (Cloud.Outage o : outages) {
                spans.append(spans.isEmpty() ? "" : " + ").append(o.cause).append(' ').append(Math.round(o.seconds(cloud, now))).append(" s")
                        .append(o.upAt == null ? " (still down)" : "");
                pvReboot |= o.cause.equals("guest reboot");
            }
            // RUNBOOK, the manual procedure: a stop and start around the backup AMI, the PV install's reboot, and a stop and
            // start for ENA and the type; each boot until the status checks pass, with nobody waiting between the steps.
            double stopStart = Cloud.STOP_SECONDS + Cloud.START_SECONDS + Cloud.STATUS_INIT_SECONDS;
            double manual = 2 * stopStart + (pvReboot ? Cloud.REBOOT_SECONDS : 0);
            return new Figures(caseName, instanceId, os, status, entered.get(), retried.get(), calls, outages, unavailable, manual, spans.toString());
        }
    }

    /** Prints one row per migration, then what each row's columns are. */
    public static void print(List<Figures> figures, PrintStream o) {
        o.printf("%-26s %-8s %-9s %6s %9s  %-44s %8s %8s  %s%n", "migration", "Windows", "outcome", "trans.", "USD", "API calls by service",
                "down s", "manual s", "unavailable spans");
        for (Figures f : figures) {
            StringBuilder calls = new StringBuilder();
            f.calls().forEach((s, n) -> calls.append(calls.isEmpty() ? "" : " ").append(s).append(' ').append(n));
            o.printf("%-26s %-8s %-9s %6d %9.5f  %-44s %8.0f %8.0f  %s%n", f.caseName(), f.os(), f.status(), f.transitions() + f.retries(),
                    f.cost(), calls, f.unavailableSeconds(), f.manualSeconds(), f.spans());
        }
        o.printf("trans.: states entered by the migration's executions plus retries; USD: their Step Functions price (Standard, %s per"
                + " 1,000, us-east-1), nothing else; down s: the modelled time the server was unavailable until its status checks passed"
                + " (time factor %s); manual s: the manual procedure's two stop/starts and the PV reboot, from the same durations, with"
                + " no time between the steps (a lower bound)%n", "USD 0.025", TIME_FACTOR);
    }
}
