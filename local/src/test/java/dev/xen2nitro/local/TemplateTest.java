package dev.xen2nitro.local;

import static org.junit.jupiter.api.Assertions.*;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.xen2nitro.local.host.Template;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** template.yaml and statemachine/: what sam deploy would refuse, or deploy broken, is caught here. */
class TemplateTest {
    final Path root = Worlds.root();

    static String run(Path dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "timed out: " + String.join(" ", cmd));
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + " reported:\n" + out);
        return out;
    }

    @Test
    void cfnLintReportsNothing() throws Exception {
        assertEquals("", run(root, "cfn-lint", "template.yaml").trim());
    }

    /** The template as CloudFormation receives it: rules such as invalid IAM actions are checked on the expanded roles. */
    @Test
    void cfnLintReportsNothingOnTheTranslatedTemplate(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path translated = tmp.resolve("template.json");
        java.nio.file.Files.writeString(translated, run(root, "python3", "local/sam/translate.py", "template.yaml"));
        assertEquals("", run(root, "cfn-lint", translated.toString()).trim());
    }

    @Test
    void everyStateMachineDefinitionPassesAslValidator() throws Exception {
        Path validator = root.resolve("local/runner/node_modules/.bin/asl-validator");
        assertTrue(Files.isExecutable(validator), "npm ci in local/runner installs asl-validator");
        List<Path> asl;
        try (var files = Files.list(root.resolve("statemachine"))) {
            asl = files.filter(p -> p.toString().endsWith(".asl.json")).toList();
        }
        assertFalse(asl.isEmpty());
        for (Path p : asl) {
            assertTrue(run(root, validator.toString(), "--json-path", p.toString()).contains("is valid"), p.toString());
        }
    }

    @Test
    void everyHandlerNamedInTheTemplateExistsAndHasAnEventsSample() throws Exception {
        Template t = new Template(root);
        assertFalse(t.functions().isEmpty());
        for (Template.Function f : t.functions().values()) {
            Class<?> c = Class.forName(f.handlerClass());
            assertTrue(RequestStreamHandler.class.isAssignableFrom(c), f.handlerClass());
            // One name everywhere: the function StopInstanceFunction runs class StopInstance, sampled by events/StopInstance.json.
            assertEquals(f.logicalId(), c.getSimpleName() + "Function");
            assertTrue(Files.isRegularFile(root.resolve("events/" + c.getSimpleName() + ".json")), "events/" + c.getSimpleName() + ".json");
        }
    }

    @Test
    void everyPlaceholderIsSubstitutedWithADeclaredFunctionAliasOrStateMachine() throws Exception {
        Template t = new Template(root);
        for (Template.StateMachine sm : t.stateMachines().values()) {
            String filled = t.definition(sm, "us-east-1", "123456789012");
            assertFalse(filled.contains("${"), sm.logicalId() + " still has a placeholder");
            String raw = Files.readString(sm.definition());
            Matcher m = Pattern.compile("\\$\\{([A-Za-z0-9]+)}").matcher(raw);
            List<String> used = new ArrayList<>();
            while (m.find()) used.add(m.group(1));
            for (String key : used) {
                String value = sm.substitutions().get(key);
                if (t.stateMachines().containsKey(value)) {
                    continue; // a child state machine, by its ARN (!Ref)
                }
                // SnapStart: the state machine must invoke the published alias, never $LATEST.
                assertTrue(value.endsWith(".Alias"), key + " should be !Ref Function.Alias, is " + value);
                assertTrue(t.functions().containsKey(value.replace(".Alias", "")), value);
            }
            // A substitution no state uses is a grant (its invoke policy) the state machine does not need.
            assertEquals(new java.util.TreeSet<>(sm.substitutions().keySet()), new java.util.TreeSet<>(used),
                    sm.logicalId() + ": DefinitionSubstitutions and the placeholders of " + sm.definition().getFileName() + " differ");
        }
    }
}
