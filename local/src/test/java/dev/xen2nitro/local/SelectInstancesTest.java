package dev.xen2nitro.local;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.xen2nitro.local.world.WorldLoader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A fleet's selection against local/worlds/mixed-fleet.json, through the Lambda host as the function's role: its
 * expiring zonal m4.large reservation (2 instances, us-east-1b, ending 2026-12-20) and a regional c4.xlarge one ending
 * 2027-06-30; Windows instances on Xen and Nitro types, a Linux one, a domain controller.
 */
class SelectInstancesTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static LocalCloud local;

    @BeforeAll
    static void open() throws Exception {
        local = LocalCloud.open(Worlds.root(), WorldLoader.load(Worlds.read("mixed-fleet"), "mixed-fleet"));
    }

    @AfterAll
    static void close() {
        local.close();
    }

    static JsonNode select(String input) throws Exception {
        return HandlerSamplesTest.invoke(local, "SelectInstances", input.getBytes(StandardCharsets.UTF_8));
    }

    static List<String> ids(JsonNode list) {
        List<String> out = new ArrayList<>();
        list.forEach(n -> out.add(n.get("instanceId").asText()));
        return out;
    }

    @Test
    void theReservationsEndingWithinThirtyDaysSelectTheWindowsInstancesOfTheirTypeAndZone() throws Exception {
        JsonNode s = select("{\"reservationsEndingWithinDays\":30,\"asOf\":\"2026-11-26T00:00:00Z\"}");
        assertEquals(List.of("i-0f1e2d3c4b5a60001", "i-0f1e2d3c4b5a60009", "i-0f1e2d3c4b5a60006"), ids(s.get("taken")), s.toString());
        assertEquals("comes up for renewal within 30 days", s.at("/reservations/0/reason").asText());
        assertEquals("it ends 2027-06-30T00:00:00Z, after 2026-12-26T00:00:00Z", s.at("/reservations/1/reason").asText());
        JsonNode later = select("{\"reservationsEndingWithinDays\":240,\"asOf\":\"2026-11-26T00:00:00Z\"}");
        assertTrue(ids(later.get("taken")).contains("i-0f1e2d3c4b5a60002"), "the c4.xlarge, by its regional reservation: " + later);
    }

    @Test
    void namedInstancesAreTakenOrLeftWithTheirReasonAndAnUnknownOneIsSaidSo() throws Exception {
        JsonNode s = select("{\"instanceIds\":[\"i-0f1e2d3c4b5a60003\",\"i-0f1e2d3c4b5a60004\",\"i-0f1e2d3c4b5a60008\",\"i-0f1e2d3c4b5a6ffff\"]}");
        assertEquals(List.of("i-0f1e2d3c4b5a60003"), ids(s.get("taken")));
        assertEquals(List.of("i-0f1e2d3c4b5a60004", "i-0f1e2d3c4b5a60008", "i-0f1e2d3c4b5a6ffff"), ids(s.get("left")));
        assertEquals("m5.large runs on the nitro hypervisor, not Xen", s.at("/left/0/reason").asText());
        assertEquals("no such instance in this account and Region", s.at("/left/2/reason").asText());
    }

    @Test
    void aTagSelectsTheInstancesWithOneOfItsValues() throws Exception {
        JsonNode s = select("{\"tags\":{\"Name\":[\"web-2016\",\"linux-bastion\",\"dc-01\"]}}");
        assertEquals(List.of("i-0f1e2d3c4b5a60003", "i-0f1e2d3c4b5a60006"), ids(s.get("taken")), s.toString());
        assertEquals(List.of("i-0f1e2d3c4b5a60008"), ids(s.get("left")));
    }

    @Test
    void anInputWithNoneOrTwoSelectionsIsRefusedAndSaysWhatToGive() throws Exception {
        var r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        local.host().endpoint().resolve("/2015-03-31/functions/SelectInstancesFunction/invocations"))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"instanceIds\":[\"i-0f1e2d3c4b5a60003\"],\"reservationsEndingWithinDays\":30}"))
                .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals("Unhandled", r.headers().firstValue("X-Amz-Function-Error").orElse(""), r.body());
        assertTrue(r.body().contains("give exactly one selection"), r.body());
    }

    @Test
    void aSqlServerReservationDoesNotCoverPlainWindowsInstances() throws Exception {
        try (LocalCloud other = LocalCloud.open(Worlds.root(), WorldLoader.load(Worlds.read("mixed-fleet").replace(
                "\"instanceType\": \"m4.large\",\n      \"availabilityZone\": \"us-east-1b\",",
                "\"instanceType\": \"m4.large\",\n      \"availabilityZone\": \"us-east-1b\",\n      \"productDescription\": \"Windows with SQL Server Standard\","),
                "mixed-fleet-sql"))) {
            JsonNode s = HandlerSamplesTest.invoke(other, "SelectInstances",
                    "{\"reservationsEndingWithinDays\":30,\"asOf\":\"2026-11-26T00:00:00Z\"}".getBytes(StandardCharsets.UTF_8));
            assertEquals(List.of(), ids(s.get("taken")), s.toString());
            assertEquals("no On-Demand Windows with SQL Server Standard m4.large instance in us-east-1b with default tenancy",
                    s.at("/reservations/0/reason").asText());
        }
    }
}
