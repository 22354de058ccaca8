package dev.xen2nitro.functions.fleet;

import static org.junit.jupiter.api.Assertions.*;

import dev.xen2nitro.functions.core.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a renewal trigger plans and under which name, without AWS. */
class RenewalTriggersTest {
    static final Map<String, String> HYPERVISORS = Map.of("m4.large", "xen", "m3.large", "xen", "m4.xlarge", "xen", "m5.large", "nitro",
            "c6i.large", "nitro");

    static FleetSelection.Instance windows(String id, String type, String zone) {
        return new FleetSelection.Instance(id, type, zone, "vpc-1", "windows", "running", "default", "RunInstances:0002", null);
    }

    static FleetSelection.Reservation bought(String type, String zone, int count, String state, String product) {
        return new FleetSelection.Reservation("ri-1", type, zone, count, Instant.parse("2027-11-26T00:00:00Z"), product, "default", state);
    }

    static List<String> ids(FleetSelection.Selection s) {
        return s.taken().stream().map(FleetSelection.Taken::instanceId).toList();
    }

    @Test
    void aNitroTypeIsBoughtToReplaceTheSameSizeOfEveryXenFamilyItSucceeds() {
        assertEquals(List.of("m1.large", "m3.large", "m4.large"), RenewalTriggers.predecessors("m5.large"));
        assertEquals(List.of("t1.medium", "t2.medium"), RenewalTriggers.predecessors("t3.medium"));
        assertEquals(List.of(), RenewalTriggers.predecessors("c6i.large"));
    }

    @Test
    void onlyAPlannableNitroWindowsReservationPlansAnything() {
        assertNull(RenewalTriggers.whyNotPlanned(bought("m5.large", null, 1, "payment-pending", "Windows"), "nitro"));
        assertNull(RenewalTriggers.whyNotPlanned(bought("m5.large", null, 1, "active", "Windows (Amazon VPC)"), "nitro"));
        assertEquals("reservation ri-1 is for m4.large, a Xen type: it renews instances where they are, none is to move",
                RenewalTriggers.whyNotPlanned(bought("m4.large", null, 1, "active", "Windows"), "xen"));
        assertEquals("reservation ri-1 is for Linux/UNIX, not a Windows platform: this tool moves Windows instances",
                RenewalTriggers.whyNotPlanned(bought("m5.large", null, 1, "active", "Linux/UNIX"), "nitro"));
        assertEquals("reservation ri-1 is payment-failed: it reserves nothing to plan for",
                RenewalTriggers.whyNotPlanned(bought("m5.large", null, 1, "payment-failed", "Windows"), "nitro"));
        assertEquals("no Xen family is succeeded by c6i (rules/TargetTypes): no instance migrates to c6i.large",
                RenewalTriggers.whyNotPlanned(bought("c6i.large", null, 1, "active", "Windows"), "nitro"));
    }

    @Test
    void aZonalPurchaseReplacesRunningWindowsInstancesOfItsZoneUpToItsCountInTheOrderOfTheirIds() {
        FleetSelection.Selection s = RenewalTriggers.replacements(bought("m5.large", "us-east-1b", 2, "active", "Windows"), List.of(
                windows("i-4", "m4.large", "us-east-1b"),
                windows("i-2", "m4.large", "us-east-1a"),
                windows("i-3", "m3.large", "us-east-1b"),
                windows("i-1", "m4.xlarge", "us-east-1b"),
                new FleetSelection.Instance("i-5", "m4.large", "us-east-1b", "vpc-1", "windows", "stopped", "default", "RunInstances:0002", null),
                new FleetSelection.Instance("i-6", "m4.large", "us-east-1b", "vpc-1", "windows", "running", "default", "RunInstances:0002", "spot"),
                new FleetSelection.Instance("i-7", "m4.large", "us-east-1b", "vpc-1", "windows", "running", "default", "RunInstances:0006", null),
                new FleetSelection.Instance("i-8", "m4.large", "us-east-1b", "vpc-1", "windows", "running", "dedicated", "RunInstances:0002", null),
                windows("i-9", "m4.large", "us-east-1b")), HYPERVISORS);
        assertEquals(List.of("i-3", "i-4"), ids(s));
        assertEquals(List.of(
                new FleetSelection.Left("i-1", "m4.xlarge does not become m5.large"),
                new FleetSelection.Left("i-2", "it is in us-east-1a, the reservation in us-east-1b"),
                new FleetSelection.Left("i-5", "it is stopped; a reservation pays for running instances"),
                new FleetSelection.Left("i-6", "it is a spot instance, which no reservation covers"),
                new FleetSelection.Left("i-7", "its platform (RunInstances:0006) is not the reservation's (Windows)"),
                new FleetSelection.Left("i-8", "its tenancy is dedicated, the reservation's default"),
                new FleetSelection.Left("i-9", "reservation ri-1 covers 2 instance(s); as many were taken before it, by instance ID")), s.left());
        assertEquals(List.of("i-3", "i-4", "i-9"), s.reservations().get(0).covers());
    }

    @Test
    void aRegionalPurchaseReplacesInstancesOfAnyZone() {
        FleetSelection.Selection s = RenewalTriggers.replacements(bought("m5.large", null, 5, "active", "Windows"), List.of(
                windows("i-1", "m4.large", "us-east-1a"), windows("i-2", "m4.large", "us-east-1b")), HYPERVISORS);
        assertEquals(List.of("i-1", "i-2"), ids(s));
    }

    @Test
    void theExecutionIsNamedByTheScheduledDayOrTheReservationWithinStepFunctionsLimits() {
        assertEquals("renewal-schedule-2026-11-26", RenewalTriggers.scheduleExecutionName(Instant.parse("2026-11-26T23:59:59Z")));
        assertEquals("renewal-schedule-2026-11-27", RenewalTriggers.scheduleExecutionName(Instant.parse("2026-11-27T00:00:00Z")));
        assertEquals("renewal-purchase-c7e3a2b1-5d4f-4e6a-8b9c-0d1e2f3a4b5c",
                RenewalTriggers.purchaseExecutionName("c7e3a2b1-5d4f-4e6a-8b9c-0d1e2f3a4b5c"));
        String odd = RenewalTriggers.purchaseExecutionName("a:b/c " + "x".repeat(100));
        assertTrue(odd.length() <= 80 && odd.matches("[A-Za-z0-9_-]+"), odd);
    }

    @Test
    void anInputThatIsNeitherTheScheduleNorThePurchaseIsRefusedWithWhatToGive() {
        ReservationRenewal handler = new ReservationRenewal();
        InvalidInputException none = assertThrows(InvalidInputException.class, () -> handler.parse(
                "{\"source\":\"aws.ec2\",\"detail-type\":\"EC2 Instance State-change Notification\",\"detail\":{}}".getBytes(StandardCharsets.UTF_8)));
        assertTrue(none.getMessage().startsWith("this event is not the CloudTrail record of PurchaseReservedInstancesOffering"), none.getMessage());
        InvalidInputException days = assertThrows(InvalidInputException.class, () -> handler.parse(
                "{\"source\":\"xen2nitro.schedule\",\"reservationsEndingWithinDays\":0}".getBytes(StandardCharsets.UTF_8)));
        assertTrue(days.getMessage().contains("RenewalWindowDays"), days.getMessage());
        InvalidInputException source = assertThrows(InvalidInputException.class, () -> handler.parse("{}".getBytes(StandardCharsets.UTF_8)));
        assertTrue(source.getMessage().startsWith("'source' is missing"), source.getMessage());
        // A failed purchase is recorded too, without responseElements: it is taken, and plans nothing.
        assertNotNull(handler.parse(("{\"source\":\"aws.ec2\",\"detail-type\":\"AWS API Call via CloudTrail\",\"detail\":{\"eventSource\":"
                + "\"ec2.amazonaws.com\",\"eventName\":\"PurchaseReservedInstancesOffering\",\"errorCode\":\"Client.DryRunOperation\","
                + "\"errorMessage\":\"Request would have succeeded, but DryRun flag is set.\",\"responseElements\":null,\"newField\":1}}")
                .getBytes(StandardCharsets.UTF_8)));
    }
}
