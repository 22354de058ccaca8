package dev.xen2nitro.local.bench;

import static org.junit.jupiter.api.Assertions.*;

import com.networknt.schema.InputFormat;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.xen2nitro.local.Worlds;
import dev.xen2nitro.local.cloud.Cloud;
import dev.xen2nitro.local.world.WorldLoader;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The benchmark's world (local/bench) follows the world schema and loads: 1,000 instances in 20 VPCs. */
class FleetWorldTest {

    @Test
    void theBenchmarksWorldFollowsTheSchemaAndLoads() throws Exception {
        String world = FleetWorld.world(1000, 20).toString();
        var errors = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                .getSchema(Files.readString(Worlds.schema()), InputFormat.JSON)
                .validate(world, InputFormat.JSON, context -> context.executionConfig(c -> c.formatAssertionsEnabled(true)));
        assertEquals(List.of(), errors);
        Cloud cloud = WorldLoader.load(world, "bench");
        assertEquals(1000, cloud.instances.size());
        assertEquals(20, cloud.vpcs.size());
        assertEquals(16, cloud.vpcEndpoints.size(), "four VPCs of twenty have their four endpoints already");
        assertTrue(cloud.instances.values().stream().allMatch(i -> i.instanceType.matches("(m4|c4|t2)\\..*")));
    }
}
