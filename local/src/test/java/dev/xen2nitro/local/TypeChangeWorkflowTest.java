package dev.xen2nitro.local;

import static org.junit.jupiter.api.Assertions.*;

import dev.xen2nitro.local.world.WorldLoader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The type-change slice of the real state machine (statemachine/migrate-instance.asl.json), through
 * the runner and the real handlers, against the emulator; each test asserts on the world afterwards.
 */
class TypeChangeWorkflowTest {
    static final String ID = "i-0a1b2c3d4e5f60001";
    static final String INPUT = "{\"instanceId\":\"" + ID + "\",\"targetType\":\"m5.xlarge\"}";

    record Outcome(Runner.Report report, Map<String, Object> instance, Map<String, Object> world, String progress) {}

    static Outcome run(String world, UnaryOperator<String> edit, String input) throws Exception {
        LocalCloud local = LocalCloud.start(Worlds.root(), WorldLoader.load(edit.apply(Worlds.read(world)), world));
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        Runner.Report report = local.run("MigrateInstanceStateMachine", input, "auto",
                new PrintStream(progress, true, StandardCharsets.UTF_8));
        Map<String, Object> w = local.world();
        @SuppressWarnings("unchecked")
        Map<String, Object> instance = ((List<Map<String, Object>>) w.get("instances")).stream()
                .filter(i -> ID.equals(i.get("id"))).findFirst().orElseThrow();
        return new Outcome(report, instance, w, progress.toString(StandardCharsets.UTF_8));
    }

    @Test
    void driversStagedSeedIsMovedToM5XlargeWithEnaOnAndRunningHealthy() throws Exception {
        Outcome o = run("seed-2012r2-drivers-staged", s -> s, INPUT);
        assertEquals("SUCCEEDED", o.report().status(), o.progress());
        assertEquals("m5.xlarge", o.instance().get("instanceType"));
        assertEquals(true, o.instance().get("enaSupport"));
        assertEquals("running", o.instance().get("state"));
        assertEquals("ok", o.instance().get("instanceStatus"));
        // One stop/start cycle in total.
        assertEquals(1, o.instance().get("stopCount"));
        assertEquals(1, o.instance().get("startCount"));
        assertEquals(List.of("running", "stopping", "stopped", "pending", "running"), o.instance().get("stateHistory"));
        List<String> visited = o.report().visited();
        assertTrue(visited.indexOf("StopInstance") < visited.indexOf("EnableEnaSupport"));
        assertTrue(visited.indexOf("EnableEnaSupport") < visited.indexOf("ChangeInstanceType"));
        assertTrue(visited.indexOf("ChangeInstanceType") < visited.indexOf("StartInstance"));
        assertEquals("TypeChanged", visited.get(visited.size() - 1));
        assertTrue(o.progress().contains("> StopInstance"), o.progress());
        assertTrue(o.progress().contains("< TypeChanged succeeded"), o.progress());
    }

    @Test
    void withoutTheNvmeDriverTheInstanceStartsOnNitroButFailsItsStatusCheck() throws Exception {
        Outcome o = run("seed-2012r2-private", s -> s, INPUT);
        assertEquals("FAILED", o.report().status());
        assertEquals("Xen2Nitro.InstanceImpaired", o.report().error());
        assertEquals("m5.xlarge", o.instance().get("instanceType"));
        assertEquals("running", o.instance().get("state"));
        assertEquals("impaired", o.instance().get("instanceStatus"));
        assertEquals(false, o.instance().get("ssmOnline"));
    }

    @Test
    void throttledStopIsRetriedByTheSdkOrTheStateMachineAndTheMigrationCompletes() throws Exception {
        Outcome o = run("seed-2012r2-drivers-staged", s -> s.replace("\"topics\"",
                "\"faults\": [ { \"service\": \"ec2\", \"operation\": \"StopInstances\", \"code\": \"RequestLimitExceeded\", \"count\": 6 } ],\n  \"topics\""), INPUT);
        assertEquals("SUCCEEDED", o.report().status(), o.progress());
        assertEquals("m5.xlarge", o.instance().get("instanceType"));
        @SuppressWarnings("unchecked")
        List<Map<String, String>> calls = (List<Map<String, String>>) o.world().get("calls");
        long throttled = calls.stream().filter(c -> "StopInstances".equals(c.get("operation")) && "RequestLimitExceeded".equals(c.get("error"))).count();
        assertEquals(6, throttled);
        assertTrue(o.progress().contains("StopInstance retried"), "the SDK's 3 attempts were used up twice: " + o.progress());
    }

    @Test
    void aMalformedInstanceIdFailsBeforeAnyChange() throws Exception {
        Outcome o = run("seed-2012r2-drivers-staged", s -> s, "{\"instanceId\":\"i-not-an-id\",\"targetType\":\"m5.xlarge\"}");
        assertEquals("FAILED", o.report().status());
        assertEquals("dev.xen2nitro.functions.core.InvalidInputException", o.report().error());
        assertTrue(o.report().cause().contains("not an EC2 instance ID"), o.report().cause());
        assertEquals("m4.xlarge", o.instance().get("instanceType"));
        assertEquals("running", o.instance().get("state"));
        assertEquals(0, o.instance().get("stopCount"));
    }

    @Test
    void aTargetTypeNotOfferedInTheZoneFailsWithTheInstanceStoppedOnItsOriginalType() throws Exception {
        Outcome o = run("seed-2012r2-drivers-staged", s -> s, "{\"instanceId\":\"" + ID + "\",\"targetType\":\"mac1.metal\"}");
        assertEquals("FAILED", o.report().status());
        assertEquals("dev.xen2nitro.functions.core.AwsActionFailedException", o.report().error());
        assertTrue(o.report().cause().contains("Unsupported"), o.report().cause());
        assertEquals("m4.xlarge", o.instance().get("instanceType"));
    }

    @Test
    void reportAndWorldFilesAreWrittenByLocalRun() throws Exception {
        java.nio.file.Path out = Files.createTempDirectory("xen2nitro-out");
        int rc = Main.run(new String[] {"--world", Worlds.world("seed-2012r2-drivers-staged").toString(),
                "--input", Worlds.root().resolve("events/MigrateInstance-seed.json").toString(), "--out", out.toString()});
        assertEquals(0, rc);
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        var report = json.readTree(out.resolve("report.json").toFile());
        assertEquals("SUCCEEDED", report.get("status").asText());
        assertTrue(report.get("statesVisited").size() >= 10);
        var world = json.readTree(out.resolve("world.json").toFile());
        assertEquals("m5.xlarge", world.get("instances").get(0).get("instanceType").asText());
        assertTrue(world.get("instances").get(0).get("enaSupport").asBoolean());
    }
}
