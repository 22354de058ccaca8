package dev.xen2nitro.local;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.xen2nitro.local.cloud.Cloud;
import dev.xen2nitro.local.host.Template;
import dev.xen2nitro.local.world.WorldLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * {@code local/sam-env.json}, the {@code --env-vars} file of {@code sam local invoke} and {@code sam local start-lambda}
 * (README, "SAM local testing"): for every function of template.yaml, by logical ID, the environment it has in the local
 * cloud (the stack's settings with the names the local worlds use), with {@code AWS_ENDPOINT_URL} at the local cloud as a
 * container reaches it ({@code local/run --serve --host 0.0.0.0}), the function URLs at the ports that command serves them
 * on, as a person on this machine opens them, and the local cloud's package pins ({@code XEN2NITRO_PACKAGE_PINS}, inline:
 * a container has no path to local/package-pins.sha256).
 *
 * <p>sam local sets only the variables template.yaml declares (AWS SAM CLI, samcli/local/lambdafn/env_vars.py,
 * {@code EnvironmentVariables.resolve}): so the template declares these two for sam local alone (condition
 * {@code SamLocalOnly}, false in every stack), and the region, which Lambda reserves ({@code AWS_REGION}), comes from samconfig.toml instead.
 *
 * <p>{@code main} writes the file; {@code SamLocalTest} fails when it differs from what this gives.
 */
public final class SamEnv {
    private SamEnv() {}

    /** How a container reaches the machine that runs it: Docker Desktop names it so, Docker Engine with --add-host host.docker.internal:host-gateway. */
    public static final String CONTAINER_HOST = "host.docker.internal";
    public static final String ENDPOINT = "http://" + CONTAINER_HOST + ":" + Main.SERVE_PORT;
    public static final String FILE = "local/sam-env.json";
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** The section of the file whose values sam local gives every function (its CloudFormation-parameter-file form). */
    public static final String ALL = "Parameters";

    /**
     * The file's content for the local cloud {@code local}, whichever ports it is served on: under {@value #ALL}, what
     * every function has (the Globals, the endpoint and the pins); under each function's logical ID, what it alone has
     * (possibly nothing, but every function is named).
     */
    public static Map<String, Map<String, String>> of(LocalCloud local, Path projectRoot) throws IOException {
        Map<String, String> urls = served(local);
        String pins = pins(projectRoot);
        Map<String, Map<String, String>> envs = new LinkedHashMap<>();
        for (String fn : local.template().functions().keySet()) {
            Map<String, String> env = new TreeMap<>();
            local.host().environment(fn).forEach((k, v) -> env.put(k, urls.getOrDefault(v, v)));
            env.put("AWS_ENDPOINT_URL", ENDPOINT);
            env.put("XEN2NITRO_PACKAGE_PINS", pins);
            envs.put(fn, env);
        }
        Map<String, String> common = new TreeMap<>(envs.values().iterator().next());
        envs.values().forEach(env -> common.entrySet().removeIf(e -> !e.getValue().equals(env.get(e.getKey()))));
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        out.put(ALL, common);
        envs.forEach((fn, env) -> {
            Map<String, String> own = new TreeMap<>(env);
            own.keySet().removeAll(common.keySet());
            out.put(fn, own);
        });
        return out;
    }

    /**
     * What sam local gives function {@code logicalId} from {@code file}, of the variables it declares: its own section over
     * {@value #ALL} (AWS SAM CLI, samcli/commands/local/lib/local_lambda.py, {@code _make_env_vars}). Null if the file
     * names no such function.
     */
    public static Map<String, String> environment(Map<String, Map<String, String>> file, String logicalId) {
        if (!file.containsKey(logicalId)) return null;
        Map<String, String> env = new TreeMap<>(file.getOrDefault(ALL, Map.of()));
        env.putAll(file.get(logicalId));
        return env;
    }

    /**
     * {@code file} for a local cloud served at other ports, on this machine: the endpoint and the function URLs at
     * {@code local}'s own (a test's loopback ports).
     */
    public static Map<String, Map<String, String>> translate(Map<String, Map<String, String>> file, LocalCloud local) {
        Map<String, String> back = new LinkedHashMap<>();
        served(local).forEach((at, fixed) -> back.put(fixed, at));
        back.put(ENDPOINT, local.emulator().endpoint().toString());
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        file.forEach((fn, env) -> out.put(fn, env.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey,
                e -> back.getOrDefault(e.getValue(), e.getValue()), (a, b) -> a, LinkedHashMap::new))));
        return out;
    }

    public static Map<String, Map<String, String>> read(Path projectRoot) throws IOException {
        return JSON.readValue(projectRoot.resolve(FILE).toFile(), new TypeReference<LinkedHashMap<String, Map<String, String>>>() {});
    }

    /** Each function URL where {@code local} serves it, to where {@code local/run --serve} does (its port + 2, + 3, ...). */
    private static Map<String, String> served(LocalCloud local) {
        Map<String, String> out = new LinkedHashMap<>();
        int port = Main.SERVE_PORT + 2;
        for (String url : local.template().urls().keySet()) {
            out.put(local.host().url(url).toString(), "http://127.0.0.1:" + port++ + "/");
        }
        return out;
    }

    /** local/package-pins.sha256 without its comments, one pin a line. */
    static String pins(Path projectRoot) throws IOException {
        return Files.readAllLines(projectRoot.resolve("local/package-pins.sha256")).stream()
                .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).collect(Collectors.joining("\n"));
    }

    /** Writes local/sam-env.json for the local worlds' account (they share one: 123456789012, us-east-1). */
    public static void main(String[] args) throws Exception {
        Path root = Path.of(System.getProperty("xen2nitro.projectRoot", ".")).toAbsolutePath().normalize();
        Cloud cloud = WorldLoader.load(Files.readString(root.resolve("local/worlds/seed-2012r2-private.json")), "seed-2012r2-private.json");
        try (LocalCloud local = LocalCloud.open(root, cloud)) {
            Files.writeString(root.resolve(FILE), JSON.writeValueAsString(of(local, root)) + "\n");
        }
        System.out.println("wrote " + root.resolve(FILE));
    }

}
