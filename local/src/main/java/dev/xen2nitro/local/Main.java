package dev.xen2nitro.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.xen2nitro.local.cloud.Cloud;
import dev.xen2nitro.local.world.WorldException;
import dev.xen2nitro.local.world.WorldLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code local/run}: one migration in the local cloud, or the emulator alone.
 *
 * <pre>
 * local/run --world FILE --input FILE [--approval auto|reject|manual] [--out DIR] [--time-factor F] [--state-machine NAME]
 * local/run --world FILE --event FILE [--approval auto|reject|manual] [--out DIR] [--time-factor F]
 * local/run --serve --world FILE [--port N] [--time-factor F]
 * </pre>
 */
public final class Main {
    static final String USAGE = """
            usage:
              local/run --world FILE --input FILE [--approval auto|reject|manual] [--out DIR] [--time-factor F]
                        [--state-machine NAME] [--started-by alice|bob|operator]
                  runs a state machine of template.yaml on the world (default MigrateInstanceStateMachine;
                  RollbackInstanceStateMachine rolls back one instance); prints each state as it enters and
                  leaves; writes DIR/report.json and DIR/world.json (default DIR: out/). The approval is answered
                  at the approval function's URL by the local approvers alice or bob (auto, reject) or by you
                  (manual: the mailed link and the curl commands are printed); --started-by names who starts it
                  (default operator), who cannot approve it
              local/run --world FILE --event FILE [--approval auto|reject|manual] [--out DIR] [--time-factor F]
                  delivers an event to the functions of template.yaml whose EventBridge rule matches it, or a
                  schedule's payload to those whose schedule sends that source (events/ReservationRenewal-*.json),
                  then runs each execution they started to its end; writes DIR/report.json (what each function
                  answered, each execution's report) and DIR/world.json
              local/run --serve --world FILE [--port N] [--time-factor F]
                  starts only the emulator and prints its endpoint (for the AWS CLI: --endpoint-url)
            """;

    public static void main(String[] argv) throws Exception {
        System.exit(run(argv));
    }

    static int run(String[] argv) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        for (int i = 0; i < argv.length; i++) {
            String k = argv[i];
            if (!k.startsWith("--")) return usage("unexpected argument '" + k + "'");
            if (k.equals("--serve") || k.equals("--help")) {
                a.put(k, "true");
            } else if (i + 1 < argv.length) {
                a.put(k, argv[++i]);
            } else {
                return usage(k + " needs a value");
            }
        }
        Set<String> known = Set.of("--world", "--input", "--approval", "--out", "--time-factor", "--serve", "--port", "--help", "--state-machine",
                "--started-by", "--event");
        for (String k : a.keySet()) {
            if (!known.contains(k)) return usage("unknown option " + k);
        }
        if (a.containsKey("--help")) {
            System.out.print(USAGE);
            return 0;
        }
        if (!a.containsKey("--world")) return usage("--world FILE is required");
        Path root = Path.of(System.getProperty("xen2nitro.projectRoot", ".")).toAbsolutePath().normalize();
        Path worldFile = Path.of(a.get("--world"));
        String worldJson;
        if (!Files.isRegularFile(worldFile)) {
            System.err.println("error: world file " + worldFile + " does not exist (see local/worlds/)");
            return 2;
        }
        worldJson = Files.readString(worldFile);
        if (a.containsKey("--time-factor")) {
            double f;
            try {
                f = Double.parseDouble(a.get("--time-factor"));
            } catch (NumberFormatException e) {
                return usage("--time-factor must be a number, e.g. 1 for real AWS durations or 0.001 (the default)");
            }
            if (!(f > 0 && f <= 10)) return usage("--time-factor must be in (0, 10]: 1 is real AWS durations");
            var tree = (com.fasterxml.jackson.databind.node.ObjectNode) new ObjectMapper().readTree(worldJson);
            tree.put("timeFactor", f);
            worldJson = tree.toString();
        }
        Cloud cloud;
        try {
            cloud = WorldLoader.load(worldJson, worldFile.toString());
        } catch (WorldException e) {
            System.err.println("error: " + e.getMessage());
            return 2;
        }
        if (a.containsKey("--serve")) {
            int port = a.containsKey("--port") ? Integer.parseInt(a.get("--port")) : 0;
            Emulator emulator = new Emulator(cloud, port);
            System.out.println("local cloud for " + worldFile + " listening on " + emulator.endpoint());
            System.out.println("  aws ec2 describe-instances --endpoint-url " + emulator.endpoint() + " --region " + cloud.region);
            System.out.println("  (any credentials work: export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local)");
            System.out.println("  world state: curl " + emulator.endpoint() + "/_local/world");
            System.out.println("Ctrl-C stops it.");
            Thread.currentThread().join();
            return 0;
        }
        if (a.containsKey("--event")) {
            if (a.containsKey("--input") || a.containsKey("--state-machine") || a.containsKey("--started-by")) {
                return usage("--event delivers an event to the template's rules and schedules; it takes no --input, --state-machine or --started-by");
            }
            return deliver(root, cloud, worldFile, Path.of(a.get("--event")), a.getOrDefault("--approval", "auto"), Path.of(a.getOrDefault("--out", "out")));
        }
        if (!a.containsKey("--input")) return usage("--input FILE is required (see events/)");
        Path inputFile = Path.of(a.get("--input"));
        if (!Files.isRegularFile(inputFile)) {
            System.err.println("error: input file " + inputFile + " does not exist (see events/)");
            return 2;
        }
        String approval = a.getOrDefault("--approval", "auto");
        if (!Set.of("auto", "reject", "manual").contains(approval)) return usage("--approval must be auto, reject or manual");
        Path out = Path.of(a.getOrDefault("--out", "out"));
        String stateMachine = a.getOrDefault("--state-machine", "MigrateInstanceStateMachine");
        dev.xen2nitro.local.host.LocalPeople.Person starter;
        try {
            starter = dev.xen2nitro.local.host.LocalPeople.byName(a.getOrDefault("--started-by", "operator"));
        } catch (IllegalArgumentException e) {
            return usage("--started-by: " + e.getMessage());
        }

        // A local cloud of its own: nothing else in this JVM can load another world into it mid-run.
        try (LocalCloud local = LocalCloud.open(root, cloud)) {
            System.out.println("local cloud: " + local.emulator().endpoint() + "  (world " + worldFile + ", time factor " + cloud.timeFactor + ")");
            System.out.println("running " + stateMachine + " with " + inputFile);
            Runner.Report report = local.run(stateMachine, Files.readString(inputFile), approval, System.out, starter);
            ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            Files.createDirectories(out);
            json.writeValue(out.resolve("report.json").toFile(), report.toMap());
            json.writeValue(out.resolve("world.json").toFile(), local.world());
            System.out.println("wrote " + out.resolve("report.json") + " and " + out.resolve("world.json"));
            return "SUCCEEDED".equals(report.status()) ? 0 : 1;
        }
    }

    /** {@code --event}: the event delivered to the functions that take it, and the executions they start run to their end. */
    private static int deliver(Path root, Cloud cloud, Path worldFile, Path eventFile, String approval, Path out) throws Exception {
        if (!Files.isRegularFile(eventFile)) {
            System.err.println("error: event file " + eventFile + " does not exist (see events/)");
            return 2;
        }
        if (!Set.of("auto", "reject", "manual").contains(approval)) return usage("--approval must be auto, reject or manual");
        try (LocalCloud local = LocalCloud.open(root, cloud)) {
            System.out.println("local cloud: " + local.emulator().endpoint() + "  (world " + worldFile + ", time factor " + cloud.timeFactor + ")");
            System.out.println("delivering " + eventFile);
            java.util.List<LocalCloud.Delivery> deliveries = local.deliver(Files.readString(eventFile), approval, System.out);
            java.util.List<Map<String, Object>> report = new java.util.ArrayList<>();
            boolean ok = true;
            for (LocalCloud.Delivery d : deliveries) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("event", d.event());
                m.put("function", d.function());
                m.put("response", d.response());
                m.put("executions", d.runs().stream().map(Runner.Report::toMap).toList());
                report.add(m);
                ok &= d.status() == 200 && d.runs().stream().allMatch(r -> "SUCCEEDED".equals(r.status()));
            }
            ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            Files.createDirectories(out);
            json.writeValue(out.resolve("report.json").toFile(), Map.of("deliveries", report));
            json.writeValue(out.resolve("world.json").toFile(), local.world());
            System.out.println("wrote " + out.resolve("report.json") + " and " + out.resolve("world.json"));
            return ok ? 0 : 1;
        }
    }

    private static int usage(String problem) {
        System.err.println("error: " + problem);
        System.err.print(USAGE);
        return 2;
    }
}
