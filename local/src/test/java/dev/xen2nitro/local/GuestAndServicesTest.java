package dev.xen2nitro.local;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.function.UnaryOperator;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.InvalidTokenException;
import software.amazon.awssdk.services.sfn.model.TaskTimedOutException;
import software.amazon.awssdk.services.sns.model.NotFoundException;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.CommandInvocationStatus;
import software.amazon.awssdk.services.ssm.model.InvalidInstanceIdException;
import software.amazon.awssdk.services.ssm.model.Parameter;
import software.amazon.awssdk.services.ssm.model.ParameterAlreadyExistsException;
import software.amazon.awssdk.services.ssm.model.ParameterType;
import software.amazon.awssdk.services.ssm.model.PingStatus;

/** SSM with the Windows guest model, SNS, S3 and the task-token API, through the real SDK clients. */
class GuestAndServicesTest {
    static final String SEED = "i-0a1b2c3d4e5f60001";
    static final String FLEET_2012 = "i-0f1e2d3c4b5a60002";

    static CommandInvocationStatus await(SsmClient ssm, String commandId, String instanceId) throws InterruptedException {
        CommandInvocationStatus[] last = new CommandInvocationStatus[1];
        assertTrue(Worlds.eventually(10, () -> {
            last[0] = ssm.getCommandInvocation(r -> r.commandId(commandId).instanceId(instanceId)).status();
            return last[0] != CommandInvocationStatus.IN_PROGRESS && last[0] != CommandInvocationStatus.PENDING;
        }), "command still " + last[0]);
        return last[0];
    }

    /** The endpoint users' registry and lock: PutParameter without Overwrite, GetParametersByPath one level or all, in pages. */
    @Test
    void parametersAreCreatedOnceAndReadByPath() throws Exception {
        try (Emulator e = Worlds.start("seed-2012r2-private"); SsmClient ssm = Worlds.ssm(e)) {
            ssm.putParameter(r -> r.name("/xen2nitro/endpoints/vpc-1/lock").type(ParameterType.STRING).value("a").overwrite(false));
            assertThrows(ParameterAlreadyExistsException.class,
                    () -> ssm.putParameter(r -> r.name("/xen2nitro/endpoints/vpc-1/lock").type(ParameterType.STRING).value("b").overwrite(false)));
            assertEquals("a", ssm.getParameter(r -> r.name("/xen2nitro/endpoints/vpc-1/lock")).parameter().value(), "the holder is kept");
            for (int n = 0; n < 12; n++) {
                String name = "/xen2nitro/endpoints/vpc-1/users/u" + (n < 10 ? "0" : "") + n;
                ssm.putParameter(r -> r.name(name).type(ParameterType.STRING).value("{}"));
            }
            ssm.putParameter(r -> r.name("/xen2nitro/endpoints/vpc-2/users/u00").type(ParameterType.STRING).value("{}"));
            var first = ssm.getParametersByPath(r -> r.path("/xen2nitro/endpoints/vpc-1/users"));
            assertEquals(10, first.parameters().size(), "ten at most a page");
            var second = ssm.getParametersByPath(r -> r.path("/xen2nitro/endpoints/vpc-1/users").nextToken(first.nextToken()));
            assertEquals(List.of("/xen2nitro/endpoints/vpc-1/users/u10", "/xen2nitro/endpoints/vpc-1/users/u11"),
                    second.parameters().stream().map(Parameter::name).toList());
            assertNull(second.nextToken());
            assertEquals(List.of("/xen2nitro/endpoints/vpc-1/lock"), ssm.getParametersByPath(r -> r.path("/xen2nitro/endpoints/vpc-1"))
                    .parameters().stream().map(Parameter::name).toList(), "one level below the path without Recursive");
            List<String> all = new java.util.ArrayList<>();
            ssm.getParametersByPathPaginator(r -> r.path("/xen2nitro/endpoints").recursive(true)).forEach(page -> page.parameters().forEach(p -> all.add(p.name())));
            assertEquals(14, all.size(), all.toString());
        }
    }

    @Test
    void aPrivateSubnetWithoutEndpointsCannotReachSsm() throws Exception {
        try (Emulator e = Worlds.start("seed-2012r2-private"); SsmClient ssm = Worlds.ssm(e)) {
            assertTrue(ssm.describeInstanceInformation(r -> r.filters(f -> f.key("InstanceIds").values(SEED))).instanceInformationList().isEmpty());
            InvalidInstanceIdException refused = assertThrows(InvalidInstanceIdException.class,
                    () -> ssm.sendCommand(r -> r.instanceIds(SEED).documentName("AWS-RunPowerShellScript")
                            .parameters(Map.of("commands", List.of("hostname")))));
            assertTrue(refused.getMessage().contains("not in a valid state"));
        }
    }

    /** The seed's subnet gets ssm and ec2messages interface endpoints with private DNS, in a new group; returns the group. */
    static String ssmEndpoints(Ec2Client ec2) {
        String sg = ec2.createSecurityGroup(r -> r.vpcId("vpc-0a1b2c3d4e5f60001").groupName("ep").description("443")).groupId();
        for (String svc : List.of("ssm", "ec2messages")) {
            ec2.createVpcEndpoint(r -> r.vpcId("vpc-0a1b2c3d4e5f60001").vpcEndpointType("Interface").privateDnsEnabled(true)
                    .serviceName("com.amazonaws.us-east-1." + svc).subnetIds("subnet-0a1b2c3d4e5f60001").securityGroupIds(sg));
        }
        return sg;
    }

    static void admitHttpsFromTheSubnet(Ec2Client ec2, String sg) {
        ec2.authorizeSecurityGroupIngress(r -> r.groupId(sg).ipPermissions(p -> p.ipProtocol("tcp").fromPort(443).toPort(443)
                .ipRanges(ip -> ip.cidrIp("10.20.1.0/24"))));
    }

    @Test
    void theAgentNeedsHttpsOutToTheEndpoints() throws Exception {
        // The instance's group allows nothing out: the endpoints and their 443 ingress are not enough.
        UnaryOperator<String> noEgress = w -> w.replace("\"groupName\": \"app-servers\",", "\"groupName\": \"app-servers\", \"egress\": [],");
        try (Emulator e = Worlds.start("seed-2012r2-private", noEgress); SsmClient ssm = Worlds.ssm(e); Ec2Client ec2 = Worlds.ec2(e)) {
            String sg = ssmEndpoints(ec2);
            admitHttpsFromTheSubnet(ec2, sg);
            assertTrue(ssm.describeInstanceInformation(r -> r.filters(f -> f.key("InstanceIds").values(SEED))).instanceInformationList().isEmpty());
            assertTrue(ec2.describeSecurityGroups(r -> r.groupIds("sg-0a1b2c3d4e5f60001")).securityGroups().get(0).ipPermissionsEgress().isEmpty());
        }
        // HTTPS out to the VPC's range is enough.
        UnaryOperator<String> httpsOut = w -> w.replace("\"groupName\": \"app-servers\",",
                "\"groupName\": \"app-servers\", \"egress\": [{\"ipProtocol\": \"tcp\", \"fromPort\": 443, \"toPort\": 443, \"cidrBlocks\": [\"10.20.0.0/16\"]}],");
        try (Emulator e = Worlds.start("seed-2012r2-private", httpsOut); SsmClient ssm = Worlds.ssm(e); Ec2Client ec2 = Worlds.ec2(e)) {
            String sg = ssmEndpoints(ec2);
            admitHttpsFromTheSubnet(ec2, sg);
            assertEquals(PingStatus.ONLINE, ssm.describeInstanceInformation(r -> r.filters(f -> f.key("InstanceIds").values(SEED)))
                    .instanceInformationList().get(0).pingStatus());
        }
    }

    @Test
    void endpointsWithPrivateDnsAndA443RuleBringTheAgentOnline() throws Exception {
        try (Emulator e = Worlds.start("seed-2012r2-private"); SsmClient ssm = Worlds.ssm(e); Ec2Client ec2 = Worlds.ec2(e)) {
            String sg = ssmEndpoints(ec2);
            // No ingress rule yet: the endpoints exist but the agent cannot reach them.
            assertTrue(ssm.describeInstanceInformation(r -> r.filters(f -> f.key("InstanceIds").values(SEED))).instanceInformationList().isEmpty());
            admitHttpsFromTheSubnet(ec2, sg);
            var info = ssm.describeInstanceInformation(r -> r.filters(f -> f.key("InstanceIds").values(SEED))).instanceInformationList();
            assertEquals(1, info.size());
            assertEquals(PingStatus.ONLINE, info.get(0).pingStatus());
            assertEquals("Microsoft Windows Server 2012R2", info.get(0).platformName());
        }
    }

    @Test
    void ourDocumentsChangeTheGuestAndThePvInstallRebootsIt() throws Exception {
        try (Emulator e = Worlds.start("mixed-fleet"); SsmClient ssm = Worlds.ssm(e)) {
            String facts = ssm.sendCommand(r -> r.instanceIds(FLEET_2012).documentName("xen2nitro-CaptureGuestFacts")).command().commandId();
            assertEquals(CommandInvocationStatus.SUCCESS, await(ssm, facts, FLEET_2012));
            String out = ssm.getCommandInvocation(r -> r.commandId(facts).instanceId(FLEET_2012)).standardOutputContent();
            assertTrue(out.contains("\"os\":\"6.3.9600\"") && out.contains("\"pv\":\"8.4.3\""), out);

            String ena = send(e, ssm, FLEET_2012, "xen2nitro-InstallEnaDriver", "2.6.0");
            assertEquals(CommandInvocationStatus.SUCCESS, await(ssm, ena, FLEET_2012));

            // ENA 2.7.0 dropped Windows Server 2012 R2: installing it there fails.
            String tooNew = send(e, ssm, FLEET_2012, "xen2nitro-InstallEnaDriver", "2.7.0");
            assertEquals(CommandInvocationStatus.FAILED, await(ssm, tooNew, FLEET_2012));

            String legacy = "i-0f1e2d3c4b5a60001";
            String pv = send(e, ssm, legacy, "xen2nitro-InstallPvDriver", "8.3.5");
            assertEquals(CommandInvocationStatus.SUCCESS, await(ssm, pv, legacy));
            @SuppressWarnings("unchecked")
            Map<String, Object> guest = (Map<String, Object>) instance(e, legacy).get("guest");
            assertEquals("8.3.5", ((Map<?, ?>) guest.get("drivers")).get("pv"));
            assertEquals(1, guest.get("reboots"), "the PV install reboots Windows once");
            assertTrue(ssm.listCommandInvocations(r -> r.commandId(pv).details(true)).commandInvocations().get(0)
                    .commandPlugins().get(0).output().contains("present after reboot"));
        }
    }

    /**
     * An install document's parameters as the functions send them: a presigned URL of the package at {@code version}
     * staged (here, a stand-in) in the stack's bucket of the world, and its SHA-256.
     */
    static Map<String, List<String>> staged(Emulator e, String document, String version) throws Exception {
        String pkg = switch (document) {
            case "xen2nitro-InstallPvDriver" -> "AWSPVDriver";
            case "xen2nitro-InstallEnaDriver" -> "AwsEnaNetworkDriver";
            case "xen2nitro-InstallNvmeDriver" -> "AWSNVMe";
            case "xen2nitro-UpdateLaunchAgent" -> "EC2Install";
            default -> throw new IllegalArgumentException(document);
        };
        String bucket = "xen2nitro-drivers-123456789012";
        String key = "drivers/" + pkg + "/" + version + "/" + pkg + ".zip";
        byte[] zip = (pkg + " " + version + " (stand-in)").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        synchronized (e.cloud()) {
            e.cloud().buckets.computeIfAbsent(bucket, b -> new java.util.LinkedHashMap<>()).put(key, zip);
        }
        String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(zip));
        return Map.of("Version", List.of(version), "PackageUrl", List.of(PackageDownloadTest.presign(e.cloud().region, key, java.time.Duration.ofMinutes(15))),
                "Sha256", List.of(sha));
    }

    static String send(Emulator e, SsmClient ssm, String instanceId, String document, String version) throws Exception {
        Map<String, List<String>> parameters = staged(e, document, version);
        return ssm.sendCommand(r -> r.instanceIds(instanceId).documentName(document).parameters(parameters)).command().commandId();
    }

    @Test
    void theGuestReportsTheDriverItsPackageContainsAndNoReleasePastItsOsCeilingInstalls() throws Exception {
        try (Emulator e = Worlds.start("mixed-fleet"); SsmClient ssm = Worlds.ssm(e)) {
            // AWS NVMe driver version history: package 1.5.1 contains driver 1.5.0; 1.5.1 is the last package for 2012 R2.
            assertEquals(CommandInvocationStatus.SUCCESS, await(ssm, send(e, ssm, FLEET_2012, "xen2nitro-InstallNvmeDriver", "1.5.1"), FLEET_2012));
            assertEquals("1.5.0", ((Map<?, ?>) ((Map<?, ?>) instance(e, FLEET_2012).get("guest")).get("drivers")).get("nvme"));
            String nvme16 = send(e, ssm, FLEET_2012, "xen2nitro-InstallNvmeDriver", "1.6.0");
            assertEquals(CommandInvocationStatus.FAILED, await(ssm, nvme16, FLEET_2012));
            assertTrue(ssm.getCommandInvocation(r -> r.commandId(nvme16).instanceId(FLEET_2012)).standardErrorContent()
                    .contains("last release for it: 1.5.1"));
            // 2008 R2: PV 8.3.5, ENA 2.2.3 (2.4.0 removed it) and NVMe 1.3.2 are the last releases.
            String legacy = "i-0f1e2d3c4b5a60001";
            for (String[] tooNew : List.of(new String[] {"xen2nitro-InstallPvDriver", "8.4.3"}, new String[] {"xen2nitro-InstallEnaDriver", "2.4.0"},
                    new String[] {"xen2nitro-InstallNvmeDriver", "1.4.0"})) {
                String id = send(e, ssm, legacy, tooNew[0], tooNew[1]);
                assertEquals(CommandInvocationStatus.FAILED, await(ssm, id, legacy), tooNew[0] + " " + tooNew[1]);
                assertTrue(ssm.getCommandInvocation(r -> r.commandId(id).instanceId(legacy)).standardErrorContent()
                        .contains("does not support Windows Server 2008R2"), tooNew[0]);
            }
            assertEquals(CommandInvocationStatus.SUCCESS, await(ssm, send(e, ssm, legacy, "xen2nitro-InstallEnaDriver", "2.2.3"), legacy));
            assertEquals("2.2.3", ((Map<?, ?>) ((Map<?, ?>) instance(e, legacy).get("guest")).get("drivers")).get("ena"));
        }
    }

    @Test
    void everyPackageFailsToUnpackOnPowerShell2AndEnaOn2008R2WithoutKb4474419() throws Exception {
        String legacy = "i-0f1e2d3c4b5a60001";
        // PowerShell 2.0 beside .NET 4.8: the documents' Add-Type of System.IO.Compression.FileSystem fails on CLR 2.0, in the PV
        // step and the EC2Config update as in the ENA and NVMe steps, and nothing is installed.
        try (Emulator e = Worlds.start("mixed-fleet", Worlds.guestField(legacy, "powerShell", "\"2.0\"")); SsmClient ssm = Worlds.ssm(e)) {
            for (String[] step : List.of(new String[] {"xen2nitro-InstallPvDriver", "8.3.5", "AWSPVDriver"},
                    new String[] {"xen2nitro-InstallEnaDriver", "2.2.3", "AwsEnaNetworkDriver"},
                    new String[] {"xen2nitro-InstallNvmeDriver", "1.3.2", "AWSNVMe"}, new String[] {"xen2nitro-UpdateLaunchAgent", "4.9.5777", "EC2Install"})) {
                String id = send(e, ssm, legacy, step[0], step[1]);
                assertEquals(CommandInvocationStatus.FAILED, await(ssm, id, legacy), step[0]);
                String error = ssm.getCommandInvocation(r -> r.commandId(id).instanceId(legacy)).standardErrorContent();
                assertTrue(error.contains(step[2] + ".zip not unpacked") && error.contains("PowerShell 2.0 runs on CLR 2.0")
                        && error.contains("Windows Management Framework 5.1"), error);
            }
            Map<?, ?> guest = (Map<?, ?>) instance(e, legacy).get("guest");
            Map<?, ?> drivers = (Map<?, ?>) guest.get("drivers");
            assertEquals("7.2.0", drivers.get("pv"));
            assertNull(drivers.get("ena"));
            assertNull(drivers.get("nvme"));
            assertEquals("4.9.2400", ((Map<?, ?>) guest.get("launchAgent")).get("version"));
        }
        // PowerShell 5.1 without .NET 4.5 (2008 R2 ships none): the same, naming the missing .NET.
        try (Emulator e = Worlds.start("mixed-fleet", Worlds.guestField(legacy, "dotNetRelease", "null")); SsmClient ssm = Worlds.ssm(e)) {
            String pv = send(e, ssm, legacy, "xen2nitro-InstallPvDriver", "8.3.5");
            assertEquals(CommandInvocationStatus.FAILED, await(ssm, pv, legacy));
            String error = ssm.getCommandInvocation(r -> r.commandId(pv).instanceId(legacy)).standardErrorContent();
            assertTrue(error.contains("AWSPVDriver.zip not unpacked") && error.contains("no .NET Framework 4.5 or later is installed")
                    && error.contains("install .NET Framework 4.5.2 or later"), error);
            assertEquals("7.2.0", ((Map<?, ?>) ((Map<?, ?>) instance(e, legacy).get("guest")).get("drivers")).get("pv"));
        }
        try (Emulator e = Worlds.start("mixed-fleet", Worlds.guestField(legacy, "hotfixes", "[\"KB3033929\"]")); SsmClient ssm = Worlds.ssm(e)) {
            String ena = send(e, ssm, legacy, "xen2nitro-InstallEnaDriver", "2.2.3");
            assertEquals(CommandInvocationStatus.FAILED, await(ssm, ena, legacy));
            assertTrue(ssm.getCommandInvocation(r -> r.commandId(ena).instanceId(legacy)).standardErrorContent().contains("KB4474419"));
        }
        try (Emulator e = Worlds.start("mixed-fleet", Worlds.guestField(legacy, "hotfixes", "[\"KB4474419\"]")); SsmClient ssm = Worlds.ssm(e)) {
            String pv = send(e, ssm, legacy, "xen2nitro-InstallPvDriver", "8.3.5");
            assertEquals(CommandInvocationStatus.FAILED, await(ssm, pv, legacy));
            assertTrue(ssm.getCommandInvocation(r -> r.commandId(pv).instanceId(legacy)).standardErrorContent().contains("KB3033929"));
            assertEquals("7.2.0", ((Map<?, ?>) ((Map<?, ?>) instance(e, legacy).get("guest")).get("drivers")).get("pv"));
        }
    }

    @Test
    void eachServerTakesTheCommandTimeItsWorldGives() throws Exception {
        // 2012 R2 in the fleet: commands of 10 days (AWS seconds, at the world's time factor).
        UnaryOperator<String> slow = Worlds.guestField(FLEET_2012, "commandSeconds", "864000");
        try (Emulator e = Worlds.start("mixed-fleet", slow); SsmClient ssm = Worlds.ssm(e)) {
            String slowFacts = ssm.sendCommand(r -> r.instanceIds(FLEET_2012).documentName("xen2nitro-CaptureGuestFacts")).command().commandId();
            String legacy = "i-0f1e2d3c4b5a60001";
            String quickFacts = ssm.sendCommand(r -> r.instanceIds(legacy).documentName("xen2nitro-CaptureGuestFacts")).command().commandId();
            assertEquals(CommandInvocationStatus.SUCCESS, await(ssm, quickFacts, legacy), "the default: 10 AWS seconds");
            assertEquals(CommandInvocationStatus.IN_PROGRESS,
                    ssm.getCommandInvocation(r -> r.commandId(slowFacts).instanceId(FLEET_2012)).status(), "10 days are not over");
        }
    }

    @Test
    void anInjectedGuestFailureFailsItsCommand() throws Exception {
        try (Emulator e = Worlds.start("mixed-fleet", Worlds.guestField(FLEET_2012, "failures", "[\"InstallNvmeDriver\"]"));
             SsmClient ssm = Worlds.ssm(e)) {
            String nvme = send(e, ssm, FLEET_2012, "xen2nitro-InstallNvmeDriver", "1.5.1");
            assertEquals(CommandInvocationStatus.FAILED, await(ssm, nvme, FLEET_2012));
            assertTrue(ssm.getCommandInvocation(r -> r.commandId(nvme).instanceId(FLEET_2012)).standardErrorContent().contains("InstallNvmeDriver"));
            assertNull(((Map<?, ?>) ((Map<?, ?>) instance(e, FLEET_2012).get("guest")).get("drivers")).get("nvme"));
        }
    }

    @Test
    void theAgentGoesOfflineWhileTheInstanceIsStopped() throws Exception {
        try (Emulator e = Worlds.start("mixed-fleet"); SsmClient ssm = Worlds.ssm(e); Ec2Client ec2 = Worlds.ec2(e)) {
            assertEquals(PingStatus.ONLINE, ssm.describeInstanceInformation(r -> r.filters(f -> f.key("InstanceIds").values(FLEET_2012)))
                    .instanceInformationList().get(0).pingStatus());
            ec2.stopInstances(r -> r.instanceIds(FLEET_2012));
            assertTrue(Worlds.eventually(5, () -> ec2.describeInstances(r -> r.instanceIds(FLEET_2012)).reservations().get(0)
                    .instances().get(0).state().name() == InstanceStateName.STOPPED));
            assertEquals(PingStatus.CONNECTION_LOST, ssm.describeInstanceInformation(r -> r.filters(f -> f.key("InstanceIds").values(FLEET_2012)))
                    .instanceInformationList().get(0).pingStatus());
        }
    }

    @Test
    void documentsAreCreatedAndRead() throws Exception {
        try (Emulator e = Worlds.start("seed-2012r2-private"); SsmClient ssm = Worlds.ssm(e)) {
            ssm.createDocument(r -> r.name("xen2nitro-CaptureGuestFacts").content("{\"schemaVersion\":\"2.2\"}").documentType("Command"));
            assertEquals("{\"schemaVersion\":\"2.2\"}", ssm.getDocument(r -> r.name("xen2nitro-CaptureGuestFacts")).content());
            assertThrows(software.amazon.awssdk.services.ssm.model.DocumentAlreadyExistsException.class,
                    () -> ssm.createDocument(r -> r.name("xen2nitro-CaptureGuestFacts").content("{}").documentType("Command")));
        }
    }

    @Test
    void snsKeepsPublishedMessagesAndRefusesUnknownTopics() throws Exception {
        try (Emulator e = Worlds.start("seed-2012r2-private"); var sns = Worlds.sns(e)) {
            String topic = "arn:aws:sns:us-east-1:123456789012:xen2nitro-notifications";
            assertNotNull(sns.publish(r -> r.topicArn(topic).subject("approve?").message("plan")).messageId());
            assertThrows(NotFoundException.class, () -> sns.publish(r -> r.topicArn(topic + "-nope").message("x")));
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> sent = (List<Map<String, Object>>) e.snapshot().get("notifications");
            assertEquals(1, sent.size());
            assertEquals("approve?", sent.get(0).get("subject"));
        }
    }

    @Test
    void s3StoresDriverPackages() throws Exception {
        try (Emulator e = Worlds.start("seed-2012r2-private");
             S3Client s3 = S3Client.builder().endpointOverride(e.endpoint()).region(software.amazon.awssdk.regions.Region.US_EAST_1)
                     .credentialsProvider(Worlds.CREDS).forcePathStyle(true)
                     .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create()).build()) {
            String bucket = "xen2nitro-drivers-123456789012";
            s3.putObject(r -> r.bucket(bucket).key("2012R2/AWSNVMe.zip"), RequestBody.fromString("zip-bytes"));
            assertEquals("zip-bytes", s3.getObjectAsBytes(r -> r.bucket(bucket).key("2012R2/AWSNVMe.zip")).asUtf8String());
            assertEquals(9L, s3.headObject(r -> r.bucket(bucket).key("2012R2/AWSNVMe.zip")).contentLength());
            assertEquals(1, s3.listObjectsV2(r -> r.bucket(bucket).prefix("2012R2/")).contents().size());
            assertThrows(software.amazon.awssdk.services.s3.model.NoSuchKeyException.class,
                    () -> s3.getObjectAsBytes(r -> r.bucket(bucket).key("missing.zip")));
        }
    }

    @Test
    void taskTokensAreAnsweredOnceAndMalformedOnesRefused() throws Exception {
        try (Emulator e = Worlds.start("seed-2012r2-private"); SfnClient sfn = Worlds.sfn(e)) {
            e.cloud().taskTokens.open("tok-1", "WaitForApproval");
            sfn.sendTaskHeartbeat(r -> r.taskToken("tok-1"));
            sfn.sendTaskSuccess(r -> r.taskToken("tok-1").output("{\"approved\":true}"));
            assertEquals("succeeded", e.cloud().taskTokens.get("tok-1").status);
            assertEquals("{\"approved\":true}", e.cloud().taskTokens.get("tok-1").output);
            assertThrows(TaskTimedOutException.class, () -> sfn.sendTaskFailure(r -> r.taskToken("tok-1").error("Rejected")));
            assertThrows(InvalidTokenException.class, () -> sfn.sendTaskSuccess(r -> r.taskToken("nope").output("{}")));
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> instance(Emulator e, String id) {
        return ((List<Map<String, Object>>) e.snapshot().get("instances")).stream().filter(i -> id.equals(i.get("id"))).findFirst().orElseThrow();
    }
}
