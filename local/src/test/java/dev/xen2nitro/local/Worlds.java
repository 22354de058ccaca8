package dev.xen2nitro.local;

import dev.xen2nitro.local.cloud.Cloud;
import dev.xen2nitro.local.world.WorldLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.ssm.SsmClient;

/** Test fixtures: the project's world files, an emulator on a free port, SDK clients pointed at it. */
public final class Worlds {
    private Worlds() {}

    public static Path root() {
        return Path.of(System.getProperty("xen2nitro.projectRoot", "..")).toAbsolutePath().normalize();
    }

    public static Path world(String name) {
        return root().resolve("local/worlds/" + name + ".json");
    }

    /** The schema every world file follows. */
    public static Path schema() {
        return root().resolve("local/worlds/world.schema.json");
    }

    /** The world files the project ships (local/worlds/*.json but the schema). */
    public static List<Path> shipped() throws IOException {
        try (Stream<Path> files = Files.list(root().resolve("local/worlds"))) {
            return files.filter(p -> p.toString().endsWith(".json") && !p.equals(schema())).sorted().toList();
        }
    }

    public static String read(String name) throws IOException {
        return Files.readString(world(name));
    }

    /** Starts an emulator on the world, after applying {@code edit} to its JSON text. */
    public static Emulator start(String name, UnaryOperator<String> edit) throws IOException {
        Cloud cloud = WorldLoader.load(edit.apply(read(name)), name);
        return new Emulator(cloud, 0);
    }

    /**
     * An edit that sets {@code field} of the guest of instance {@code instanceId} to the JSON {@code value}
     * ({@code failures} is added to). The world comes back as compact JSON ({@code "topics":[...]}), which
     * edits that look for a field by its name and colon still find.
     */
    public static UnaryOperator<String> guestField(String instanceId, String field, String value) {
        return w -> {
            try {
                com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
                com.fasterxml.jackson.databind.node.ObjectNode root = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(w);
                for (com.fasterxml.jackson.databind.JsonNode i : root.get("instances")) {
                    if (instanceId.equals(i.get("id").asText())) {
                        com.fasterxml.jackson.databind.node.ObjectNode g = (com.fasterxml.jackson.databind.node.ObjectNode) i.get("guest");
                        com.fasterxml.jackson.databind.JsonNode v = json.readTree(value);
                        if (field.equals("failures") && v.isArray() && g.get(field) instanceof com.fasterxml.jackson.databind.node.ArrayNode a) {
                            a.addAll((com.fasterxml.jackson.databind.node.ArrayNode) v);
                        } else {
                            g.set(field, v);
                        }
                        return json.writeValueAsString(root);
                    }
                }
                throw new IllegalArgumentException("no instance " + instanceId + " in the world");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
    }

    public static Emulator start(String name) throws IOException {
        return start(name, s -> s);
    }

    static final StaticCredentialsProvider CREDS = StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIALOCAL", "local-secret"));

    public static Ec2Client ec2(Emulator e) {
        return Ec2Client.builder().endpointOverride(e.endpoint()).region(Region.of(e.cloud().region))
                .credentialsProvider(CREDS).httpClient(UrlConnectionHttpClient.create()).build();
    }

    public static SsmClient ssm(Emulator e) {
        return SsmClient.builder().endpointOverride(e.endpoint()).region(Region.of(e.cloud().region))
                .credentialsProvider(CREDS).httpClient(UrlConnectionHttpClient.create()).build();
    }

    public static SnsClient sns(Emulator e) {
        return SnsClient.builder().endpointOverride(e.endpoint()).region(Region.of(e.cloud().region))
                .credentialsProvider(CREDS).httpClient(UrlConnectionHttpClient.create()).build();
    }

    public static SfnClient sfn(Emulator e) {
        return SfnClient.builder().endpointOverride(e.endpoint()).region(Region.of(e.cloud().region))
                .credentialsProvider(CREDS).httpClient(UrlConnectionHttpClient.create()).build();
    }

    /** Polls {@code condition} every 20 ms until it holds or {@code seconds} pass. */
    public static boolean eventually(double seconds, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) return true;
            Thread.sleep(20);
        }
        return condition.getAsBoolean();
    }
}
