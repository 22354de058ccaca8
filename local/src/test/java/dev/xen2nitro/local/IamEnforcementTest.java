package dev.xen2nitro.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xen2nitro.local.host.StackRoles;
import dev.xen2nitro.local.world.WorldLoader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sns.model.AuthorizationErrorException;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.SsmException;

/**
 * The local cloud refuses what IAM would: a call signed as a role of the stack is allowed only by
 * that role's policies, refused with AWS's error and message, and changes nothing. Any other key is
 * an administrator's.
 */
class IamEnforcementTest {
    private static final String INSTANCE = "i-0a1b2c3d4e5f60001";
    private Emulator emulator;

    @BeforeEach
    void start() throws Exception {
        emulator = Worlds.start("seed-2012r2-private");
        StackRoles roles = StackRoles.of(Worlds.root(), emulator.cloud().region, emulator.cloud().accountId);
        roles.principals().forEach((id, p) -> emulator.access().register(LocalCloud.credentials(id).accessKeyId(), p));
        roles.topicPolicies().forEach(emulator.access()::resourcePolicy);
    }

    @AfterEach
    void stop() {
        emulator.close();
    }

    private StaticCredentialsProvider as(String logicalId) {
        return StaticCredentialsProvider.create(LocalCloud.credentials(logicalId));
    }

    private Ec2Client ec2(String logicalId) {
        return Ec2Client.builder().endpointOverride(emulator.endpoint()).region(Region.of(emulator.cloud().region))
                .credentialsProvider(as(logicalId)).httpClient(UrlConnectionHttpClient.create()).build();
    }

    @Test
    void anEc2CallTheRoleDoesNotAllowIsRefusedAndChangesNothing() {
        try (Ec2Client ec2 = ec2("PreflightFunction")) {
            // Preflight may describe...
            assertEquals(1, ec2.describeInstances(r -> r.instanceIds(INSTANCE)).reservations().size());
            // ...but not stop.
            Ec2Exception e = assertThrows(Ec2Exception.class, () -> ec2.stopInstances(r -> r.instanceIds(INSTANCE)));
            assertEquals("UnauthorizedOperation", e.awsErrorDetails().errorCode());
            assertEquals(403, e.statusCode());
            assertTrue(e.awsErrorDetails().errorMessage().startsWith("You are not authorized to perform this operation. User: "
                    + "arn:aws:sts::123456789012:assumed-role/xen2nitro-PreflightFunctionRole/PreflightFunction is not authorized to perform:"
                    + " ec2:StopInstances on resource: arn:aws:ec2:us-east-1:123456789012:instance/" + INSTANCE
                    + " because no identity-based policy allows the ec2:StopInstances action"), e.awsErrorDetails().errorMessage());
        }
        assertEquals("running", emulator.cloud().instances.get(INSTANCE).state);
        try (Ec2Client admin = Worlds.ec2(emulator)) {
            // Any other key is an administrator's.
            admin.stopInstances(r -> r.instanceIds(INSTANCE));
        }
        assertTrue(java.util.List.of("stopping", "stopped").contains(emulator.cloud().instances.get(INSTANCE).state));
    }

    @Test
    void sendCommandIsAuthorizedAgainstTheDocumentAndTheInstance() {
        try (SsmClient ssm = SsmClient.builder().endpointOverride(emulator.endpoint()).region(Region.of(emulator.cloud().region))
                .credentialsProvider(as("CaptureGuestFactsFunction")).httpClient(UrlConnectionHttpClient.create()).build()) {
            // An AWS document is not one of the stack's: a function that may run ours cannot run a shell.
            SsmException e = assertThrows(SsmException.class, () -> ssm.sendCommand(r -> r.documentName("AWS-RunPowerShellScript")
                    .instanceIds(INSTANCE).parameters(java.util.Map.of("commands", java.util.List.of("whoami")))));
            assertEquals("AccessDeniedException", e.awsErrorDetails().errorCode());
            assertTrue(e.awsErrorDetails().errorMessage().contains("ssm:SendCommand on resource: arn:aws:ssm:us-east-1::document/AWS-RunPowerShellScript"),
                    e.awsErrorDetails().errorMessage());
        }
        assertTrue(emulator.cloud().commands.invocations.isEmpty(), "nothing was sent");
    }

    /** Invokes a function of the template with its events/ sample, as Step Functions would; returns the reply. */
    static HttpResponse<String> invoke(LocalCloud local, String function, String sample) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(local.host().endpoint().resolve("/2015-03-31/functions/" + function + "/invocations"))
                .POST(HttpRequest.BodyPublishers.ofString(java.nio.file.Files.readString(Worlds.root().resolve("events/" + sample + ".json")))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static void assertDenied(LocalCloud local, String function, String sample) throws Exception {
        HttpResponse<String> r = invoke(local, function, sample);
        assertEquals("Unhandled", r.headers().firstValue("X-Amz-Function-Error").orElse(null), function + " was not refused: " + r.body());
        assertTrue(r.body().contains("UnauthorizedOperation") || r.body().contains("AccessDeniedException"), function + ": " + r.body());
    }

    /**
     * The outcome is recorded only by the execution that holds the instance (its role may tag only a locked one, see
     * StackRolesTest): on an instance no migration holds, or one another execution holds, the function refuses before
     * it tags anything, so a dry run or a second execution's failed AcquireLock cannot overwrite the holder's outcome.
     */
    @Test
    void onlyTheHolderRecordsAnOutcome() throws Exception {
        try (LocalCloud local = LocalCloud.open(Worlds.root(), WorldLoader.load(Worlds.read("seed-2012r2-private"), "seed"))) {
            java.util.Map<String, Object> before = local.world();
            HttpResponse<String> none = invoke(local, "RecordOutcomeFunction", "RecordOutcome");
            assertTrue(none.body().contains("InstanceLockedException") && none.body().contains("held by no execution"), none.body());
            try (Ec2Client admin = Worlds.ec2(local.emulator())) {
                admin.createTags(r -> r.resources(INSTANCE).tags(t -> t.key("xen2nitro:lock")
                        .value("arn:aws:states:us-east-1:123456789012:execution:xen2nitro-MigrateInstance:another")));
            }
            HttpResponse<String> other = invoke(local, "RecordOutcomeFunction", "RecordOutcome");
            assertTrue(other.body().contains("InstanceLockedException"), other.body());
            java.util.Map<String, String> tags = local.emulator().cloud().instances.get(INSTANCE).tags;
            assertNull(tags.get("xen2nitro:status"), "no outcome was recorded: " + tags);
            assertEquals(String.valueOf(before.get("images")), String.valueOf(local.world().get("images")));
        }
    }

    /**
     * Every function that changes an instance, invoked directly on one no migration holds (no xen2nitro:lock tag), is
     * refused by its role and changes nothing; once the instance is locked, the same call goes through.
     */
    @Test
    void aMutatingFunctionInvokedOnAnInstanceNoMigrationHoldsIsDeniedAndChangesNothing() throws Exception {
        try (LocalCloud local = LocalCloud.open(Worlds.root(), WorldLoader.load(Worlds.read("seed-2012r2-private"), "seed"))) {
            java.util.Map<String, Object> before = local.world();
            for (String fn : java.util.List.of("StopInstance", "CreateBackupImage", "InstallPvDriver", "SetPowerManagement", "ReplaceRootVolume")) {
                assertDenied(local, fn + "Function", fn);
            }
            java.util.Map<String, Object> after = local.world();
            for (String key : java.util.List.of("instances", "images", "replaceRootVolumeTasks")) {
                assertEquals(String.valueOf(before.get(key)), String.valueOf(after.get(key)), key + " changed");
            }
            assertTrue(local.emulator().cloud().commands.invocations.isEmpty(), "no command was sent");
            try (Ec2Client admin = Worlds.ec2(local.emulator())) {
                admin.createTags(r -> r.resources(INSTANCE).tags(t -> t.key("xen2nitro:lock").value("an-execution")));
            }
            HttpResponse<String> stop = invoke(local, "StopInstanceFunction", "StopInstance");
            assertTrue(stop.headers().firstValue("X-Amz-Function-Error").isEmpty(), stop.body());
            assertTrue(java.util.List.of("stopping", "stopped").contains(local.emulator().cloud().instances.get(INSTANCE).state));
        }
        String stopped = Worlds.read("seed-2012r2-private").replace("\"instanceType\": \"m4.xlarge\",", "\"instanceType\": \"m4.xlarge\", \"state\": \"stopped\",");
        try (LocalCloud local = LocalCloud.open(Worlds.root(), WorldLoader.load(stopped, "seed-stopped"))) {
            java.util.Map<String, Object> before = local.world();
            for (String fn : java.util.List.of("StartInstance", "EnableEnaSupport", "ChangeInstanceType", "RestoreInstanceType", "RestoreEnaSupport")) {
                assertDenied(local, fn + "Function", fn);
            }
            assertEquals(String.valueOf(before.get("instances")), String.valueOf(local.world().get("instances")), "instances changed");
        }
    }

    /**
     * ChangeInstanceType's role changes the type of an instance a migration holds to a Nitro type only: a change to a Xen
     * type is refused as EC2 refuses it and changes nothing, and so is a change of any other attribute. The rollback's
     * RestoreInstanceType sets the Xen type back.
     */
    @Test
    void theTypeChangeRoleMaySetNitroTypesOnly() {
        dev.xen2nitro.local.cloud.Cloud.Instance i = emulator.cloud().instances.get(INSTANCE);
        synchronized (emulator.cloud()) {
            i.state = "stopped";
            i.tags.put("xen2nitro:lock", "an-execution");
        }
        try (Ec2Client ec2 = ec2("ChangeInstanceTypeFunction")) {
            Ec2Exception xen = assertThrows(Ec2Exception.class, () -> ec2.modifyInstanceAttribute(r -> r.instanceId(INSTANCE)
                    .instanceType(v -> v.value("m4.large"))));
            assertEquals("UnauthorizedOperation", xen.awsErrorDetails().errorCode());
            assertEquals(403, xen.statusCode());
            assertTrue(xen.awsErrorDetails().errorMessage().contains("assumed-role/xen2nitro-ChangeInstanceTypeFunctionRole/ChangeInstanceTypeFunction"
                    + " is not authorized to perform: ec2:ModifyInstanceAttribute on resource: arn:aws:ec2:us-east-1:123456789012:instance/"
                    + INSTANCE + " because no identity-based policy allows the ec2:ModifyInstanceAttribute action"), xen.awsErrorDetails().errorMessage());
            assertEquals("m4.xlarge", i.instanceType, "the refused change changed nothing");
            // Nor another attribute: that request has no ec2:Attribute/InstanceType.
            assertEquals("UnauthorizedOperation", assertThrows(Ec2Exception.class, () -> ec2.modifyInstanceAttribute(r -> r.instanceId(INSTANCE)
                    .enaSupport(v -> v.value(true)))).awsErrorDetails().errorCode());
            assertFalse(i.enaSupport);
            ec2.modifyInstanceAttribute(r -> r.instanceId(INSTANCE).instanceType(v -> v.value("m5.xlarge")));
            assertEquals("m5.xlarge", i.instanceType);
        }
        try (Ec2Client restore = ec2("RestoreInstanceTypeFunction")) {
            restore.modifyInstanceAttribute(r -> r.instanceId(INSTANCE).instanceType(v -> v.value("m4.xlarge")));
            assertEquals("m4.xlarge", i.instanceType, "the rollback sets the Xen type back");
        }
    }

    /** Tags: the lock's own keys only, tags on foreign resources only with their create call. */
    @Test
    void tagsAreLimitedToTheirKeysAndTheirCreateCalls() throws Exception {
        try (Ec2Client lock = ec2("AcquireLockFunction"); Ec2Client endpoints = ec2("PrepareEndpointsFunction")) {
            Ec2Exception other = assertThrows(Ec2Exception.class, () -> lock.createTags(r -> r.resources(INSTANCE)
                    .tags(t -> t.key("xen2nitro:lock").value("x"), t -> t.key("Owner").value("someone"))));
            assertEquals("UnauthorizedOperation", other.awsErrorDetails().errorCode());
            lock.createTags(r -> r.resources(INSTANCE).tags(t -> t.key("xen2nitro:lock").value("x")));
            // A group this workflow did not create cannot be marked as its temporary group, nor opened.
            String group = emulator.cloud().securityGroups.keySet().iterator().next();
            assertEquals("UnauthorizedOperation", assertThrows(Ec2Exception.class, () -> endpoints.createTags(r -> r.resources(group)
                    .tags(t -> t.key("xen2nitro:temporary").value("true")))).awsErrorDetails().errorCode());
            assertEquals("UnauthorizedOperation", assertThrows(Ec2Exception.class, () -> endpoints.authorizeSecurityGroupIngress(r -> r
                    .groupId(group).ipPermissions(p -> p.ipProtocol("tcp").fromPort(443).toPort(443).ipRanges(x -> x.cidrIp("0.0.0.0/0")))))
                    .awsErrorDetails().errorCode());
        }
        assertEquals("x", emulator.cloud().instances.get(INSTANCE).tags.get("xen2nitro:lock"));
        assertTrue(emulator.cloud().securityGroups.values().stream().noneMatch(g -> g.tags.containsKey("xen2nitro:temporary")));
    }

    private SnsClient sns(StaticCredentialsProvider credentials) {
        return SnsClient.builder().endpointOverride(emulator.endpoint()).region(Region.of(emulator.cloud().region))
                .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create()).build();
    }

    /**
     * The topic's policy decides with the publisher's own (SNS Publish is the one call the local cloud authorizes by a
     * resource-based policy too): the stack's report function publishes; a principal of the account whose own policies
     * allow every SNS action but is not one of the stack's publishing roles is refused, and nothing reaches the topic.
     */
    @Test
    void onlyTheStacksPublishersReachTheTopic() {
        String topic = "arn:aws:sns:us-east-1:123456789012:xen2nitro-notifications";
        try (SnsClient report = sns(as("PublishReportFunction"))) {
            assertTrue(report.publish(r -> r.topicArn(topic).subject("xen2nitro: report").message("from the stack")).messageId() != null);
        }
        dev.xen2nitro.local.iam.Policy everything;
        try {
            everything = dev.xen2nitro.local.iam.Policy.read("ops-admin", new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree("{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"sns:*\",\"Resource\":\"*\"}}"));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        emulator.access().register("ASIAOPSADMIN00001", dev.xen2nitro.local.iam.Principal.session("123456789012", "ops-admin", "alice",
                java.util.List.of(everything)));
        try (SnsClient admin = sns(StaticCredentialsProvider.create(software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(
                "ASIAOPSADMIN00001", "secret")))) {
            AuthorizationErrorException e = assertThrows(AuthorizationErrorException.class, () -> admin.publish(r -> r.topicArn(topic)
                    .subject("xen2nitro: approve i-0a1b2c3d4e5f60001 -> m5.xlarge?").message("looks like the workflow's")));
            assertEquals(403, e.statusCode());
            assertEquals("User: arn:aws:sts::123456789012:assumed-role/ops-admin/alice is not authorized to perform: SNS:Publish on resource: "
                    + topic + " with an explicit deny in a resource-based policy", e.awsErrorDetails().errorMessage());
        }
        assertEquals(java.util.List.of("from the stack"), emulator.cloud().topics.get(topic).stream().map(n -> n.message()).toList(),
                "only the stack's report reached the topic");
    }

    @Test
    void snsAndLambdaRefuseTheirWayToo() throws Exception {
        try (SnsClient sns = SnsClient.builder().endpointOverride(emulator.endpoint()).region(Region.of(emulator.cloud().region))
                .credentialsProvider(as("PreflightFunction")).httpClient(UrlConnectionHttpClient.create()).build()) {
            AuthorizationErrorException e = assertThrows(AuthorizationErrorException.class, () -> sns.publish(r -> r
                    .topicArn("arn:aws:sns:us-east-1:123456789012:xen2nitro-notifications").message("not from us")));
            assertEquals(403, e.statusCode());
            assertTrue(e.awsErrorDetails().errorMessage().contains("is not authorized to perform: SNS:Publish"), e.awsErrorDetails().errorMessage());
        }
        // The rollback machine's role invokes the rollback's functions only.
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(emulator.endpoint().resolve("/_local/authorize"))
                .header("Authorization", "AWS4-HMAC-SHA256 Credential=" + LocalCloud.credentials("RollbackInstanceStateMachine").accessKeyId()
                        + "/20261126/us-east-1/states/aws4_request, SignedHeaders=host, Signature=0")
                .POST(HttpRequest.BodyPublishers.ofString("{\"action\":\"lambda:InvokeFunction\",\"resource\":"
                        + "\"arn:aws:lambda:us-east-1:123456789012:function:PreflightFunction:live\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, r.statusCode(), r.body());
        assertTrue(r.body().contains("xen2nitro-RollbackInstanceStateMachineRole"), r.body());
    }
}
