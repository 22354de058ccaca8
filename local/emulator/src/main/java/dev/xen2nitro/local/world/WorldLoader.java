package dev.xen2nitro.local.world;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.xen2nitro.local.cloud.Cloud;
import dev.xen2nitro.local.cloud.CloudFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Reads a world file and refuses it, naming the field, when a field is unknown or wrong, an instance
 * type is not in the catalogue, or a reference points at nothing. Nothing runs on a refused world.
 */
public final class WorldLoader {
    private WorldLoader() {}

    static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
            .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true)
            .configure(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, true);

    public static Cloud load(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new WorldException("world file " + file + " does not exist");
        }
        return load(Files.readString(file), file.toString());
    }

    public static Cloud load(String json, String name) {
        WorldFile world = parse(json, name);
        List<String> problems = validate(world);
        if (!problems.isEmpty()) {
            throw new WorldException("world " + name + " is refused:\n  - " + String.join("\n  - ", problems));
        }
        return CloudFactory.create(world);
    }

    public static WorldFile parse(String json, String name) {
        try {
            return MAPPER.readValue(json, WorldFile.class);
        } catch (UnrecognizedPropertyException e) {
            throw new WorldException("world " + name + " is refused: unknown field '" + path(e) + "'; known fields there: "
                    + e.getKnownPropertyIds().stream().map(String::valueOf).sorted().collect(Collectors.joining(", ")));
        } catch (JsonMappingException e) {
            throw new WorldException("world " + name + " is refused: field '" + path(e) + "' is wrong: " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw new WorldException("world " + name + " is refused: not valid JSON: " + e.getOriginalMessage()
                    + " at line " + e.getLocation().getLineNr());
        }
    }

    private static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                if (sb.length() > 0) sb.append('.');
                sb.append(r.getFieldName());
            } else {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    /** Every problem found, each naming its field; empty when the world is sound. */
    public static List<String> validate(WorldFile w) {
        return new WorldChecks(w).run();
    }
}
