package dev.xen2nitro.functions.guest;

import static org.junit.jupiter.api.Assertions.*;

import dev.xen2nitro.functions.core.InvalidInputException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What every send checks first: the parameters the document declares, each value within its pattern or values. */
class DocumentParametersCheckTest {
    static final String BUCKET = "xen2nitro-drivers-123456789012";
    static final String URL = "https://" + BUCKET + ".s3.us-east-1.amazonaws.com/drivers/EC2Install/4.9.5777/EC2Install.zip?X-Amz-Signature=00";
    static final String SHA = "6eaf8e49f92477bfd5386f0aa527f2c70eac55691e91aae77301babc1b56a8e7";

    static void check(GuestStep step, Map<String, List<String>> p) {
        DocumentParameters.check(step, p, BUCKET, "us-east-1", "amazonaws.com");
    }

    static Map<String, List<String>> ec2Config(String agent, String version, String url, String sha) {
        Map<String, List<String>> p = new LinkedHashMap<>();
        p.put("Agent", List.of(agent));
        p.put("Version", List.of(version));
        p.put("PackageUrl", List.of(url));
        p.put("Sha256", List.of(sha));
        return p;
    }

    static boolean accepted(GuestStep step, Map<String, List<String>> p) {
        try {
            check(step, p);
            return true;
        } catch (InvalidInputException e) {
            return false;
        }
    }

    @Test
    void anUndeclaredMissingOrRepeatedParameterIsRefused() {
        InvalidInputException undeclared = assertThrows(InvalidInputException.class,
                () -> check(GuestStep.SetPowerManagement, Map.of("commands", List.of("whoami"))));
        assertEquals("the SetPowerManagement document declares no parameter commands; nothing was sent", undeclared.getMessage());
        // EC2Launch downloads nothing: PackageUrl and Sha256 have defaults; Version has none.
        assertTrue(accepted(GuestStep.UpdateLaunchAgent, Map.of("Agent", List.of("EC2LaunchV2"), "Version", List.of("2.0.1"))));
        InvalidInputException missing = assertThrows(InvalidInputException.class,
                () -> check(GuestStep.UpdateLaunchAgent, Map.of("Agent", List.of("EC2Launch"))));
        assertEquals("the UpdateLaunchAgent document needs the parameter Version; nothing was sent", missing.getMessage());
        assertThrows(InvalidInputException.class, () -> check(GuestStep.UpdateLaunchAgent,
                Map.of("Agent", List.of("EC2Launch"), "Version", List.of("2.0.1", "2.0.2"))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"'", "\"", "$(Stop-Computer)", ";Stop-Computer", "`", "\nStop-Computer", "\n", "{{ Version }}"})
    void aValueWithAnythingTheScriptCouldReadAsCodeIsRefused(String payload) {
        assertTrue(accepted(GuestStep.UpdateLaunchAgent, ec2Config("EC2Config", "4.9.5777", URL, SHA)), "the values the payloads are put in");
        for (Map<String, List<String>> p : List.of(ec2Config("EC2Config" + payload, "4.9.5777", URL, SHA),
                ec2Config("EC2Config", "4.9.5777" + payload, URL, SHA), ec2Config("EC2Config", "4.9.5777", URL + payload, SHA),
                ec2Config("EC2Config", "4.9.5777", URL, SHA + payload))) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> check(GuestStep.UpdateLaunchAgent, p), p.toString());
            assertTrue(e.getMessage().endsWith("; nothing was sent"), e.getMessage());
            assertFalse(e.getMessage().contains("X-Amz-Signature"), "a presigned URL's query is not shown: " + e.getMessage());
        }
    }
}
