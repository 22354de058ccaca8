package dev.xen2nitro.functions.guest;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.xen2nitro.functions.core.InvalidInputException;
import dev.xen2nitro.functions.core.JsonHandler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link GuestFacts} against events/guest-facts.json, the one definition of what CaptureGuestFacts
 * prints: it reads every field of the fixture and nothing else, and refuses output that is not that shape.
 */
class GuestFactsTest {

    static Path fixture() {
        return Path.of(System.getProperty("xen2nitro.projectRoot", "..")).resolve("events/guest-facts.json");
    }

    static ObjectNode fixtureTree() throws IOException {
        return (ObjectNode) JsonHandler.JSON.readTree(Files.readString(fixture()));
    }

    /** Every field of the fixture, nested ones as parent.child. */
    static Stream<String> fields() throws IOException {
        List<String> out = new ArrayList<>();
        collect(fixtureTree(), "", out);
        return out.stream();
    }

    /** The fixture's objects: the top level ("") and each nested one. */
    static Stream<String> objects() throws IOException {
        return Stream.concat(Stream.of(""), fields().filter(f -> {
            try {
                return at(fixtureTree(), f).isObject();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }));
    }

    private static void collect(JsonNode node, String prefix, List<String> out) {
        node.fieldNames().forEachRemaining(name -> {
            out.add(prefix + name);
            if (node.get(name).isObject()) collect(node.get(name), prefix + name + ".", out);
        });
    }

    private static JsonNode at(JsonNode root, String path) {
        JsonNode n = root;
        for (String part : path.isEmpty() ? new String[0] : path.split("\\.")) n = n.get(part);
        return n;
    }

    private static ObjectNode parentOf(ObjectNode root, String path) {
        int dot = path.lastIndexOf('.');
        return dot < 0 ? root : (ObjectNode) at(root, path.substring(0, dot));
    }

    @Test
    void theFixtureIsReadWholeAndTheRecordHasNoFieldBeyondIt() throws IOException {
        GuestFacts facts = GuestFacts.parse(Files.readString(fixture()));
        // Written back, the record gives the fixture again: the same fields, nested the same way, with the same values.
        assertEquals(fixtureTree(), JsonHandler.JSON.valueToTree(facts));
    }

    @Test
    void theDocumentsOutputIsFoundAmongOtherLines() throws IOException {
        GuestFacts facts = GuestFacts.parse("Windows PowerShell\r\n" + Files.readString(fixture()) + "\r\n");
        assertEquals("6.3.9600", facts.os());
    }

    @Test
    void aDriverOrAgentTheGuestLacksIsNull() throws IOException {
        ObjectNode tree = fixtureTree();
        ((ObjectNode) tree.get("drivers")).putNull("nvme");
        ((ObjectNode) tree.get("launchAgent")).putNull("name").putNull("version");
        GuestFacts facts = GuestFacts.parse(tree.toString());
        assertNull(facts.drivers().nvme());
        assertNull(facts.launchAgent().name());
        assertEquals("2.6.0", facts.drivers().ena());
    }

    @ParameterizedTest(name = "without {0}")
    @MethodSource("fields")
    void aMissingFieldIsRefusedByName(String field) throws IOException {
        ObjectNode tree = fixtureTree();
        parentOf(tree, field).remove(field.substring(field.lastIndexOf('.') + 1));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> GuestFacts.parse(tree.toString()));
        assertTrue(e.getMessage().contains("lack '" + field + "'"), e.getMessage());
        assertTrue(e.getMessage().contains("deploy the stack again"), e.getMessage());
    }

    @ParameterizedTest(name = "in {0}")
    @MethodSource("objects")
    void anUnknownFieldIsRefusedByName(String object) throws IOException {
        ObjectNode tree = fixtureTree();
        ((ObjectNode) at(tree, object)).put("ssmAgentVersion", "3.3.40.0");
        String path = object.isEmpty() ? "ssmAgentVersion" : object + ".ssmAgentVersion";
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> GuestFacts.parse(tree.toString()));
        assertTrue(e.getMessage().contains("field '" + path + "' that this function does not know"), e.getMessage());
    }

    @Test
    void aBooleanThatIsNullIsRefused() throws IOException {
        ObjectNode tree = fixtureTree();
        tree.putNull("domainController");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> GuestFacts.parse(tree.toString()));
        assertTrue(e.getMessage().contains("'domainController'"), e.getMessage());
    }

    @Test
    void outputWithoutJsonSaysWhatItWas() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> GuestFacts.parse("Access is denied."));
        assertTrue(e.getMessage().endsWith("output was: Access is denied."), e.getMessage());
    }
}
