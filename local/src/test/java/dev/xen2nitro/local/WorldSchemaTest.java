package dev.xen2nitro.local;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.xen2nitro.local.cloud.Catalogue;
import dev.xen2nitro.local.guest.WindowsGuest;
import dev.xen2nitro.local.world.WorldException;
import dev.xen2nitro.local.world.WorldFile;
import dev.xen2nitro.local.world.WorldLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * local/worlds/world.schema.json: every shipped world follows it, it names exactly the fields of
 * {@link WorldFile}'s records (so the two cannot drift apart), and it refuses what the loader refuses.
 */
class WorldSchemaTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static Schema schema() throws Exception {
        return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                .getSchema(Files.readString(Worlds.schema()), InputFormat.JSON);
    }

    static List<Error> errors(String world) throws Exception {
        return schema().validate(world, InputFormat.JSON, context -> context.executionConfig(c -> c.formatAssertionsEnabled(true)));
    }

    @ParameterizedTest
    @MethodSource("dev.xen2nitro.local.Worlds#shipped")
    void everyShippedWorldFollowsTheSchema(Path world) throws Exception {
        String json = Files.readString(world);
        assertEquals(List.of(), errors(json).stream().map(Error::toString).toList(), world.toString());
        assertEquals("./world.schema.json", JSON.readTree(json).path("$schema").asText(), world + " names its schema for editors");
    }

    @Test
    void theSchemaIsDraft2020() throws Exception {
        assertEquals("https://json-schema.org/draft/2020-12/schema", JSON.readTree(Worlds.schema().toFile()).path("$schema").asText());
    }

    @Test
    void theSchemaNamesExactlyTheFieldsOfWorldFile() throws Exception {
        JsonNode root = JSON.readTree(Worlds.schema().toFile());
        List<String> drift = new ArrayList<>();
        compare(root, root, JSON.constructType(WorldFile.class), "", drift);
        assertEquals(List.of(), drift);
    }

    /** Walks a record and its schema together: the same property names at every level. */
    private static void compare(JsonNode root, JsonNode node, JavaType type, String at, List<String> drift) {
        node = resolve(root, node);
        List<BeanPropertyDefinition> properties = JSON.getDeserializationConfig().introspect(type).findProperties();
        Set<String> inRecord = properties.stream().map(BeanPropertyDefinition::getName).collect(Collectors.toCollection(TreeSet::new));
        Set<String> inSchema = new TreeSet<>();
        node.path("properties").fieldNames().forEachRemaining(inSchema::add);
        if (!inRecord.equals(inSchema)) {
            drift.add((at.isEmpty() ? "world" : at) + ": " + type.getRawClass().getSimpleName() + " has " + inRecord + ", the schema " + inSchema);
        }
        if (!node.path("additionalProperties").isBoolean() || node.path("additionalProperties").asBoolean()) {
            drift.add((at.isEmpty() ? "world" : at) + ": the schema must refuse unknown fields (additionalProperties false), as the loader does");
        }
        for (BeanPropertyDefinition p : properties) {
            JavaType t = p.getPrimaryType();
            JsonNode child = resolve(root, node.path("properties").path(p.getName()));
            String where = at.isEmpty() ? p.getName() : at + "." + p.getName();
            if (t.isCollectionLikeType()) {
                t = t.getContentType();
                child = child.path("items");
                where += "[]";
            }
            if (t.getRawClass().isRecord() && !child.isMissingNode()) {
                compare(root, child, t, where, drift);
            }
        }
    }

    private static JsonNode resolve(JsonNode root, JsonNode node) {
        while (node.has("$ref")) {
            node = root.at(node.get("$ref").asText().substring(1));
        }
        return node;
    }

    @Test
    void theSchemaOffersTheCataloguesRegionsAndTheGuestModelsVersions() throws Exception {
        JsonNode root = JSON.readTree(Worlds.schema().toFile());
        Set<String> regions = Catalogue.get().zones().stream().map(z -> z.substring(0, z.length() - 1)).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(regions, strings(root.at("/properties/region/enum")));
        assertEquals(new TreeSet<>(WindowsGuest.OS_VERSIONS), strings(root.at("/$defs/guest/properties/os/enum")));
    }

    private static Set<String> strings(JsonNode array) {
        Set<String> out = new TreeSet<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** Each edit of the seed world makes it wrong; the schema and the loader both refuse it. */
    @ParameterizedTest
    @ValueSource(strings = {
        "\"privateIpAddress\"=>\"privateIp\"",
        "\"instanceType\": \"m4.xlarge\",=>",
        "\"running\"=>\"sleeping\"",
        "\"2012R2\"=>\"2003\"",
        "\"sizeGiB\": 80=>\"sizeGiB\": 0",
        "\"cidrBlock\": \"10.20.1.0/24\"=>\"cidrBlock\": \"10.20.1.0\"",
        "\"platform\": \"windows\"=>\"platform\": \"linux\"",
        "\"accountId\": \"123456789012\"=>\"accountId\": \"1234\"",
        "\"name\": \"EC2Config\"=>\"name\": \"EC2Launcher\"",
    })
    void theSchemaRefusesWhatTheLoaderRefuses(String edit) throws Exception {
        String[] fromTo = edit.split("=>", -1);
        String seed = Worlds.read("seed-2012r2-private");
        assertTrue(seed.contains(fromTo[0]), "fixture text not found: " + fromTo[0]);
        String wrong = seed.replace(fromTo[0], fromTo[1]);
        assertThrows(WorldException.class, () -> WorldLoader.load(wrong, "edited"));
        assertFalse(errors(wrong).isEmpty(), "the schema accepts what the loader refuses: " + edit);
    }

    @Test
    void aFaultOfLambdaNamesALambdaErrorInBoth() throws Exception {
        String seed = Worlds.read("seed-2012r2-private");
        String wrong = seed.replace("\"topics\": [", "\"faults\": [{\"service\": \"lambda\", \"operation\": \"StopInstanceFunction\", \"code\": \"Throttled\"}],\n  \"topics\": [");
        assertThrows(WorldException.class, () -> WorldLoader.load(wrong, "edited"));
        assertFalse(errors(wrong).isEmpty());
        String right = wrong.replace("\"Throttled\"", "\"Lambda.TooManyRequestsException\"");
        assertFalse(WorldLoader.load(right, "edited").faults.isEmpty());
        assertEquals(List.of(), errors(right));
    }
}
