package dev.xen2nitro.local;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.xen2nitro.local.cloud.Cloud;
import dev.xen2nitro.local.world.WorldLoader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.GetCommandInvocationResponse;

/**
 * How a guest gets a package: it downloads a presigned URL with .NET (no AWS credentials of its own) and
 * installs the zip only when its SHA-256 is the one pinned in the functions. The emulator judges the URL
 * as S3 does (signature, expiry, Region, the route and the security groups to S3) and the guest the hash;
 * anything refused leaves the guest as it was.
 */
class PackageDownloadTest {
    static final String ID = "i-0f1e2d3c4b5a60006";
    static final String BUCKET = "xen2nitro-drivers-123456789012";
    static final String ENA = "drivers/AwsEnaNetworkDriver/2.6.0/AwsEnaNetworkDriver.zip";
    static final String ENA_PIN = "da198b28ef8fd4dc16d47727e85d9d9b3e8ad17b764ff9a353792c3e158878e0";
    static final ObjectMapper JSON = new ObjectMapper();

    static String presign(String region, String key, Duration validity) {
        try (S3Presigner p = S3Presigner.builder().region(Region.of(region)).credentialsProvider(Worlds.CREDS)
                .endpointOverride(URI.create("https://s3." + region + ".amazonaws.com"))
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(false).build()).build()) {
            return p.presignGetObject(r -> r.signatureDuration(validity).getObjectRequest(g -> g.bucket(BUCKET).key(key))).url().toString();
        }
    }

    /** Sends InstallEnaDriver with these parameters and waits for it to end. */
    static GetCommandInvocationResponse install(UnaryOperator<String> world, String url, String sha, String instanceId) throws Exception {
        try (var emulator = Worlds.start("mixed-fleet", world); SsmClient ssm = Worlds.ssm(emulator)) {
            String id = ssm.sendCommand(r -> r.instanceIds(instanceId).documentName("xen2nitro-InstallEnaDriver").parameters(Map.of(
                    "Version", List.of("2.6.0"), "PackageUrl", List.of(url), "Sha256", List.of(sha)))).command().commandId();
            GetCommandInvocationResponse[] last = new GetCommandInvocationResponse[1];
            assertTrue(Worlds.eventually(15, () -> {
                last[0] = ssm.getCommandInvocation(r -> r.commandId(id).instanceId(instanceId));
                return !"InProgress".equals(last[0].statusAsString()) && !"Pending".equals(last[0].statusAsString());
            }), "the command did not end");
            Cloud.Instance i = emulator.cloud().instances.get(instanceId);
            lastEna = i.guest.enaDriver;
            return last[0];
        }
    }

    static String lastEna;

    static GetCommandInvocationResponse install(String url, String sha) throws Exception {
        return install(w -> w, url, sha, ID);
    }

    static void assertRefused(GetCommandInvocationResponse r, String why) {
        assertEquals("Failed", r.statusAsString(), r.standardOutputContent());
        assertTrue(r.standardErrorContent().contains(why), r.standardErrorContent());
        assertNull(lastEna, "the guest was changed although the package was refused");
    }

    @Test
    void aUrlPresignedWithTheFunctionsCredentialsAndThePinnedHashInstalls() throws Exception {
        GetCommandInvocationResponse r = install(presign("us-east-1", ENA, Duration.ofMinutes(15)), ENA_PIN);
        assertEquals("Success", r.statusAsString(), r.standardErrorContent());
        assertEquals("2.6.0", lastEna);
    }

    @Test
    void aTamperedUrlIsRefusedAndTheGuestUnchanged() throws Exception {
        String url = presign("us-east-1", ENA, Duration.ofMinutes(15));
        // The signature of 2.6.0 on the key of 2.11.0: S3 recomputes the signature over the path it is asked for.
        assertRefused(install(url.replace("/2.6.0/", "/2.11.0/"), ENA_PIN), "SignatureDoesNotMatch");
        String flipped = url.replaceAll("X-Amz-Signature=([0-9a-f])", "X-Amz-Signature=" + (url.contains("X-Amz-Signature=0") ? "1" : "0"));
        assertRefused(install(flipped, ENA_PIN), "SignatureDoesNotMatch");
    }

    @Test
    void anExpiredUrlIsRefusedAndTheGuestUnchanged() throws Exception {
        // A URL valid for one AWS second, sent later than the emulator's floor for any URL's life (the command's start counts).
        String url = presign("us-east-1", ENA, Duration.ofSeconds(1));
        Thread.sleep(dev.xen2nitro.local.cloud.PresignedUrls.MIN_REAL_MILLIS + 1500);
        assertRefused(install(url, ENA_PIN), "Request has expired");
    }

    @Test
    void aUrlOfAnotherRegionIsRefused() throws Exception {
        assertRefused(install(presign("ap-northeast-1", ENA, Duration.ofMinutes(15)), ENA_PIN), "PermanentRedirect");
    }

    @Test
    void aZipWhoseHashIsNotThePinIsRefusedAndTheGuestUnchanged() throws Exception {
        // Whoever can write the bucket replaces the zip (and could write any SHA256SUMS beside it): the pin is in the functions.
        UnaryOperator<String> replaced = w -> w.replace("\"AwsEnaNetworkDriver 2.6.0 (stand-in for the zip AWS publishes)\"",
                "\"a zip someone else put there\"");
        assertNotEquals(Worlds.read("mixed-fleet"), replaced.apply(Worlds.read("mixed-fleet")));
        assertRefused(install(replaced, presign("us-east-1", ENA, Duration.ofMinutes(15)), ENA_PIN, ID), "expected " + ENA_PIN);
        // And a Sha256 other than the zip's is refused as well.
        assertRefused(install(presign("us-east-1", ENA, Duration.ofMinutes(15)), "0".repeat(64)), "expected " + "0".repeat(64));
    }

    @Test
    void securityGroupsThatAllowNoHttpsOutToS3MakeTheDownloadFail() throws Exception {
        // i-...0002's group: HTTPS out to the VPC only, enough for the SSM endpoints in the subnet, not for S3's addresses.
        UnaryOperator<String> egress = w -> w.replace("\"groupName\": \"servers\"",
                "\"groupName\": \"servers\", \"egress\": [{\"ipProtocol\": \"tcp\", \"fromPort\": 443, \"toPort\": 443, \"cidrBlocks\": [\"10.30.0.0/16\"]}]");
        assertNotEquals(Worlds.read("mixed-fleet"), egress.apply(Worlds.read("mixed-fleet")), "the edit found the group");
        GetCommandInvocationResponse r = install(egress, presign("us-east-1", ENA, Duration.ofMinutes(15)), ENA_PIN, "i-0f1e2d3c4b5a60002");
        assertEquals("Failed", r.statusAsString());
        assertTrue(r.standardErrorContent().contains("allow no HTTPS (TCP 443) out"), r.standardErrorContent());
    }

    /**
     * A zip staged with a SHA256SUMS file beside it, as the bucket was once laid out, but with no pin in the functions: the
     * functions refuse before anything reaches the guest, and say what to run.
     */
    @Test
    void aStagedZipWithoutAPinIsRefusedBeforeTheGuestIsChanged() throws Exception {
        String zip = "AWSPVDriver 8.4.2 (not pinned)";
        String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(zip.getBytes()));
        String world = Worlds.read("seed-2012r2-private").replace("\"drivers/AWSPVDriver/8.4.3/AWSPVDriver.zip\":",
                "\"drivers/AWSPVDriver/8.4.2/AWSPVDriver.zip\": \"" + zip + "\", \"drivers/SHA256SUMS\": \"" + sha
                        + "  drivers/AWSPVDriver/8.4.2/AWSPVDriver.zip\\n\", \"drivers/AWSPVDriver/8.4.3/AWSPVDriver.zip\":");
        assertTrue(world.contains("8.4.2/AWSPVDriver.zip"));
        try (LocalCloud local = LocalCloud.open(Worlds.root(), WorldLoader.load(world, "seed with an unpinned zip"))) {
            Map<String, Object> before = local.world();
            for (String[] call : List.of(
                    new String[] {"CheckPackagesStaged", "{\"instanceId\":\"i-0a1b2c3d4e5f60001\",\"pv\":{\"run\":true,\"version\":\"8.4.2\"},"
                            + "\"ena\":{\"run\":false,\"version\":null},\"nvme\":{\"run\":false,\"version\":null},\"launchAgentName\":\"EC2Config\","
                            + "\"launchAgent\":{\"run\":false,\"version\":null}}"},
                    new String[] {"InstallPvDriver", "{\"instanceId\":\"i-0a1b2c3d4e5f60001\",\"execution\":\"arn:aws:states:us-east-1:123456789012:execution:m:e\",\"run\":true,\"version\":\"8.4.2\","
                            + "\"driverSource\":\"bucket\"}"})) {
                HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(local.host().endpoint()
                        .resolve("/2015-03-31/functions/" + call[0] + "Function/invocations")).POST(HttpRequest.BodyPublishers.ofString(call[1])).build(),
                        HttpResponse.BodyHandlers.ofString());
                JsonNode error = JSON.readTree(r.body());
                assertEquals("dev.xen2nitro.functions.guest.PackageNotStagedException", error.path("errorType").asText(), r.body());
                String message = error.get("errorMessage").asText();
                assertTrue(message.contains("no SHA-256 is pinned for drivers/AWSPVDriver/8.4.2/AWSPVDriver.zip")
                        && message.contains("scripts/pin-packages.sh"), message);
            }
            assertEquals(String.valueOf(before.get("instances")), String.valueOf(local.world().get("instances")), "the guest changed");
            assertEquals(List.of(), local.world().get("commands"), "a command was sent");
        }
    }
}
