package dev.xen2nitro.local;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.xen2nitro.local.cloud.Executions;
import dev.xen2nitro.local.world.WorldLoader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.SfnException;

/**
 * The reservation renewal triggers against local/worlds/mixed-fleet.json, through the Lambda host as the function's role:
 * its zonal m4.large reservation (2 instances, us-east-1b) ends 2026-12-20, within 30 days of the schedule's sample day; a
 * Nitro m5.large one (2 instances, us-east-1b) was just bought (events/ReservationRenewal-purchase.json).
 */
class ReservationRenewalTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String FLEET = "arn:aws:states:us-east-1:123456789012:stateMachine:MigrateFleetStateMachine";

    static LocalCloud open(Map<String, String> parameters) throws Exception {
        return LocalCloud.open(Worlds.root(), WorldLoader.load(Worlds.read("mixed-fleet"), "mixed-fleet"), parameters);
    }

    static String sample(String name) throws Exception {
        return Files.readString(Worlds.root().resolve("events/" + name + ".json"));
    }

    static JsonNode trigger(LocalCloud local, String event) throws Exception {
        return HandlerSamplesTest.invoke(local, "ReservationRenewal", event.getBytes(StandardCharsets.UTF_8));
    }

    static List<String> ids(JsonNode list) {
        List<String> out = new ArrayList<>();
        list.forEach(n -> out.add(n.isTextual() ? n.asText() : n.get("instanceId").asText()));
        return out;
    }

    /** The fleet's input as StartExecution recorded it. */
    static JsonNode input(Executions.Execution e) throws Exception {
        return JSON.readTree(e.input);
    }

    @Test
    void theDailyScanStartsOneFleetPlanForTheInstancesTheExpiringReservationCoversAndASecondDeliveryNone() throws Exception {
        try (LocalCloud local = open(Map.of())) {
            JsonNode first = trigger(local, sample("ReservationRenewal-scheduled"));
            assertTrue(first.get("started").asBoolean(), first.toString());
            List<Executions.Execution> started = local.emulator().cloud().executions.all();
            assertEquals(1, started.size());
            Executions.Execution e = started.get(0);
            assertEquals(FLEET, e.stateMachineArn);
            assertEquals("renewal-schedule-2026-11-26", e.name);
            assertEquals(e.arn, first.get("executionArn").asText());
            JsonNode in = input(e);
            assertEquals(List.of("i-0f1e2d3c4b5a60001", "i-0f1e2d3c4b5a60009", "i-0f1e2d3c4b5a60006"), ids(in.at("/selection/instanceIds")));
            assertFalse(in.get("dryRun").asBoolean());
            assertEquals("batch", in.get("approval").asText());
            assertEquals("schedule", in.at("/trigger/source").asText());
            assertTrue(in.at("/trigger/detail").asText().contains("4b2293b4-5813-4cc8-9ce3-1957fc1dcfc8"), in.toString());
            // CloudTrail knows the function's role started it, as the fleet's approval asks.
            assertTrue(local.emulator().cloud().trail.stream().anyMatch(t -> t.eventName().equals("StartExecution")
                    && t.cloudTrailEvent().contains("assumed-role/xen2nitro-ReservationRenewalFunctionRole/ReservationRenewalFunction")
                    && t.cloudTrailEvent().contains(e.arn)), "no StartExecution in CloudTrail");

            // The schedule delivered again the same day (another attempt, or a later scheduled time of that day).
            JsonNode again = trigger(local, sample("ReservationRenewal-scheduled").replace("06:00:00Z", "18:00:00Z"));
            assertFalse(again.get("started").asBoolean(), again.toString());
            assertEquals(e.arn, again.get("executionArn").asText());
            assertTrue(again.get("reason").asText().startsWith("already started: renewal-schedule-2026-11-26"), again.toString());
            assertEquals(1, local.emulator().cloud().executions.all().size(), "nothing new started");
        }
    }

    @Test
    void aScanWithNothingExpiringStartsNothingAndSaysWhy() throws Exception {
        try (LocalCloud local = open(Map.of())) {
            JsonNode r = trigger(local, sample("ReservationRenewal-scheduled").replace("\"reservationsEndingWithinDays\": 30", "\"reservationsEndingWithinDays\": 7"));
            assertFalse(r.get("started").asBoolean());
            assertTrue(r.get("executionArn").isNull());
            assertTrue(r.get("reason").asText().startsWith("nothing started: no Windows instance on a Xen type is covered by an active reservation ending within 7 days"),
                    r.toString());
            assertEquals(List.of(), local.emulator().cloud().executions.all());
        }
    }

    @Test
    void theNitroPurchaseIsDeliveredByItsRuleAndItsPlanRunsForTheInstancesItReplaces() throws Exception {
        try (LocalCloud local = open(Map.of())) {
            ByteArrayOutputStream progress = new ByteArrayOutputStream();
            List<LocalCloud.Delivery> d = local.deliver(sample("ReservationRenewal-purchase"), "auto", new PrintStream(progress, true, StandardCharsets.UTF_8));
            assertEquals(1, d.size(), progress.toString(StandardCharsets.UTF_8));
            assertEquals("ReservationRenewalFunction", d.get(0).function());
            assertEquals("ReservationPurchase", d.get(0).event());
            // The fleet's own execution; its migrations are executions of MigrateInstanceStateMachine.
            List<Executions.Execution> started = local.emulator().cloud().executions.all().stream()
                    .filter(x -> x.stateMachineArn.endsWith(":MigrateFleetStateMachine")).toList();
            assertEquals(1, started.size());
            Executions.Execution e = started.get(0);
            assertEquals("renewal-purchase-c7e3a2b1-5d4f-4e6a-8b9c-0d1e2f3a4b5c", e.name);
            // Running Windows m4.large or m3.large (both become m5.large) in us-east-1b, two as bought, by instance ID.
            assertEquals(List.of("i-0f1e2d3c4b5a60001", "i-0f1e2d3c4b5a60005"), ids(input(e).at("/selection/instanceIds")));
            assertEquals("purchase", input(e).at("/trigger/source").asText());
            assertTrue(input(e).at("/trigger/detail").asText().contains("arn:aws:sts::123456789012:assumed-role/FinOps/carol"), e.input);
            assertEquals(1, d.get(0).runs().size());
            assertEquals("SUCCEEDED", d.get(0).runs().get(0).status());
            assertEquals("SUCCEEDED", local.emulator().cloud().executions.get(e.arn).status);

            // EventBridge may deliver an event more than once: the purchase's plan is not started twice.
            JsonNode again = trigger(local, sample("ReservationRenewal-purchase"));
            assertFalse(again.get("started").asBoolean(), again.toString());
            assertEquals(1, local.emulator().cloud().executions.all().stream().filter(x -> x.stateMachineArn.endsWith(":MigrateFleetStateMachine")).count());
        }
    }

    @Test
    void aPurchaseOfAXenTypeStartsNothingAndSaysWhy() throws Exception {
        try (LocalCloud local = open(Map.of())) {
            JsonNode r = trigger(local, sample("ReservationRenewal-purchase")
                    .replace("c7e3a2b1-5d4f-4e6a-8b9c-0d1e2f3a4b5c", "4b2293b4-5813-4cc8-9ce3-1957fc1dcfc8"));
            assertFalse(r.get("started").asBoolean());
            assertTrue(r.get("executionArn").isNull());
            assertEquals("nothing started: reservation 4b2293b4-5813-4cc8-9ce3-1957fc1dcfc8 is for m4.large, a Xen type: it renews instances"
                    + " where they are, none is to move", r.get("reason").asText());
            assertEquals(List.of(), local.emulator().cloud().executions.all());
        }
    }

    @Test
    void aDisabledTriggerReceivesNothing() throws Exception {
        try (LocalCloud local = open(Map.of("PurchaseTrigger", "DISABLED", "RenewalSchedule", "DISABLED"))) {
            ByteArrayOutputStream progress = new ByteArrayOutputStream();
            PrintStream out = new PrintStream(progress, true, StandardCharsets.UTF_8);
            assertEquals(List.of(), local.deliver(sample("ReservationRenewal-purchase"), "auto", out));
            assertEquals(List.of(), local.deliver(sample("ReservationRenewal-scheduled"), "auto", out));
            assertTrue(progress.toString(StandardCharsets.UTF_8).contains("EventBridge rule ReservationPurchase of ReservationRenewalFunction matches,"
                    + " but is DISABLED (PurchaseTrigger)"), progress.toString(StandardCharsets.UTF_8));
            assertEquals(List.of(), local.emulator().cloud().executions.all());
        }
    }

    @Test
    void theFunctionsRoleMayStartTheFleetMachineAndNoOther() throws Exception {
        try (LocalCloud local = open(Map.of());
             SfnClient sfn = SfnClient.builder().endpointOverride(local.emulator().endpoint()).region(Region.US_EAST_1)
                     .credentialsProvider(StaticCredentialsProvider.create(LocalCloud.credentials("ReservationRenewalFunction")))
                     .httpClient(UrlConnectionHttpClient.create()).build()) {
            for (String other : List.of("MigrateInstanceStateMachine", "RollbackInstanceStateMachine", "CleanUpExecutionStateMachine")) {
                SfnException e = assertThrows(SfnException.class, () -> sfn.startExecution(r -> r
                        .stateMachineArn(FLEET.replace("MigrateFleetStateMachine", other)).name("not-allowed").input("{\"instanceId\":\"i-0f1e2d3c4b5a60001\"}")));
                assertEquals("AccessDeniedException", e.awsErrorDetails().errorCode(), other);
                assertTrue(e.awsErrorDetails().errorMessage().contains("is not authorized to perform: states:StartExecution on resource: "
                        + FLEET.replace("MigrateFleetStateMachine", other)), e.awsErrorDetails().errorMessage());
            }
            assertEquals(List.of(), local.emulator().cloud().executions.all(), "nothing was started");
            assertNotNull(sfn.startExecution(r -> r.stateMachineArn(FLEET).name("allowed").input("{}")).executionArn());
        }
    }
}
