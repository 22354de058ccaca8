package dev.xen2nitro.local;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.xen2nitro.functions.guest.GuestFacts;
import dev.xen2nitro.local.cloud.Cloud;
import dev.xen2nitro.local.guest.WindowsGuest;
import dev.xen2nitro.local.world.WorldLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The guest's facts are defined once, by events/guest-facts.json. The three that print or read them
 * must agree with it: the guest model prints that shape, GuestFacts reads it strictly (and so reads
 * what the model prints), and the CaptureGuestFacts PowerShell in template.yaml prints its fields.
 */
class GuestFactsContractTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode fixture() throws IOException {
        return JSON.readTree(Files.readString(Worlds.root().resolve("events/guest-facts.json")));
    }

    /**
     * Where {@code actual} differs from the fixture's shape: field names at every level, and JSON types.
     * A string or number of the fixture may be null: the guest lacks that driver, agent, .NET 4.5+ or power scheme,
     * and says so with null.
     */
    static List<String> shapeDifferences(JsonNode expected, JsonNode actual, String path) {
        List<String> out = new ArrayList<>();
        if ((expected.isTextual() || expected.isNumber()) && actual.isNull()) {
            return out;
        }
        if (expected.getNodeType() != actual.getNodeType()) {
            out.add(path + ": " + actual.getNodeType() + " where the fixture has " + expected.getNodeType());
            return out;
        }
        if (expected.isObject()) {
            Set<String> want = names(expected);
            Set<String> have = names(actual);
            if (!want.equals(have)) {
                Set<String> extra = new TreeSet<>(have);
                extra.removeAll(want);
                Set<String> missing = new TreeSet<>(want);
                missing.removeAll(have);
                out.add(path + ": fields not in the fixture " + extra + ", fields of the fixture missing " + missing);
            }
            for (String name : want) {
                if (actual.has(name)) out.addAll(shapeDifferences(expected.get(name), actual.get(name), path + "." + name));
            }
        } else if (expected.isArray() && !expected.isEmpty()) {
            for (int i = 0; i < actual.size(); i++) {
                out.addAll(shapeDifferences(expected.get(0), actual.get(i), path + "[" + i + "]"));
            }
        }
        return out;
    }

    static Set<String> names(JsonNode object) {
        Set<String> s = new TreeSet<>();
        object.fieldNames().forEachRemaining(s::add);
        return s;
    }

    /** Every Windows guest of every world, and one that has nothing but its OS (no driver, no launch agent, no AMI date). */
    static Stream<Arguments> guests() throws IOException {
        List<Arguments> out = new ArrayList<>();
        for (Path file : Worlds.shipped()) {
            Cloud cloud = WorldLoader.load(file);
            cloud.instances.values().stream().filter(i -> i.guest != null)
                    .forEach(i -> out.add(Arguments.of(file.getFileName() + " " + i.id + " (" + i.guest.os + ")", i.guest)));
            cloud.images.values().stream().filter(im -> im.guest != null)
                    .forEach(im -> out.add(Arguments.of(file.getFileName() + " " + im.id + " (" + im.guest.os + ")", im.guest)));
        }
        WindowsGuest bare = new WindowsGuest();
        bare.os = "2022";
        out.add(Arguments.of("a 2022 guest with nothing but its OS", bare));
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("guests")
    void theGuestModelPrintsTheFixturesShapeAndGuestFactsReadsIt(String name, WindowsGuest guest) throws IOException {
        String printed = JSON.writeValueAsString(guest.facts());
        assertEquals(List.of(), shapeDifferences(fixture(), JSON.readTree(printed), "$"), printed);
        GuestFacts read = GuestFacts.parse(printed);
        assertEquals(WindowsGuest.versionNumber(guest.os), read.os());
        assertEquals(guest.nvmeDriver, read.drivers().nvme());
        assertEquals(guest.nics.size(), read.network().size());
        for (int i = 0; i < guest.nics.size(); i++) {
            assertEquals(guest.nics.get(i).dnsServers, read.network().get(i).dnsServers());
            assertEquals(guest.nics.get(i).addresses.size(), read.network().get(i).addresses().size());
        }
        assertEquals(guest.isDomainController(), read.domainController());
        assertEquals(guest.powerShell, read.powerShell());
        assertEquals(guest.dotNetRelease, read.dotNetRelease());
        assertEquals(guest.powerSaver, read.power().powerSaver());
    }

    @Test
    void theShapeCheckSeesAFieldTooManyAndAWrongType() throws IOException {
        ObjectNode drifted = (ObjectNode) fixture().deepCopy();
        drifted.put("ssmAgentVersion", "3.3.40.0");
        ((ObjectNode) drifted.get("network").get(0)).put("dhcp", "false");
        List<String> found = shapeDifferences(fixture(), drifted, "$");
        assertEquals(List.of("$: fields not in the fixture [ssmAgentVersion], fields of the fixture missing []",
                "$.network[0].dhcp: STRING where the fixture has BOOLEAN"), found);
    }

    /** The CaptureGuestFacts script, as template.yaml gives it to SSM. */
    static String captureScript() throws IOException {
        JsonNode template = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(Worlds.root().resolve("template.yaml")));
        JsonNode steps = template.path("Resources").path("CaptureGuestFactsDocument").path("Properties").path("Content").path("mainSteps");
        assertEquals(1, steps.size(), "CaptureGuestFactsDocument has one step, the script that prints the facts");
        return steps.get(0).path("inputs").path("runCommand").get(0).asText();
    }

    /**
     * The JSON the script prints, with each computed value as null: the script builds it by joining
     * single-quoted literals and expressions with +, over lines that end in + (PowerShell 2.0 on
     * 2008 R2 has no ConvertTo-Json), so the literals alone, joined, give every field and its nesting.
     */
    static JsonNode printedSkeleton(String script, String start) throws IOException {
        List<String> lines = script.lines().toList();
        int first = -1;
        for (int i = 0; i < lines.size() && first < 0; i++) {
            if (lines.get(i).contains(start)) first = i;
        }
        assertTrue(first >= 0, "the CaptureGuestFacts script has no line with " + start + ": this test reads the JSON it"
                + " builds from single-quoted literals joined with +; update printedSkeleton if the script prints otherwise");
        String line = lines.get(first);
        StringBuilder statement = new StringBuilder(line.substring(line.indexOf(start)).trim());
        for (int i = first + 1; i < lines.size() && statement.toString().endsWith("+"); i++) {
            statement.append(' ').append(lines.get(i).trim());
        }
        StringBuilder json = new StringBuilder();
        for (String term : terms(statement.toString())) {
            String t = term.trim();
            json.append(t.matches("'([^']|'')*'") ? t.substring(1, t.length() - 1).replace("''", "'") : "null");
        }
        return JSON.readTree(json.toString());
    }

    /** The operands of the top-level + of a PowerShell expression: + inside quotes or parentheses is not one. */
    static List<String> terms(String expression) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int depth = 0;
        char quote = 0;
        for (char c : expression.toCharArray()) {
            if (quote != 0) {
                // A doubled quote inside a literal toggles twice, which leaves the literal open, as PowerShell reads it.
                if (c == quote) quote = 0;
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                depth--;
            } else if (c == '+' && depth == 0) {
                out.add(cur.toString());
                cur.setLength(0);
                continue;
            }
            cur.append(c);
        }
        out.add(cur.toString());
        return out;
    }

    @Test
    void thePowerShellPrintsExactlyTheFixturesFields() throws IOException {
        String script = captureScript();
        JsonNode printed = printedSkeleton(script, "'{\"os\":");
        JsonNode fixture = fixture();
        assertEquals(names(fixture), names(printed), "top-level fields the CaptureGuestFacts script prints");
        for (String name : names(fixture)) {
            if (fixture.get(name).isObject()) {
                assertEquals(names(fixture.get(name)), names(printed.get(name)), "fields of '" + name + "' the script prints");
            }
        }
        // Each adapter and each of its addresses is built by a statement of its own.
        JsonNode nic = fixture.get("network").get(0);
        assertEquals(names(nic), names(printedSkeleton(script, "'{\"macAddress\":")), "fields of each adapter the script prints");
        assertEquals(names(nic.get("addresses").get(0)), names(printedSkeleton(script, "'{\"ipAddress\":")),
                "fields of each address the script prints");
    }
}
