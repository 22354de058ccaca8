package dev.xen2nitro.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.xen2nitro.local.host.Template;
import dev.xen2nitro.local.world.WorldLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Records what the local cloud answers each function's events/ sample, in the account {@link HandlerSamplesTest} gives
 * it, into {@code functions/src/main/resources/priming/HANDLER.json}: the package replays them while the handler primes
 * for the SnapStart snapshot ({@code dev.xen2nitro.functions.core.PrimingAnswers}), so that priming walks the sample's
 * whole path; a function whose sample makes no AWS call gets its input alone, which its priming parses and runs whole
 * as Lambda will receive it. {@code PrimingAnswersTest} fails when the files
 * no longer match what the code calls; then run (local/README.md, "Tests"):
 *
 * <pre>
 * ./mvnw -q -B -pl local -am test-compile -DskipTests
 * java -Dxen2nitro.projectRoot=. -cp local/target/test-classes:local/target/classes:$(cat local/target/test-classpath.txt) \
 *   dev.xen2nitro.local.PrimingRecorder
 * </pre>
 */
public final class PrimingRecorder {
    private PrimingRecorder() {}

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    public static final String DIRECTORY = "functions/src/main/resources/priming";

    /** One function's recording: the file's name (the handler's simple name) and its content. */
    record Recording(String file, JsonNode input, List<Emulator.Answer> answers) {}

    /** Invokes every function of template.yaml on its sample in a local cloud of its own and returns what it was answered. */
    static Map<String, Recording> record(Path root) throws Exception {
        Template template = new Template(root);
        Map<String, Recording> recordings = new TreeMap<>();
        Path seed = root.resolve("local/worlds/seed-2012r2-private.json");
        try (LocalCloud local = LocalCloud.open(root, WorldLoader.load(Files.readString(seed), seed.toString()))) {
            for (var e : template.functions().entrySet()) {
                String name = e.getKey().replaceFirst("Function$", "");
                String handler = e.getValue().handlerClass();
                byte[] sample = Files.readAllBytes(root.resolve("events/" + name + ".json"));
                SampleWorlds.load(local, name);
                List<Emulator.Answer> answers = Collections.synchronizedList(new ArrayList<>());
                local.emulator().record(answers::add);
                try {
                    HandlerSamplesTest.invoke(local, name, sample);
                } finally {
                    local.emulator().record(null);
                }
                recordings.put(name, new Recording(handler.substring(handler.lastIndexOf('.') + 1) + ".json", JSON.readTree(sample),
                        List.copyOf(answers)));
            }
        }
        return recordings;
    }

    /** The file's content: the sample's input and the answers in the order they were sent. */
    static Map<String, Object> content(Recording r) {
        Map<String, Object> file = new LinkedHashMap<>();
        file.put("input", r.input());
        file.put("answers", r.answers());
        return file;
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(System.getProperty("xen2nitro.projectRoot", ".")).toAbsolutePath().normalize();
        Path dir = root.resolve(DIRECTORY);
        Files.createDirectories(dir);
        try (var old = Files.list(dir)) {
            for (Path p : old.filter(p -> p.toString().endsWith(".json")).toList()) Files.delete(p);
        }
        int files = 0, answers = 0;
        for (Recording r : record(root).values()) {
            Files.writeString(dir.resolve(r.file()), JSON.writeValueAsString(content(r)) + "\n");
            files++;
            answers += r.answers().size();
        }
        System.out.printf("wrote %d files with %d answers to %s%n", files, answers, dir);
        System.exit(0);
    }
}
