package dev.xen2nitro.local;

import static org.junit.jupiter.api.Assertions.*;

import dev.xen2nitro.local.cloud.Cloud;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;

/**
 * The spans in which an instance's server does not serve, as world.json shows them ({@code unavailable}), after the EC2 calls
 * that cause them, through the real SDK: CreateImage's reboot (a shutdown and a boot), none with NoReboot, and a stop that
 * stays open until the started instance passes its checks, timed from when it reached running, not from when a request
 * next looked.
 */
class UnavailableSpansTest {
    static final String ID = "i-0a1b2c3d4e5f60001";
    /** A hundredth of AWS's pace: a reboot takes 2.1 s here, a stop 0.9 s. */
    static final double FACTOR = 0.01;
    Emulator emulator;
    Ec2Client ec2;

    @BeforeEach
    void start() throws Exception {
        emulator = Worlds.start("seed-2012r2-private", s -> s.replaceFirst("\\{", "{\"timeFactor\": " + FACTOR + ","));
        ec2 = Worlds.ec2(emulator);
    }

    @AfterEach
    void stop() {
        ec2.close();
        emulator.close();
    }

    @SuppressWarnings("unchecked")
    List<Map<String, Object>> unavailable() {
        Map<String, Object> i = ((List<Map<String, Object>>) emulator.snapshot().get("instances")).stream()
                .filter(x -> ID.equals(x.get("id"))).findFirst().orElseThrow();
        return (List<Map<String, Object>>) i.get("unavailable");
    }

    String status() {
        return ec2.describeInstanceStatus(r -> r.instanceIds(ID).includeAllInstances(true)).instanceStatuses().get(0).instanceStatus().statusAsString();
    }

    InstanceStateName state() {
        return ec2.describeInstances(r -> r.instanceIds(ID)).reservations().get(0).instances().get(0).state().name();
    }

    static long real(double awsSeconds) {
        return Math.round(awsSeconds * FACTOR * 1000);
    }

    @Test
    void createImageWithoutNoRebootIsAShutdownAndABoot() throws Exception {
        assertEquals(List.of(), unavailable(), "nothing before");
        ec2.createImage(r -> r.instanceId(ID).name("backup").noReboot(false));
        assertEquals("initializing", status(), "rebooting");
        assertTrue(Worlds.eventually(10, () -> "ok".equals(status())));
        assertEquals(List.of(Map.of("cause", "CreateImage reboot", "seconds", Cloud.REBOOT_SECONDS, "open", false)), unavailable());
    }

    @Test
    void createImageWithNoRebootLeavesTheServerUp() throws Exception {
        ec2.createImage(r -> r.instanceId(ID).name("crash-consistent").noReboot(true));
        assertEquals("ok", status());
        Thread.sleep(real(Cloud.REBOOT_SECONDS) + 200);
        assertEquals(List.of(), unavailable());
        assertEquals("ok", status());
    }

    @Test
    void aStopStaysOpenUntilTheStartedInstancePassesItsChecks() throws Exception {
        ec2.stopInstances(r -> r.instanceIds(ID));
        assertTrue(Worlds.eventually(10, () -> state() == InstanceStateName.STOPPED));
        List<Map<String, Object>> stopped = unavailable();
        assertEquals(1, stopped.size(), stopped.toString());
        assertEquals("stop/start", stopped.get(0).get("cause"));
        assertEquals(true, stopped.get(0).get("open"), "no start yet");
        assertTrue((Double) stopped.get(0).get("seconds") >= Cloud.STOP_SECONDS, stopped.toString());

        ec2.startInstances(r -> r.instanceIds(ID));
        assertTrue(Worlds.eventually(10, () -> "ok".equals(status())));
        List<Map<String, Object>> spans = unavailable();
        assertEquals(1, spans.size(), spans.toString());
        assertEquals(false, spans.get(0).get("open"));
        // At least the stop, the start and the boot, and the time it lay stopped before StartInstances.
        assertTrue((Double) spans.get(0).get("seconds") >= Cloud.STOP_SECONDS + Cloud.START_SECONDS + Cloud.STATUS_INIT_SECONDS,
                spans.toString());
    }

    @Test
    void theBootAfterAStartCountsFromRunningEvenWhenNoRequestLooksInTheMeantime() throws Exception {
        ec2.stopInstances(r -> r.instanceIds(ID));
        assertTrue(Worlds.eventually(10, () -> state() == InstanceStateName.STOPPED));
        ec2.startInstances(r -> r.instanceIds(ID));
        // No request while it starts and boots: the emulator moves resources on only when a request comes.
        Thread.sleep(real(Cloud.START_SECONDS + Cloud.STATUS_INIT_SECONDS) + 300);
        assertEquals("ok", status(), "the checks passed 150 AWS seconds after StartInstances, whoever was looking");
        assertEquals(false, unavailable().get(0).get("open"));
    }
}
