package dev.xen2nitro.local;

import static org.junit.jupiter.api.Assertions.*;

import dev.xen2nitro.local.world.WorldLoader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;

/**
 * A migration stopped midway (StopExecution) runs none of its own final states: the EventBridge rule on its
 * ABORTED status starts the cleanup state machine, which does what they would have. Each test stops the seed's
 * migration as it enters one state and asserts on the world afterwards.
 */
@Execution(ExecutionMode.CONCURRENT)
class StoppedExecutionTest {
    static final String SEED = MigrationWorkflowTest.SEED;

    static MigrationWorkflowTest.Outcome stopAt(String state, String approval) throws Exception {
        return stopAt(state, approval, w -> w);
    }

    static MigrationWorkflowTest.Outcome stopAt(String state, String approval, java.util.function.UnaryOperator<String> edit) throws Exception {
        return stopAt(state, approval, edit, local -> { });
    }

    /** Stops the migration as it enters {@code state}, after {@code first} has done to the local cloud what happens meanwhile. */
    static MigrationWorkflowTest.Outcome stopAt(String state, String approval, java.util.function.UnaryOperator<String> edit,
                                                java.util.function.Consumer<LocalCloud> first) throws Exception {
        try (LocalCloud local = LocalCloud.open(Worlds.root(), WorldLoader.load(edit.apply(Worlds.read("seed-2012r2-private")), "seed-2012r2-private"));
             SfnClient sfn = Worlds.sfn(local.emulator())) {
            Map<String, Object> before = local.world();
            ByteArrayOutputStream progress = new ByteArrayOutputStream();
            AtomicBoolean stopped = new AtomicBoolean();
            Runner.Report report = local.run("MigrateInstanceStateMachine", MigrationWorkflowTest.input(SEED, "\"targetType\":\"m5.xlarge\""),
                    approval, new PrintStream(progress, true, StandardCharsets.UTF_8), (arn, entered) -> {
                        if (entered.equals(state) && stopped.compareAndSet(false, true)) {
                            first.accept(local);
                            sfn.stopExecution(r -> r.executionArn(arn).error("Operator.Stop").cause("stopped in " + state));
                        }
                    });
            String out = progress.toString(StandardCharsets.UTF_8);
            assertTrue(stopped.get(), state + " was never entered:\n" + out);
            assertEquals("ABORTED", report.status(), out);
            assertEquals(ExecutionStatus.ABORTED, sfn.describeExecution(r -> r.executionArn(report.executionArn())).status());
            return new MigrationWorkflowTest.Outcome(report, local.world(), before, out, List.copyOf(local.host().logs), local.host().invocations.size(),
                    List.copyOf(local.emulator().cloud().taskTokens.all().keySet()));
        }
    }

    static Runner.Report cleanup(MigrationWorkflowTest.Outcome o) {
        assertEquals(1, o.report().triggered().size(), "the rule starts one cleanup:\n" + o.progress());
        Runner.Report c = o.report().triggered().get(0);
        assertEquals("SUCCEEDED", c.status(), o.progress());
        return c;
    }

    /** No temporary endpoint or group, no lock: what every path leaves. */
    static void assertCleanedUp(MigrationWorkflowTest.Outcome o) {
        assertTrue(o.list("vpcEndpoints").isEmpty(), "temporary endpoints are gone:\n" + o.progress());
        assertEquals(List.of("app-servers"), o.list("securityGroups").stream().map(g -> g.get("groupName")).toList(), o.progress());
        assertNull(o.tags(SEED).get("xen2nitro:lock"), "the lock is released:\n" + o.progress());
        assertTrue(o.list("parameters").isEmpty(), "no approval is kept for a stopped execution: " + o.list("parameters"));
    }

    static void assertAsBefore(MigrationWorkflowTest.Outcome o) {
        Map<String, Object> i = o.instance(SEED);
        assertEquals("m4.xlarge", i.get("instanceType"), o.progress());
        assertEquals(false, i.get("enaSupport"));
        assertEquals("running", i.get("state"));
    }

    @ParameterizedTest(name = "stopped in {0}")
    @CsvSource({"WaitForSsmOnline", "CaptureGuestFacts", "CreateBackupImage"})
    void stoppedBeforeAnyChangeTheLockAndEndpointsGoAndTheInstanceIsAsItWas(String state) throws Exception {
        MigrationWorkflowTest.Outcome o = stopAt(state, "auto");
        Runner.Report c = cleanup(o);
        assertFalse(c.visited().contains("RollBackInstance"), c.output().path("inspection").toString());
        assertCleanedUp(o);
        assertAsBefore(o);
        assertEquals(0, ((Number) o.instance(SEED).get("stopCount")).intValue());
        assertEquals("failed", o.tags(SEED).get("xen2nitro:status"));
        List<Map<String, Object>> mails = o.list("notifications");
        String last = String.valueOf(mails.get(mails.size() - 1).get("message"));
        assertTrue(last.contains("ended ABORTED") && last.contains("Nothing on the instance had changed"), last);
    }

    /** Stopped while it waits for the approval: what a rejection would leave (the PV and ENA drivers), no rollback. */
    @Test
    void stoppedWhileWaitingForTheApprovalIsLeftAsARejectionWouldLeaveIt() throws Exception {
        MigrationWorkflowTest.Outcome o = stopAt("RequestApproval", "manual");
        Runner.Report c = cleanup(o);
        assertFalse(c.visited().contains("RollBackInstance"), c.output().path("inspection").toString());
        assertCleanedUp(o);
        assertAsBefore(o);
        assertEquals("failed", o.tags(SEED).get("xen2nitro:status"));
        assertTrue(o.list("replaceRootVolumeTasks").isEmpty());
        assertEquals("8.4.3", ((Map<?, ?>) o.guest(SEED).get("drivers")).get("pv"), "the PV driver installed before the approval stays");
        String last = String.valueOf(o.list("notifications").get(o.list("notifications").size() - 1).get("message"));
        assertTrue(last.contains("as after a rejection"), last);
    }

    /** Stopped after the verification (while the launch agent is updated): migrated, finished, never rolled back. */
    @Test
    void stoppedAfterTheVerificationStaysMigrated() throws Exception {
        MigrationWorkflowTest.Outcome o = stopAt("UpdateLaunchAgent", "auto");
        Runner.Report c = cleanup(o);
        assertFalse(c.visited().contains("RollBackInstance"), c.output().path("inspection").toString());
        assertTrue(c.visited().contains("MarkFinished"), c.visited().toString());
        assertCleanedUp(o);
        Map<String, Object> i = o.instance(SEED);
        assertEquals("m5.xlarge", i.get("instanceType"));
        assertEquals(true, i.get("enaSupport"));
        assertEquals("running", i.get("state"));
        assertEquals("migrated", o.tags(SEED).get("xen2nitro:status"));
        assertTrue(o.list("replaceRootVolumeTasks").isEmpty());
    }

    /** Stopped after the approval: the guest or the instance had changed beyond what a rejection leaves; the backup AMI puts it back. */
    @ParameterizedTest(name = "stopped in {0}")
    @CsvSource({"SetPowerManagement,auto", "InstallNvmeDriver,auto", "WaitForInstanceStopped,auto", "StartInstance,auto"})
    void stoppedAfterTheGuestChangedTheInstanceIsRolledBack(String state, String approval) throws Exception {
        MigrationWorkflowTest.Outcome o = stopAt(state, approval);
        Runner.Report c = cleanup(o);
        assertTrue(c.visited().contains("RollBackInstance"), c.visited().toString());
        assertCleanedUp(o);
        assertAsBefore(o);
        assertEquals("restored", o.tags(SEED).get("xen2nitro:status"), o.progress());
        assertEquals(1, o.list("replaceRootVolumeTasks").size(), "the root volume is restored from the backup AMI");
        String ami = o.tags(SEED).get("xen2nitro:backup-image");
        Map<String, Object> image = o.list("images").stream().filter(im -> im.get("id").equals(ami)).findFirst().orElseThrow();
        Map<?, ?> tags = (Map<?, ?>) image.get("tags");
        assertEquals("m4.xlarge", tags.get("xen2nitro:original-type"));
        assertEquals("false", tags.get("xen2nitro:original-ena-support"));
        assertEquals("running", tags.get("xen2nitro:original-state"));
        List<Map<String, Object>> mails = o.list("notifications");
        String last = String.valueOf(mails.get(mails.size() - 1).get("message"));
        assertTrue(last.contains("ended ABORTED") && last.contains("rolled back from " + ami), last);
    }

    @Test
    void stoppedWhileItsOwnRollbackRunsTheRollbackIsStoppedAndTheCleanupRollsBackAgain() throws Exception {
        MigrationWorkflowTest.Outcome o = stopAt("RollBackInstance", "auto", MigrationWorkflowTest.seedGuestFailure("InstallNvmeDriver"));
        assertTrue(o.progress().contains("RollbackInstanceStateMachine["), "the migration's rollback had started:\n" + o.progress());
        Runner.Report c = cleanup(o);
        assertTrue(c.visited().contains("RollBackInstance"), c.visited().toString());
        assertCleanedUp(o);
        assertAsBefore(o);
        assertEquals("restored", o.tags(SEED).get("xen2nitro:status"), o.progress());
        assertEquals("succeeded", o.list("replaceRootVolumeTasks").get(o.list("replaceRootVolumeTasks").size() - 1).get("state"));
    }

    /**
     * The instance went while its migration ran, then the migration stopped: nothing is left to roll back, unlock or tag,
     * and the cleanup's report says so, and that the backup AMI, all that is left of the instance, is kept when the
     * migration had taken it. Terminated and still listed (EC2 lists a terminated instance for about an hour), or listed
     * no more; while the approval waited (the AMI taken), or before the backup.
     */
    @ParameterizedTest(name = "{0}, stopped in {1}")
    @CsvSource({"terminated,RequestApproval", "listed no more,RequestApproval", "listed no more,WaitForSsmOnline"})
    void anInstanceGoneWhileItsMigrationRanIsReportedWithItsBackupAmiKept(String how, String state) throws Exception {
        MigrationWorkflowTest.Outcome o = stopAt(state, state.equals("RequestApproval") ? "manual" : "auto", w -> w, local -> {
            if (how.equals("terminated")) {
                try (var ec2 = Worlds.ec2(local.emulator())) {
                    ec2.terminateInstances(r -> r.instanceIds(SEED));
                }
            } else {
                var cloud = local.emulator().cloud();
                synchronized (cloud) {
                    cloud.instances.remove(SEED);
                }
            }
        });
        Runner.Report c = cleanup(o);
        assertFalse(c.visited().contains("RollBackInstance"), c.visited().toString());
        assertFalse(c.visited().contains("RecordOutcome"), "nothing to tag: " + c.visited());
        assertTrue(o.list("vpcEndpoints").isEmpty(), "temporary endpoints are gone:\n" + o.progress());
        assertTrue(o.list("parameters").isEmpty(), "no approval is kept for a stopped execution: " + o.list("parameters"));
        List<Map<String, Object>> mails = o.list("notifications");
        Map<String, Object> last = mails.get(mails.size() - 1);
        String subject = String.valueOf(last.get("subject"));
        String report = String.valueOf(last.get("message"));
        assertTrue(report.contains("ended ABORTED") && report.contains("Its instance " + SEED + " is gone"), report);
        if (state.equals("RequestApproval")) {
            assertTrue(c.visited().contains("MarkGoneWithBackup"), c.visited().toString());
            String ami = c.output().path("inspection").path("backupImageId").asText();
            assertTrue(o.list("images").stream().anyMatch(im -> im.get("id").equals(ami)), "the backup AMI " + ami + " is kept");
            assertTrue(subject.startsWith("xen2nitro: ACTION REQUIRED"), subject);
            assertTrue(report.contains("backup AMI " + ami + " is kept"), report);
            assertTrue(report.startsWith("ACTION REQUIRED: the instance is gone, and its backup AMI (below) is all that is left of it"), report);
        } else {
            assertTrue(c.visited().contains("MarkGone"), c.visited().toString());
            assertTrue(o.list("images").isEmpty(), "no backup was taken");
            assertFalse(subject.contains("ACTION REQUIRED"), subject);
            assertTrue(report.contains("it had taken no backup AMI"), report);
        }
    }

    @Test
    void aMigrationThatEndsThroughItsOwnFinalStatesLeavesTheCleanupNothingToDo() throws Exception {
        // Refused by the preflight: FAILED, but its own final states ran.
        MigrationWorkflowTest.Outcome o = MigrationWorkflowTest.run("seed-2012r2-private", MigrationWorkflowTest.input(SEED, "\"targetType\":\"m4.2xlarge\""));
        assertEquals("FAILED", o.report().status(), o.progress());
        Runner.Report c = cleanup(o);
        assertEquals(List.of("ResetPollCounters", "WaitForGuestCommands", "CancelGuestCommands", "AreGuestCommandsEnded", "RemoveRehearsal", "InspectEndedExecution", "NoteInstance",
                "WhatToDo", "DeleteEndpoints", "ForgetApproval", "HeldLock", "CleanedUp"), c.visited());
        o.assertNothingChanged();
        assertEquals(1, o.list("notifications").size(), "one report, the migration's own");
    }

    @Test
    void aSucceededMigrationStartsNoCleanup() throws Exception {
        MigrationWorkflowTest.Outcome o = MigrationWorkflowTest.run("seed-2012r2-private", MigrationWorkflowTest.input(SEED, "\"targetType\":\"m5.xlarge\""));
        assertEquals("SUCCEEDED", o.report().status(), o.progress());
        assertTrue(o.report().triggered().isEmpty());
    }
}
