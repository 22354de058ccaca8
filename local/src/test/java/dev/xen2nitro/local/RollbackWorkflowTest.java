package dev.xen2nitro.local;

import static org.junit.jupiter.api.Assertions.*;

import dev.xen2nitro.local.world.WorldLoader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * The rollback on its own (statemachine/rollback-instance.asl.json), from a world in mid-migration:
 * stopped on m5.xlarge with enaSupport on, its guest generalized for Nitro and booting nowhere, the
 * backup AMI of its guest before the change. Its input is explicit, as an operator would give it.
 */
@Execution(ExecutionMode.CONCURRENT)
class RollbackWorkflowTest {
    static final String ID = "i-0a1b2c3d4e5f60001";
    static final String AMI = "ami-0a1b2c3d4e5f60099";

    record Outcome(Runner.Report report, Map<String, Object> world, Map<String, Object> before, String progress) implements WorldView {
        Map<String, Object> instance() {
            return list("instances").get(0);
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> drivers() {
            return (Map<String, Object>) ((Map<String, Object>) instance().get("guest")).get("drivers");
        }
    }

    static Outcome rollBack(UnaryOperator<String> world, String input) throws Exception {
        try (LocalCloud local = LocalCloud.open(Worlds.root(), WorldLoader.load(world.apply(Worlds.read("mid-migration-2012")), "mid-migration-2012"))) {
            Map<String, Object> before = local.world();
            ByteArrayOutputStream progress = new ByteArrayOutputStream();
            Runner.Report report = local.run("RollbackInstanceStateMachine", input, "auto", new PrintStream(progress, true, StandardCharsets.UTF_8));
            return new Outcome(report, local.world(), before, progress.toString(StandardCharsets.UTF_8));
        }
    }

    static String input(String originalState) {
        return "{\"instanceId\":\"" + ID + "\",\"originalType\":\"m4.xlarge\",\"originalEnaSupport\":false,\"originalState\":\""
                + originalState + "\",\"backupImageId\":\"" + AMI + "\"}";
    }

    @Test
    void aStoppedInstanceOnNitroWhoseGuestNoLongerBootsIsPutBackAsItWas() throws Exception {
        Outcome o = rollBack(w -> w, input("running"));
        assertEquals("SUCCEEDED", o.report().status(), o.progress());
        Map<String, Object> i = o.instance();
        assertEquals("m4.xlarge", i.get("instanceType"));
        assertEquals(false, i.get("enaSupport"));
        assertEquals("running", i.get("state"));
        assertEquals("ok", i.get("instanceStatus"), "it boots again: the root volume came back from the backup");
        assertEquals("7.4.6", o.drivers().get("pv"));
        assertNull(o.drivers().get("nvme"));
        assertEquals(1, o.list("replaceRootVolumeTasks").size());
        assertEquals(AMI, o.list("replaceRootVolumeTasks").get(0).get("imageId"));
        assertEquals(1, o.list("detachedVolumes").size(), "the replaced root volume is kept");
        assertEquals(String.valueOf(o.before().get("images")), String.valueOf(o.world().get("images")), "the backup AMI is kept");
        // The order EC2 requires: type and attribute while stopped, the root volume while running.
        List<String> v = o.report().visited();
        assertTrue(v.indexOf("RestoreInstanceType") < v.indexOf("StartForRollback") && v.indexOf("StartForRollback") < v.indexOf("ReplaceRootVolume"), v.toString());
        assertFalse(v.contains("StopForRollback"), "it was stopped already");
        assertEquals("m4.xlarge", o.report().output().get("instanceType").asText());
        assertEquals(AMI, o.report().output().get("backupImageId").asText());
    }

    @Test
    void anInstanceThatWasStoppedIsLeftStopped() throws Exception {
        Outcome o = rollBack(w -> w, input("stopped"));
        assertEquals("SUCCEEDED", o.report().status(), o.progress());
        assertEquals("stopped", o.instance().get("state"));
        assertEquals("m4.xlarge", o.instance().get("instanceType"));
        assertEquals("7.4.6", o.drivers().get("pv"));
        assertTrue(o.report().visited().contains("StopRestoredInstance"));
    }

    @Test
    void aRunningInstanceIsStoppedFirst() throws Exception {
        Outcome o = rollBack(w -> w.replace("\"state\": \"stopped\"", "\"state\": \"running\""), input("running"));
        assertEquals("SUCCEEDED", o.report().status(), o.progress());
        assertEquals("m4.xlarge", o.instance().get("instanceType"));
        assertEquals("ok", o.instance().get("instanceStatus"));
        List<String> v = o.report().visited();
        assertTrue(v.indexOf("StopForRollback") < v.indexOf("RestoreInstanceType"), v.toString());
    }

    @Test
    void anIncompleteInputChangesNothingAndSaysWhatIsNeeded() throws Exception {
        Outcome o = rollBack(w -> w, input("running").replace(",\"originalEnaSupport\":false", ""));
        assertEquals("FAILED", o.report().status());
        assertEquals("Xen2Nitro.InvalidRollbackInput", o.report().error());
        assertTrue(o.report().cause().contains("originalEnaSupport"), o.report().cause());
        assertEquals(String.valueOf(o.before().get("instances")), String.valueOf(o.world().get("instances")));
    }

    @Test
    void aRefusedRootVolumeReplacementFailsTheRollbackAndDeletesNothing() throws Exception {
        Outcome o = rollBack(w -> w.replace("\"topics\":", "\"faults\": [{\"service\":\"ec2\",\"operation\":\"CreateReplaceRootVolumeTask\","
                + "\"code\":\"UnauthorizedOperation\",\"count\":-1}],\n  \"topics\":"), input("running"));
        assertEquals("FAILED", o.report().status());
        assertEquals("Xen2Nitro.RollbackFailed", o.report().error(), o.progress());
        assertTrue(o.report().cause().contains("UnauthorizedOperation") || o.report().cause().contains("CreateReplaceRootVolumeTask"),
                o.report().cause());
        assertEquals("m4.xlarge", o.instance().get("instanceType"), "what was done before the failure stays done");
        assertTrue(o.list("replaceRootVolumeTasks").isEmpty());
        assertTrue(o.list("detachedVolumes").isEmpty());
        assertEquals(String.valueOf(o.before().get("images")), String.valueOf(o.world().get("images")));
    }
}
