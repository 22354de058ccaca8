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
 * local/run --serve --world FILE [--host ADDRESS] [--port N] [--time-factor F]
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
              local/run --serve --world FILE [--host ADDRESS] [--port N] [--time-factor F]
                  serves the world's account with the stack deployed in it (its SSM documents, topics and keys) until
                  Ctrl-C: the AWS endpoint on --port (default 4566), the Lambda host on the next port and the function
                  URLs on the ones after; prints them, and the endpoint a container reaches (sam local, README "SAM local
                  testing"). --host is the address to listen on: 127.0.0.1 (the default) for this machine only,
                  0.0.0.0 for containers too
              local/run --world FILE --input FILE --lambda-endpoint URL --host 0.0.0.0 [--port N] [...]
                  as the first form, with the state machine's Lambda tasks sent to URL (sam local start-lambda:
                  http://127.0.0.1:3001) and the local cloud served as --serve serves it, for the functions in
                  containers to reach (README, "SAM local testing")
              local/run --credentials FUNCTION
                  prints the export line of the access key the local cloud gives the role of FUNCTION (a logical ID
                  of template.yaml): sam local signs with the shell's credentials, and the approval functions' KMS
                  keys admit only their own roles
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
        Set<String> known = Set.of("--world", "--input", "--approval", "--out", "--time-factor", "--serve", "--port", "--host", "--help", "--state-machine",
                "--started-by", "--event", "--credentials", "--lambda-endpoint");
        for (String k : a.keySet()) {
            if (!known.contains(k)) return usage("unknown option " + k);
        }
        if (a.containsKey("--help")) {
            System.out.print(USAGE);
            return 0;
        }
        Path root = Path.of(System.getProperty("xen2nitro.projectRoot", ".")).toAbsolutePath().normalize();
        if (a.containsKey("--credentials")) {
            if (a.size() > 1) return usage("--credentials takes no other option");
            String fn = a.get("--credentials");
            java.util.Set<String> functions = new dev.xen2nitro.local.host.Template(root).functions().keySet();
            if (!functions.contains(fn)) return usage("--credentials: " + fn + " is no function of template.yaml; one of " + new java.util.TreeSet<>(functions));
            software.amazon.awssdk.auth.credentials.AwsCredentials c = LocalCloud.credentials(fn);
            System.out.println("# " + fn + "'s role in the local cloud (local/run --serve): its calls are authorized by that role's policies");
            // A session token or profile of the shell would go with the key (sam local passes what boto3 finds).
            System.out.println("unset AWS_SESSION_TOKEN AWS_PROFILE");
            System.out.println("export AWS_ACCESS_KEY_ID=" + c.accessKeyId() + " AWS_SECRET_ACCESS_KEY=" + c.secretAccessKey());
            return 0;
        }
        if (!a.containsKey("--world")) return usage("--world FILE is required");
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
            return serve(root, cloud, worldFile, a.getOrDefault("--host", dev.xen2nitro.local.wire.LocalServer.LOOPBACK), a.get("--port"));
        }
        java.net.URI lambdaEndpoint = null;
        if (a.containsKey("--lambda-endpoint")) {
            try {
                lambdaEndpoint = java.net.URI.create(a.get("--lambda-endpoint").replaceAll("/+$", ""));
            } catch (IllegalArgumentException e) {
                return usage("--lambda-endpoint must be a URL, e.g. http://127.0.0.1:3001 (sam local start-lambda)");
            }
            if (!"http".equals(lambdaEndpoint.getScheme()) || lambdaEndpoint.getHost() == null) {
                return usage("--lambda-endpoint must be an http URL, e.g. http://127.0.0.1:3001 (sam local start-lambda)");
            }
            if (a.containsKey("--event")) return usage("--lambda-endpoint runs a state machine (--input); it takes no --event");
            String host = a.getOrDefault("--host", dev.xen2nitro.local.wire.LocalServer.LOOPBACK);
            if (java.net.InetAddress.getByName(host).isLoopbackAddress()) {
                return usage("with --lambda-endpoint the functions run in containers, which cannot reach " + host + ": give --host 0.0.0.0");
            }
        } else if (a.containsKey("--host") || a.containsKey("--port")) {
            return usage("--host and --port are options of --serve and --lambda-endpoint");
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

        // A local cloud of its own: nothing else in this JVM can load another world into it mid-run. With --lambda-endpoint
        // it is served as --serve serves it, for the functions in containers to reach (local/sam-env.json).
        LocalCloud opened;
        if (lambdaEndpoint == null) {
            opened = LocalCloud.open(root, cloud);
        } else {
            int port;
            try {
                port = Integer.parseInt(a.getOrDefault("--port", String.valueOf(SERVE_PORT)));
            } catch (NumberFormatException e) {
                return usage("--port must be a number, e.g. " + SERVE_PORT);
            }
            opened = LocalCloud.serve(root, cloud, a.get("--host"), port).lambdaEndpoint(lambdaEndpoint);
        }
        try (LocalCloud local = opened) {
            if (lambdaEndpoint != null) {
                System.out.println("Lambda tasks go to " + lambdaEndpoint + "; the functions there reach this cloud at http://"
                        + SamEnv.CONTAINER_HOST + ":" + local.emulator().endpoint().getPort() + " (local/sam-env.json)");
            }
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

    /** The port sam local's env file (local/sam-env.json) and samconfig.toml expect the local cloud on. */
    public static final int SERVE_PORT = 4566;

    /** {@code --serve}: the local cloud for tools outside this JVM, until the process is stopped. */
    private static int serve(Path root, Cloud cloud, Path worldFile, String host, String portText) throws Exception {
        int port;
        try {
            port = portText == null ? SERVE_PORT : Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            return usage("--port must be a number, e.g. " + SERVE_PORT);
        }
        if (port < 1 || port > 65_000) return usage("--port must be 1 to 65000 (the next ports serve the Lambda host and the function URLs)");
        LocalCloud local;
        try {
            local = LocalCloud.serve(root, cloud, host, port);
        } catch (java.net.BindException | java.nio.channels.UnresolvedAddressException e) {
            System.err.println("error: " + (e.getMessage() == null ? "cannot listen on " + host : e.getMessage()));
            return 2;
        }
        String endpoint = local.emulator().endpoint().toString();
        boolean reachable = !java.net.InetAddress.getByName(host).isLoopbackAddress();
        System.out.println("local cloud for " + worldFile + " (" + cloud.region + ", account " + cloud.accountId + ", time factor " + cloud.timeFactor
                + "), stack " + dev.xen2nitro.local.host.Template.STACK_NAME + " deployed in it; listening on " + host);
        System.out.println("  AWS endpoint:      " + endpoint + "   (AWS CLI: --endpoint-url " + endpoint + " --region " + cloud.region + ")");
        System.out.println("  from a container:  " + (reachable ? "http://" + SamEnv.CONTAINER_HOST + ":" + port
                + "   (AWS_ENDPOINT_URL in local/sam-env.json" + (port == SERVE_PORT ? ")" : ", which expects port " + SERVE_PORT + ")")
                : "none: 127.0.0.1 is this machine's alone; serve with --host 0.0.0.0 for sam local"));
        System.out.println("  Lambda host:       " + local.host().endpoint() + "   (aws lambda invoke --endpoint-url " + local.host().endpoint() + ")");
        for (String url : local.template().urls().keySet()) {
            System.out.println("  function URL:      " + local.host().url(url) + "   (" + url + ")");
        }
        System.out.println("  world state:       curl " + endpoint + "/_local/world");
        if (java.net.InetAddress.getByName(host).isAnyLocalAddress()) {
            System.out.println("  warning: on " + host + " every network this machine is on reaches it, and any key is an administrator"
                    + " here; on Linux, --host 172.17.0.1 (docker0, where host-gateway points) serves the containers alone");
        }
        System.out.println("  any credentials work (sam local's placeholder defaultkey/defaultsecret too) and act as an administrator,"
                + " except where a KMS key policy admits one role alone: local/run --credentials FUNCTION prints its role's key");
        System.out.println("Ctrl-C stops it.");
        Thread.currentThread().join();
        return 0;
    }

    private static int usage(String problem) {
        System.err.println("error: " + problem);
        System.err.print(USAGE);
        return 2;
    }
}
