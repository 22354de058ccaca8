package dev.xen2nitro.local;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.xen2nitro.functions.core.Executions;
import dev.xen2nitro.local.cloud.Cloud;
import dev.xen2nitro.local.host.Template;
import dev.xen2nitro.local.world.WorldLoader;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The handler tier (DESIGN.md, "Tests, from cheap to whole"): every function of template.yaml, invoked with its events/ sample through the
 * Lambda host as the state machine invokes it, against the emulator in the state the sample assumes.
 * Its response must be events/expected/NAME.json, where a value generated per run (an ID AWS makes up)
 * is written as {@code {"$matches": "REGEX"}}; afterwards the world holds exactly the change the
 * handler is for, and a handler that only reads leaves it as it was.
 *
 * <p>One emulator and one Lambda host serve every case (the functions' clients are built once per
 * JVM); each case loads a fresh world into them.
 */
class HandlerSamplesTest {
    static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    /** The instance, execution and backup AMI the samples in events/ name. */
    static final String ID = "i-0a1b2c3d4e5f60001";
    static final String EXECUTION = "arn:aws:states:us-east-1:123456789012:execution:xen2nitro-MigrateInstance:3f6c2a9e-0d5b-4c1e-9a77-2b8e5d1c4f10";
    static final String BACKUP = "ami-0a1b2c3d4e5f60001";
    static final String SUBNET_CIDR = "10.20.1.0/24";

    /** The world's parts a case may change; "calls" is the emulator's log and changes with every call. */
    static final List<String> PARTS = List.of("instances", "vpcEndpoints", "securityGroups", "images", "replaceRootVolumeTasks",
            "detachedVolumes", "notifications", "commands", "parameters");

    // ------------------------------------------------------------------ worlds

    /** local/worlds/seed-2012r2-private.json changed into the state a sample assumes, and what the world file cannot hold. */
    record World(Consumer<ObjectNode> edit, Consumer<Cloud> seed) {
        World and(Consumer<ObjectNode> more) {
            return new World(edit.andThen(more), seed);
        }

        World seeded(Consumer<Cloud> more) {
            return new World(edit, seed.andThen(more));
        }
    }

    static ObjectNode instance(ObjectNode world) {
        return (ObjectNode) world.get("instances").get(0);
    }

    static ObjectNode guest(ObjectNode world) {
        return (ObjectNode) instance(world).get("guest");
    }

    static ObjectNode tags(ObjectNode node) {
        return node.has("tags") ? (ObjectNode) node.get("tags") : node.putObject("tags");
    }

    static ArrayNode array(ObjectNode node, String field) {
        return node.has(field) ? (ArrayNode) node.get(field) : node.putArray(field);
    }

    /** The registry of the users of the seed VPC's temporary endpoints (ENDPOINT_USERS of the local stack, and the VPC). */
    static final String ENDPOINT_USERS = "/xen2nitro/endpoints/vpc-0a1b2c3d4e5f60001/";

    /** Something this execution created for the VPC's migrations: tagged as DeleteEndpoints finds it. */
    static ObjectNode ours(ObjectNode resource) {
        tags(resource).put("xen2nitro:execution", EXECUTION).put("xen2nitro:temporary", "true").put("xen2nitro:endpoint-users", ENDPOINT_USERS);
        return resource;
    }

    /** The samples' execution registered as the one user of the seed VPC's temporary endpoints, as PrepareEndpoints leaves it. */
    static void endpointUser(Cloud cloud) {
        Cloud.Parameter p = new Cloud.Parameter();
        p.name = ENDPOINT_USERS + "users/" + Executions.digest(EXECUTION);
        p.type = "String";
        p.version = 1;
        p.value = "{\"execution\":\"" + EXECUTION + "\",\"instanceId\":\"" + ID + "\",\"subnetId\":\"subnet-0a1b2c3d4e5f60001\",\"subnetCidr\":\""
                + SUBNET_CIDR + "\",\"routeTableIds\":[\"rtb-0a1b2c3d4e5f60001\"]}";
        cloud.parameters.put(p.name, p);
    }

    static final World SEED = new World(w -> {}, c -> {});

    static final World STOPPED = SEED.and(w -> instance(w).put("state", "stopped"));

    /** What PrepareEndpoints leaves for this execution: the guest reaches SSM and the driver bucket. */
    static final World REACHABLE = SEED.and(w -> {
        String vpc = "vpc-0a1b2c3d4e5f60001";
        String sg = "sg-0a1b2c3d4e5f60009";
        ObjectNode group = ours(array(w, "securityGroups").addObject().put("id", sg).put("vpcId", vpc)
                .put("groupName", "xen2nitro-ssm-endpoints"));
        group.putArray("ingress").addObject().put("ipProtocol", "tcp").put("fromPort", 443).put("toPort", 443)
                .putArray("cidrBlocks").add(SUBNET_CIDR);
        ArrayNode endpoints = array(w, "vpcEndpoints");
        int n = 1;
        for (String service : List.of("ssm", "ec2messages", "ssmmessages")) {
            ObjectNode e = ours(endpoints.addObject().put("id", "vpce-0a1b2c3d4e5f6000" + n++).put("vpcId", vpc)
                    .put("serviceName", "com.amazonaws.us-east-1." + service));
            e.putArray("subnetIds").add("subnet-0a1b2c3d4e5f60001");
            e.putArray("securityGroupIds").add(sg);
        }
        ObjectNode s3 = ours(endpoints.addObject().put("id", "vpce-0a1b2c3d4e5f60004").put("vpcId", vpc)
                .put("serviceName", "com.amazonaws.us-east-1.s3").put("vpcEndpointType", "Gateway"));
        s3.putArray("routeTableIds").add("rtb-0a1b2c3d4e5f60001");
    });

    /** On m5.xlarge with ENA and the pinned drivers, reachable: the state after the move. */
    static final World MIGRATED = REACHABLE.and(w -> {
        instance(w).put("instanceType", "m5.xlarge").put("enaSupport", true);
        guest(w).putObject("drivers").put("pv", "8.4.3").put("ena", "2.6.0").put("nvme", "1.5.0");
    });

    static final World WITH_BACKUP = SEED.and(w -> {
        ObjectNode image = array(w, "images").addObject().put("id", BACKUP).put("name", "xen2nitro-" + ID + "-" + EXECUTION)
                .put("platform", "windows");
        tags(image).put("xen2nitro:instance", ID).put("xen2nitro:execution", EXECUTION);
    });

    /** The rehearsal's clone of the seed (events/VerifyRehearsal.json, RemoveRehearsal.json). */
    static final String CLONE = "i-0a1b2c3d4e5f6c10e";
    /** The rehearsing execution of those samples: the stack's migration machine, whose generated name starts with its logical ID. */
    static final String REHEARSAL = "arn:aws:states:us-east-1:123456789012:execution:MigrateInstanceStateMachine:3f6c2a9e-0d5b-4c1e-9a77-2b8e5d1c4f10";

    /** The seed's backup AMI, and the clone the samples' execution launched from it, running in the seed's subnet. */
    static final World REHEARSING = WITH_BACKUP.and(w -> {
        ObjectNode clone = array(w, "instances").addObject().put("id", CLONE).put("instanceType", "m4.xlarge").put("state", "running")
                .put("subnetId", "subnet-0a1b2c3d4e5f60001").put("privateIpAddress", "10.20.1.77").put("platform", "windows")
                .put("imageId", BACKUP);
        // The seed's Windows as the backup AMI holds it.
        clone.set("guest", guest(w).deepCopy());
        tags(clone).put("xen2nitro:rehearsal-of", ID).put("xen2nitro:rehearsal-execution", REHEARSAL);
    });

    /** The clone's own group, and the clone in it terminated: what RemoveRehearsal finds once the clone has shut down. */
    static final World CLONE_TERMINATED = REHEARSING.and(w -> {
        ObjectNode group = array(w, "securityGroups").addObject().put("id", "sg-0a1b2c3d4e5f6c10e").put("vpcId", "vpc-0a1b2c3d4e5f60001")
                .put("groupName", "xen2nitro-rehearsal-3f6c2a9e");
        tags(group).put("xen2nitro:rehearsal-of", ID).put("xen2nitro:rehearsal-execution", REHEARSAL);
    }).seeded(c -> {
        // Terminated: its volumes and its interface (and so its place in the group) went with it.
        Cloud.Instance clone = c.instances.get(CLONE);
        clone.state = "terminated";
        clone.volumes.clear();
        clone.securityGroupIds.clear();
    });

    /** The clone's migration, as the sample of SummarizeRehearsal reads it. */
    static final String CLONE_RUN = "arn:aws:states:us-east-1:123456789012:execution:MigrateInstanceStateMachine:rehearsal-f8b8a18328b270f1";

    /**
     * The clone's migration has run, shortened to a few states: its history as Step Functions records it (the PV install
     * 30 s after the first state and 180 s long, the stop at 570 s, the guest back at 780 s), and its end, migrated.
     */
    static void cloneMigrated(Cloud cloud) {
        String machine = CLONE_RUN.substring(0, CLONE_RUN.lastIndexOf(':')).replace(":execution:", ":stateMachine:");
        cloud.executions.start(CLONE_RUN, machine, Executions.name(CLONE_RUN), "{\"instanceId\":\"" + CLONE + "\",\"rehearsalOf\":\"" + ID + "\"}");
        // A second after its start (now): each state at its time from there.
        long t0 = cloud.executions.get(CLONE_RUN).startDate + 1000;
        long[] id = {0};
        java.util.function.BiConsumer<String, Object[]> state = (name, at) -> {
            String type = (String) at[0];
            var entered = JSON.createObjectNode().put("name", name);
            id[0] = cloud.executions.record(CLONE_RUN, id[0], t0 + ((Integer) at[1]) * 1000L, type + "StateEntered", "stateEnteredEventDetails", entered,
                    "input", dev.xen2nitro.local.cloud.ExecutionHistory.Data.of("{}"));
            if (at.length > 2) {
                id[0] = cloud.executions.record(CLONE_RUN, id[0], t0 + ((Integer) at[2]) * 1000L, type + "StateExited", "stateExitedEventDetails",
                        JSON.createObjectNode().put("name", name), "output", dev.xen2nitro.local.cloud.ExecutionHistory.Data.of("{}"));
            }
        };
        state.accept("Preflight", new Object[] {"Task", 0, 2});
        state.accept("InstallPvDriver", new Object[] {"Task", 30, 31});
        state.accept("WaitForInstallPvDriver", new Object[] {"Wait", 31, 200});
        state.accept("CaptureGuestFactsAfterPvDriver", new Object[] {"Task", 210, 211});
        state.accept("VerifyRehearsal", new Object[] {"Task", 300, 301});
        state.accept("StopInstance", new Object[] {"Task", 570, 571});
        state.accept("StartInstance", new Object[] {"Task", 661, 662});
        state.accept("CaptureGuestFactsAfterMove", new Object[] {"Task", 780, 781});
        state.accept("MarkMigrated", new Object[] {"Pass", 900, 900});
        state.accept("MigrationEnded", new Object[] {"Succeed", 901, 901});
        var e = cloud.executions.get(CLONE_RUN);
        e.status = "SUCCEEDED";
        e.stopDate = t0 + 901_000;
        e.output = "{\"outcome\":{\"status\":\"migrated\",\"reason\":\"Migrated and verified.\"}}";
    }

    /** The samples' execution runs, migrating the seed with a rehearsal. */
    static void rehearsing(Cloud cloud) {
        cloud.executions.start(REHEARSAL, REHEARSAL.substring(0, REHEARSAL.lastIndexOf(':')).replace(":execution:", ":stateMachine:"),
                Executions.name(REHEARSAL), "{\"instanceId\":\"" + ID + "\",\"rehearse\":true}");
    }

    // ------------------------------------------------------------------ cases

    /** The world as local/run's world.json has it. */
    record Snapshot(JsonNode tree) {
        JsonNode instance() {
            for (JsonNode i : tree.get("instances")) if (ID.equals(i.path("id").asText())) return i;
            throw new AssertionError(ID + " is gone from the world");
        }

        JsonNode part(String name) {
            return tree.get(name);
        }
    }

    /** The world the sample needs, the parts of it the handler changes, and how. */
    record Case(World world, Set<String> changes, SnapshotCheck check) {
        /** The same case, with a check of what the snapshot does not show (the bucket's objects). */
        Case check(SnapshotCheck more) {
            return new Case(world, changes, more);
        }
    }

    /** What a case checks in the world after the handler ran, given its response. */
    interface SnapshotCheck {
        void check(Snapshot after, JsonNode response, LocalCloud local) throws Exception;
    }

    static Case reads(World world) {
        return new Case(world, Set.of(), (after, response, local) -> {});
    }

    /** The fleet execution of the fleet samples. */
    static final String FLEET = "arn:aws:states:us-east-1:123456789012:execution:xen2nitro-MigrateFleet:7b1e4c2a-5d3f-4e8a-9c61-0f2d8e4a6b17";

    static Case changes(World world, Set<String> parts, SnapshotCheck check) {
        return new Case(world, parts, check);
    }

    /** A command the sample's handler sent: the one in the world, named as its document, run to its end in the guest. */
    static JsonNode commandRun(LocalCloud local, JsonNode response, String document) throws InterruptedException {
        String id = response.get("commandId").asText();
        assertTrue(Worlds.eventually(10, () -> !"InProgress".equals(command(snapshot(local), id).path("status").asText())),
                "the command " + id + " did not end");
        JsonNode c = command(snapshot(local), id);
        assertEquals("xen2nitro-" + document, c.get("documentName").asText());
        assertEquals(ID, c.get("instanceId").asText());
        assertEquals("Success", c.get("status").asText(), c.toString());
        return c;
    }

    /** The command downloads the package by a URL the function presigned, and checks the SHA-256 pinned for it. */
    static void assertPresigned(JsonNode command, String pkg, String version) throws IOException {
        String url = command.at("/parameters/PackageUrl/0").asText();
        String key = "drivers/" + pkg + "/" + version + "/" + pkg + ".zip";
        assertTrue(url.startsWith("https://xen2nitro-drivers-123456789012.s3.us-east-1.amazonaws.com/" + key + "?"), url);
        assertTrue(url.contains("X-Amz-Signature=") && url.contains("X-Amz-Expires=900"), url);
        String pin = Files.readAllLines(Worlds.root().resolve("local/package-pins.sha256")).stream()
                .filter(l -> l.endsWith("  " + pkg + "/" + version + "/" + pkg + ".zip")).findFirst().orElseThrow().substring(0, 64);
        assertEquals(pin, command.at("/parameters/Sha256/0").asText());
        assertFalse(command.get("parameters").has("PackageBucket") || command.get("parameters").has("PackageKey"), command.toString());
    }

    static JsonNode command(Snapshot s, String id) {
        for (JsonNode c : s.part("commands")) if (id.equals(c.path("commandId").asText())) return c;
        throw new AssertionError("no command " + id + " in the world: " + s.part("commands"));
    }

    /** The plan of the approval samples (RequestApproval's report) and its hash; the token RequestApproval's sample carries. */
    static final String PLAN_HASH = "bc56594a20731f62bd0923386ace30dd9253e5596aed2a6d718dc847217c3828";
    static final String TOKEN = "AQCEAAAAKgAAAAMAAAAAAAAAAexample";
    static final String PENDING = "/xen2nitro/approvals/" + Executions.digest(EXECUTION);
    /** The approval key's material the samples' signatures were made with (events/VerifyApproval.json). */
    static final byte[] SAMPLE_KEY = "xen2nitro sample approval key 32".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    static void sampleKey(Cloud cloud) {
        cloud.kmsKeys.values().stream().filter(k -> "HMAC_256".equals(k.keySpec)).forEach(k -> k.material = SAMPLE_KEY.clone());
    }

    /**
     * RequestApproval has asked: the sample's task token waits and the pending approval is kept, with its MAC made with the
     * sample key (as PendingApprovalKey's, once {@link #sampleKey} ran).
     */
    static void pendingApproval(Cloud cloud) {
        cloud.taskTokens.open(TOKEN, "RequestApproval");
        Cloud.Parameter p = new Cloud.Parameter();
        p.name = PENDING;
        p.type = "SecureString";
        p.version = 1;
        // Fixed, and its expiry far ahead, so that what this sample is answered never expires: the package replays it while
        // AnswerApproval primes, at whatever date (PrimingRecorder, DeployedPackageTest).
        Instant now = Instant.parse("2025-11-27T09:10:00Z");
        try {
            JsonNode pending = JSON.readTree("{\"execution\":\"" + EXECUTION + "\",\"taskToken\":\"" + TOKEN + "\",\"instanceId\":\"" + ID
                    + "\",\"targetType\":\"m5.xlarge\",\"planHash\":\"" + PLAN_HASH + "\",\"backupImageId\":\"" + BACKUP
                    + "\",\"executionStartTime\":\"2025-11-27T09:00:00Z\",\"requestedBy\":null,\"starterSettled\":true,\"requestedAt\":\"" + now
                    + "\",\"expiresAt\":\"2099-11-27T09:10:00Z\",\"approvals\":[],\"plan\":[],\"links\":{}}");
            byte[] mac = sampleMac().doFinal(("xen2nitro pending approval " + dev.xen2nitro.functions.approval.PlanHash.of(pending))
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            p.value = JSON.createObjectNode().<com.fasterxml.jackson.databind.node.ObjectNode>set("pending", pending)
                    .put("mac", java.util.Base64.getEncoder().encodeToString(mac)).toString();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        cloud.parameters.put(p.name, p);
    }

    static final String OPERATOR = "arn:aws:iam::123456789012:user/operator";

    /** CloudTrail's event history: operator started the samples' execution at its StartTime, and alice another just after. */
    static void startedByOperator(Cloud cloud) {
        String machine = "arn:aws:states:us-east-1:123456789012:stateMachine:xen2nitro-MigrateInstance";
        Instant at = Instant.parse("2025-11-27T09:00:00Z");
        cloud.recordStartExecution(EXECUTION, machine, Executions.name(EXECUTION), OPERATOR, "AKIALOCALOPERATOR001", at);
        cloud.recordStartExecution(machine.replace(":stateMachine:", ":execution:") + ":another", machine, "another",
                "arn:aws:iam::123456789012:user/alice", "AKIALOCALALICE000001", at.plusSeconds(20));
    }

    static String sha256(String s) throws java.security.GeneralSecurityException {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    static javax.crypto.Mac sampleMac() throws java.security.GeneralSecurityException {
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(SAMPLE_KEY, "HmacSHA256"));
        return mac;
    }

    static JsonNode notification(Snapshot s) {
        assertEquals(1, s.part("notifications").size(), s.part("notifications").toString());
        return s.part("notifications").get(0);
    }

    static JsonNode guestOf(Snapshot s) {
        return s.instance().get("guest");
    }

    static final Map<String, Case> CASES = Map.ofEntries(
            Map.entry("Preflight", reads(SEED)),
            // The seed's m4.xlarge is covered by a Windows reservation that ends within the sample's 30 days; another, of a
            // type no instance runs, ends later. Both active whatever today is (the sample's asOf is fixed).
            Map.entry("SelectInstances", reads(SEED.and(w -> {
                ArrayNode ris = array(w, "reservedInstances");
                ris.addObject().put("id", "9d3c6a10-0000-4cc8-9ce3-1957fc1dcf01").put("instanceType", "m4.xlarge").put("instanceCount", 1)
                        .put("end", "2026-12-15T00:00:00Z").put("state", "active");
                ris.addObject().put("id", "9d3c6a10-0000-4cc8-9ce3-1957fc1dcf02").put("instanceType", "c4.large").put("availabilityZone", "us-east-1a")
                        .put("instanceCount", 2).put("end", "2027-05-01T00:00:00Z").put("state", "active");
            }))),
            // The day's scan finds the seed's m4.xlarge covered by a Windows reservation ending within 30 days, and starts the
            // fleet's plan for it; nothing in the account changes but the execution.
            Map.entry("ReservationRenewal", reads(SEED.and(w -> array(w, "reservedInstances").addObject().put("id", "9d3c6a10-0000-4cc8-9ce3-1957fc1dcf01")
                    .put("instanceType", "m4.xlarge").put("instanceCount", 1).put("end", "2026-12-15T00:00:00Z").put("state", "active")))
                    .check((after, r, local) -> {
                var e = local.emulator().cloud().executions.get(r.get("executionArn").asText());
                assertEquals(List.of(ID), JSON.readValue(JSON.readTree(e.input).at("/selection/instanceIds").toString(), List.class));
                assertEquals("schedule", JSON.readTree(e.input).at("/trigger/source").asText());
            })),
            // The sample's execution holds the lock and had sent nothing: the cleanup would only release it.
            Map.entry("InspectEndedExecution", reads(SEED)),
            // The sample's execution sent no command to the seed: nothing to cancel.
            Map.entry("CancelGuestCommands", reads(SEED)),
            Map.entry("AcquireLock", changes(SEED, Set.of("instances"), (after, r, local) -> {
                assertEquals(EXECUTION, after.instance().at("/tags/xen2nitro:lock").asText());
                assertTrue(after.instance().at("/tags/xen2nitro:execution").isMissingNode(), "only RecordOutcome names the execution on the instance");
            })),
            Map.entry("ReleaseLock", changes(SEED.and(w -> tags(instance(w)).put("xen2nitro:lock", EXECUTION)
                    .put("xen2nitro:execution", EXECUTION)), Set.of("instances"), (after, r, local) -> {
                assertTrue(after.instance().at("/tags/xen2nitro:lock").isMissingNode(), after.instance().get("tags").toString());
                assertEquals(EXECUTION, after.instance().at("/tags/xen2nitro:execution").asText(), "only the lock is removed");
            })),
            Map.entry("PrepareEndpoints", changes(SEED, Set.of("vpcEndpoints", "securityGroups", "instances", "parameters"), (after, r, local) -> {
                Set<String> services = new TreeSet<>();
                for (JsonNode e : after.part("vpcEndpoints")) {
                    assertEquals(EXECUTION, e.at("/tags/xen2nitro:execution").asText(), e.toString());
                    assertEquals("true", e.at("/tags/xen2nitro:temporary").asText(), e.toString());
                    assertEquals(ENDPOINT_USERS, e.at("/tags/xen2nitro:endpoint-users").asText(), e.toString());
                    services.add(e.get("serviceName").asText());
                }
                assertEquals(Set.of("com.amazonaws.us-east-1.ec2messages", "com.amazonaws.us-east-1.s3", "com.amazonaws.us-east-1.ssm",
                        "com.amazonaws.us-east-1.ssmmessages"), services);
                assertEquals(ids(after.part("vpcEndpoints"), "id"), set(r.get("created")));
                JsonNode sg = find(after.part("securityGroups"), "id", r.get("securityGroupId").asText());
                assertEquals("true", sg.at("/tags/xen2nitro:temporary").asText());
                assertTrue(sg.get("ingress").toString().contains("\"fromPort\":443") && sg.get("ingress").toString().contains(SUBNET_CIDR),
                        sg.toString());
                // What the endpoints are for: the guest's agent now reaches SSM.
                assertTrue(after.instance().get("ssmOnline").asBoolean(), "SSM is not reached through the endpoints");
                // The execution is their one user, and the VPC's lock is released.
                assertEquals(List.of(ENDPOINT_USERS + "users/" + Executions.digest(EXECUTION)),
                        StreamSupport.stream(after.part("parameters").spliterator(), false).map(p -> p.get("name").asText()).toList());
            })),
            Map.entry("DeleteEndpoints", changes(REACHABLE.seeded(HandlerSamplesTest::endpointUser), Set.of("vpcEndpoints", "securityGroups",
                    "instances", "parameters"), (after, r, local) -> {
                assertEquals(0, after.part("parameters").size(), "the last user is released: " + after.part("parameters"));
                assertEquals(0, after.part("vpcEndpoints").size(), after.part("vpcEndpoints").toString());
                assertEquals(Set.of("sg-0a1b2c3d4e5f60001"), ids(after.part("securityGroups"), "id"), "only the instance's own group is left");
                assertFalse(after.instance().get("ssmOnline").asBoolean(), "without the endpoints the subnet reaches no SSM");
            })),
            Map.entry("CheckSsmOnline", reads(REACHABLE)),
            Map.entry("CreateBackupImage", changes(SEED, Set.of("images", "instances"), (after, r, local) -> {
                JsonNode image = find(after.part("images"), "id", r.get("imageId").asText());
                assertEquals(ID, image.at("/tags/xen2nitro:instance").asText());
                assertEquals(EXECUTION, image.at("/tags/xen2nitro:execution").asText());
                assertEquals(r.get("imageId").asText(), after.instance().at("/tags/xen2nitro:backup-image").asText());
                // CreateImage without NoReboot reboots Windows for consistent file systems.
                assertEquals(1, guestOf(after).get("reboots").asInt());
            })),
            Map.entry("CheckBackupImage", reads(WITH_BACKUP)),
            Map.entry("CaptureGuestFacts", changes(REACHABLE, Set.of("commands"), (after, r, local) -> {
                JsonNode c = commandRun(local, r, "CaptureGuestFacts");
                assertEquals(JSON.readTree(Files.readString(Worlds.root().resolve("events/AssessGuest.json"))).get("output").asText(),
                        c.get("output").asText(), "the facts the AssessGuest sample reads are what this guest prints");
            })),
            Map.entry("CheckGuestCommand", reads(REACHABLE.seeded(cloud -> {
                // A CaptureGuestFacts command sent before, with the ID the sample polls, that has ended.
                Cloud.Instance i = cloud.instances.get(ID);
                cloud.commands.start("5f1c2d3e-4a5b-6c7d-8e9f-0a1b2c3d4e5f", i, "xen2nitro-CaptureGuestFacts",
                        "xen2nitro CaptureGuestFacts " + EXECUTION + " CaptureGuestFacts", Map.of()).doneAt = 0;
            }))),
            Map.entry("AssessGuest", reads(SEED)),
            Map.entry("CheckPackagesStaged", reads(SEED)),
            Map.entry("InstallPvDriver", changes(REACHABLE, Set.of("commands", "instances"), (after, r, local) -> {
                JsonNode c = commandRun(local, r, "InstallPvDriver");
                assertPresigned(c, "AWSPVDriver", "8.4.3");
                JsonNode g = guestOf(snapshot(local));
                assertEquals("8.4.3", g.at("/drivers/pv").asText());
                assertEquals(1, g.get("reboots").asInt(), "the PV installer reboots Windows");
            })),
            Map.entry("InstallEnaDriver", changes(REACHABLE, Set.of("commands", "instances"), (after, r, local) -> {
                JsonNode c = commandRun(local, r, "InstallEnaDriver");
                assertPresigned(c, "AwsEnaNetworkDriver", "2.6.0");
                assertEquals("2.6.0", guestOf(snapshot(local)).at("/drivers/ena").asText());
            })),
            Map.entry("RequestApproval", changes(SEED.seeded(HandlerSamplesTest::sampleKey).seeded(HandlerSamplesTest::startedByOperator), Set.of("notifications", "parameters"),
                    (after, r, local) -> {
                // One message to everyone on the stack's topic (no attribute, no link), then one for each approver on the link topic.
                JsonNode mails = after.part("notifications");
                assertEquals(3, mails.size(), mails.toString());
                JsonNode n = mails.get(0);
                assertEquals("arn:aws:sns:us-east-1:123456789012:xen2nitro-notifications", n.get("topicArn").asText());
                assertEquals("xen2nitro: approve " + ID + " -> m5.xlarge?", n.get("subject").asText());
                assertEquals(0, n.get("attributes").size(), n.toString());
                String mail = n.get("message").asText();
                assertTrue(mail.contains("Plan hash: " + PLAN_HASH) && mail.contains("\"planHash\":\"" + PLAN_HASH + "\"")
                        && mail.contains(local.host().functionUrl("AnswerApprovalFunction").toString()), mail);
                assertFalse(mail.contains("?approval="), "no link in the message to everyone: " + mail);
                assertTrue(mail.contains("Started by " + OPERATOR + " (CloudTrail), who cannot approve it."), mail);
                // Kept for the approval function only: a SecureString, its value never shown in world.json, with the MAC of
                // the pending approvals' key (the sample key here).
                Cloud.Parameter p = local.emulator().cloud().parameters.get(PENDING);
                assertEquals("SecureString", p.type);
                assertEquals("Standard", p.tier, "Intelligent-Tiering: it fits in 4 KB");
                JsonNode kept = JSON.readTree(p.value);
                JsonNode pending = kept.get("pending");
                assertEquals(java.util.Base64.getEncoder().encodeToString(sampleMac().doFinal(("xen2nitro pending approval "
                        + dev.xen2nitro.functions.approval.PlanHash.of(pending)).getBytes(java.nio.charset.StandardCharsets.UTF_8))), kept.get("mac").asText());
                assertEquals(TOKEN, pending.get("taskToken").asText());
                assertEquals(PLAN_HASH, pending.get("planHash").asText());
                assertEquals(BACKUP, pending.get("backupImageId").asText());
                assertEquals("2025-11-28T09:21:30Z", pending.get("expiresAt").asText(), "the state's timeout, from when it was entered");
                assertTrue(after.part("parameters").get(0).path("shownValue").isNull(), after.part("parameters").toString());
                // Who started it, from CloudTrail, among other starts in the same minutes.
                assertEquals(OPERATOR, pending.get("requestedBy").asText());
                assertTrue(pending.get("starterSettled").asBoolean());
                // Each approver's link: its own secret in its own message, only its hash kept; the plan in lines for the page.
                for (int i = 1; i <= 2; i++) {
                    assertEquals("arn:aws:sns:us-east-1:123456789012:xen2nitro-approval-links", mails.get(i).get("topicArn").asText(),
                            "links go to their own topic, to which only LinkSubscriberArns subscribe");
                    String approver = mails.get(i).at("/attributes/approver").asText();
                    String own = mails.get(i).get("message").asText();
                    java.util.regex.Matcher link = java.util.regex.Pattern.compile("\\?approval=" + Executions.digest(EXECUTION)
                            + "&key=([A-Za-z0-9_-]{43})").matcher(own);
                    assertTrue(link.find() && own.contains(local.host().url("AnswerApprovalLinkUrl") + "?approval="), own);
                    assertFalse(p.value.contains(link.group(1)), "the link's secret is not kept");
                    assertEquals(sha256(link.group(1)), pending.at("/links").path(approver).asText(), approver);
                    assertFalse(own.contains(TOKEN), "the task token is in no mail");
                }
                assertEquals(List.of("arn:aws:iam::123456789012:user/alice", "arn:aws:iam::123456789012:user/bob"),
                        List.of(mails.get(1).at("/attributes/approver").asText(), mails.get(2).at("/attributes/approver").asText()));
                assertEquals("[\"Type: m5.xlarge (requested by the operator)\",\"Preflight: 1 of 1 checks passed\"]", pending.get("plan").toString());
            })),
            Map.entry("AnswerApproval", changes(SEED.seeded(HandlerSamplesTest::sampleKey).seeded(HandlerSamplesTest::pendingApproval),
                    Set.of("parameters"), (after, r, local) -> {
                // The answer went to the waiting execution, signed with the approval key, and the pending approval is gone.
                var task = local.emulator().cloud().taskTokens.get(TOKEN);
                assertEquals("succeeded", task.status);
                JsonNode answer = JSON.readTree(task.output);
                assertTrue(answer.get("approved").asBoolean());
                assertEquals("arn:aws:iam::123456789012:user/alice", answer.get("approver").asText());
                assertEquals(PLAN_HASH, answer.get("planHash").asText());
                dev.xen2nitro.functions.approval.Answer a = dev.xen2nitro.functions.approval.Answer.read(answer);
                assertEquals(java.util.Base64.getEncoder().encodeToString(sampleMac().doFinal(a.message(EXECUTION))), a.signature());
                assertEquals(0, after.part("parameters").size(), "answered once: " + after.part("parameters"));
            })),
            Map.entry("VerifyApproval", reads(SEED.seeded(HandlerSamplesTest::sampleKey))),
            // The clone carries the rehearsal's tags and was launched from the seed's backup AMI by the running execution.
            // The clone of the seed from its backup AMI, in a group of its own that lets out HTTPS to the endpoints' subnet and S3 only.
            Map.entry("LaunchRehearsal", changes(REACHABLE.and(WITH_BACKUP.edit()).seeded(HandlerSamplesTest::rehearsing), Set.of("instances", "securityGroups"), (after, r, local) -> {
                JsonNode clone = find(after.part("instances"), "id", r.get("cloneId").asText());
                assertEquals(ID, clone.at("/tags/xen2nitro:rehearsal-of").asText());
                assertEquals(REHEARSAL, clone.at("/tags/xen2nitro:rehearsal-execution").asText());
                assertEquals(BACKUP, clone.get("imageId").asText());
                assertEquals("subnet-0a1b2c3d4e5f60001", clone.get("subnetId").asText());
                assertEquals(List.of(r.get("securityGroupId").asText()), JSON.convertValue(clone.get("securityGroupIds"), List.class));
                JsonNode group = find(after.part("securityGroups"), "id", r.get("securityGroupId").asText());
                assertEquals(0, group.get("ingress").size(), "nothing is let in");
                assertEquals(List.of(Map.of("ipProtocol", "tcp", "fromPort", 443, "toPort", 443, "cidrBlocks", List.of(SUBNET_CIDR))),
                        JSON.convertValue(group.get("egress"), List.class), "HTTPS to the endpoints' subnet only, and S3's prefix list");
                assertEquals(1, group.get("egressPrefixLists").size());
                assertEquals("running", after.instance().get("state").asText(), "the original is not touched");
            })),
            Map.entry("VerifyRehearsal", reads(REHEARSING.seeded(HandlerSamplesTest::rehearsing)
                    .seeded(c -> c.instances.get(CLONE).clientToken = Executions.clientToken(REHEARSAL, "rehearsal")))),
            // Read from the clone's execution: each state's time, the unavailable spans, migrated.
            Map.entry("SummarizeRehearsal", reads(SEED.seeded(HandlerSamplesTest::cloneMigrated))),
            // The clone has terminated: its group is deleted, and nothing else is touched (the seed, its own group).
            Map.entry("RemoveRehearsal", changes(CLONE_TERMINATED, Set.of("securityGroups"), (after, r, local) -> {
                assertEquals(Set.of("sg-0a1b2c3d4e5f60001"), ids(after.part("securityGroups"), "id"), "only the seed's own group is left");
                assertEquals("running", after.instance().get("state").asText(), "the original is not touched");
            })),
            Map.entry("ForgetApproval", changes(SEED.seeded(HandlerSamplesTest::pendingApproval), Set.of("parameters"), (after, r, local) ->
                    assertEquals(0, after.part("parameters").size(), after.part("parameters").toString()))),
            Map.entry("InstallNvmeDriver", changes(REACHABLE, Set.of("commands", "instances"), (after, r, local) -> {
                JsonNode c = commandRun(local, r, "InstallNvmeDriver");
                assertPresigned(c, "AWSNVMe", "1.5.1");
                JsonNode g = guestOf(snapshot(local));
                assertEquals("1.5.0", g.at("/drivers/nvme").asText(), "package 1.5.1 contains driver 1.5.0");
                assertTrue(g.get("pnpGeneralized").asBoolean(), "Sysprep_Generalize_Pnp runs after the NVMe driver");
            })),
            Map.entry("StopInstance", changes(SEED, Set.of("instances"), (after, r, local) -> {
                assertEquals(1, after.instance().get("stopCount").asInt());
                assertTrue(Worlds.eventually(5, () -> "stopped".equals(snapshot(local).instance().get("state").asText())), "not stopped");
            })),
            Map.entry("EnableEnaSupport", changes(STOPPED, Set.of("instances"), (after, r, local) ->
                    assertTrue(after.instance().get("enaSupport").asBoolean()))),
            Map.entry("ChangeInstanceType", changes(STOPPED, Set.of("instances"), (after, r, local) -> {
                assertEquals("m5.xlarge", after.instance().get("instanceType").asText());
                assertEquals("stopped", after.instance().get("state").asText());
            })),
            Map.entry("StartInstance", changes(STOPPED, Set.of("instances"), (after, r, local) -> {
                assertEquals(1, after.instance().get("startCount").asInt());
                assertTrue(Worlds.eventually(5, () -> "running".equals(snapshot(local).instance().get("state").asText())), "not running");
            })),
            Map.entry("CheckInstanceState", reads(SEED)),
            Map.entry("UpdateLaunchAgent", changes(REACHABLE, Set.of("commands", "instances"), (after, r, local) -> {
                JsonNode c = commandRun(local, r, "UpdateLaunchAgent");
                assertPresigned(c, "EC2Install", "4.9.5777");
                // The command returns once the installer is started out of band; the installer then replaces the SSM agent.
                assertTrue(Worlds.eventually(10, () -> "done 4.9.5777".equals(guestOf(snapshot(local)).path("launchAgentUpdate").asText())),
                        guestOf(snapshot(local)).toString());
                JsonNode g = guestOf(snapshot(local));
                assertEquals("4.9.5777", g.at("/launchAgent/version").asText());
                assertEquals("3.3.484.0", g.get("ssmAgentVersion").asText(), "EC2Config 4.9.5777 bundles SSM Agent 3.3.484.0");
            })),
            Map.entry("CheckLaunchAgentUpdate", changes(REACHABLE.seeded(cloud -> cloud.instances.get(ID).guest.launchAgentUpdate = "done 4.9.5777"),
                    Set.of("commands"), (after, r, local) -> {
                JsonNode c = commandRun(local, r, "CheckLaunchAgentUpdate");
                assertEquals("xen2nitro-ec2config: done 4.9.5777", c.get("output").asText());
            })),
            Map.entry("SetPowerManagement", changes(REACHABLE, Set.of("commands", "instances"), (after, r, local) -> {
                commandRun(local, r, "SetPowerManagement");
                assertEquals("{\"balanced\":0,\"highPerformance\":0,\"powerSaver\":0}", guestOf(snapshot(local)).get("power").toString());
            })),
            Map.entry("CheckNetworkConfig", reads(SEED)),
            Map.entry("RestoreNetworkConfig", changes(MIGRATED.and(w -> ((ObjectNode) guest(w).get("nics").get(0)).put("dhcp", true)
                            .putArray("dnsServers")),
                    Set.of("commands", "instances"), (after, r, local) -> {
                commandRun(local, r, "RestoreNetworkConfig");
                JsonNode nic = guestOf(snapshot(local)).get("network").get(0);
                assertFalse(nic.get("dhcp").asBoolean());
                assertEquals("[{\"ipAddress\":\"10.20.1.25\",\"subnetMask\":\"255.255.255.0\"}]", nic.get("addresses").toString());
                assertEquals("[\"10.20.0.10\",\"10.20.0.11\"]", nic.get("dnsServers").toString());
            })),
            Map.entry("VerifyMigration", reads(MIGRATED)),
            Map.entry("RestoreInstanceType", changes(STOPPED.and(w -> instance(w).put("instanceType", "m5.xlarge")), Set.of("instances"),
                    (after, r, local) -> {
                assertEquals("m4.xlarge", after.instance().get("instanceType").asText(), "the original Xen type is back");
                assertEquals("stopped", after.instance().get("state").asText());
            })),
            Map.entry("RestoreEnaSupport", changes(STOPPED.and(w -> instance(w).put("enaSupport", true)), Set.of("instances"),
                    (after, r, local) -> assertFalse(after.instance().get("enaSupport").asBoolean()))),
            Map.entry("ReplaceRootVolume", changes(WITH_BACKUP, Set.of("replaceRootVolumeTasks", "instances", "detachedVolumes"),
                    (after, r, local) -> {
                JsonNode task = find(after.part("replaceRootVolumeTasks"), "id", r.get("taskId").asText());
                assertEquals(ID, task.get("instanceId").asText());
                assertEquals(BACKUP, task.get("imageId").asText());
                assertFalse(task.get("deleteReplacedRootVolume").asBoolean(), "the replaced root volume is kept");
                assertTrue(Worlds.eventually(5, () -> "succeeded".equals(
                        find(snapshot(local).part("replaceRootVolumeTasks"), "id", r.get("taskId").asText()).get("state").asText())));
            })),
            Map.entry("CheckRootVolumeReplacement", reads(WITH_BACKUP.seeded(cloud -> {
                // The rollback's replacement, with the ID the sample polls, has ended.
                Cloud.ReplaceRootTask t = new Cloud.ReplaceRootTask();
                t.id = "replacevol-0a1b2c3d4e5f60001";
                t.instanceId = ID;
                t.imageId = BACKUP;
                t.state = "succeeded";
                t.completeTime = Instant.now();
                cloud.replaceRootTasks.put(t.id, t);
            }))),
            Map.entry("RecordOutcome", changes(SEED, Set.of("instances"), (after, r, local) -> {
                JsonNode tags = after.instance().get("tags");
                assertEquals("migrated", tags.get("xen2nitro:status").asText());
                assertEquals(EXECUTION, tags.get("xen2nitro:execution").asText());
                assertEquals(BACKUP, tags.get("xen2nitro:backup-image").asText());
                assertEquals(after.instance().at("/volumes/0/volumeId").asText(), r.get("rootVolumeId").asText());
            })),
            // The fleet of the sample is the seed alone, which the plan moves to m5.xlarge; the plan is kept in the stack's bucket.
            Map.entry("PlanFleet", reads(SEED).check((after, r, local) -> {
                JsonNode plan = JSON.readTree(local.emulator().cloud().buckets.get("xen2nitro-drivers-123456789012").get(r.get("planKey").asText()));
                assertEquals(FLEET, plan.get("execution").asText());
                assertEquals(0, plan.get("refused").size(), plan.get("refused").toString());
                assertEquals(ID, plan.at("/migrate/0/instanceId").asText());
                assertEquals("m5.xlarge", plan.at("/migrate/0/to").asText());
                assertEquals(dev.xen2nitro.functions.approval.PlanHash.of(plan), r.get("planHash").asText(), "the hash is the kept plan's");
            })),
            Map.entry("FleetProgress", reads(SEED)),
            // The sample fleet's plan is kept; its one migration succeeded: the seed is on m5.xlarge with its backup.
            Map.entry("PublishFleetReport", changes(MIGRATED.and(w -> tags(instance(w)).put("xen2nitro:status", "migrated")
                    .put("xen2nitro:backup-image", BACKUP)).seeded(c -> c.buckets.get("xen2nitro-drivers-123456789012").put(
                    "fleet-plans/" + Executions.digest(FLEET) + ".json", ("{\"execution\":\"" + FLEET + "\",\"migrate\":[{\"instanceId\":\"" + ID
                            + "\",\"from\":\"m4.xlarge\",\"to\":\"m5.xlarge\"}],\"refused\":[]}").getBytes(java.nio.charset.StandardCharsets.UTF_8))),
                    Set.of("notifications"), (after, r, local) -> {
                JsonNode n = notification(after);
                assertTrue(n.get("message").asText().contains(ID + "  migrated"), n.get("message").asText());
                assertTrue(n.get("message").asText().contains("backup " + BACKUP), n.get("message").asText());
                assertNotNull(local.emulator().cloud().buckets.get("xen2nitro-drivers-123456789012").get(r.get("reportKey").asText()),
                        "the report is kept beside the plan");
            })),
            Map.entry("PublishReport", changes(SEED, Set.of("notifications"), (after, r, local) -> {
                JsonNode n = notification(after);
                assertEquals("xen2nitro: " + ID + " migrated", n.get("subject").asText());
                assertTrue(n.get("message").asText().contains("Migrated and verified."), n.get("message").asText());
            })));

    static Set<String> ids(JsonNode array, String field) {
        Set<String> s = new TreeSet<>();
        array.forEach(n -> s.add(n.get(field).asText()));
        return s;
    }

    static Set<String> set(JsonNode array) {
        Set<String> s = new TreeSet<>();
        array.forEach(n -> s.add(n.asText()));
        return s;
    }

    static JsonNode find(JsonNode array, String field, String value) {
        for (JsonNode n : array) if (value.equals(n.path(field).asText())) return n;
        throw new AssertionError("nothing with " + field + " " + value + " in " + array);
    }

    // ------------------------------------------------------------------ the run

    static Path root() {
        return Worlds.root();
    }

    /** Every function of template.yaml, by the name its handler, sample and expected response share. */
    static Stream<String> functions() throws IOException {
        return new Template(root()).functions().keySet().stream().map(id -> id.substring(0, id.length() - "Function".length()));
    }

    static Snapshot snapshot(LocalCloud local) {
        return new Snapshot(JSON.valueToTree(local.world()));
    }

    static LocalCloud load(String name, World world) throws IOException {
        Cloud cloud = cloud(name, world);
        LocalCloud local = LocalCloud.start(root(), cloud);
        synchronized (cloud) {
            world.seed().accept(cloud);
        }
        return local;
    }

    /** The account of {@code world} for events/NAME.json, before its seed (what the world file cannot hold) is applied. */
    static Cloud cloud(String name, World world) throws IOException {
        ObjectNode w = (ObjectNode) JSON.readTree(Worlds.read("seed-2012r2-private"));
        world.edit().accept(w);
        // Every sample but AcquireLock's is an invocation in the middle of a migration, which holds the instance: the
        // functions' roles change only instances tagged with a lock.
        if (!name.equals("AcquireLock") && !tags(instance(w)).has("xen2nitro:lock")) {
            tags(instance(w)).put("xen2nitro:lock", EXECUTION);
        }
        return WorldLoader.load(JSON.writeValueAsString(w), "the world of events/" + name + ".json");
    }

    /** POST /2015-03-31/functions/{name}/invocations, as the state machine's Lambda integration calls the host. */
    static JsonNode invoke(LocalCloud local, String name, byte[] payload) throws IOException, InterruptedException {
        URI uri = local.host().endpoint().resolve("/2015-03-31/functions/" + name + "Function/invocations");
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(payload)).header("Content-Type", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), name + ": the Lambda host answered " + r.body());
        assertTrue(r.headers().firstValue("X-Amz-Function-Error").isEmpty(), name + " failed on its events/ sample: " + r.body());
        return JSON.readTree(r.body());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("functions")
    void theSampleGivesTheExpectedResponseAndChange(String name) throws Exception {
        Path sample = root().resolve("events/" + name + ".json");
        Path expected = root().resolve("events/expected/" + name + ".json");
        assertTrue(Files.isRegularFile(sample), "events/" + name + ".json is missing: write the input the state machine gives " + name);
        Case c = CASES.get(name);
        assertNotNull(c, "HandlerSamplesTest.CASES has no case for " + name + ": give the world its sample assumes and what "
                + name + " changes in it (reads(...) if nothing)");
        LocalCloud local = load(name, c.world());
        Snapshot before = snapshot(local);
        JsonNode response = invoke(local, name, Files.readAllBytes(sample));
        String pretty = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(response);
        assertTrue(Files.isRegularFile(expected), "events/expected/" + name + ".json is missing: check that this response of "
                + name + " is right, write it there, and write each value AWS generates as {\"$matches\": \"REGEX\"}:\n" + pretty);
        List<String> differences = differences(JSON.readTree(Files.readString(expected)), response, "$");
        assertEquals(List.of(), differences, name + " answered:\n" + pretty);

        Snapshot after = snapshot(local);
        for (String part : PARTS) {
            if (!c.changes().contains(part)) {
                assertEquals(before.part(part), after.part(part), name + " changed the world's " + part + "; if that is what it is for,"
                        + " declare the change in HandlerSamplesTest.CASES with a check of it");
            }
        }
        c.check().check(after, response, local);
    }

    /**
     * Where {@code actual} differs from {@code expected}: the same fields and values, except that an
     * expected {@code {"$matches": "REGEX"}} stands for a string that REGEX matches whole.
     */
    static List<String> differences(JsonNode expected, JsonNode actual, String path) {
        List<String> out = new ArrayList<>();
        if (expected.isObject() && expected.size() == 1 && expected.has("$matches")) {
            String regex = expected.get("$matches").asText();
            // A generated number (a time measured now) is matched by its decimal text.
            if (!(actual.isTextual() || actual.isNumber()) || !actual.asText().matches(regex)) {
                out.add(path + ": " + actual + " does not match " + regex);
            }
        } else if (expected.isObject() && actual.isObject()) {
            Set<String> names = new TreeSet<>();
            expected.fieldNames().forEachRemaining(names::add);
            actual.fieldNames().forEachRemaining(names::add);
            for (String n : names) {
                if (!actual.has(n)) out.add(path + "." + n + ": missing");
                else if (!expected.has(n)) out.add(path + "." + n + ": not expected, is " + actual.get(n));
                else out.addAll(differences(expected.get(n), actual.get(n), path + "." + n));
            }
        } else if (expected.isArray() && actual.isArray() && expected.size() == actual.size()) {
            for (int i = 0; i < expected.size(); i++) out.addAll(differences(expected.get(i), actual.get(i), path + "[" + i + "]"));
        } else if (!expected.equals(actual)) {
            out.add(path + ": expected " + expected + ", is " + actual);
        }
        return out;
    }

    @Test
    void everyExpectedResponseBelongsToAFunction() throws IOException {
        Set<String> functions = new TreeSet<>(functions().toList());
        List<String> orphans = new ArrayList<>();
        try (Stream<Path> files = Files.list(root().resolve("events/expected"))) {
            for (Iterator<Path> it = files.iterator(); it.hasNext(); ) {
                String file = it.next().getFileName().toString();
                if (!functions.contains(file.replaceFirst("\\.json$", ""))) orphans.add(file);
            }
        }
        assertEquals(List.of(), orphans, "events/expected/ files of no function in template.yaml: rename them with the function or delete them");
        Set<String> stale = new TreeSet<>(CASES.keySet());
        stale.removeAll(functions);
        assertEquals(Set.of(), stale, "HandlerSamplesTest.CASES has cases of functions template.yaml does not declare");
    }

    @Test
    void aGeneratedValueIsComparedByItsPatternAndEverythingElseExactly() throws IOException {
        JsonNode expected = JSON.readTree("{\"taskId\":{\"$matches\":\"replacevol-[0-9a-f]{17}\"},\"state\":\"pending\"}");
        assertEquals(List.of(), differences(expected, JSON.readTree("{\"taskId\":\"replacevol-0123456789abcdef0\",\"state\":\"pending\"}"), "$"));
        assertEquals(List.of("$.state: expected \"pending\", is \"failed\"", "$.taskId: \"replacevol-x\" does not match replacevol-[0-9a-f]{17}"),
                differences(expected, JSON.readTree("{\"taskId\":\"replacevol-x\",\"state\":\"failed\"}"), "$"));
        assertEquals(List.of("$.extra: not expected, is 1", "$.state: missing"),
                differences(expected, JSON.readTree("{\"taskId\":\"replacevol-0123456789abcdef0\",\"extra\":1}"), "$"));
    }
}
