package dev.xen2nitro.local;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.xen2nitro.local.cloud.Cloud;
import dev.xen2nitro.local.guest.WindowsGuest;
import dev.xen2nitro.local.world.WorldLoader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.DocumentDescription;
import software.amazon.awssdk.services.ssm.model.DocumentHashType;
import software.amazon.awssdk.services.ssm.model.DocumentParameter;
import software.amazon.awssdk.services.ssm.model.SsmException;

/**
 * Every function sends its command with the SHA-256 of the document version it read (DescribeDocument's Hash), so SSM
 * runs that version or nothing: a document changed after the hash was read is refused with InvalidDocument, and the guest
 * is left as it was.
 */
class DocumentHashTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String ID = HandlerSamplesTest.ID;
    static final String POWER = "xen2nitro-SetPowerManagement";

    /**
     * The seed in the middle of a migration: the instance locked by the samples' execution, the subnet reaching SSM and
     * the driver bucket through this execution's endpoints; {@code edit} changes the world's JSON further.
     */
    static LocalCloud open(Consumer<ObjectNode> edit) throws Exception {
        ObjectNode w = (ObjectNode) JSON.readTree(Worlds.read("seed-2012r2-private"));
        HandlerSamplesTest.REACHABLE.edit().accept(w);
        HandlerSamplesTest.tags(HandlerSamplesTest.instance(w)).put("xen2nitro:lock", HandlerSamplesTest.EXECUTION);
        edit.accept(w);
        return LocalCloud.open(Worlds.root(), WorldLoader.load(JSON.writeValueAsString(w), "the seed, mid-migration"));
    }

    /** Invokes the function {@code name}Function through the Lambda host, as the state machine does. */
    static HttpResponse<String> invoke(LocalCloud local, String name, String input) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(local.host().endpoint()
                        .resolve("/2015-03-31/functions/" + name + "Function/invocations")).POST(HttpRequest.BodyPublishers.ofString(input)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static String sha256(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    static WindowsGuest guest(LocalCloud local) {
        Cloud c = local.emulator().cloud();
        synchronized (c) {
            return c.instances.get(ID).guest.copy();
        }
    }

    /** The command {@code id} as world.json shows it (reading the world lets emulated time pass). */
    static Map<?, ?> command(LocalCloud local, String id) {
        for (Object c : (List<?>) local.world().get("commands")) {
            if (id.equals(((Map<?, ?>) c).get("commandId"))) return (Map<?, ?>) c;
        }
        throw new AssertionError("no command " + id + " in the world");
    }

    @Test
    void describeDocumentGivesTheSha256OfTheContentOfTheVersionSendCommandRuns() throws Exception {
        try (LocalCloud local = open(w -> {}); SsmClient ssm = Worlds.ssm(local.emulator())) {
            String content = ssm.getDocument(r -> r.name("xen2nitro-InstallPvDriver")).content();
            DocumentDescription d = ssm.describeDocument(r -> r.name("xen2nitro-InstallPvDriver")).document();
            assertEquals(sha256(content), d.hash());
            assertEquals(DocumentHashType.SHA256, d.hashType());
            assertEquals(List.of("1", "1", "1"), List.of(d.documentVersion(), d.defaultVersion(), d.latestVersion()));
            assertEquals(java.util.Set.of("Version", "PackageUrl", "Sha256"), d.parameters().stream().map(DocumentParameter::name)
                    .collect(java.util.stream.Collectors.toSet()));
            SsmException e = assertThrows(SsmException.class, () -> ssm.describeDocument(r -> r.name("xen2nitro-Nothing")));
            assertEquals("InvalidDocument", e.awsErrorDetails().errorCode());
        }
    }

    @Test
    void aDocumentChangedAfterItsHashWasReadIsRefusedAndNothingRuns() throws Exception {
        try (LocalCloud local = open(w -> {}); SsmClient ssm = Worlds.ssm(local.emulator())) {
            String read = ssm.describeDocument(r -> r.name(POWER)).document().hash();
            JsonNode changed = JSON.readTree(ssm.getDocument(r -> r.name(POWER)).content());
            ((ObjectNode) changed).put("description", "xen2nitro: another script under the same name");
            assertEquals("2", ssm.updateDocument(r -> r.name(POWER).documentVersion("$LATEST").content(changed.toString()))
                    .documentDescription().documentVersion());
            ssm.updateDocumentDefaultVersion(r -> r.name(POWER).documentVersion("2"));
            WindowsGuest before = guest(local);

            SsmException e = assertThrows(SsmException.class, () -> ssm.sendCommand(r -> r.instanceIds(ID).documentName(POWER)
                    .documentHash(read).documentHashType(DocumentHashType.SHA256)));
            assertEquals("InvalidDocument", e.awsErrorDetails().errorCode());
            assertEquals("document hash " + read + " does not match Sha256.", e.awsErrorDetails().errorMessage());
            assertTrue(local.emulator().cloud().commands.invocations.isEmpty(), "a command was sent");
            assertEquals(JSON.valueToTree(before.state()), JSON.valueToTree(guest(local).state()), "the guest changed");

            // The hash of the version now the default is accepted, and that version runs.
            String now = ssm.describeDocument(r -> r.name(POWER)).document().hash();
            assertEquals(sha256(changed.toString()), now);
            String id = ssm.sendCommand(r -> r.instanceIds(ID).documentName(POWER).documentHash(now)
                    .documentHashType(DocumentHashType.SHA256)).command().commandId();
            assertTrue(Worlds.eventually(10, () -> "Success".equals(command(local, id).get("status"))), String.valueOf(command(local, id)));
            assertEquals("2", local.emulator().cloud().commands.invocations.get(id + "/" + ID).documentVersion);
            assertEquals(0, guest(local).powerBalanced);
        }
    }

    /**
     * The function reads the hash, then sends; the stack's document is updated in between (the world's DocumentUpdated
     * fault): SSM refuses the command, the function fails with SSM's reason, and nothing ran in the guest.
     */
    @Test
    void theFunctionsSendIsRefusedWhenTheDocumentChangesAfterItReadTheHash() throws Exception {
        try (LocalCloud local = open(w -> w.putArray("faults").addObject().put("service", "ssm").put("operation", "SendCommand")
                .put("code", "DocumentUpdated"))) {
            WindowsGuest before = guest(local);
            HttpResponse<String> r = invoke(local, "SetPowerManagement", java.nio.file.Files.readString(Worlds.root().resolve("events/SetPowerManagement.json")));
            assertEquals("Unhandled", r.headers().firstValue("X-Amz-Function-Error").orElse(null), r.body());
            JsonNode error = JSON.readTree(r.body());
            assertEquals("dev.xen2nitro.functions.core.AwsActionFailedException", error.path("errorType").asText(), r.body());
            assertTrue(error.path("errorMessage").asText().contains("InvalidDocument: document hash ")
                    && error.path("errorMessage").asText().endsWith("does not match Sha256."), r.body());
            Map<String, Object> world = local.world();
            assertEquals(List.of(), world.get("commands"), "a command was sent");
            assertEquals(JSON.valueToTree(before.state()), JSON.valueToTree(guest(local).state()), "the guest changed");
            assertEquals(2, local.emulator().cloud().commands.documents.get(POWER).defaultVersion, "the document was updated");
        }
    }

    /** Without a change, the same invocation sends the hash of the version it read, and that version runs. */
    @Test
    void theFunctionSendsTheHashOfTheDefaultVersion() throws Exception {
        try (LocalCloud local = open(w -> {})) {
            HttpResponse<String> r = invoke(local, "SetPowerManagement", java.nio.file.Files.readString(Worlds.root().resolve("events/SetPowerManagement.json")));
            assertTrue(r.headers().firstValue("X-Amz-Function-Error").isEmpty(), r.body());
            String id = JSON.readTree(r.body()).get("commandId").asText();
            List<Map<String, String>> calls = local.emulator().cloud().calls;
            List<String> ssm = calls.stream().filter(c -> "ssm".equals(c.get("service"))).map(c -> c.get("operation")).toList();
            assertEquals(List.of("ListCommandInvocations", "DescribeDocument", "SendCommand"), ssm);
            assertTrue(Worlds.eventually(10, () -> "Success".equals(command(local, id).get("status"))), String.valueOf(command(local, id)));
            assertEquals("1", local.emulator().cloud().commands.invocations.get(id + "/" + ID).documentVersion);
            assertEquals(0, guest(local).powerBalanced);
        }
    }
}
