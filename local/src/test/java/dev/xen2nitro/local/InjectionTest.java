package dev.xen2nitro.local;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.xen2nitro.functions.guest.GuestStep;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.SsmException;

/**
 * Values built to break out of the PowerShell a parameter lands in (a quote, a double quote, $(...), ;, a backtick, a line
 * break, {{ }}) are refused before anything runs: by each function whose input ends up in a document parameter, with
 * InvalidInputException and no SSM call at all, and by SSM itself, document by document, with InvalidParameters. Either
 * way no command is recorded and the guest is as it was.
 */
class InjectionTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String ID = HandlerSamplesTest.ID;

    /** Each way out of a value that PowerShell reads as code, around a {@code valid} value. */
    static List<String> payloads(String valid) {
        return List.of(valid + "'", valid + "'; Restart-Computer -Force; '", valid + "\"", "\"" + valid + "\"",
                "$(Stop-Computer)", valid + "$(Stop-Computer)", valid + ";Stop-Computer", valid + "; Stop-Computer",
                valid + "`", valid + "`nStop-Computer", valid + "\nStop-Computer", valid + "\r\nStop-Computer", "\n" + valid,
                "{{ Version }}", valid + "{{ssm:/xen2nitro/x}}", valid + "}}{{");
    }

    /** The world as a test compares it before and after: instances with their guests, commands, and SSM's calls. */
    static String world(LocalCloud local) throws Exception {
        Map<String, Object> w = local.world();
        return JSON.writeValueAsString(List.of(w.get("instances"), w.get("commands")));
    }

    static List<String> ssmCalls(LocalCloud local) {
        return local.emulator().cloud().calls.stream().filter(c -> "ssm".equals(c.get("service"))).map(c -> c.get("operation")).toList();
    }

    /** A function, its events/ sample, and where in the sample a value ends up in a document parameter. */
    record Field(String function, String sample, String description, BiConsumer<ObjectNode, String> put) {}

    static ObjectNode adapter(ObjectNode in) {
        return (ObjectNode) in.get("adapters").get(0);
    }

    static final List<Field> FIELDS = List.of(
            new Field("InstallPvDriver", "InstallPvDriver", "version", (in, v) -> in.put("version", v)),
            new Field("InstallEnaDriver", "InstallEnaDriver", "version", (in, v) -> in.put("version", v)),
            new Field("InstallNvmeDriver", "InstallNvmeDriver", "version", (in, v) -> in.put("version", v)),
            new Field("UpdateLaunchAgent", "UpdateLaunchAgent", "agent", (in, v) -> in.put("agent", v)),
            new Field("UpdateLaunchAgent", "UpdateLaunchAgent", "version", (in, v) -> in.put("version", v)),
            new Field("RestoreNetworkConfig", "RestoreNetworkConfig", "macAddress", (in, v) -> adapter(in).put("macAddress", v)),
            new Field("RestoreNetworkConfig", "RestoreNetworkConfig", "ipAddress",
                    (in, v) -> ((ObjectNode) adapter(in).get("addresses").get(0)).put("ipAddress", v)),
            new Field("RestoreNetworkConfig", "RestoreNetworkConfig", "subnetMask",
                    (in, v) -> ((ObjectNode) adapter(in).get("addresses").get(0)).put("subnetMask", v)),
            new Field("RestoreNetworkConfig", "RestoreNetworkConfig", "gateways", (in, v) -> ((ArrayNode) adapter(in).get("gateways")).set(0, v)),
            new Field("RestoreNetworkConfig", "RestoreNetworkConfig", "dnsServers", (in, v) -> ((ArrayNode) adapter(in).get("dnsServers")).set(1, v)));

    /** The value the sample has where the payload goes. */
    static String validIn(JsonNode sample, Field f) {
        return switch (f.description()) {
            case "version", "agent" -> sample.get(f.description()).asText();
            case "macAddress" -> sample.at("/adapters/0/macAddress").asText();
            case "ipAddress", "subnetMask" -> sample.at("/adapters/0/addresses/0/" + f.description()).asText();
            case "gateways" -> sample.at("/adapters/0/gateways/0").asText();
            default -> sample.at("/adapters/0/dnsServers/1").asText();
        };
    }

    @Test
    void everyFunctionRefusesEveryInjectionBeforeItCallsSsm() throws Exception {
        try (LocalCloud local = DocumentHashTest.open(w -> {})) {
            String before = world(local);
            int refused = 0;
            for (Field f : FIELDS) {
                JsonNode sample = JSON.readTree(Files.readString(Worlds.root().resolve("events/" + f.sample() + ".json")));
                List<String> values = new ArrayList<>(payloads(validIn(sample, f)));
                // A final line break: the functions read each pattern against the whole value.
                values.add(validIn(sample, f) + "\n");
                for (String v : values) {
                    ObjectNode in = sample.deepCopy();
                    f.put().accept(in, v);
                    HttpResponse<String> r = DocumentHashTest.invoke(local, f.function(), in.toString());
                    String where = f.function() + " " + f.description() + " = " + v.replace("\n", "\\n");
                    assertEquals("Unhandled", r.headers().firstValue("X-Amz-Function-Error").orElse(null), where + " was not refused: " + r.body());
                    assertEquals("dev.xen2nitro.functions.core.InvalidInputException", JSON.readTree(r.body()).path("errorType").asText(),
                            where + ": " + r.body());
                    refused++;
                }
            }
            assertEquals(FIELDS.size() * (payloads("x").size() + 1), refused);
            assertEquals(List.of(), ssmCalls(local), "a function called SSM");
            assertEquals(before, world(local), "the world changed");
        }
    }

    /** The samples themselves pass, so the refusals above are the payloads'. */
    @Test
    void theSamplesTheInjectionsAreMadeFromAreSent() throws Exception {
        for (String function : FIELDS.stream().map(Field::function).distinct().toList()) {
            try (LocalCloud local = DocumentHashTest.open(w -> {})) {
                HttpResponse<String> r = DocumentHashTest.invoke(local, function, Files.readString(Worlds.root().resolve("events/" + function + ".json")));
                assertTrue(r.headers().firstValue("X-Amz-Function-Error").isEmpty(), function + ": " + r.body());
                assertEquals(1, ((List<?>) local.world().get("commands")).size(), function);
            }
        }
    }

    /**
     * Straight to SSM with an administrator's credentials, bypassing the functions: every document refuses every injection
     * in every parameter with InvalidParameters, though the instance is online and would run what SSM let through.
     */
    @Test
    void everyDocumentRefusesEveryInjectionInEveryParameterAndNothingRuns() throws Exception {
        try (LocalCloud local = DocumentHashTest.open(w -> {}); SsmClient ssm = Worlds.ssm(local.emulator())) {
            assertTrue((Boolean) ((Map<?, ?>) ((List<?>) local.world().get("instances")).get(0)).get("ssmOnline"), "the agent is online");
            String before = world(local);
            int refused = 0;
            for (GuestStep step : GuestStep.values()) {
                Map<String, List<String>> base = DocumentParametersTest.valid(step);
                for (String name : base.keySet()) {
                    for (String v : payloads(base.get(name).get(0))) {
                        Map<String, List<String>> p = new LinkedHashMap<>(base);
                        p.put(name, List.of(v));
                        SsmException e = assertThrows(SsmException.class, () -> ssm.sendCommand(r -> r.instanceIds(ID)
                                .documentName("xen2nitro-" + step).parameters(p)), step + "." + name + " = " + v.replace("\n", "\\n"));
                        assertEquals("InvalidParameters", e.awsErrorDetails().errorCode(), e.getMessage());
                        refused++;
                    }
                }
            }
            assertEquals(14 * payloads("x").size(), refused);
            assertTrue(local.emulator().cloud().commands.invocations.isEmpty(), "a command was recorded");
            assertEquals(before, world(local), "the world changed");
        }
    }
}
