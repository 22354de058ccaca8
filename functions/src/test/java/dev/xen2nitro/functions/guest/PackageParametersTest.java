package dev.xen2nitro.functions.guest;

import static org.junit.jupiter.api.Assertions.*;

import dev.xen2nitro.functions.core.InvalidInputException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The install documents' parameters as the handlers check them before SendCommand, and the pin file's format. */
class PackageParametersTest {
    static final String BUCKET = "xen2nitro-drivers-123456789012";
    static final String SHA = "6eaf8e49f92477bfd5386f0aa527f2c70eac55691e91aae77301babc1b56a8e7";
    static final String URL = "https://" + BUCKET + ".s3.us-east-1.amazonaws.com/drivers/AWSPVDriver/8.4.3/AWSPVDriver.zip"
            + "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20261126T101500Z&X-Amz-SignedHeaders=host&X-Amz-Expires=900"
            + "&X-Amz-Credential=ASIAEXAMPLE%2F20261126%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Security-Token=IQoJb3JpZ2luX2VjE%2B%2F%3D"
            + "&X-Amz-Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    static Map<String, List<String>> params(String version, String url, String sha) {
        Map<String, List<String>> p = new LinkedHashMap<>();
        p.put("Version", List.of(version));
        p.put("PackageUrl", List.of(url));
        p.put("Sha256", List.of(sha));
        return p;
    }

    static void validate(Map<String, List<String>> p) {
        DriverPackages.validate("AWSPVDriver", p, BUCKET, "us-east-1", "amazonaws.com");
    }

    @Test
    void aPresignedUrlOfTheStacksBucketWithThePinnedHashPasses() {
        validate(params("8.4.3", URL, SHA));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            // another bucket, another Region, http, path outside drivers/, another package, quote and $() injection, a space
            "https://someone-else.s3.us-east-1.amazonaws.com/drivers/AWSPVDriver/8.4.3/AWSPVDriver.zip?X-Amz-Signature=00",
            "https://xen2nitro-drivers-123456789012.s3.eu-west-1.amazonaws.com/drivers/AWSPVDriver/8.4.3/AWSPVDriver.zip?X-Amz-Signature=00",
            "http://xen2nitro-drivers-123456789012.s3.us-east-1.amazonaws.com/drivers/AWSPVDriver/8.4.3/AWSPVDriver.zip?X-Amz-Signature=00",
            "https://xen2nitro-drivers-123456789012.s3.us-east-1.amazonaws.com/other/AWSPVDriver/8.4.3/AWSPVDriver.zip?X-Amz-Signature=00",
            "https://xen2nitro-drivers-123456789012.s3.us-east-1.amazonaws.com/drivers/AWSNVMe/8.4.3/AWSNVMe.zip?X-Amz-Signature=00",
            "https://xen2nitro-drivers-123456789012.s3.us-east-1.amazonaws.com/drivers/AWSPVDriver/8.4.3/AWSPVDriver.zip?a='+$(whoami)+'",
            "https://xen2nitro-drivers-123456789012.s3.us-east-1.amazonaws.com/drivers/AWSPVDriver/8.4.3/AWSPVDriver.zip?a=b;c d",
            "https://xen2nitro-drivers-123456789012.s3.us-east-1.amazonaws.com/drivers/AWSPVDriver/8.4.2/AWSPVDriver.zip?X-Amz-Signature=00"})
    void aUrlOutsideThePatternIsRefused(String url) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> validate(params("8.4.3", url, SHA)));
        assertTrue(e.getMessage().contains("PackageUrl") && e.getMessage().contains("nothing was sent"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"6EAF8E49F92477BFD5386F0AA527F2C70EAC55691E91AAE77301BABC1B56A8E7", "abc", "'; exit 0; '",
            "6eaf8e49f92477bfd5386f0aa527f2c70eac55691e91aae77301babc1b56a8e7\n"})
    void aSha256OutsideThePatternIsRefused(String sha) {
        assertThrows(InvalidInputException.class, () -> validate(params("8.4.3", URL, sha)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"latest", "8", "8.4.3'", "8.4.3.1.2", "$(1)"})
    void aVersionOutsideThePatternIsRefused(String version) {
        assertThrows(InvalidInputException.class, () -> validate(params(version, URL, SHA)));
    }

    @Test
    void aUrlLongerThanSsmCarriesIsRefused() {
        String url = URL + "&x=" + "a".repeat(DriverPackages.MAX_URL_LENGTH);
        assertThrows(InvalidInputException.class, () -> validate(params("8.4.3", url, SHA)));
    }

    @Test
    void thePinFileIsReadAsSha256sumWritesIt() {
        Map<String, String> pins = PackagePins.parse("# comment\n\n" + SHA + "  AWSPVDriver/8.4.3/AWSPVDriver.zip\n"
                + SHA.replace('6', '7') + " *EC2Install/4.9.5777/EC2Install.zip\n", "test");
        assertEquals(Map.of("AWSPVDriver/8.4.3/AWSPVDriver.zip", SHA, "EC2Install/4.9.5777/EC2Install.zip", SHA.replace('6', '7')), pins);
        for (String bad : List.of(SHA + "  drivers/AWSPVDriver/8.4.3/AWSPVDriver.zip", SHA.toUpperCase() + "  AWSPVDriver/8.4.3/AWSPVDriver.zip",
                SHA + "  AWSPVDriver/8.4.3/AWSNVMe.zip", SHA + "  AWSPVDriver/latest/AWSPVDriver.zip")) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> PackagePins.parse(bad, "test"));
            assertTrue(e.getMessage().contains("line 1"), e.getMessage());
        }
        assertThrows(IllegalStateException.class, () -> PackagePins.parse(SHA + "  AWSPVDriver/8.4.3/AWSPVDriver.zip\n"
                + SHA.replace('6', '7') + "  AWSPVDriver/8.4.3/AWSPVDriver.zip", "test"));
    }

    /** The jar's pins are empty until an operator pins the zips AWS publishes: no hash is made up. */
    @Test
    void theShippedPinFileHasNoHashOfItsOwnMaking() {
        assertEquals(Map.of(), PackagePins.parse(new String(readResource(), java.nio.charset.StandardCharsets.UTF_8), "jar"));
    }

    private static byte[] readResource() {
        try (var in = PackagePins.class.getResourceAsStream(PackagePins.RESOURCE)) {
            assertNotNull(in, PackagePins.RESOURCE + " is in the jar");
            return in.readAllBytes();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Only the local cloud points the functions at other pins; the deployed stack never does (it declares the variable for
     * sam local alone, with no value), and reads no sums from S3.
     */
    @Test
    void theTemplateNeitherOverridesThePinsNorReadsHashesOrPackagesWithAwsTools() throws java.io.IOException {
        String template = java.nio.file.Files.readString(java.nio.file.Path.of(System.getProperty("xen2nitro.projectRoot", ".."), "template.yaml"));
        java.util.List<String> lines = template.lines().filter(l -> l.contains(PackagePins.OVERRIDE)).map(String::strip).toList();
        assertEquals(java.util.List.of(PackagePins.OVERRIDE + ": !If [SamLocalOnly, \"\", !Ref \"AWS::NoValue\"]"), lines,
                "template.yaml may only declare " + PackagePins.OVERRIDE + " for sam local, with no value");
        assertFalse(template.contains("SHA256SUMS"), "no hash is read from the bucket");
        assertFalse(template.contains("Read-S3Object"), "the guest downloads with .NET, not AWS Tools for PowerShell");
        assertFalse(template.contains("S3ReadPolicy"), "the functions read drivers/* only");
    }

    /** Under sam local the pins come in the variable itself (local/sam-env.json): a container has no path to the file. */
    @Test
    void pinsGivenInTheVariableAreReadAsPins() {
        String sha = "c".repeat(64);
        String before = System.getProperty(PackagePins.OVERRIDE);
        System.setProperty(PackagePins.OVERRIDE, sha + "  AWSPVDriver/8.4.3/AWSPVDriver.zip\n" + "d".repeat(64) + "  AWSNVMe/1.5.1/AWSNVMe.zip");
        try {
            assertEquals(java.util.Optional.of(sha), PackagePins.sha256("AWSPVDriver", "8.4.3"));
            assertEquals(java.util.Optional.empty(), PackagePins.sha256("AWSPVDriver", "8.6.1"));
            assertEquals("the pins in " + PackagePins.OVERRIDE, PackagePins.source());
        } finally {
            if (before == null) System.clearProperty(PackagePins.OVERRIDE);
            else System.setProperty(PackagePins.OVERRIDE, before);
        }
    }

    @Test
    void theCheckPrintsTheResultFileLine() {
        assertEquals("done", CheckLaunchAgentUpdate.read("i-0123456789abcdef0", "xen2nitro-ec2config: done 4.9.5777\n").state());
        assertEquals("running", CheckLaunchAgentUpdate.read("i-0123456789abcdef0", "xen2nitro-ec2config: running").state());
        CheckLaunchAgentUpdate.Result failed = CheckLaunchAgentUpdate.read("i-0123456789abcdef0", "xen2nitro-ec2config: failed: EC2Install.exe exited 1603");
        assertEquals("failed", failed.state());
        assertTrue(failed.message().contains("1603"));
        assertEquals("failed", CheckLaunchAgentUpdate.read("i-0123456789abcdef0", "xen2nitro-ec2config: absent").state());
    }
}
