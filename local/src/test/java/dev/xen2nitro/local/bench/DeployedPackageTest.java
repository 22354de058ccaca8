package dev.xen2nitro.local.bench;

import static org.junit.jupiter.api.Assertions.*;

import dev.xen2nitro.local.host.Template;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * The package template.yaml deploys (functions/target/xen2nitro-functions.zip, which the build shades before these tests
 * run), on its own in a fresh JVM: every handler of the template constructs and primes from it, as SnapStart primes
 * before its snapshot. Priming runs each handler's SDK calls (answered by a loopback server of the process, so no endpoint is needed) and lets
 * no Error pass, so a class the package lacks fails here rather than in Lambda. It holds no Log4j, which is what lets
 * template.yaml turn off the Lambda runtime's Log4Shell patch.
 */
public class DeployedPackageTest {
    static final Path ROOT = Path.of(System.getProperty("xen2nitro.projectRoot", "..")).toAbsolutePath().normalize();

    @Test
    void everyHandlerOfTheTemplatePrimesFromTheDeployedPackageAlone() throws Exception {
        Path jar = StartupBenchmark.deployed(ROOT);
        assertTrue(Files.isRegularFile(jar), jar + " is built by ./mvnw package");
        TreeSet<String> handlers = new TreeSet<>();
        new Template(ROOT).functions().values().forEach(f -> handlers.add(f.handlerClass()));
        List<String> arguments = new ArrayList<>(List.of("prime-all"));
        arguments.addAll(handlers);
        ProcessBuilder pb = probe(arguments);
        // What every function reads, as sam local gives them (local/sam-env.json), so that priming goes past the settings
        // (Aws.setting) to the handlers' calls; the pins name the samples' stand-in packages. Nothing listens at the
        // endpoint: a call that priming let out would fail, and the handler's error would show.
        pb.environment().putAll(StartupBenchmark.primingEnvironment(ROOT));
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), output);
        assertTrue(output.contains("STARTUP primed=" + handlers.size() + " "), output);
        String line = output.lines().filter(l -> l.startsWith("STARTUP")).findFirst().orElseThrow();
        // Every call priming answered came through the HTTP client itself, from the loopback server open while priming
        // (PrimingServer), so that the client's own code is in the snapshot too; none fell back to the in-process answer.
        long answered = Long.parseLong(field(line, "answered"));
        assertTrue(answered > 100, "priming answered only " + answered + " calls: " + line);
        assertEquals(answered, Long.parseLong(field(line, "loopback")), "calls answered in the process, not over the loopback: " + line);
        List<String> noCall = List.of(line.substring(line.indexOf("noCall=") + "noCall=".length(), line.indexOf(" left=")).split(","));
        // Priming replays what the local cloud answered each sample (PrimingAnswers): every handler takes every answer
        // recorded for it, so its priming walks its sample's whole path; a handler that leaves some has changed its calls
        // since they were recorded (PrimingAnswersTest says how to record them again). The one exception: the endpoints'
        // lock holds a value unique to each invocation (EndpointUsers.lock), so a replayed GetParameter never shows the
        // primed invocation its own lock, and it leaves the release's DeleteParameter.
        assertEquals("DeleteEndpoints{ssm_DeleteParameter=1};PrepareEndpoints{ssm_DeleteParameter=1}",
                line.substring(line.indexOf(" left=") + " left=".length()), "answers recorded for priming and not taken: " + line);
        // Priming reaches the SDK calls of the handlers on a migration's path; a handler whose priming sample stops before
        // its first call (an answer whose signature does not verify) still has its clients built; a guest step primes its
        // install only when the deployment pins a version of its package.
        for (String h : List.of("Preflight", "AcquireLock", "CreateBackupImage", "StopInstance", "EnableEnaSupport", "ChangeInstanceType",
                "StartInstance", "CheckInstanceState", "CheckGuestCommand", "RequestApproval", "VerifyMigration", "ReplaceRootVolume",
                "RecordOutcome", "ReleaseLock", "PublishReport", "LaunchRehearsal", "PlanFleet",
                // With packages pinned (here the local ones), the guest steps prime their bucket checks and sends.
                "CheckPackagesStaged", "InstallPvDriver", "InstallEnaDriver", "InstallNvmeDriver", "UpdateLaunchAgent")) {
            assertFalse(noCall.contains(h), h + "'s priming reached no SDK call: " + line);
        }
    }

    /** The value of {@code name=} in the probe's line. */
    static String field(String line, String name) {
        int start = line.indexOf(" " + name + "=") + name.length() + 2;
        int end = line.indexOf(' ', start);
        return line.substring(start, end < 0 ? line.length() : end);
    }

    /** sam local without its env file gives the declared AWS_ENDPOINT_URL an empty value: the function says what to do. */
    @Test
    void anEmptyEndpointVariableFailsWithWhatToDo() throws Exception {
        assertClientsRefused(java.util.Map.of("AWS_ENDPOINT_URL", ""), "AWS_ENDPOINT_URL is set but empty");
    }

    /** Under sam local without the variable at all, the function stops rather than call AWS with the shell's credentials. */
    @Test
    void samLocalWithoutTheEndpointFailsRatherThanCallAws() throws Exception {
        assertClientsRefused(java.util.Map.of("AWS_SAM_LOCAL", "true"), "AWS_ENDPOINT_URL is not set");
    }

    /** A handler primed with {@code env} fails building its clients, with {@code problem} and what to do. */
    static void assertClientsRefused(java.util.Map<String, String> env, String problem) throws Exception {
        ProcessBuilder pb = probe(List.of("prime-all", "dev.xen2nitro.functions.typechange.StopInstance"));
        pb.environment().putAll(env);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertNotEquals(0, p.waitFor(), output);
        assertTrue(output.contains(problem + ": under sam local give --env-vars local/sam-env.json"), output);
    }

    /** StartupProbe with {@code arguments}, on the deployed package alone, with a region, test keys and no other AWS_ variable. */
    public static ProcessBuilder probe(List<String> arguments) throws Exception {
        Path probe = StartupProbe.copyTo(Files.createTempDirectory("probe"));
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
                StartupBenchmark.deployed(ROOT) + File.pathSeparator + probe, StartupProbe.class.getName()));
        command.addAll(arguments);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("AWS_"));
        pb.environment().put("AWS_REGION", "us-east-1");
        pb.environment().put("AWS_ACCESS_KEY_ID", "AKIATESTONLY00000000");
        pb.environment().put("AWS_SECRET_ACCESS_KEY", "test-only");
        return pb;
    }

    @Test
    void thePackageHoldsNoLog4j() throws Exception {
        try (ZipFile z = new ZipFile(StartupBenchmark.deployed(ROOT).toFile())) {
            List<String> log4j = z.stream().map(java.util.zip.ZipEntry::getName).filter(n -> n.contains("log4j")).toList();
            assertEquals(List.of(), log4j, "template.yaml sets AWS_LAMBDA_DISABLE_CVE_2021_44228_PROTECTION: the package must not hold Log4j");
        }
    }
}
