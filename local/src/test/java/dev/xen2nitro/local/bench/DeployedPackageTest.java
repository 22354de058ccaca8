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
 * The package template.yaml deploys (functions/target/xen2nitro-functions.jar, which the build shades before these tests
 * run), on its own in a fresh JVM: every handler of the template constructs and primes from it, as SnapStart primes
 * before its snapshot. Priming runs each handler's SDK calls (answered in the process, so no endpoint is needed) and lets
 * no Error pass, so a class the package lacks fails here rather than in Lambda. It holds no Log4j, which is what lets
 * template.yaml turn off the Lambda runtime's Log4Shell patch.
 */
class DeployedPackageTest {
    static final Path ROOT = Path.of(System.getProperty("xen2nitro.projectRoot", "..")).toAbsolutePath().normalize();

    @Test
    void everyHandlerOfTheTemplatePrimesFromTheDeployedPackageAlone() throws Exception {
        Path jar = StartupBenchmark.deployed(ROOT);
        assertTrue(Files.isRegularFile(jar), jar + " is built by ./mvnw package");
        Path probe = StartupProbe.copyTo(Files.createTempDirectory("probe"));
        TreeSet<String> handlers = new TreeSet<>();
        new Template(ROOT).functions().values().forEach(f -> handlers.add(f.handlerClass()));
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
                jar + File.pathSeparator + probe, StartupProbe.class.getName(), "prime-all"));
        command.addAll(handlers);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("AWS_"));
        // What template.yaml's Globals give every function, for this account, and the settings single functions read, as a
        // deployment resolves them (Aws.setting), so that priming goes past them to the handlers' calls.
        new Template(ROOT).environment("us-east-1", "123456789012").forEach(pb.environment()::put);
        String arn = "arn:aws:%s:us-east-1:123456789012:%s";
        java.util.Map.ofEntries(
                java.util.Map.entry("APPROVAL_KEY_ID", "0b1e2d3c-4a5b-4c6d-8e7f-901234567890"),
                java.util.Map.entry("PENDING_APPROVAL_KEY_ID", "1b1e2d3c-4a5b-4c6d-8e7f-901234567890"),
                java.util.Map.entry("APPROVAL_LINKS", "true"),
                java.util.Map.entry("APPROVAL_LINK_TOPIC_ARN", arn.formatted("sns", "xen2nitro-approval-links")),
                java.util.Map.entry("APPROVAL_LINK_URL", "https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.us-east-1.on.aws/"),
                java.util.Map.entry("APPROVAL_URL", "https://bbcdefghijklmnopqrstuvwxyz012345.lambda-url.us-east-1.on.aws/"),
                java.util.Map.entry("APPROVER_ARNS", "arn:aws:iam::123456789012:user/alice,arn:aws:iam::123456789012:user/bob"),
                java.util.Map.entry("MINIMUM_APPROVALS", "1"),
                java.util.Map.entry("PENDING_APPROVALS", "/xen2nitro/approvals/"),
                java.util.Map.entry("ENDPOINT_USERS", "/xen2nitro/endpoints/"),
                java.util.Map.entry("FLEET_STATE_MACHINE_ARN", arn.formatted("states", "stateMachine:MigrateFleetStateMachine-abc")),
                java.util.Map.entry("REHEARSAL_INSTANCE_PROFILE", "arn:aws:iam::123456789012:instance-profile/xen2nitro-rehearsal"),
                // The pins a deployment is built with; the local ones name the stand-in packages of the samples.
                java.util.Map.entry("XEN2NITRO_PACKAGE_PINS", ROOT.resolve("local/package-pins.sha256").toString()))
                .forEach(pb.environment()::put);
        pb.environment().put("AWS_REGION", "us-east-1");
        pb.environment().put("AWS_ACCESS_KEY_ID", "AKIATESTONLY00000000");
        pb.environment().put("AWS_SECRET_ACCESS_KEY", "test-only");
        // Nothing listens here: a call that priming let out would fail, and the handler's error would show.
        pb.environment().put("AWS_ENDPOINT_URL", "http://127.0.0.1:9");
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), output);
        assertTrue(output.contains("STARTUP primed=" + handlers.size() + " "), output);
        String line = output.lines().filter(l -> l.startsWith("STARTUP")).findFirst().orElseThrow();
        List<String> noCall = List.of(line.substring(line.indexOf("noCall=") + "noCall=".length()).split(","));
        // Priming reaches the SDK calls of the handlers on a migration's path; a handler whose priming sample stops before
        // its first call (a guest step whose sample's package version the deployment has not pinned, an answer whose
        // signature does not verify) still has its clients built.
        for (String h : List.of("Preflight", "AcquireLock", "CreateBackupImage", "StopInstance", "EnableEnaSupport", "ChangeInstanceType",
                "StartInstance", "CheckInstanceState", "CheckGuestCommand", "RequestApproval", "VerifyMigration", "ReplaceRootVolume",
                "RecordOutcome", "ReleaseLock", "PublishReport", "LaunchRehearsal", "PlanFleet")) {
            assertFalse(noCall.contains(h), h + "'s priming reached no SDK call: " + line);
        }
    }

    @Test
    void thePackageHoldsNoLog4j() throws Exception {
        try (ZipFile z = new ZipFile(StartupBenchmark.deployed(ROOT).toFile())) {
            List<String> log4j = z.stream().map(java.util.zip.ZipEntry::getName).filter(n -> n.contains("log4j")).toList();
            assertEquals(List.of(), log4j, "template.yaml sets AWS_LAMBDA_DISABLE_CVE_2021_44228_PROTECTION: the package must not hold Log4j");
        }
    }
}
