package dev.xen2nitro.local;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * The AWS CLI v2 (Debian's awscli, /usr/bin/aws; .ci/run installs it) against the emulator, as
 * local/README.md shows an operator.
 */
@Execution(ExecutionMode.CONCURRENT)
class AwsCliTest {
    static final Path AWS = Path.of("/usr/bin/aws");

    static String aws(Emulator e, String... args) throws Exception {
        assertTrue(Files.isExecutable(AWS), "AWS CLI v2 is missing at /usr/bin/aws: apt-get install awscli (.ci/run does)");
        String[] cmd = new String[args.length + 6];
        cmd[0] = AWS.toString();
        System.arraycopy(args, 0, cmd, 1, args.length);
        cmd[args.length + 1] = "--endpoint-url";
        cmd[args.length + 2] = e.endpoint().toString();
        cmd[args.length + 3] = "--region";
        cmd[args.length + 4] = e.cloud().region;
        cmd[args.length + 5] = "--no-cli-pager";
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("AWS_ACCESS_KEY_ID", "local");
        pb.environment().put("AWS_SECRET_ACCESS_KEY", "local");
        pb.environment().put("AWS_CONFIG_FILE", "/dev/null");
        pb.environment().put("AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @Test
    void describeInstancesThroughTheCliParsesAsEc2Output() throws Exception {
        try (Emulator e = Worlds.start("seed-2012r2-private")) {
            JsonNode out = new ObjectMapper().readTree(aws(e, "ec2", "describe-instances", "--output", "json"));
            JsonNode instance = out.get("Reservations").get(0).get("Instances").get(0);
            assertEquals("i-0a1b2c3d4e5f60001", instance.get("InstanceId").asText());
            assertEquals("m4.xlarge", instance.get("InstanceType").asText());
            assertEquals("running", instance.get("State").get("Name").asText());
            assertEquals("windows", instance.get("Platform").asText());

            // The runbook's own check: empty when ENA is not enabled.
            String ena = aws(e, "ec2", "describe-instances", "--instance-ids", "i-0a1b2c3d4e5f60001",
                    "--query", "Reservations[].Instances[].EnaSupport", "--output", "json");
            assertEquals("[]", ena.replaceAll("\\s", ""), "EnaSupport false is reported as absent by the CLI query: " + ena);
        }
    }

    static JsonNode query(Emulator e, String... args) throws Exception {
        String[] withJson = java.util.Arrays.copyOf(args, args.length + 2);
        withJson[args.length] = "--output";
        withJson[args.length + 1] = "json";
        return new ObjectMapper().readTree(aws(e, withJson));
    }

    @Test
    void anInstanceCarriesTheFieldsAwsReturnsForItsLaunch() throws Exception {
        try (Emulator e = Worlds.start("seed-2012r2-private")) {
            JsonNode i = query(e, "ec2", "describe-instances", "--instance-ids", "i-0a1b2c3d4e5f60001",
                    "--query", "Reservations[0].Instances[0].{groups: SecurityGroups[].GroupName, eniGroups: NetworkInterfaces[0].Groups[].GroupId,"
                            + " tokens: MetadataOptions.HttpTokens, hops: MetadataOptions.HttpPutResponseHopLimit, ebsOptimized: EbsOptimized,"
                            + " dns: PrivateDnsName, eniIp: NetworkInterfaces[0].PrivateIpAddresses[0].PrivateIpAddress,"
                            + " device: NetworkInterfaces[0].Attachment.DeviceIndex, monitoring: Monitoring.State, tenancy: Placement.Tenancy,"
                            + " usage: UsageOperation, reason: StateTransitionReason}");
            assertEquals("[\"app-servers\"]", i.get("groups").toString());
            assertEquals("[\"sg-0a1b2c3d4e5f60001\"]", i.get("eniGroups").toString());
            assertEquals("optional", i.get("tokens").asText());
            assertEquals(1, i.get("hops").asInt());
            assertFalse(i.get("ebsOptimized").asBoolean());
            assertTrue(i.get("ebsOptimized").isBoolean());
            assertEquals("ip-10-20-1-25.ec2.internal", i.get("dns").asText());
            assertEquals("10.20.1.25", i.get("eniIp").asText());
            assertEquals(0, i.get("device").asInt());
            assertEquals("disabled", i.get("monitoring").asText());
            assertEquals("default", i.get("tenancy").asText());
            assertEquals("RunInstances:0002", i.get("usage").asText());
            assertEquals("", i.get("reason").asText());
            assertEquals("[]", query(e, "ec2", "describe-instances", "--query", "Reservations[0].Groups").toString());

            aws(e, "ec2", "stop-instances", "--instance-ids", "i-0a1b2c3d4e5f60001");
            JsonNode stopped = query(e, "ec2", "describe-instances", "--instance-ids", "i-0a1b2c3d4e5f60001",
                    "--query", "Reservations[0].Instances[0].{code: StateReason.Code, reason: StateTransitionReason}");
            assertEquals("Client.UserInitiatedShutdown", stopped.get("code").asText());
            assertTrue(stopped.get("reason").asText().matches("User initiated \\(\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d GMT\\)"), stopped.toString());
        }
    }

    @Test
    void aSecurityGroupInAVpcAllowsAllOutboundTraffic() throws Exception {
        try (Emulator e = Worlds.start("seed-2012r2-private")) {
            JsonNode egress = query(e, "ec2", "describe-security-groups", "--group-ids", "sg-0a1b2c3d4e5f60001",
                    "--query", "SecurityGroups[0].IpPermissionsEgress");
            assertEquals(1, egress.size());
            assertEquals("-1", egress.get(0).get("IpProtocol").asText());
            assertEquals("0.0.0.0/0", egress.get(0).get("IpRanges").get(0).get("CidrIp").asText());
            String vpc = "vpc-0a1b2c3d4e5f60001";
            String created = aws(e, "ec2", "create-security-group", "--vpc-id", vpc, "--group-name", "new", "--description", "new",
                    "--query", "GroupId", "--output", "text").strip();
            assertEquals("[\"0.0.0.0/0\"]", query(e, "ec2", "describe-security-groups", "--group-ids", created,
                    "--query", "SecurityGroups[0].IpPermissionsEgress[].IpRanges[].CidrIp").toString());
            assertEquals("[3389]", query(e, "ec2", "describe-security-groups", "--group-ids", "sg-0a1b2c3d4e5f60001",
                    "--query", "SecurityGroups[0].IpPermissions[].FromPort").toString());
        }
    }

    @Test
    void anEndpointHasItsDnsNamesAndTakesAnAddressOfItsSubnet() throws Exception {
        try (Emulator e = Worlds.start("seed-2012r2-private")) {
            String subnet = "subnet-0a1b2c3d4e5f60001";
            // A /24 less the five addresses AWS reserves and the instance's own.
            assertEquals(250, query(e, "ec2", "describe-subnets", "--subnet-ids", subnet,
                    "--query", "Subnets[0].AvailableIpAddressCount").asInt());
            String id = aws(e, "ec2", "create-vpc-endpoint", "--vpc-id", "vpc-0a1b2c3d4e5f60001", "--vpc-endpoint-type", "Interface",
                    "--service-name", "com.amazonaws.us-east-1.ssm", "--subnet-ids", subnet, "--security-group-ids", "sg-0a1b2c3d4e5f60001",
                    "--private-dns-enabled", "--query", "VpcEndpoint.VpcEndpointId", "--output", "text").strip();
            JsonNode names = query(e, "ec2", "describe-vpc-endpoints", "--vpc-endpoint-ids", id, "--query", "VpcEndpoints[0].DnsEntries[].DnsName");
            // The regional name, one per zone, and the private DNS name (AWS CLI examples of describe-vpc-endpoints).
            List<String> dns = new java.util.ArrayList<>();
            names.forEach(n -> dns.add(n.asText()));
            assertTrue(dns.stream().anyMatch(n -> n.matches(id + "-[a-z0-9]{8}\\.ssm\\.us-east-1\\.vpce\\.amazonaws\\.com")), dns.toString());
            assertTrue(dns.stream().anyMatch(n -> n.matches(id + "-[a-z0-9]{8}-us-east-1a\\.ssm\\.us-east-1\\.vpce\\.amazonaws\\.com")), dns.toString());
            assertTrue(dns.contains("ssm.us-east-1.amazonaws.com"), dns.toString());
            assertEquals(1, query(e, "ec2", "describe-vpc-endpoints", "--vpc-endpoint-ids", id,
                    "--query", "VpcEndpoints[0].NetworkInterfaceIds").size());
            assertEquals(249, query(e, "ec2", "describe-subnets", "--subnet-ids", subnet,
                    "--query", "Subnets[0].AvailableIpAddressCount").asInt());
        }
    }

    @Test
    void instanceTypesCarryTheirEbsInfoAndRootDeviceTypes() throws Exception {
        try (Emulator e = Worlds.start("seed-2012r2-private")) {
            JsonNode types = query(e, "ec2", "describe-instance-types", "--instance-types", "m4.xlarge", "m5.xlarge", "m3.medium", "m1.small",
                    "--query", "InstanceTypes[].{name: InstanceType, ebs: EbsInfo, roots: SupportedRootDeviceTypes, virt: SupportedVirtualizationTypes}");
            java.util.Map<String, JsonNode> byName = new java.util.HashMap<>();
            types.forEach(t -> byName.put(t.get("name").asText(), t));
            assertEquals("unsupported", byName.get("m4.xlarge").get("ebs").get("NvmeSupport").asText());
            assertEquals("required", byName.get("m5.xlarge").get("ebs").get("NvmeSupport").asText());
            assertEquals("supported", byName.get("m5.xlarge").get("ebs").get("EncryptionSupport").asText());
            assertEquals("unsupported", byName.get("m1.small").get("ebs").get("EncryptionSupport").asText());
            assertEquals("[\"ebs\"]", byName.get("m5.xlarge").get("roots").toString());
            assertEquals("[\"ebs\",\"instance-store\"]", byName.get("m3.medium").get("roots").toString());
            assertEquals("[\"hvm\",\"paravirtual\"]", byName.get("m3.medium").get("virt").toString());
            assertEquals("[\"hvm\"]", byName.get("m4.xlarge").get("virt").toString());
        }
    }
}
