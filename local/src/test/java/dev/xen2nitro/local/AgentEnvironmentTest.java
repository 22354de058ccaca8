package dev.xen2nitro.local;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.xen2nitro.local.guest.WindowsGuest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * The documents' parameters reach the script as SSM Agent hands them over: from 3.3.2746.0 on as the environment
 * variables SSM_NAME (interpolationType ENV_VAR), before that only as text in place of each {{ NAME }}. The scripts read
 * $env:SSM_NAME and fill it from the text only when the agent did not, so the same document works with either agent.
 */
class AgentEnvironmentTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String ID = HandlerSamplesTest.ID;
    static final String ENA_PIN = "da198b28ef8fd4dc16d47727e85d9d9b3e8ad17b764ff9a353792c3e158878e0";

    /** Runs the InstallEnaDriver function on the seed, mid-migration, with this SSM Agent; returns its command once ended. */
    static Map<?, ?> installEna(LocalCloud local) throws Exception {
        HttpResponse<String> r = DocumentHashTest.invoke(local, "InstallEnaDriver", Files.readString(Worlds.root().resolve("events/InstallEnaDriver.json")));
        assertTrue(r.headers().firstValue("X-Amz-Function-Error").isEmpty(), r.body());
        String id = JSON.readTree(r.body()).get("commandId").asText();
        assertTrue(Worlds.eventually(10, () -> !"InProgress".equals(DocumentHashTest.command(local, id).get("status"))));
        return DocumentHashTest.command(local, id);
    }

    static LocalCloud withAgent(String version) throws Exception {
        return DocumentHashTest.open(w -> HandlerSamplesTest.guest(w).put("ssmAgentVersion", version));
    }

    @Test
    void anAgentOf3_3_2746OrLaterGivesTheScriptEveryParameterAsAnEnvironmentVariable() throws Exception {
        try (LocalCloud local = withAgent("3.3.2746.0")) {
            Map<?, ?> c = installEna(local);
            assertEquals("Success", c.get("status"), String.valueOf(c));
            Map<?, ?> environment = (Map<?, ?>) c.get("environment");
            assertEquals(List.of("SSM_PackageUrl", "SSM_Sha256", "SSM_Version"), environment.keySet().stream().map(String::valueOf).sorted().toList());
            assertEquals("2.6.0", environment.get("SSM_Version"));
            assertEquals(ENA_PIN, environment.get("SSM_Sha256"));
            assertEquals(((List<?>) ((Map<?, ?>) c.get("parameters")).get("PackageUrl")).get(0), environment.get("SSM_PackageUrl"));
            assertEquals("2.6.0", DocumentHashTest.guest(local).enaDriver);
        }
    }

    @Test
    void anOlderAgentSetsNoVariableAndTheScriptTakesTheValueFromItsText() throws Exception {
        try (LocalCloud local = withAgent("3.3.40.0")) {
            Map<?, ?> c = installEna(local);
            assertEquals("Success", c.get("status"), String.valueOf(c));
            assertEquals(Map.of(), c.get("environment"));
            assertEquals("2.6.0", DocumentHashTest.guest(local).enaDriver);
        }
    }

    /**
     * The fallback is what keeps an older agent working: the same script without it finds no value on 3.3.40.0 and changes
     * nothing, while 3.3.2746.0 runs it.
     */
    @Test
    void withoutTheFallbackAnOlderAgentLeavesTheScriptNoValueAndNothingChanges() throws Exception {
        for (String agent : List.of("3.3.40.0", "3.3.2746.0")) {
            try (LocalCloud local = withAgent(agent); SsmClient ssm = Worlds.ssm(local.emulator())) {
                ObjectNode doc = (ObjectNode) JSON.readTree(ssm.getDocument(r -> r.name("xen2nitro-InstallEnaDriver")).content());
                ArrayNode runCommand = (ArrayNode) doc.at("/mainSteps/0/inputs/runCommand");
                String script = runCommand.get(0).asText();
                String bare = script.lines().filter(l -> !l.contains("Test-Path env:SSM_")).reduce((a, b) -> a + "\n" + b).orElseThrow();
                assertEquals(3, script.lines().count() - bare.lines().count(), "the script has one fallback line per parameter");
                runCommand.set(0, bare);
                ssm.createDocument(r -> r.name("nofallback-InstallEnaDriver").documentType("Command").content(doc.toString()));
                Map<String, List<String>> parameters = Map.of("Version", List.of("2.6.0"), "Sha256", List.of(ENA_PIN), "PackageUrl",
                        List.of(PackageDownloadTest.presign("us-east-1", PackageDownloadTest.ENA, java.time.Duration.ofMinutes(15))));
                WindowsGuest before = DocumentHashTest.guest(local);
                String id = ssm.sendCommand(r -> r.instanceIds(ID).documentName("nofallback-InstallEnaDriver").parameters(parameters)).command().commandId();
                assertTrue(Worlds.eventually(10, () -> !"InProgress".equals(DocumentHashTest.command(local, id).get("status"))));
                Map<?, ?> c = DocumentHashTest.command(local, id);
                if (agent.equals("3.3.40.0")) {
                    assertEquals("Failed", c.get("status"));
                    assertTrue(String.valueOf(c.get("error")).contains("no value for SSM_"), String.valueOf(c));
                    assertEquals(JSON.valueToTree(before.state()), JSON.valueToTree(DocumentHashTest.guest(local).state()), "the guest changed");
                } else {
                    assertEquals("Success", c.get("status"), String.valueOf(c));
                    assertEquals("2.6.0", DocumentHashTest.guest(local).enaDriver);
                }
            }
        }
    }

    /**
     * Where the agent set the variable, its value is read, not the string the script would fall back on; the text is
     * replaced by every agent, and only String parameters declared with interpolationType ENV_VAR become variables.
     */
    @Test
    void theEnvironmentWinsOverTheScriptsOwnValue() {
        String doc = """
                {"schemaVersion":"2.2","parameters":{"Version":{"type":"String","interpolationType":"ENV_VAR"},
                 "Plain":{"type":"String","default":"x"}},
                 "mainSteps":[{"action":"aws:runPowerShellScript","name":"s","inputs":{"runCommand":[
                 "if (-not (Test-Path env:SSM_Version)) { $env:SSM_Version = 'from the text' }\\nif (-not (Test-Path env:SSM_Plain)) { $env:SSM_Plain = 'it''s {{Plain}}' }"]}}]}""";
        var newer = dev.xen2nitro.local.guest.SsmAgent.deliver(doc, Map.of("Version", List.of("1.2.3")), "3.3.2746.0");
        assertEquals(Map.of("SSM_Version", "1.2.3"), newer.environment());
        assertTrue(newer.script().contains("$env:SSM_Plain = 'it''s x'"), newer.script());
        assertEquals(Map.of("Version", "1.2.3", "Plain", "it's x"), newer.reads());
        var older = dev.xen2nitro.local.guest.SsmAgent.deliver(doc, Map.of("Version", List.of("1.2.3")), "3.3.2745.0");
        assertEquals(Map.of(), older.environment());
        assertEquals(Map.of("Version", "from the text", "Plain", "it's x"), older.reads());
    }
}
