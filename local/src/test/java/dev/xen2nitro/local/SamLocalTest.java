package dev.xen2nitro.local;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.xen2nitro.local.host.Template;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * local/sam-env.json (README, "SAM local testing"), the --env-vars file of sam local, and the events/ samples, proved
 * together: the file names every function of template.yaml, sets what each reads with the local worlds' names, sets only
 * what the template declares (sam local drops the rest silently), and every function, run through the Lambda host with
 * exactly the environment sam local would give it from the file (its endpoint and URLs translated to this host's loopback
 * ports), answers its events/ sample as events/expected/ says. SAM CLI and Docker do not run here; samconfig.toml is
 * checked for what the commands of the README rely on.
 */
class SamLocalTest {
    static final Path ROOT = Worlds.root();
    static Map<String, Map<String, String>> file;
    /** One local cloud of the seed world, to read the stack's environments from. */
    static LocalCloud reference;

    @BeforeAll
    static void read() throws Exception {
        assertTrue(Files.isRegularFile(ROOT.resolve(SamEnv.FILE)), SamEnv.FILE + " is missing");
        file = SamEnv.read(ROOT);
        reference = LocalCloud.open(ROOT, HandlerSamplesTest.cloud("Preflight", HandlerSamplesTest.CASES.get("Preflight").world()));
    }

    @AfterAll
    static void close() {
        if (reference != null) reference.close();
    }

    /**
     * The functions whose KMS keys admit their own role alone (template.yaml, ApprovalKey and PendingApprovalKey): under sam
     * local they sign as that role, with the key local/run --credentials prints; any other key is refused, as in AWS.
     */
    static final Set<String> ROLE_BOUND = Set.of("RequestApproval", "AnswerApproval", "VerifyApproval");

    /** Under sam local's placeholder credentials, a role-bound function is refused by its key's policy, as AWS would. */
    @Test
    void aRoleBoundFunctionIsRefusedUnderAnyOtherKey() throws Exception {
        // Covered by the invocation below with the role's key; here the refusal, which the README describes.
        HandlerSamplesTest.Case c = HandlerSamplesTest.CASES.get("VerifyApproval");
        dev.xen2nitro.local.cloud.Cloud cloud = HandlerSamplesTest.cloud("VerifyApproval", c.world());
        try (LocalCloud local = LocalCloud.open(ROOT, cloud)) {
            synchronized (cloud) {
                c.world().seed().accept(cloud);
            }
            String line = runDeployed(local, "VerifyApproval", dev.xen2nitro.local.cloud.LocalCredentials.SAM_LOCAL_ACCESS_KEY_ID,
                    dev.xen2nitro.local.cloud.LocalCredentials.SAM_LOCAL_SECRET_ACCESS_KEY);
            assertTrue(line.startsWith("ERROR ") && line.contains("AccessDeniedException") && line.contains("kms:VerifyMac"), line);
        }
    }

    static final String REGENERATE = "; regenerate it with: java -Dxen2nitro.projectRoot=. -cp local/target/classes:$(cat local/target/classpath.txt)"
            + " dev.xen2nitro.local.SamEnv";

    @Test
    void theFileNamesEveryFunctionOfTheTemplateAndNothingElse() throws Exception {
        Set<String> functions = new Template(ROOT).functions().keySet();
        Set<String> missing = new TreeSet<>(functions);
        missing.removeAll(file.keySet());
        assertEquals(Set.of(), missing, SamEnv.FILE + " has no section for these functions of template.yaml" + REGENERATE);
        Set<String> extra = new TreeSet<>(file.keySet());
        extra.removeAll(functions);
        extra.remove(SamEnv.ALL);
        assertEquals(Set.of(), extra, SamEnv.FILE + " names what is no function of template.yaml" + REGENERATE);
    }

    @Test
    void eachFunctionGetsWhatTheStackGivesItInTheLocalWorldsWithTheEndpointAContainerReaches() throws Exception {
        List<String> wrong = new ArrayList<>();
        for (String fn : reference.template().functions().keySet()) {
            Map<String, String> given = SamEnv.environment(file, fn);
            if (given == null) continue; // the test above names it
            // What the local cloud's Lambda host gives it (the stack's settings with the names the local worlds use), the
            // function URLs where local/run --serve serves them, plus the endpoint and the local pins.
            Map<String, String> expected = new LinkedHashMap<>(reference.host().environment(fn));
            Map<String, String> translated = SamEnv.translate(Map.of(fn, given), reference).get(fn);
            expected.put("AWS_ENDPOINT_URL", reference.emulator().endpoint().toString());
            expected.put("XEN2NITRO_PACKAGE_PINS", SamEnv.pins(ROOT));
            for (String k : new TreeSet<>(expected.keySet())) {
                if (!translated.containsKey(k)) wrong.add(fn + ": " + k + " is not set; the function reads " + expected.get(k));
                else if (!translated.get(k).equals(expected.get(k))) wrong.add(fn + ": " + k + " is " + given.get(k) + ", not " + expected.get(k));
            }
            for (String k : translated.keySet()) {
                if (!expected.containsKey(k)) wrong.add(fn + ": " + k + " is set, but the stack gives the function no such variable");
            }
        }
        assertEquals(List.of(), wrong, SamEnv.FILE + REGENERATE);
        assertEquals(SamEnv.of(reference, ROOT), file, SamEnv.FILE + " is not what SamEnv writes" + REGENERATE);
    }

    @Test
    void everyVariableOfTheFileIsDeclaredByTheTemplateAsSamLocalReadsIt() throws Exception {
        // sam local overrides only the variables a function declares (samcli/local/lambdafn/env_vars.py), whatever their
        // value: the endpoint and the pins are declared with a value no stack keeps (AWS::NoValue).
        List<String> undeclared = new ArrayList<>();
        for (String fn : reference.template().functions().keySet()) {
            java.util.Set<String> declared = reference.declaredVariables(fn);
            Map<String, String> given = SamEnv.environment(file, fn);
            if (given == null) continue;
            for (String k : given.keySet()) {
                if (!declared.contains(k)) undeclared.add(fn + ": " + k);
            }
            // In a stack neither is there.
            assertFalse(reference.host().environment(fn).containsKey("AWS_ENDPOINT_URL"), fn);
            assertFalse(reference.host().environment(fn).containsKey("XEN2NITRO_PACKAGE_PINS"), fn);
        }
        assertEquals(List.of(), undeclared, "sam local would drop these variables of " + SamEnv.FILE + ": template.yaml does not declare them");
    }

    @Test
    void samconfigGivesTheLocalCommandsTheEnvFileTheLocalWorldsRegionAndTheHostMapping() throws Exception {
        String config = Files.readString(ROOT.resolve("samconfig.toml"));
        for (String section : List.of("local_invoke", "local_start_lambda")) {
            int at = config.indexOf("[default." + section + ".parameters]");
            assertTrue(at >= 0, "samconfig.toml has no [default." + section + ".parameters]");
            int end = config.indexOf("\n[", at + 1);
            String body = end < 0 ? config.substring(at) : config.substring(at, end);
            assertTrue(body.contains("env_vars = \"" + SamEnv.FILE + "\""), section + " does not give " + SamEnv.FILE + ":\n" + body);
            assertTrue(body.contains("region = \"" + reference.emulator().cloud().region + "\""), section + " is not in the local worlds' region:\n" + body);
            assertTrue(body.contains(SamEnv.CONTAINER_HOST + ":host-gateway"), section + " does not map " + SamEnv.CONTAINER_HOST + ":\n" + body);
        }
    }

    /** Every function, with its events/ sample, as HandlerSamplesTest runs it, but with sam local's environment. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.xen2nitro.local.HandlerSamplesTest#functions")
    void theSampleGivesTheExpectedResponseWithTheEnvironmentOfTheFile(String name) throws Exception {
        HandlerSamplesTest.Case c = HandlerSamplesTest.CASES.get(name);
        assertNotNull(c, "HandlerSamplesTest.CASES has no case for " + name);
        dev.xen2nitro.local.cloud.Cloud cloud = HandlerSamplesTest.cloud(name, c.world());
        try (LocalCloud local = LocalCloud.open(ROOT, cloud)) {
            synchronized (cloud) {
                c.world().seed().accept(cloud);
            }
            Map<String, Map<String, String>> envs = new LinkedHashMap<>();
            Set<String> stackVariables = new TreeSet<>(Set.of("AWS_ENDPOINT_URL", "XEN2NITRO_PACKAGE_PINS"));
            for (String fn : local.template().functions().keySet()) {
                stackVariables.addAll(local.host().environment(fn).keySet());
                Map<String, String> given = SamEnv.environment(file, fn);
                if (given != null) envs.put(fn, SamEnv.translate(Map.of(fn, given), local).get(fn));
            }
            assertNotNull(envs.get(name + "Function"), SamEnv.FILE + " has no section for " + name + "Function");
            local.host().useEnvironments(envs, stackVariables);
            assertEquals(local.emulator().endpoint().toString(), envs.get(name + "Function").get("AWS_ENDPOINT_URL"),
                    "the file's endpoint, translated, is this local cloud's");

            JsonNode response = HandlerSamplesTest.invoke(local, name, Files.readAllBytes(ROOT.resolve("events/" + name + ".json")));
            JsonNode expected = HandlerSamplesTest.JSON.readTree(Files.readString(ROOT.resolve("events/expected/" + name + ".json")));
            assertEquals(List.of(), HandlerSamplesTest.differences(expected, response, "$"), name + " answered:\n" + response.toPrettyString());
            c.check().check(HandlerSamplesTest.snapshot(local), response, local);
        }
    }

    /**
     * As sam local invoke runs it, short of Docker: the deployed package alone in a fresh JVM, with exactly the variables sam
     * local sets from the file and its own (samcli/local/lambdafn/env_vars.py: the region of samconfig.toml, and its
     * placeholder credentials when the shell has none), its endpoint translated to this machine's loopback; the function's
     * SDK finds the local cloud through AWS_ENDPOINT_URL alone. Its response is events/expected/NAME.json.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.xen2nitro.local.HandlerSamplesTest#functions")
    void theDeployedPackageAnswersTheSampleWithTheVariablesSamLocalSets(String name) throws Exception {
        HandlerSamplesTest.Case c = HandlerSamplesTest.CASES.get(name);
        assertNotNull(c, "HandlerSamplesTest.CASES has no case for " + name);
        String fn = name + "Function";
        dev.xen2nitro.local.cloud.Cloud cloud = HandlerSamplesTest.cloud(name, c.world());
        try (LocalCloud local = LocalCloud.open(ROOT, cloud)) {
            synchronized (cloud) {
                c.world().seed().accept(cloud);
            }
            String line;
            if (ROLE_BOUND.contains(name)) {
                // The shell's credentials, which sam local passes on: this function's role's (local/run --credentials FUNCTION).
                var role = LocalCloud.credentials(fn);
                line = runDeployed(local, name, role.accessKeyId(), role.secretAccessKey());
            } else {
                // None in the shell: sam local's placeholder.
                line = runDeployed(local, name, dev.xen2nitro.local.cloud.LocalCredentials.SAM_LOCAL_ACCESS_KEY_ID,
                        dev.xen2nitro.local.cloud.LocalCredentials.SAM_LOCAL_SECRET_ACCESS_KEY);
            }
            assertTrue(line.startsWith("RESPONSE "), name + " failed under sam local's variables: " + line);
            JsonNode response = HandlerSamplesTest.JSON.readTree(line.substring("RESPONSE ".length()));
            JsonNode expected = HandlerSamplesTest.JSON.readTree(Files.readString(ROOT.resolve("events/expected/" + name + ".json")));
            assertEquals(List.of(), HandlerSamplesTest.differences(expected, response, "$"), name + " answered:\n" + response.toPrettyString());
            c.check().check(HandlerSamplesTest.snapshot(local), response, local);
        }
    }

    /** Runs function NAME's handler from the deployed package in a fresh JVM with sam local's variables; its RESPONSE or ERROR line. */
    static String runDeployed(LocalCloud local, String name, String accessKeyId, String secretAccessKey) throws Exception {
        String fn = name + "Function";
        Map<String, String> given = SamEnv.environment(file, fn);
        assertNotNull(given, SamEnv.FILE + " has no section for " + fn);
        ProcessBuilder pb = dev.xen2nitro.local.bench.DeployedPackageTest.probe(List.of("invoke",
                local.template().functions().get(fn).handlerClass(), ROOT.resolve("events/" + name + ".json").toString()));
        pb.environment().keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("XEN2NITRO_"));
        pb.environment().putAll(SamEnv.translate(Map.of(fn, given), local).get(fn));
        String region = local.emulator().cloud().region;
        pb.environment().putAll(Map.of("AWS_SAM_LOCAL", "true", "AWS_REGION", region, "AWS_DEFAULT_REGION", region,
                "AWS_LAMBDA_FUNCTION_NAME", fn, "AWS_ACCESS_KEY_ID", accessKeyId, "AWS_SECRET_ACCESS_KEY", secretAccessKey));
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), output);
        return output.lines().filter(l -> l.startsWith("RESPONSE ") || l.startsWith("ERROR ")).findFirst().orElse(output);
    }

    /**
     * local/run --lambda-endpoint sends the state machine's Lambda tasks where sam local start-lambda listens, naming each
     * function as SAM finds it (a function ARN with its alias: samcli/lib/utils/name_utils.py,
     * normalize_lambda_function_name keeps the name), and serves the local cloud at --port for the containers. The stand-in
     * here for start-lambda forwards each invocation, by that name, to the served local cloud's own Lambda host.
     */
    @Test
    void aRunSendsItsLambdaTasksToTheGivenEndpoint() throws Exception {
        int port = freePorts(4);
        java.util.List<String> invoked = java.util.Collections.synchronizedList(new ArrayList<>());
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        com.sun.net.httpserver.HttpServer standIn = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 16);
        standIn.createContext("/2015-03-31/functions/", ex -> {
            String path = ex.getRequestURI().getPath();
            String id = java.net.URLDecoder.decode(path.substring("/2015-03-31/functions/".length(), path.lastIndexOf("/invocations")),
                    java.nio.charset.StandardCharsets.UTF_8);
            // As SAM reads a function ARN: arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER] is NAME.
            String fn = id.contains(":function:") ? id.substring(id.indexOf(":function:") + ":function:".length()).split(":")[0] : id;
            invoked.add(fn);
            try {
                var r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + (port + 1)
                        + "/2015-03-31/functions/" + fn + "/invocations")).POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(
                        ex.getRequestBody().readAllBytes())).build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
                r.headers().firstValue("X-Amz-Function-Error").ifPresent(v -> ex.getResponseHeaders().add("X-Amz-Function-Error", v));
                ex.sendResponseHeaders(r.statusCode(), r.body().length);
                ex.getResponseBody().write(r.body());
            } catch (InterruptedException e) {
                ex.sendResponseHeaders(500, -1);
            }
            ex.close();
        });
        standIn.start();
        Path out = Files.createTempDirectory("sam-run");
        try {
            int rc = Main.run(new String[] {"--world", Worlds.world("seed-2012r2-private").toString(), "--input",
                    ROOT.resolve("events/MigrateInstance-dry-run.json").toString(), "--out", out.toString(), "--host", "0.0.0.0",
                    "--port", String.valueOf(port), "--lambda-endpoint", "http://127.0.0.1:" + standIn.getAddress().getPort()});
            assertEquals(0, rc, "the dry run through the stand-in for start-lambda");
        } finally {
            standIn.stop(0);
        }
        assertTrue(invoked.equals(List.of("PreflightFunction", "PublishReportFunction")), invoked.toString());
        Set<String> functions = new Template(ROOT).functions().keySet();
        assertTrue(functions.containsAll(invoked), "every name the runner sent is a function of template.yaml: " + invoked);
        JsonNode report = HandlerSamplesTest.JSON.readTree(out.resolve("report.json").toFile());
        assertEquals("SUCCEEDED", report.path("status").asText(), report.toPrettyString());
    }

    /** The first of {@code n} consecutive free ports on 127.0.0.1 and every address. */
    static int freePorts(int n) throws Exception {
        for (int attempt = 0; attempt < 50; attempt++) {
            int first;
            try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
                first = s.getLocalPort();
            }
            if (first + n > 65_000) continue;
            boolean free = true;
            for (int i = 0; i < n && free; i++) {
                try (java.net.ServerSocket s = new java.net.ServerSocket(first + i)) {
                    free = s.isBound();
                } catch (java.io.IOException e) {
                    free = false;
                }
            }
            if (free) return first;
        }
        throw new IllegalStateException("no " + n + " consecutive free ports");
    }
}
