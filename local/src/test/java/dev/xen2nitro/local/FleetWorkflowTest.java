package dev.xen2nitro.local;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.xen2nitro.local.world.WorldLoader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * A fleet (statemachine/migrate-fleet.asl.json) through the runner: its plan, its batch approval, its migrations as child
 * executions of the per-instance machine in waves, and its report; each test asserts on the world afterwards.
 */
@Execution(ExecutionMode.CONCURRENT)
class FleetWorkflowTest {
    static final String BATCH_2012 = "i-0f1e2d3c4b5a60002", WEB_2016 = "i-0f1e2d3c4b5a60003", APP_2016 = "i-0f1e2d3c4b5a60009",
            NITRO_2019 = "i-0f1e2d3c4b5a60004", DC = "i-0f1e2d3c4b5a60006";
    static final ObjectMapper JSON = new ObjectMapper();

    record Outcome(Runner.Report report, Map<String, Object> world, Map<String, Object> before, String progress, Map<String, byte[]> bucket)
            implements WorldView {
        String type(String id) {
            return String.valueOf(instance(id).get("instanceType"));
        }

        String typeBefore(String id) {
            return ((List<Map<String, Object>>) before.get("instances")).stream().filter(i -> id.equals(i.get("id"))).findFirst()
                    .map(i -> String.valueOf(i.get("instanceType"))).orElseThrow();
        }

        /** The notifications whose subject starts with {@code prefix}. */
        List<Map<String, Object>> mails(String prefix) {
            return list("notifications").stream().filter(n -> String.valueOf(n.get("subject")).startsWith(prefix)).toList();
        }

        JsonNode plan() throws Exception {
            return JSON.readTree(bucket.entrySet().stream().filter(e -> e.getKey().startsWith("fleet-plans/") && !e.getKey().endsWith("-report.json"))
                    .findFirst().orElseThrow(() -> new AssertionError("no plan in the bucket: " + bucket.keySet())).getValue());
        }

        /** Nothing temporary is left: endpoints, security groups, the endpoints' parameters. */
        void assertNothingTemporaryLeft() {
            for (String part : List.of("vpcEndpoints", "securityGroups")) {
                assertTrue(list(part).stream().noneMatch(r -> String.valueOf(r.get("tags")).contains("xen2nitro:temporary")),
                        part + " left: " + list(part) + "\n" + progress);
            }
            assertEquals(String.valueOf(before.get("vpcEndpoints")), String.valueOf(world.get("vpcEndpoints")), "the endpoints that existed");
        }
    }

    static Outcome run(String input, String approval) throws Exception {
        String world = "mixed-fleet";
        try (LocalCloud local = LocalCloud.open(Worlds.root(), WorldLoader.load(Worlds.read(world), world))) {
            Map<String, Object> before = local.world();
            ByteArrayOutputStream progress = new ByteArrayOutputStream();
            Runner.Report report = local.run("MigrateFleetStateMachine", input, approval, new PrintStream(progress, true, StandardCharsets.UTF_8));
            return new Outcome(report, local.world(), before, progress.toString(StandardCharsets.UTF_8),
                    Map.copyOf(local.emulator().cloud().buckets.get("xen2nitro-drivers-123456789012")));
        }
    }

    static String ids(String... ids) {
        return "[\"" + String.join("\",\"", ids) + "\"]";
    }

    @Test
    void aBatchApprovedFleetMigratesEachReadyInstanceWithOneApprovalAndReportsEveryInstance() throws Exception {
        Outcome o = run("{\"selection\":{\"instanceIds\":" + ids(WEB_2016, APP_2016, NITRO_2019, DC) + "},\"maxConcurrency\":2,"
                + "\"toleratedFailurePercentage\":100}", "auto");
        // The domain controller passes the preflight and is refused by its guest: the fleet ends incomplete.
        assertEquals("Xen2Nitro.FleetIncomplete", o.report().error(), o.progress());
        assertEquals("t3.medium", o.type(WEB_2016));
        assertEquals("m5.large", o.type(APP_2016));
        assertEquals(o.typeBefore(DC), o.type(DC), "the domain controller is not moved");
        assertEquals(o.typeBefore(NITRO_2019), o.type(NITRO_2019));
        // One approval request for the batch (one mail to everyone, one per approver's link), none per migration.
        assertEquals(1, o.mails("xen2nitro: approve the migration of a fleet of 3 instances").stream()
                .filter(n -> !String.valueOf(n.get("message")).contains("Review and answer on this page")).count(), o.progress());
        assertEquals(List.of(), o.mails("xen2nitro: approve i-"), "no migration of the fleet asks for its own approval");
        for (String id : List.of(WEB_2016, APP_2016)) {
            Map<String, Object> tags = (Map<String, Object>) o.instance(id).get("tags");
            assertEquals("approved", tags.get("xen2nitro:approval"), id + " " + tags);
            assertEquals("migrated", tags.get("xen2nitro:status"), id + " " + tags);
        }
        // The children ran beside each other, at most two at once.
        assertTrue(o.progress().contains("MigrateInstanceStateMachine[" + WEB_2016 + "]:MarkMigrated"), o.progress());
        String report = String.valueOf(o.mails("xen2nitro: fleet ended").get(0).get("message"));
        assertTrue(report.contains("Counts: {Xen2Nitro.GuestRefused=1, migrated=2, not-selected=1}"), report);
        assertTrue(report.matches("(?s).*" + WEB_2016 + " +migrated +t2.medium -> t3.medium, now t3.medium, backup ami-[0-9a-f]+, \\d+ s.*"), report);
        assertTrue(report.contains(NITRO_2019 + "  not selected"), report);
        JsonNode plan = o.plan();
        assertEquals(3, plan.get("migrate").size(), plan.toString());
        assertEquals(450, plan.at("/downtimePerInstance/minSeconds").asInt(), "the backup's reboot and one stop and start");
        o.assertNothingTemporaryLeft();
    }

    @Test
    void aRehearsingFleetRehearsesEachInstanceOnAClone() throws Exception {
        Outcome o = run("{\"selection\":{\"instanceIds\":" + ids(WEB_2016, APP_2016) + "},\"maxConcurrency\":2,\"rehearse\":true,"
                + "\"toleratedFailurePercentage\":100}", "auto");
        assertTrue(o.plan().get("rehearse").asBoolean(), "the approved plan says each migration rehearses");
        // The 2016 web server (DHCP) is rehearsed on a clone, which is gone, then migrated.
        assertEquals("t3.medium", o.type(WEB_2016), o.progress());
        List<Map<String, Object>> clones = o.list("instances").stream()
                .filter(i -> String.valueOf(i.get("tags")).contains("xen2nitro:rehearsal-of=" + WEB_2016)).toList();
        assertEquals(1, clones.size(), o.progress());
        assertEquals("terminated", clones.get(0).get("state"));
        // The app server sets its address in Windows: no clone of it, and it is left as it was.
        assertEquals(o.typeBefore(APP_2016), o.type(APP_2016));
        assertEquals("rehearsal-failed", ((Map<?, ?>) o.instance(APP_2016).get("tags")).get("xen2nitro:status"));
        assertTrue(o.list("instances").stream().noneMatch(i -> String.valueOf(i.get("tags")).contains("xen2nitro:rehearsal-of=" + APP_2016)));
        assertEquals("Xen2Nitro.FleetIncomplete", o.report().error(), o.progress());
        o.assertNothingTemporaryLeft();
    }

    @Test
    void pastTheToleratedFailuresNoFurtherWaveStarts() throws Exception {
        Outcome o = run("{\"selection\":{\"instanceIds\":" + ids(DC, WEB_2016) + "},\"maxConcurrency\":1,\"toleratedFailurePercentage\":0}", "auto");
        assertEquals("Xen2Nitro.FleetIncomplete", o.report().error(), o.progress());
        assertEquals(o.typeBefore(WEB_2016), o.type(WEB_2016), "the second wave did not start");
        assertFalse(o.progress().contains("MigrateInstanceStateMachine[" + WEB_2016 + "]"), o.progress());
        String report = String.valueOf(o.mails("xen2nitro: fleet ended").get(0).get("message"));
        assertTrue(report.contains("1 of 2 migrations failed, more than the tolerated 0%: the other 1 were not started"), report);
        assertTrue(report.contains(WEB_2016 + "  not-started"), report);
        o.assertNothingTemporaryLeft();
    }

    @Test
    void aDryRunPlansAndChangesNothing() throws Exception {
        Outcome o = run("{\"selection\":{\"tags\":{\"Name\":[\"web-2016\",\"app-2016\",\"linux-bastion\"]}},\"dryRun\":true}", "auto");
        assertEquals("SUCCEEDED", o.report().status(), o.progress());
        for (String part : List.of("instances", "vpcEndpoints", "securityGroups", "images")) {
            assertEquals(String.valueOf(o.before().get(part)), String.valueOf(o.world().get(part)), part);
        }
        assertEquals(List.of(), o.mails("xen2nitro: approve"), "a dry run asks no approval");
        String report = String.valueOf(o.mails("xen2nitro: fleet planned").get(0).get("message"));
        assertTrue(report.contains(WEB_2016 + "  planned"), report);
        assertTrue(report.contains("not selected") && report.contains("i-0f1e2d3c4b5a60008"), "the Linux instance is left, with why: " + report);
    }

    @Test
    void aRejectedBatchChangesNothing() throws Exception {
        Outcome o = run("{\"selection\":{\"instanceIds\":" + ids(WEB_2016, APP_2016) + "}}", "reject");
        assertEquals("Xen2Nitro.ApprovalRejected", o.report().error(), o.progress());
        assertEquals(o.typeBefore(WEB_2016), o.type(WEB_2016));
        assertEquals(o.typeBefore(APP_2016), o.type(APP_2016));
        assertFalse(o.progress().contains("MigrateInstanceStateMachine["), "no migration started:\n" + o.progress());
        assertTrue(String.valueOf(o.mails("xen2nitro: fleet rejected").get(0).get("message")).contains("not-approved"), o.progress());
    }

    @Test
    void theFleetsSignedAnswerReplayedInAnotherExecutionApprovesNothing() throws Exception {
        String world = "mixed-fleet";
        try (LocalCloud local = LocalCloud.open(Worlds.root(), WorldLoader.load(Worlds.read(world), world))) {
            PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
            Runner.Report fleet = local.run("MigrateFleetStateMachine", "{\"selection\":{\"instanceIds\":" + ids(DC, WEB_2016) + "},"
                    + "\"maxConcurrency\":1,\"toleratedFailurePercentage\":0}", "auto", quiet);
            assertEquals("Xen2Nitro.FleetIncomplete", fleet.error());
            // The child's input is in DescribeExecution and in its status-change event: the signed answer with it.
            var child = local.emulator().cloud().executions.all().stream()
                    .filter(e -> e.stateMachineArn.endsWith(":MigrateInstanceStateMachine") && e.input.contains("fleetApproval")).findFirst().orElseThrow();
            JsonNode input = JSON.readTree(child.input);
            assertTrue(child.name.endsWith("-" + input.get("instanceId").asText()), child.name);
            // The instance the fleet did not start (past the tolerance), with the fleet's answer, after the fleet ended.
            assertEquals(DC, input.get("instanceId").asText(), "the only migration the fleet started");
            String other = WEB_2016;
            String replay = JSON.createObjectNode().put("instanceId", other).put("targetType", "t3.medium").set("fleetApproval", input.get("fleetApproval"))
                    .toString();
            ByteArrayOutputStream progress = new ByteArrayOutputStream();
            Runner.Report report = local.run("MigrateInstanceStateMachine", replay, "auto", new PrintStream(progress, true, StandardCharsets.UTF_8));
            assertEquals("Xen2Nitro.ApprovalRejected", report.error(), progress.toString(StandardCharsets.UTF_8));
            assertTrue(report.cause().contains("only in the execution the fleet names"), report.cause());
            Map<String, Object> web = ((List<Map<String, Object>>) local.world().get("instances")).stream()
                    .filter(i -> other.equals(i.get("id"))).findFirst().orElseThrow();
            assertEquals(0, ((Number) web.get("stopCount")).intValue(), "never stopped");
        }
    }

    @Test
    void aMigrationStartedWithAForgedFleetApprovalIsRejectedBeforeTheInstanceStops() throws Exception {
        String world = "mixed-fleet";
        try (LocalCloud local = LocalCloud.open(Worlds.root(), WorldLoader.load(Worlds.read(world), world))) {
            String fleet = "arn:aws:states:us-east-1:123456789012:execution:MigrateFleetStateMachine:not-this-one";
            // A plan that does move the instance, kept where a fleet keeps it, and an answer no approval function signed.
            local.emulator().cloud().buckets.get("xen2nitro-drivers-123456789012").put("fleet-plans/0123456789abcdef.json",
                    ("{\"execution\":\"" + fleet + "\",\"migrate\":[{\"instanceId\":\"" + WEB_2016 + "\",\"to\":\"t3.medium\"}]}")
                            .getBytes(StandardCharsets.UTF_8));
            String input = "{\"instanceId\":\"" + WEB_2016 + "\",\"targetType\":\"t3.medium\",\"fleetApproval\":{\"execution\":\"" + fleet
                    + "\",\"planKey\":\"fleet-plans/0123456789abcdef.json\",\"answer\":{\"approved\":true,\"approver\":\"arn:aws:iam::123456789012:user/alice\","
                    + "\"via\":\"cli\",\"at\":\"2026-11-26T00:00:00Z\",\"instanceId\":\"fleet of 1 instance\",\"targetType\":\"the types of the fleet plan\","
                    + "\"planHash\":\"0\",\"reason\":\"\",\"signature\":\"AAAA\"}}}";
            ByteArrayOutputStream progress = new ByteArrayOutputStream();
            Runner.Report report = local.run("MigrateInstanceStateMachine", input, "auto", new PrintStream(progress, true, StandardCharsets.UTF_8));
            String p = progress.toString(StandardCharsets.UTF_8);
            assertEquals("Xen2Nitro.ApprovalRejected", report.error(), p);
            assertTrue(p.contains("> VerifyFleetApproval") && !p.contains("> RequestApproval"), p);
            assertTrue(report.cause().contains("signature does not verify"), report.cause());
            Map<String, Object> web = ((List<Map<String, Object>>) local.world().get("instances")).stream()
                    .filter(i -> WEB_2016.equals(i.get("id"))).findFirst().orElseThrow();
            assertEquals("t2.medium", web.get("instanceType"));
            assertEquals(0, ((Number) web.get("stopCount")).intValue(), "never stopped");
        }
    }
}
