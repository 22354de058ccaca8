package dev.xen2nitro.local;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The AWS CLI v2 (Debian's awscli, /usr/bin/aws; .ci/run installs it) against the emulator, as
 * local/README.md shows an operator.
 */
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
}
