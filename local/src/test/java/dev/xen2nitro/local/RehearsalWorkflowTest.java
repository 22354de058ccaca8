package dev.xen2nitro.local;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.xen2nitro.local.world.WorldLoader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import software.amazon.awssdk.services.sfn.SfnClient;

/**
 * The rehearsal ({@code "rehearse": true}) through the runner: a clone launched from the backup AMI is migrated first, on the
 * same state machine, and removed; the original follows only when the clone ended migrated. Each test asserts on the world
 * afterwards: the original, the clone and its volumes and group, the report.
 */
@Execution(ExecutionMode.CONCURRENT)
class RehearsalWorkflowTest {
    static final String SEED = MigrationWorkflowTest.SEED;
    static final String INPUT = MigrationWorkflowTest.input(SEED, "\"targetType\":\"m5.xlarge\",\"rehearse\":true");

    /**
     * The seed's adapter by DHCP with the VPC's resolver: a clone of it can be isolated (the seed as shipped sets its address
     * and its domain's DNS servers in Windows, which a rehearsal refuses).
     */
    static final UnaryOperator<String> DHCP = Worlds.guestField(SEED, "nics",
            "[{\"macAddress\":\"0A:D4:E5:F6:00:01\",\"dhcp\":true,\"dnsServers\":[\"10.20.0.2\"]}]");

    static MigrationWorkflowTest.Outcome run(UnaryOperator<String> edit, String stopAt) throws Exception {
        return run(w -> DHCP.apply(edit.apply(w)), stopAt, Map.of());
    }

    static MigrationWorkflowTest.Outcome run(UnaryOperator<String> edit, String stopAt, Map<String, String> parameters) throws Exception {
        String world = "seed-2012r2-private";
        try (LocalCloud local = LocalCloud.open(Worlds.root(), WorldLoader.load(edit.apply(Worlds.read(world)), world), parameters);
             SfnClient sfn = Worlds.sfn(local.emulator())) {
            Map<String, Object> before = local.world();
            ByteArrayOutputStream progress = new ByteArrayOutputStream();
            AtomicBoolean stopped = new AtomicBoolean();
            Runner.Report report = local.run("MigrateInstanceStateMachine", INPUT, "auto", new PrintStream(progress, true, StandardCharsets.UTF_8),
                    (arn, entered) -> {
                        if (stopAt != null && entered.endsWith(stopAt) && stopped.compareAndSet(false, true)) {
                            sfn.stopExecution(r -> r.executionArn(arn).error("Operator.Stop").cause("stopped in " + entered));
                        }
                    });
            if (stopAt != null) assertTrue(stopped.get(), stopAt + " was never entered:\n" + progress);
            return new MigrationWorkflowTest.Outcome(report, local.world(), before, progress.toString(StandardCharsets.UTF_8),
                    List.copyOf(local.host().logs), local.host().invocations.size(),
                    List.copyOf(local.emulator().cloud().taskTokens.all().keySet()));
        }
    }

    /** The instances the rehearsal launched (tagged with their original). */
    static List<Map<String, Object>> clones(MigrationWorkflowTest.Outcome o) {
        return o.list("instances").stream().filter(i -> String.valueOf(i.get("tags")).contains("xen2nitro:rehearsal-of")).toList();
    }

    /** No clone runs, none has a volume left, and no rehearsal security group is left. */
    static void assertNoCloneLeft(MigrationWorkflowTest.Outcome o) {
        List<Map<String, Object>> clones = clones(o);
        assertEquals(1, clones.size(), "one clone was launched:\n" + o.progress());
        for (Map<String, Object> c : clones) {
            assertEquals("terminated", c.get("state"), "the clone " + c.get("id") + " is terminated:\n" + o.progress());
            assertEquals(List.of(), c.get("volumes"), "the clone's volumes were deleted with it");
        }
        assertTrue(o.list("securityGroups").stream().noneMatch(g -> String.valueOf(g.get("tags")).contains("xen2nitro:rehearsal-of")),
                "the clone's security group is deleted: " + o.list("securityGroups"));
    }

    /** The original is as it was: type, attribute, state, never stopped, and its drivers untouched. */
    static void assertOriginalUntouched(MigrationWorkflowTest.Outcome o) {
        Map<String, Object> before = ((List<Map<String, Object>>) o.before().get("instances")).stream()
                .filter(i -> SEED.equals(i.get("id"))).findFirst().orElseThrow();
        Map<String, Object> now = o.instance(SEED);
        for (String key : List.of("instanceType", "enaSupport", "state", "stopCount", "startCount")) {
            assertEquals(before.get(key), now.get(key), key + " of the original:\n" + o.progress());
        }
        assertEquals(((Map<?, ?>) before.get("guest")).get("drivers"), o.guest(SEED).get("drivers"), "the original's drivers");
        assertEquals(((Map<?, ?>) before.get("guest")).get("pnpGeneralized"), o.guest(SEED).get("pnpGeneralized"));
    }

    @Test
    void aCleanRehearsalIsFollowedByTheMigrationOfTheOriginalThroughItsApproval() throws Exception {
        MigrationWorkflowTest.Outcome o = run(w -> w, null);
        assertEquals("SUCCEEDED", o.report().status(), o.progress());
        assertEquals("m5.xlarge", o.instance(SEED).get("instanceType"));
        assertEquals(1, o.instance(SEED).get("stopCount"), "the original's one stop/start");
        assertNoCloneLeft(o);
        Map<String, Object> clone = clones(o).get(0);
        assertEquals(SEED, o.tags((String) clone.get("id")).get("xen2nitro:rehearsal-of"));
        assertEquals("m5.xlarge", clone.get("instanceType"), "the clone was migrated before it went");
        assertNotEquals(o.instance(SEED).get("privateIpAddress"), clone.get("privateIpAddress"), "the clone has its own address");
        assertEquals(o.tags(SEED).get("xen2nitro:backup-image"), clone.get("imageId"), "launched from the backup AMI");
        assertEquals("arn:aws:iam::123456789012:instance-profile/xen2nitro-RehearsalInstanceProfile", clone.get("iamInstanceProfile"),
                "the stack's SSM-only profile, not the original's");

        JsonNode rehearsal = o.report().output().get("rehearsal");
        assertEquals("migrated", rehearsal.get("status").asText(), rehearsal.toString());
        assertTrue(rehearsal.get("unavailableSeconds").asDouble() > 0, rehearsal.toString());
        assertEquals(2, rehearsal.get("unavailable").size(), "the PV reboot and the stop/start: " + rehearsal);
        List<String> steps = rehearsal.get("steps").findValuesAsText("step");
        assertTrue(steps.containsAll(List.of("Preflight", "VerifyRehearsal", "InstallPvDriver", "StopInstance", "ChangeInstanceType",
                "VerifyMigration", "MarkMigrated")), steps.toString());
        assertFalse(steps.contains("RequestApproval") || steps.contains("CreateBackupImage"), "no approval, no AMI of the clone: " + steps);
        for (JsonNode s : rehearsal.get("steps")) {
            assertEquals("succeeded", s.get("outcome").asText(), s.toString());
        }
        assertTrue(rehearsal.get("cloneRunningSeconds").asDouble() > 0 && rehearsal.get("cloneVolumeGiB").asInt() > 0, rehearsal.toString());

        // The clone's run needs no approval; the original's asks for one, which shows the rehearsal.
        List<String> subjects = o.list("notifications").stream().map(n -> (String) n.get("subject")).toList();
        assertEquals(List.of("xen2nitro: approve " + SEED + " -> m5.xlarge?", "xen2nitro: approve " + SEED + " -> m5.xlarge?",
                "xen2nitro: approve " + SEED + " -> m5.xlarge?", "xen2nitro: " + SEED + " migrated"), subjects, "one report, no mail of the clone");
        String approval = (String) o.list("notifications").get(0).get("message");
        assertTrue(approval.contains("\"rehearsal\"") && approval.contains("\"status\" : \"migrated\""), approval);
        List<String> v = o.report().visited();
        assertTrue(v.indexOf("RemoveRehearsal") < v.indexOf("RequestApproval"), "the clone goes before the approval is asked: " + v);
    }

    @Test
    void aGuestThatWouldNotBootOnNitroIsCaughtOnTheCloneAndTheOriginalIsLeftAsItWas() throws Exception {
        MigrationWorkflowTest.Outcome o = run(Worlds.guestField(SEED, "failures", "[\"NvmeDriverBroken\"]"), null);
        assertEquals("FAILED", o.report().status(), o.progress());
        assertEquals("Xen2Nitro.RehearsalFailed", o.report().error(), o.progress());
        assertOriginalUntouched(o);
        assertNoCloneLeft(o);
        Map<String, String> tags = o.tags(SEED);
        assertEquals("rehearsal-failed", tags.get("xen2nitro:status"));
        assertNull(tags.get("xen2nitro:lock"), "the lock is released");
        String ami = tags.get("xen2nitro:backup-image");
        assertTrue(o.list("images").stream().anyMatch(im -> im.get("id").equals(ami) && "available".equals(im.get("state"))), "the backup AMI is kept");
        assertFalse(o.report().visited().contains("RequestApproval"), "no approval is asked after a failed rehearsal");
        // The one mail, the report: the clone's failing step and what it gave, from the migration document.
        List<Map<String, Object>> mails = o.list("notifications");
        assertEquals(1, mails.size(), "no approval request, no mail of the clone: " + mails);
        String report = (String) mails.get(0).get("message");
        assertTrue(report.contains("is rehearsal-failed") && report.contains("ended failed at InstanceImpairedOnNitro"), report);
        JsonNode rehearsal = new com.fasterxml.jackson.databind.ObjectMapper().readTree(report.substring(report.indexOf("Migration document:") + 20))
                .get("rehearsal");
        assertEquals("InstanceImpairedOnNitro", rehearsal.get("failedStep").asText(), rehearsal.toString());
        assertEquals("Xen2Nitro.InstanceImpaired", rehearsal.at("/failedOutput/error/Error").asText(), rehearsal.toString());
        assertEquals("failed", rehearsal.get("status").asText());
        // The steps before the failure ran on the clone and are timed; the clone's stop/start is among them.
        List<String> steps = rehearsal.get("steps").findValuesAsText("step");
        assertTrue(steps.containsAll(List.of("InstallPvDriver", "InstallNvmeDriver", "StopInstance", "StartInstance", "InstanceImpairedOnNitro")), steps.toString());
    }

    @Test
    void aDomainJoinedServersCloneNeverReachesItsDomainControllerAndTheOriginalKeepsItsTrust() throws Exception {
        MigrationWorkflowTest.Outcome o = run(w -> CloneLaunchTest.DOMAIN_JOINED.apply(w).replace("\"timeFactor\":0.01", "\"timeFactor\":0.001"), null);
        assertEquals("SUCCEEDED", o.report().status(), o.progress());
        String clone = (String) clones(o).get(0).get("id");
        List<Map<String, Object>> logons = o.list("domainLogons");
        assertTrue(logons.stream().noneMatch(l -> clone.equals(l.get("instanceId"))), "the clone logged on: " + logons);
        assertTrue(logons.stream().anyMatch(l -> SEED.equals(l.get("instanceId"))), "the original logs on as it boots: " + logons);
        assertEquals(false, o.guest(SEED).get("trustBroken"), "the original keeps its trust relationship");
        assertEquals("m5.xlarge", o.instance(SEED).get("instanceType"));
    }

    @Test
    void aServerWithItsAddressSetInWindowsIsNotClonedAndTheOriginalIsLeftAsItWas() throws Exception {
        // The seed as shipped: a static address and its domain's DNS servers, which a clone in an isolated group cannot use.
        MigrationWorkflowTest.Outcome o = run(w -> w, null, Map.of());
        assertEquals("Xen2Nitro.RehearsalFailed", o.report().error(), o.progress());
        assertTrue(clones(o).isEmpty(), "no clone was launched");
        assertTrue(o.list("securityGroups").stream().noneMatch(g -> String.valueOf(g.get("tags")).contains("xen2nitro:rehearsal-of")),
                "no group is left: " + o.list("securityGroups"));
        assertOriginalUntouched(o);
        assertEquals("rehearsal-failed", o.tags(SEED).get("xen2nitro:status"));
        String report = (String) o.list("notifications").get(0).get("message");
        assertTrue(report.contains("has its address set in Windows"), report);
    }

    @Test
    void anExecutionStoppedDuringTheRehearsalLeavesNoCloneAndTheOriginalAsItWas() throws Exception {
        MigrationWorkflowTest.Outcome o = run(w -> w, "]:InstallPvDriver");
        assertEquals("ABORTED", o.report().status(), o.progress());
        assertFalse(o.report().triggered().isEmpty(), "the rule starts the cleanup:\n" + o.progress());
        for (Runner.Report c : o.report().triggered()) {
            assertEquals("SUCCEEDED", c.status(), o.progress());
        }
        assertOriginalUntouched(o);
        assertNoCloneLeft(o);
        assertNull(o.tags(SEED).get("xen2nitro:lock"), "the cleanup released the original's lock");
    }
}
