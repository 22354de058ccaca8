package dev.xen2nitro.local;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.xen2nitro.functions.guest.GuestStep;
import dev.xen2nitro.local.cloud.Commands;
import dev.xen2nitro.local.host.Template;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The guest steps are named once on each side: {@link GuestStep} in the functions, which send the
 * documents, and {@link Commands.Step} in the emulator, which recognises them (it must not borrow
 * the functions' list, or a step renamed on one side would pass here and fail in AWS). template.yaml
 * declares the documents. All three name the same steps.
 */
class GuestStepNamesTest {

    /** The step of each SSM document of template.yaml, checked to be spelled alike in its logical ID, name and script step. */
    static Set<String> documentSteps() throws IOException {
        JsonNode resources = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(Worlds.root().resolve("template.yaml")))
                .path("Resources");
        Set<String> steps = new TreeSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = resources.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> r = it.next();
            if (!"AWS::SSM::Document".equals(r.getValue().path("Type").asText())) continue;
            String logicalId = r.getKey();
            assertTrue(logicalId.endsWith("Document"), logicalId + ": an SSM document's logical ID is its step followed by Document");
            String step = logicalId.substring(0, logicalId.length() - "Document".length());
            JsonNode p = r.getValue().path("Properties");
            // !Sub is read as its text; the stack's name is the prefix the functions put before the step (DOCUMENT_PREFIX).
            assertEquals("${AWS::StackName}-" + step, p.path("Name").asText(), logicalId + "'s Name");
            JsonNode mainSteps = p.path("Content").path("mainSteps");
            assertFalse(mainSteps.isEmpty(), logicalId + " has no mainSteps");
            mainSteps.forEach(s -> assertEquals(step, s.path("name").asText(), logicalId + "'s script step"));
            steps.add(step);
        }
        return steps;
    }

    @Test
    void theFunctionsTheEmulatorAndTheTemplatesDocumentsNameTheSameSteps() throws IOException {
        Set<String> functions = Arrays.stream(GuestStep.values()).map(Enum::name).collect(Collectors.toCollection(TreeSet::new));
        Set<String> emulator = Arrays.stream(Commands.Step.values()).map(Enum::name).collect(Collectors.toCollection(TreeSet::new));
        Set<String> documents = documentSteps();
        assertEquals(documents, functions, "GuestStep (functions) against the SSM documents of template.yaml");
        assertEquals(documents, emulator, "Commands.Step (emulator) against the SSM documents of template.yaml");
    }

    @Test
    void eachStepIsSentByTheFunctionOfTheSameName() throws IOException {
        Template template = new Template(Worlds.root());
        for (GuestStep step : GuestStep.values()) {
            Template.Function f = template.functions().get(step.name() + "Function");
            assertNotNull(f, "template.yaml has no " + step.name() + "Function to send the " + step.name() + " document");
            assertEquals("dev.xen2nitro.functions.guest." + step.name(), f.handlerClass());
        }
    }

    @Test
    void theEmulatorKnowsADocumentByTheStepItsNameEndsWith() {
        assertEquals(Commands.Step.InstallNvmeDriver, Commands.Step.ofDocument(Template.STACK_NAME + "-InstallNvmeDriver").orElseThrow());
        assertTrue(Commands.Step.ofDocument("AWS-RunPowerShellScript").isEmpty());
    }
}
