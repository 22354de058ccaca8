package dev.xen2nitro.local;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.xen2nitro.local.world.WorldLoader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import software.amazon.awssdk.services.sfn.SfnClient;

/**
 * Two migrations in one VPC at the same time share its temporary endpoints (private DNS allows one interface endpoint per
 * service and VPC): the second uses what the first created, and neither deletes what the other still relies on. The
 * world is the seed's with a second instance in a second subnet of the VPC, whose route table has an S3 gateway
 * endpoint of its own, and an ssmmessages endpoint that existed before with its own group; neither is ever touched.
 *
 * <p>Each test holds the second migration (B) at its approval, so it is running, with its endpoints in use, while the
 * first (A) prepares, fails or is stopped, and is cleaned up; then B is approved and must end migrated, and nothing
 * temporary may remain.
 */
@Execution(ExecutionMode.CONCURRENT)
class SharedEndpointsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String A = MigrationWorkflowTest.SEED;
    static final String B = "i-0a1b2c3d4e5f60002";
    static final String VPC = "vpc-0a1b2c3d4e5f60001";
    static final String SUBNET_A_CIDR = "10.20.1.0/24", SUBNET_B_CIDR = "10.20.2.0/24";
    static final String RTB_A = "rtb-0a1b2c3d4e5f60001", RTB_B = "rtb-0a1b2c3d4e5f60002";
    /** What existed before: an ssmmessages endpoint with its own group, and the S3 gateway endpoint of B's route table. */
    static final String OLD_SSMMESSAGES = "vpce-0a1b2c3d4e5f600a1", OLD_S3 = "vpce-0a1b2c3d4e5f600a2", OLD_GROUP = "sg-0a1b2c3d4e5f600a1";

    /** The seed's world with B beside A in a second subnet, and the endpoints that existed before. */
    static UnaryOperator<String> twoInstances() {
        return w -> {
            try {
                ObjectNode root = (ObjectNode) JSON.readTree(w);
                ((ArrayNode) root.get("routeTables")).addObject().put("id", RTB_B).put("vpcId", VPC).putArray("routes");
                ObjectNode subnet = ((ArrayNode) root.get("subnets")).addObject().put("id", "subnet-0a1b2c3d4e5f60002").put("vpcId", VPC)
                        .put("availabilityZone", "us-east-1a").put("cidrBlock", SUBNET_B_CIDR).put("routeTableId", RTB_B);
                subnet.putObject("tags").put("Name", "private-app-b");
                ObjectNode group = ((ArrayNode) root.get("securityGroups")).addObject().put("id", OLD_GROUP).put("vpcId", VPC)
                        .put("groupName", "shared-endpoints");
                group.putArray("ingress").addObject().put("ipProtocol", "tcp").put("fromPort", 443).put("toPort", 443)
                        .putArray("cidrBlocks").add("10.20.0.0/16");
                ArrayNode endpoints = root.has("vpcEndpoints") ? (ArrayNode) root.get("vpcEndpoints") : root.putArray("vpcEndpoints");
                ObjectNode ssmmessages = endpoints.addObject().put("id", OLD_SSMMESSAGES).put("vpcId", VPC)
                        .put("serviceName", "com.amazonaws.us-east-1.ssmmessages").put("vpcEndpointType", "Interface");
                ssmmessages.putArray("subnetIds").add("subnet-0a1b2c3d4e5f60001");
                ssmmessages.putArray("securityGroupIds").add(OLD_GROUP);
                endpoints.addObject().put("id", OLD_S3).put("vpcId", VPC).put("serviceName", "com.amazonaws.us-east-1.s3")
                        .put("vpcEndpointType", "Gateway").putArray("routeTableIds").add(RTB_B);
                ObjectNode b = ((ObjectNode) root.get("instances").get(0)).deepCopy();
                b.put("id", B).put("subnetId", "subnet-0a1b2c3d4e5f60002").put("privateIpAddress", "10.20.2.25");
                ((ObjectNode) b.get("tags")).put("Name", "erp-app-02");
                ObjectNode nic = (ObjectNode) b.get("guest").get("nics").get(0);
                nic.put("macAddress", "0A:D4:E5:F6:00:02");
                ((ObjectNode) nic.get("addresses").get(0)).put("ipAddress", "10.20.2.25");
                nic.putArray("gateways").add("10.20.2.1");
                ((ArrayNode) root.get("instances")).add(b);
                return JSON.writeValueAsString(root);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
    }

    record World(Map<String, Object> world) implements WorldView {
        List<Map<String, Object>> temporary(String key) {
            return list(key).stream().filter(r -> "true".equals(((Map<?, ?>) r.getOrDefault("tags", Map.of())).get("xen2nitro:temporary"))).toList();
        }

        Set<String> temporaryServices() {
            return temporary("vpcEndpoints").stream().map(e -> String.valueOf(e.get("serviceName")).replace("com.amazonaws.us-east-1.", "")
                    + ("Gateway".equals(e.get("type")) ? " " + e.get("routeTableIds") : "")).collect(Collectors.toSet());
        }

        @SuppressWarnings("unchecked")
        List<String> admitted() {
            List<Map<String, Object>> groups = temporary("securityGroups");
            assertEquals(1, groups.size(), "one temporary group per VPC: " + groups);
            return ((List<Map<String, Object>>) groups.get(0).get("ingress")).stream()
                    .flatMap(r -> ((List<String>) r.get("cidrBlocks")).stream()).toList();
        }

        List<String> parameters() {
            return list("parameters").stream().map(p -> (String) p.get("name")).toList();
        }

        Map<String, Object> endpoint(String id) {
            return list("vpcEndpoints").stream().filter(e -> id.equals(e.get("id"))).findFirst().orElse(null);
        }

        Map<String, Object> group(String id) {
            return list("securityGroups").stream().filter(g -> id.equals(g.get("id"))).findFirst().orElse(null);
        }
    }

    /** B, started with its approval answered by hand, once it waits for it: its endpoints are prepared and in use. */
    static CompletableFuture<Runner.Report> startWaitingForApproval(LocalCloud local, ByteArrayOutputStream progress) throws Exception {
        CompletableFuture<Runner.Report> b = CompletableFuture.supplyAsync(() -> {
            try {
                return local.run("MigrateInstanceStateMachine", MigrationWorkflowTest.input(B, "\"targetType\":\"m5.xlarge\""), "manual",
                        new PrintStream(progress, true, StandardCharsets.UTF_8));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        ApprovalWorkflowTest.pending(local);
        return b;
    }

    /** What both tests assert once B waits for its approval and A has ended and been cleaned up. */
    static void assertBUndisturbed(World w, String progress) {
        assertEquals(Set.of("ssm", "ec2messages"), w.temporaryServices(),
                "B still relies on the temporary ssm and ec2messages endpoints; A's S3 endpoint on its own route table is gone:\n" + progress);
        assertEquals(List.of(SUBNET_B_CIDR), w.admitted(), "the group admits B's subnet only, A's rule revoked:\n" + progress);
        assertEquals(true, w.instance(B).get("ssmOnline"), "B's agent still reaches SSM:\n" + progress);
        assertTrue(w.parameters().stream().anyMatch(p -> p.startsWith("/xen2nitro/endpoints/" + VPC + "/users/")),
                "B is still a user: " + w.parameters());
        assertEquals(1, w.parameters().stream().filter(p -> p.startsWith("/xen2nitro/endpoints/")).count(), "only B: " + w.parameters());
    }

    /** B approved and migrated; nothing temporary, no registration or lock left; what existed before as it was. */
    static void assertBMigratedAndNothingLeft(LocalCloud local, CompletableFuture<Runner.Report> b, ByteArrayOutputStream progress,
                                              Map<String, Object> before) throws Exception {
        assertEquals(200, ApprovalWorkflowTest.approve(local, dev.xen2nitro.local.host.LocalPeople.ALICE).status());
        Runner.Report report = b.get();
        String out = progress.toString(StandardCharsets.UTF_8);
        assertEquals("SUCCEEDED", report.status(), out);
        World w = new World(local.world());
        assertEquals("m5.xlarge", w.instance(B).get("instanceType"), out);
        assertEquals(true, w.instance(B).get("enaSupport"));
        assertEquals("migrated", w.tags(B).get("xen2nitro:status"));
        assertTrue(w.temporary("vpcEndpoints").isEmpty(), "no temporary endpoint remains: " + w.list("vpcEndpoints"));
        assertTrue(w.temporary("securityGroups").isEmpty(), "no temporary group remains: " + w.list("securityGroups"));
        assertTrue(w.parameters().isEmpty(), "no user, lock or approval is kept: " + w.parameters());
        World was = new World(before);
        for (String id : List.of(OLD_SSMMESSAGES, OLD_S3)) {
            assertEquals(String.valueOf(was.endpoint(id)), String.valueOf(w.endpoint(id)), "the endpoint that existed before is untouched");
        }
        assertEquals(String.valueOf(was.group(OLD_GROUP)), String.valueOf(w.group(OLD_GROUP)), "its group is untouched");
        assertEquals(Set.of("sg-0a1b2c3d4e5f60001", OLD_GROUP), w.list("securityGroups").stream().map(g -> (String) g.get("id")).collect(Collectors.toSet()));
    }

    /** A lock is taken over only from an invocation that Lambda has stopped: the lock outlasts every function that takes it. */
    @Test
    void theVpcLockIsTakenOverOnlyAfterEveryInvocationThatMayHoldItHasEnded() throws Exception {
        var functions = new dev.xen2nitro.local.host.Template(Worlds.root()).functions();
        for (String f : List.of("PrepareEndpointsFunction", "DeleteEndpointsFunction")) {
            int timeout = functions.get(f).timeoutSeconds();
            assertTrue(timeout > 0 && 2L * timeout <= dev.xen2nitro.functions.network.EndpointSharing.LOCK_EXPIRY.getSeconds(),
                    f + " times out after " + timeout + " s; the VPC's lock expires after " + dev.xen2nitro.functions.network.EndpointSharing.LOCK_EXPIRY);
        }
    }

    @Test
    void aMigrationThatFailsBesideAnotherInTheSameVpcReleasesOnlyItsShareAndTheOtherMigrates() throws Exception {
        try (LocalCloud local = LocalCloud.open(Worlds.root(),
                WorldLoader.load(twoInstances().andThen(MigrationWorkflowTest.seedGuestFailure("InstallPvDriver")).apply(Worlds.read("seed-2012r2-private")),
                        "shared-endpoints"))) {
            Map<String, Object> before = local.world();
            ByteArrayOutputStream bProgress = new ByteArrayOutputStream();
            CompletableFuture<Runner.Report> b = startWaitingForApproval(local, bProgress);
            World prepared = new World(local.world());
            assertEquals(Set.of("ssm", "ec2messages"), prepared.temporaryServices(),
                    "B created only what the VPC lacked (ssmmessages existed, and its route table has an S3 endpoint)");

            ByteArrayOutputStream aProgress = new ByteArrayOutputStream();
            Runner.Report a = local.run("MigrateInstanceStateMachine", MigrationWorkflowTest.input(A, "\"targetType\":\"m5.xlarge\""), "auto",
                    new PrintStream(aProgress, true, StandardCharsets.UTF_8));
            String out = aProgress.toString(StandardCharsets.UTF_8);
            // A used B's endpoints (a second ssm endpoint with private DNS would have been refused), got as far as the PV
            // driver, failed there and was rolled back; then the cleanup after its FAILED ending ran too.
            assertEquals("FAILED", a.status(), out);
            assertTrue(a.visited().contains("InstallPvDriver") && a.visited().contains("DeleteEndpoints"), out);
            assertFalse(a.visited().contains("MarkEndpointsRefused"), out);
            World afterA = new World(local.world());
            assertEquals("restored", afterA.tags(A).get("xen2nitro:status"), out);
            assertEquals("m4.xlarge", afterA.instance(A).get("instanceType"));
            assertEquals(1, a.triggered().size(), "the cleanup after a FAILED ending:\n" + out);
            assertEquals("SUCCEEDED", a.triggered().get(0).status(), out);
            assertTrue(a.triggered().get(0).visited().contains("DeleteEndpoints"), out);
            assertBUndisturbed(new World(local.world()), out + bProgress.toString(StandardCharsets.UTF_8));

            assertBMigratedAndNothingLeft(local, b, bProgress, before);
        }
    }

    @Test
    void aMigrationStoppedBesideAnotherInTheSameVpcIsReleasedByTheCleanupAndTheOtherMigrates() throws Exception {
        try (LocalCloud local = LocalCloud.open(Worlds.root(), WorldLoader.load(twoInstances().apply(Worlds.read("seed-2012r2-private")), "shared-endpoints"));
             SfnClient sfn = Worlds.sfn(local.emulator())) {
            Map<String, Object> before = local.world();
            ByteArrayOutputStream bProgress = new ByteArrayOutputStream();
            CompletableFuture<Runner.Report> b = startWaitingForApproval(local, bProgress);

            ByteArrayOutputStream aProgress = new ByteArrayOutputStream();
            AtomicBoolean stopped = new AtomicBoolean();
            Runner.Report a = local.run("MigrateInstanceStateMachine", MigrationWorkflowTest.input(A, "\"targetType\":\"m5.xlarge\""), "auto",
                    new PrintStream(aProgress, true, StandardCharsets.UTF_8), (arn, entered) -> {
                        if (entered.equals("CreateBackupImage") && stopped.compareAndSet(false, true)) {
                            sfn.stopExecution(r -> r.executionArn(arn).error("Operator.Stop").cause("stopped in CreateBackupImage"));
                        }
                    });
            String out = aProgress.toString(StandardCharsets.UTF_8);
            assertTrue(stopped.get(), out);
            assertEquals("ABORTED", a.status(), out);
            assertFalse(a.visited().contains("DeleteEndpoints"), "a stopped execution runs none of its final states:\n" + out);
            assertEquals(1, a.triggered().size(), out);
            Runner.Report cleanup = a.triggered().get(0);
            assertEquals("SUCCEEDED", cleanup.status(), out);
            assertTrue(cleanup.visited().contains("DeleteEndpoints"), out);
            World w = new World(local.world());
            assertNull(w.tags(A).get("xen2nitro:lock"), "the cleanup released A's lock:\n" + out);
            assertEquals("m4.xlarge", w.instance(A).get("instanceType"));
            assertBUndisturbed(w, out + bProgress.toString(StandardCharsets.UTF_8));

            assertBMigratedAndNothingLeft(local, b, bProgress, before);
        }
    }
}
