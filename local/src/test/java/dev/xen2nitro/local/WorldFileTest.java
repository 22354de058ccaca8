package dev.xen2nitro.local;

import static org.junit.jupiter.api.Assertions.*;

import dev.xen2nitro.local.cloud.Cloud;
import dev.xen2nitro.local.world.WorldException;
import dev.xen2nitro.local.world.WorldLoader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** World files: the shipped ones load; a wrong one is refused with the field named, before anything runs. */
class WorldFileTest {

    @ParameterizedTest
    @MethodSource("dev.xen2nitro.local.Worlds#shipped")
    void everyShippedWorldLoads(Path world) throws Exception {
        Cloud c = WorldLoader.load(world);
        assertFalse(c.instances.isEmpty(), world + " has no instances");
    }

    @Test
    void theMixedFleetHasTheCasesItPromises() throws Exception {
        Cloud c = WorldLoader.load(Worlds.world("mixed-fleet"));
        assertTrue(c.instances.values().stream().anyMatch(i -> i.guest != null && i.guest.os.equals("2008R2")));
        assertTrue(c.instances.values().stream().anyMatch(i -> i.guest != null && i.guest.os.equals("2016")));
        assertTrue(c.instances.values().stream().anyMatch(i -> c.catalogue.type(i.instanceType).nitro()), "one already on Nitro");
        assertTrue(c.instances.values().stream().anyMatch(i -> c.catalogue.type(i.instanceType).instanceStorage()), "one with instance store");
        assertTrue(c.instances.values().stream().anyMatch(i -> i.guest != null && i.guest.isDomainController()));
        assertTrue(c.instances.values().stream().anyMatch(i -> i.instanceType.startsWith("t2.")));
        assertTrue(c.instances.values().stream().anyMatch(i -> i.instanceType.startsWith("c4.")));
    }

    static String refusal(String world, String from, String to) throws Exception {
        String json = Worlds.read(world);
        assertTrue(json.contains(from), "fixture text not found: " + from);
        WorldException e = assertThrows(WorldException.class, () -> WorldLoader.load(json.replace(from, to), world));
        return e.getMessage();
    }

    @Test
    void anUnknownFieldIsNamed() throws Exception {
        String m = refusal("seed-2012r2-private", "\"privateIpAddress\"", "\"privateIp\"");
        assertTrue(m.contains("unknown field 'instances[0].privateIp'"), m);
        assertTrue(m.contains("privateIpAddress"), "lists the known fields: " + m);
    }

    @Test
    void aFieldOfTheWrongTypeIsNamed() throws Exception {
        String m = refusal("seed-2012r2-private", "\"sizeGiB\": 80", "\"sizeGiB\": \"eighty\"");
        assertTrue(m.contains("instances[0].volumes[0].sizeGiB"), m);
    }

    @Test
    void anUnknownInstanceTypeIsNamed() throws Exception {
        String m = refusal("seed-2012r2-private", "\"m4.xlarge\"", "\"m4.xxlarge\"");
        assertTrue(m.contains("instances[0].instanceType: 'm4.xxlarge' is not an EC2 instance type"), m);
    }

    @Test
    void aDanglingReferenceIsNamed() throws Exception {
        String m = refusal("seed-2012r2-private", "\"subnetId\": \"subnet-0a1b2c3d4e5f60001\"", "\"subnetId\": \"subnet-0000000000000dead\"");
        assertTrue(m.contains("instances[0].subnetId: 'subnet-0000000000000dead' refers to nothing in this world"), m);
        String rt = refusal("seed-2012r2-private", "\"routeTableId\": \"rtb-0a1b2c3d4e5f60001\"", "\"routeTableId\": \"rtb-missing\"");
        assertTrue(rt.contains("subnets[0].routeTableId: 'rtb-missing' refers to nothing"), rt);
    }

    @Test
    void wrongValuesAreNamedTogether() throws Exception {
        String json = Worlds.read("seed-2012r2-private").replace("\"2012R2\"", "\"2003\"").replace("\"running\"", "\"sleeping\"");
        WorldException e = assertThrows(WorldException.class, () -> WorldLoader.load(json, "w"));
        assertTrue(e.getMessage().contains("instances[0].guest.os: '2003'"), e.getMessage());
        assertTrue(e.getMessage().contains("instances[0].state: 'sleeping' must be running or stopped"), e.getMessage());
    }

    @Test
    void aNullValueIsNamedRatherThanThrown() throws Exception {
        String m = refusal("seed-2012r2-private", "\"10.20.0.11\"", "null");
        assertTrue(m.contains("instances[0].guest.nics[0].dnsServers[1]: 'null' is not an IPv4 address"), m);
        String agent = refusal("seed-2012r2-private", "\"name\": \"EC2Config\"", "\"name\": null");
        assertTrue(agent.contains("instances[0].guest.launchAgent.name: 'null' must be EC2Config, EC2Launch or EC2LaunchV2"), agent);
    }

    @Test
    void localRunRefusesABadWorldBeforeStartingAnything() throws Exception {
        Path bad = Files.createTempFile("world", ".json");
        Files.writeString(bad, Worlds.read("seed-2012r2-private").replace("\"m4.xlarge\"", "\"m4.nope\""));
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true));
        int rc;
        try {
            rc = Main.run(new String[] {"--world", bad.toString(), "--input", Worlds.root().resolve("events/MigrateInstance-seed.json").toString(),
                    "--out", Files.createTempDirectory("out").toString()});
        } finally {
            System.setErr(err);
        }
        assertEquals(2, rc);
        assertTrue(captured.toString().contains("'m4.nope' is not an EC2 instance type"), captured.toString());
    }
}
