package dev.xen2nitro.local;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.xen2nitro.functions.core.InvalidInputException;
import dev.xen2nitro.functions.guest.DocumentParameters;
import dev.xen2nitro.functions.guest.GuestStep;
import dev.xen2nitro.functions.guest.RestoreNetworkConfig;
import dev.xen2nitro.local.host.StackRoles;
import dev.xen2nitro.local.world.WorldLoader;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.SsmException;

/**
 * SendCommand checks parameters against the stack's documents as SSM does: RestoreNetworkConfig's
 * Adapters admits MAC and IPv4 addresses only, so no value can become code in the script. The functions
 * check the same declarations before sending (DocumentParameters), and never send what SSM would refuse.
 */
class DocumentParametersTest {
    static final String ID = "i-0a1b2c3d4e5f60001";
    static final String BUCKET = "xen2nitro-drivers-123456789012", REGION = "us-east-1", DOMAIN = "amazonaws.com";

    /** The stack's documents as CloudFormation creates them, every !Sub resolved for the local stack, by step. */
    static Map<GuestStep, JsonNode> documents() throws Exception {
        Map<GuestStep, JsonNode> out = new java.util.TreeMap<>();
        for (Map.Entry<String, String> d : StackRoles.of(Worlds.root(), REGION, "123456789012").documents().entrySet()) {
            out.put(GuestStep.valueOf(d.getKey().substring("xen2nitro-".length())), new ObjectMapper().readTree(d.getValue()));
        }
        return out;
    }

    @Test
    void theFunctionsCheckEveryParameterOfEveryDocumentAsTheTemplateDeclaresIt() throws Exception {
        Map<GuestStep, JsonNode> documents = documents();
        assertEquals(java.util.EnumSet.allOf(GuestStep.class), documents.keySet());
        for (Map.Entry<GuestStep, JsonNode> d : documents.entrySet()) {
            Map<String, DocumentParameters.Declared> checked = DocumentParameters.of(d.getKey(), BUCKET, REGION, DOMAIN);
            JsonNode declared = d.getValue().path("parameters");
            assertEquals(new java.util.TreeSet<>(checked.keySet()), new java.util.TreeSet<>(iterable(declared.fieldNames())), d.getKey().name());
            for (Map.Entry<String, DocumentParameters.Declared> p : checked.entrySet()) {
                JsonNode t = declared.get(p.getKey());
                String where = d.getKey() + "." + p.getKey();
                assertEquals(t.path("allowedPattern").asText(null), p.getValue().allowedPattern(), where);
                assertEquals(t.has("allowedValues") ? iterable(t.get("allowedValues").elements()).stream().map(JsonNode::asText).toList() : null,
                        p.getValue().allowedValues(), where);
                assertEquals(t.has("default"), p.getValue().hasDefault(), where);
            }
        }
    }

    /** Each is a String handed to the script as SSM_NAME, and SSM checks each against a pattern or a list of values. */
    @Test
    void everyParameterIsAnEnvironmentVariableWithAPatternOrValues() throws Exception {
        int parameters = 0;
        for (Map.Entry<GuestStep, JsonNode> d : documents().entrySet()) {
            for (Map.Entry<String, JsonNode> p : d.getValue().path("parameters").properties()) {
                String where = d.getKey() + "." + p.getKey();
                assertEquals("String", p.getValue().path("type").asText(), where);
                assertEquals("ENV_VAR", p.getValue().path("interpolationType").asText(), where);
                assertTrue(p.getValue().has("allowedPattern") ^ p.getValue().has("allowedValues"), where);
                parameters++;
            }
        }
        assertEquals(14, parameters, "Version, PackageUrl and Sha256 of the three drivers and the launch agent, Agent, Adapters");
    }

    /** A value of each parameter that the documents accept: a dotted version, a URL of the step's package, a hash... */
    static Map<String, List<String>> valid(GuestStep step) {
        String url = "https://" + BUCKET + ".s3." + REGION + "." + DOMAIN + "/drivers/%1$s/%2$s/%1$s.zip?X-Amz-Algorithm=AWS4-HMAC-SHA256"
                + "&X-Amz-Credential=ASIAEXAMPLE%%2F20261126%%2Fus-east-1%%2Fs3%%2Faws4_request&X-Amz-Signature=0123456789abcdef";
        String sha = "6eaf8e49f92477bfd5386f0aa527f2c70eac55691e91aae77301babc1b56a8e7";
        Map<String, List<String>> p = new java.util.LinkedHashMap<>();
        switch (step) {
            case InstallPvDriver -> driver(p, "8.4.3", url.formatted("AWSPVDriver", "8.4.3"), sha);
            case InstallEnaDriver -> driver(p, "2.6.0", url.formatted("AwsEnaNetworkDriver", "2.6.0"), sha);
            case InstallNvmeDriver -> driver(p, "1.5.1", url.formatted("AWSNVMe", "1.5.1"), sha);
            case UpdateLaunchAgent -> {
                p.put("Agent", List.of("EC2Config"));
                driver(p, "4.9.5777", url.formatted("EC2Install", "4.9.5777"), sha);
            }
            case RestoreNetworkConfig -> p.put("Adapters", List.of("0A:D4:E5:F6:00:01/10.20.1.25-255.255.255.0,10.20.1.26-255.255.255.0/10.20.1.1/"
                    + "10.20.0.10,10.20.0.11+0A:D4:E5:F6:00:02///10.20.0.10"));
            default -> {
            }
        }
        return p;
    }

    private static void driver(Map<String, List<String>> p, String version, String url, String sha) {
        p.put("Version", List.of(version));
        p.put("PackageUrl", List.of(url));
        p.put("Sha256", List.of(sha));
    }

    /**
     * For every parameter of every document, the valid value and each injection (InjectionTest.payloads) in its place:
     * what the functions accept, SSM accepts too, and every injection is refused by both. The instance is offline, so SSM
     * answers InvalidInstanceId for parameters it accepts (it checks them first) and nothing runs either way.
     */
    @Test
    void whatTheFunctionsSendSsmAcceptsAndEveryInjectionIsRefusedByBoth() throws Exception {
        try (LocalCloud local = LocalCloud.open(Worlds.root(), WorldLoader.load(Worlds.read("seed-2012r2-private"), "seed"));
             SsmClient ssm = Worlds.ssm(local.emulator())) {
            int refused = 0;
            for (GuestStep step : GuestStep.values()) {
                Map<String, List<String>> base = valid(step);
                assertTrue(functionsAccept(step, base), step + " refuses its valid parameters");
                assertTrue(ssmAccepts(ssm, step, base), step + ": SSM refuses the valid parameters");
                for (String name : base.keySet()) {
                    List<String> values = new java.util.ArrayList<>(InjectionTest.payloads(base.get(name).get(0)));
                    for (String v : values) {
                        Map<String, List<String>> p = new java.util.LinkedHashMap<>(base);
                        p.put(name, List.of(v));
                        String where = step + "." + name + " = " + v.replace("\n", "\\n");
                        assertFalse(functionsAccept(step, p), "the functions would send " + where);
                        assertFalse(ssmAccepts(ssm, step, p), "SSM accepts " + where);
                        refused++;
                    }
                    // A final line break alone: SSM may read $ as matching before it; the functions refuse it.
                    Map<String, List<String>> p = new java.util.LinkedHashMap<>(base);
                    p.put(name, List.of(base.get(name).get(0) + "\n"));
                    assertFalse(functionsAccept(step, p), step + "." + name + " with a final line break");
                }
            }
            assertEquals(14 * InjectionTest.payloads("x").size(), refused);
            assertTrue(local.emulator().cloud().commands.invocations.isEmpty(), "nothing was sent");
        }
    }

    static boolean functionsAccept(GuestStep step, Map<String, List<String>> p) {
        try {
            DocumentParameters.check(step, p, BUCKET, REGION, DOMAIN);
            return true;
        } catch (InvalidInputException e) {
            return false;
        }
    }

    static boolean ssmAccepts(SsmClient ssm, GuestStep step, Map<String, List<String>> p) {
        SsmException e = assertThrows(SsmException.class, () -> ssm.sendCommand(r -> r.instanceIds(ID).documentName("xen2nitro-" + step)
                .parameters(p)), "the seed's instance is offline: nothing can run");
        String code = e.awsErrorDetails().errorCode();
        assertTrue(code.equals("InvalidInstanceId") || code.equals("InvalidParameters"), e.getMessage());
        return code.equals("InvalidInstanceId");
    }

    static <T> List<T> iterable(java.util.Iterator<T> it) {
        List<T> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

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
