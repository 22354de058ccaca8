package dev.xen2nitro.local;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.xen2nitro.functions.guest.RestoreNetworkConfig;
import dev.xen2nitro.local.world.WorldLoader;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.SsmException;

/**
 * SendCommand checks parameters against the stack's documents as SSM does: RestoreNetworkConfig's
 * Adapters admits MAC and IPv4 addresses only, so no value can become code in the script.
 */
class DocumentParametersTest {
    static final String ID = "i-0a1b2c3d4e5f60001";

    @Test
    void theDocumentsAllowedPatternIsTheOneTheHandlerChecks() throws Exception {
        JsonNode template = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(Worlds.root().resolve("template.yaml")));
        assertEquals(RestoreNetworkConfig.ADAPTERS_PATTERN, template.at(
                "/Resources/RestoreNetworkConfigDocument/Properties/Content/parameters/Adapters/allowedPattern").asText());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0A:D4:E5:F6:00:01/10.20.1.25-255.255.255.0//10.20.0.10'; Restart-Computer; '",
            "0A:D4:E5:F6:00:01/10.20.1.25-255.255.255.0//$(Stop-Computer)", "0A:D4:E5:F6:00:01///10.20.0.10\nexit 0",
            "0A:D4:E5:F6:00:01///10.20.0.10 ", "0A:D4:E5:F6:00:01///10.20.0.10;10.20.0.11", "\"0A:D4:E5:F6:00:01\"///"})
    void anInjectionIsRefusedByTheDocumentBeforeAnythingRuns(String adapters) throws Exception {
        try (LocalCloud local = LocalCloud.open(Worlds.root(), WorldLoader.load(Worlds.read("seed-2012r2-private"), "seed"));
             SsmClient ssm = Worlds.ssm(local.emulator())) {
            SsmException e = assertThrows(SsmException.class, () -> ssm.sendCommand(r -> r.instanceIds(ID)
                    .documentName("xen2nitro-RestoreNetworkConfig").parameters(java.util.Map.of("Adapters", List.of(adapters)))));
            assertEquals("InvalidParameters", e.awsErrorDetails().errorCode(), e.getMessage());
            assertTrue(local.emulator().cloud().commands.invocations.isEmpty());
        }
    }

    @Test
    void anUndeclaredParameterIsRefused() throws Exception {
        try (LocalCloud local = LocalCloud.open(Worlds.root(), WorldLoader.load(Worlds.read("seed-2012r2-private"), "seed"));
             SsmClient ssm = Worlds.ssm(local.emulator())) {
            SsmException e = assertThrows(SsmException.class, () -> ssm.sendCommand(r -> r.instanceIds(ID)
                    .documentName("xen2nitro-RestoreNetworkConfig").parameters(java.util.Map.of("IpAddress", List.of("10.20.1.25")))));
            assertEquals("InvalidParameters", e.awsErrorDetails().errorCode());
        }
    }
}
