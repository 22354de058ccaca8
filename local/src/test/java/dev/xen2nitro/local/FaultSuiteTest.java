package dev.xen2nitro.local;

import static org.junit.jupiter.api.Assertions.*;

import dev.xen2nitro.local.cloud.Cloud;
import dev.xen2nitro.local.world.WorldLoader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The promise after any execution: the instance is migrated and healthy, or back as it was
 * (original type and enaSupport, original root volume, running), the backup AMI is kept and
 * tagged, no temporary endpoint or security group remains, and the report says which and why.
 * Faults come from the world file. After the suite, a table of every scenario is printed and
 * written to target/fault-suite.txt. Scenarios run side by side, each in a local cloud of its own.
 */
@Execution(ExecutionMode.CONCURRENT)
class FaultSuiteTest {
    static final String ID = "i-0a1b2c3d4e5f60001";
    static final List<String> TABLE = Collections.synchronizedList(new ArrayList<>());

    record Outcome(Runner.Report report, Map<String, Object> world, Map<String, Object> before, String progress, List<String> logs)
            implements WorldView {
        Map<String, Object> instance() {
            return list("instances").get(0);
        }

        @SuppressWarnings("unchecked")
        Map<String, String> tags() {
            return (Map<String, String>) instance().get("tags");
        }

        String finalState() {
            String status = tags().get("xen2nitro:status");
            if (status != null) return status;
            return "SUCCEEDED".equals(report.status()) ? "unchanged" : "refused";
        }

        boolean temporaryLeft() {
            return !list("vpcEndpoints").isEmpty() || list("securityGroups").size() != 1;
        }
    }

    static Outcome run(String scenario, UnaryOperator<String> world, String input) throws Exception {
        try (LocalCloud local = LocalCloud.open(Worlds.root(), WorldLoader.load(world.apply(Worlds.read("seed-2012r2-private")), scenario))) {
            return run(scenario, local, input);
        }
    }

    static Outcome run(String scenario, LocalCloud local, String input) throws Exception {
        Map<String, Object> before = local.world();
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        Runner.Report report = local.run("MigrateInstanceStateMachine", input, "auto", new PrintStream(progress, true, StandardCharsets.UTF_8));
        Outcome o = new Outcome(report, local.world(), before, progress.toString(StandardCharsets.UTF_8), List.copyOf(local.host().logs));
        TABLE.add(String.format("%-58s %-16s %-10s %s", scenario, o.finalState(), o.temporaryLeft() ? "YES" : "no",
                report.error() == null ? "" : report.error()));
        assertFalse(o.temporaryLeft(), scenario + ": temporary endpoints or groups remain\n" + o.progress());
        assertNull(o.tags().get("xen2nitro:lock"), scenario + ": the lock remains");
        return o;
    }

    static UnaryOperator<String> faults(String json) {
        return w -> w.replace("\"topics\":", "\"faults\": [" + json + "],\n  \"topics\":");
    }

    static UnaryOperator<String> guestFailure(String name) {
        return Worlds.guestField(ID, "failures", "[\"" + name + "\"]");
    }

    static final String INPUT = "{\"instanceId\":\"" + ID + "\",\"targetType\":\"m5.xlarge\"}";

    static void assertMigrated(Outcome o) {
        assertEquals("SUCCEEDED", o.report().status(), o.progress());
        assertEquals("m5.xlarge", o.instance().get("instanceType"));
        assertEquals(true, o.instance().get("enaSupport"));
        assertEquals("running", o.instance().get("state"));
        assertEquals("ok", o.instance().get("instanceStatus"));
        assertEquals("migrated", o.tags().get("xen2nitro:status"));
        assertEquals(1, o.list("images").size(), "exactly one backup AMI");
    }

    static void assertRestored(Outcome o) {
        assertEquals("FAILED", o.report().status(), o.progress());
        Map<String, Object> i = o.instance();
        assertEquals("restored", o.tags().get("xen2nitro:status"), o.progress());
        assertEquals("m4.xlarge", i.get("instanceType"));
        assertEquals(false, i.get("enaSupport"));
        assertEquals("running", i.get("state"));
        assertEquals("ok", i.get("instanceStatus"));
        Map<?, ?> drivers = (Map<?, ?>) ((Map<?, ?>) i.get("guest")).get("drivers");
        assertEquals("7.4.6", drivers.get("pv"), "the root volume came back from the backup");
        assertNull(drivers.get("nvme"));
        assertEquals(1, o.list("replaceRootVolumeTasks").size());
        assertEquals("succeeded", o.list("replaceRootVolumeTasks").get(0).get("state"));
        assertEquals(1, o.list("detachedVolumes").size(), "the replaced root volume is kept");
        assertTrue(o.logs().stream().noneMatch(l -> l.contains("\"_aws\"")), "a restored instance raises no metric: " + o.logs());
        String ami = o.tags().get("xen2nitro:backup-image");
        assertTrue(o.list("images").stream().anyMatch(im -> im.get("id").equals(ami) && "available".equals(im.get("state"))));
        // Restored means it booted and its agent came back (checked before the endpoints were removed).
        assertTrue(o.report().visited().contains("MarkRestored"));
        assertTrue(o.progress().matches("(?s).*< RollbackInstanceStateMachine\\[i-[0-9a-f]+\\]:IsInstanceRestored succeeded.*"), o.progress());
        String report = (String) o.list("notifications").get(o.list("notifications").size() - 1).get("message");
        assertTrue(report.contains("is restored") && report.contains("Rolled back after"), report);
    }

    static void assertUnchanged(Outcome o) {
        for (String key : List.of("instances", "vpcEndpoints", "securityGroups", "images", "replaceRootVolumeTasks")) {
            assertEquals(String.valueOf(o.before().get(key)), String.valueOf(o.world().get(key)), key + " changed\n" + o.progress());
        }
    }

    static Stream<Arguments> throttledOperations() {
        List<Arguments> out = new ArrayList<>();
        List<String> ec2 = List.of("DescribeInstances", "DescribeInstanceTypes", "DescribeInstanceTypeOfferings", "DescribeSubnets",
                "DescribeRouteTables", "DescribeVpcEndpoints", "DescribeVpcAttribute", "CreateTags", "DeleteTags", "CreateSecurityGroup",
                "AuthorizeSecurityGroupIngress", "DescribeSecurityGroups", "CreateVpcEndpoint", "DeleteVpcEndpoints", "DeleteSecurityGroup",
                "CreateImage", "DescribeImages", "StopInstances", "StartInstances", "ModifyInstanceAttribute", "DescribeInstanceAttribute",
                "DescribeInstanceStatus");
        List<String> ssm = List.of("DescribeInstanceInformation", "SendCommand", "GetCommandInvocation", "ListCommandInvocations");
        for (String op : ec2) {
            out.add(Arguments.of("ec2", op, "RequestLimitExceeded"));
            out.add(Arguments.of("ec2", op, "InternalError"));
        }
        for (String op : ssm) {
            out.add(Arguments.of("ssm", op, "ThrottlingException"));
            out.add(Arguments.of("ssm", op, "InternalServerError"));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("throttledOperations")
    void throttlingAndServerErrorsOnEveryOperationAreRetried(String service, String operation, String code) throws Exception {
        // Four failures in a row outlast the SDK's three attempts, so the state machine's Retry is used too.
        Outcome o = run(service + " " + operation + " " + code, faults("{\"service\":\"" + service + "\",\"operation\":\"" + operation
                + "\",\"code\":\"" + code + "\",\"count\":4}"), INPUT);
        assertMigrated(o);
        long failed = o.list("calls").stream().filter(c -> operation.equals(c.get("operation")) && code.equals(c.get("error"))).count();
        assertEquals(4, failed, "the fault fired four times");
    }

    @Test
    void aLambdaServiceErrorAndALambdaTimeoutMidWorkflowAreRetried() throws Exception {
        Outcome o = run("lambda service error + timeouts (work done twice)", faults(
                "{\"service\":\"lambda\",\"operation\":\"StopInstanceFunction\",\"code\":\"Lambda.ServiceException\"},"
                        + "{\"service\":\"lambda\",\"operation\":\"CreateBackupImageFunction\",\"code\":\"Sandbox.Timedout\"},"
                        + "{\"service\":\"lambda\",\"operation\":\"PrepareEndpointsFunction\",\"code\":\"Sandbox.Timedout\"},"
                        + "{\"service\":\"lambda\",\"operation\":\"InstallPvDriverFunction\",\"code\":\"Sandbox.Timedout\"},"
                        + "{\"service\":\"lambda\",\"operation\":\"AcquireLockFunction\",\"code\":\"Sandbox.Timedout\"}"), INPUT);
        assertMigrated(o);
        assertEquals(1, ((List<?>) o.world().get("commands")).stream().filter(c -> ((Map<?, ?>) c).get("documentName").equals("xen2nitro-InstallPvDriver")).count(),
                "the PV install ran once although its invocation was retried");
        assertEquals(3, ((Map<?, ?>) o.instance().get("guest")).get("reboots"), "backup AMI, PV install, start on Nitro: no reboot twice");
    }

    @Test
    void aFailedPvInstallIsRolledBack() throws Exception {
        assertRestored(run("PV install fails in the guest", guestFailure("InstallPvDriver"), INPUT));
    }

    @Test
    void aFailedEnaInstallIsRolledBack() throws Exception {
        assertRestored(run("ENA install fails in the guest", guestFailure("InstallEnaDriver"), INPUT));
    }

    @Test
    void aFailedNvmeInstallIsRolledBack() throws Exception {
        assertRestored(run("NVMe install fails in the guest", guestFailure("InstallNvmeDriver"), INPUT));
    }

    @Test
    void aStatusCheckFailureOnNitroIsRolledBackThroughTheRootVolume() throws Exception {
        Outcome o = run("status check fails on Nitro (NVMe driver broken)", guestFailure("NvmeDriverBroken"), INPUT);
        assertRestored(o);
        assertEquals("Xen2Nitro.InstanceImpaired", o.report().error());
        assertEquals(2, o.instance().get("stopCount"), "stopped for the type change, then for the rollback");
    }

    @Test
    void anUnreachableGuestOnNitroIsRolledBack() throws Exception {
        Outcome o = run("guest unreachable on Nitro (ENA driver broken)", guestFailure("EnaDriverBroken"), INPUT);
        assertRestored(o);
    }

    @Test
    void anAmiThatNeverBecomesAvailableEndsBeforeTheGuestChanges() throws Exception {
        Outcome o = run("backup AMI never available (poll limit)", faults(
                "{\"service\":\"ec2\",\"operation\":\"CreateImage\",\"code\":\"ImageStuckPending\"}"), INPUT);
        assertEquals("Xen2Nitro.PollLimitReached", o.report().error(), o.progress());
        assertEquals("failed", o.tags().get("xen2nitro:status"));
        assertEquals("m4.xlarge", o.instance().get("instanceType"));
        assertEquals(0, ((List<?>) o.world().get("commands")).stream().filter(c -> !((Map<?, ?>) c).get("documentName").toString().endsWith("CaptureGuestFacts")).count(),
                "no change was sent to the guest");
        assertTrue(o.report().cause().contains("nothing to roll back"), o.report().cause());
    }

    @Test
    void refusedEndpointCreationIsARefusalWithNothingChanged() throws Exception {
        Outcome o = run("endpoint creation refused (permissions)", faults(
                "{\"service\":\"ec2\",\"operation\":\"CreateVpcEndpoint\",\"code\":\"UnauthorizedOperation\",\"count\":-1}"), INPUT);
        assertEquals("Xen2Nitro.EndpointsRefused", o.report().error(), o.progress());
        assertUnchanged(o);
        assertTrue(o.report().cause().contains("ec2:CreateVpcEndpoint"), o.report().cause());
    }

    @Test
    void aFailingRollbackStopsAndKeepsEverything() throws Exception {
        UnaryOperator<String> w = guestFailure("NvmeDriverBroken");
        Outcome o = run("rollback fails (root volume replacement refused)", x -> faults(
                "{\"service\":\"ec2\",\"operation\":\"CreateReplaceRootVolumeTask\",\"code\":\"UnauthorizedOperation\",\"count\":-1}").apply(w.apply(x)), INPUT);
        assertEquals("Xen2Nitro.RollbackFailed", o.report().error(), o.progress());
        assertEquals("needs-attention", o.tags().get("xen2nitro:status"));
        assertEquals(1, o.list("images").size(), "the backup AMI is kept");
        assertEquals(2, ((List<?>) o.instance().get("volumes")).size(), "no volume was deleted");
        assertTrue(o.list("detachedVolumes").isEmpty());
        Map<String, Object> last = o.list("notifications").get(o.list("notifications").size() - 1);
        String report = (String) last.get("message");
        assertTrue(report.contains("needs-attention") && report.contains("nothing was deleted") && report.contains("\"instanceType\":\"m4.xlarge\""), report);
        // Told apart from every other report: its subject, and what to do first.
        assertEquals("xen2nitro: ACTION REQUIRED: " + ID + " needs-attention", last.get("subject"));
        assertTrue(report.startsWith("ACTION REQUIRED: the rollback did not complete") && report.contains("Restoring by hand"), report);
        // RecordOutcome's log line carries the metric the stack's alarm watches, in the embedded metric format; no other line does.
        List<String> emf = o.logs().stream().filter(l -> l.contains("\"_aws\"")).toList();
        assertEquals(1, emf.size(), String.join("", o.logs()));
        com.fasterxml.jackson.databind.JsonNode line = new com.fasterxml.jackson.databind.ObjectMapper().readTree(emf.get(0));
        assertEquals("RecordOutcomeFunction", line.path("function").asText());
        assertEquals(ID, line.path("instanceId").asText());
        assertEquals(1, line.path("NeedsAttention").asInt());
        com.fasterxml.jackson.databind.JsonNode directive = line.at("/_aws/CloudWatchMetrics/0");
        assertEquals("xen2nitro", directive.path("Namespace").asText());
        assertEquals("[[\"function\"]]", directive.path("Dimensions").toString());
        assertEquals("[{\"Name\":\"NeedsAttention\",\"Unit\":\"Count\"}]", directive.path("Metrics").toString());
        assertTrue(line.at("/_aws/Timestamp").canConvertToLong() && line.at("/_aws/Timestamp").asLong() > 1_700_000_000_000L, emf.get(0));
    }

    @Test
    void theSameInputRunAgainAfterAFailureMigrates() throws Exception {
        try (LocalCloud local = LocalCloud.open(Worlds.root(), WorldLoader.load(guestFailure("InstallEnaDriver").apply(Worlds.read("seed-2012r2-private")), "rerun"))) {
            Outcome first = run("run 1: ENA install fails", local, INPUT);
            assertRestored(first);
            Cloud cloud = local.emulator().cloud();
            synchronized (cloud) {
                cloud.instances.get(ID).guest.failures.clear();
            }
            Outcome second = run("run 2: same input after the fix", local, INPUT);
            assertEquals("SUCCEEDED", second.report().status(), second.progress());
            assertEquals("m5.xlarge", second.instance().get("instanceType"));
            assertEquals(2, second.list("images").size(), "each execution keeps its own backup");
        }
    }

    static Stream<Arguments> badInputs() {
        return Stream.of(
                Arguments.of("malformed instance ID", "{\"instanceId\":\"i-123\"}", "InvalidInputException", "not an EC2 instance ID"),
                Arguments.of("unknown instance (or wrong region)", "{\"instanceId\":\"i-0123456789abcdef0\"}", "Xen2Nitro.PreflightRefused", "region"),
                Arguments.of("missing instanceId", "{\"targetType\":\"m5.xlarge\"}", "InvalidInputException", "'instanceId' is required"),
                Arguments.of("unknown field", "{\"instanceId\":\"" + ID + "\",\"targetTyp\":\"m5.xlarge\"}", "InvalidInputException", "unknown field 'targetTyp'"),
                Arguments.of("target type that does not exist", "{\"instanceId\":\"" + ID + "\",\"targetType\":\"m5.gigantic\"}", "Xen2Nitro.PreflightRefused", "does not exist"),
                Arguments.of("approval timeout out of range", "{\"instanceId\":\"" + ID + "\",\"approvalTimeoutSeconds\":5}", "InvalidInputException", "between 60"),
                Arguments.of("driver source unknown", "{\"instanceId\":\"" + ID + "\",\"driverSource\":\"internet\"}", "InvalidInputException", "\"bucket\""),
                Arguments.of("driver source distributor (not supported)", "{\"instanceId\":\"" + ID + "\",\"driverSource\":\"distributor\"}",
                        "InvalidInputException", "scripts/stage-drivers.sh"),
                Arguments.of("dryRun not a boolean", "{\"instanceId\":\"" + ID + "\",\"dryRun\":\"maybe\"}", "InvalidInputException", "dryRun"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInputs")
    void badInputIsANamedErrorWithTheWorldUnchanged(String name, String input, String error, String says) throws Exception {
        Outcome o = run("bad input: " + name, w -> w, input);
        assertEquals("FAILED", o.report().status());
        assertTrue(o.report().error().endsWith(error), o.report().error());
        String why = o.report().cause() + " " + o.report().output();
        assertTrue(o.report().cause().contains(says) || String.valueOf(o.list("notifications")).contains(says), name + ": " + why);
        assertUnchanged(o);
    }

    @AfterAll
    static void printTable() throws Exception {
        List<String> lines = new ArrayList<>();
        lines.add(String.format("%-58s %-16s %-10s %s", "scenario", "final state", "temp left", "error"));
        lines.add("-".repeat(120));
        synchronized (TABLE) {
            // Scenarios end in any order when they run side by side; the table is sorted by scenario.
            lines.addAll(TABLE.stream().sorted().toList());
        }
        String table = String.join("\n", lines);
        System.out.println("\nFault-injection suite: the state each scenario ended in\n" + table + "\n");
        Path out = Worlds.root().resolve("local/target/fault-suite.txt");
        Files.createDirectories(out.getParent());
        Files.writeString(out, table + "\n");
    }
}
