package dev.xen2nitro.functions.fleet;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which instances a fleet takes, without AWS: by name, and by the reservations that come up for renewal. */
class FleetSelectionTest {
    static final Map<String, String> HYPERVISORS = Map.of("m4.large", "xen", "m4.xlarge", "xen", "c4.xlarge", "xen", "t2.medium", "xen",
            "m5.large", "nitro");
    static final Instant AS_OF = Instant.parse("2026-11-26T00:00:00Z");

    static FleetSelection.Instance windows(String id, String type, String zone) {
        return new FleetSelection.Instance(id, type, zone, "vpc-1", "windows", "running", "default", "RunInstances:0002", null);
    }

    static FleetSelection.Reservation ri(String id, String type, String zone, int count, String end, String product) {
        return new FleetSelection.Reservation(id, type, zone, count, Instant.parse(end), product, "default", "active");
    }

    @Test
    void anInstanceIsTakenWhenItRunsWindowsOnXenAndIsRunningOrStopped() {
        FleetSelection.Selection s = FleetSelection.of(List.of(
                windows("i-1", "m4.large", "us-east-1b"),
                new FleetSelection.Instance("i-2", "m4.large", "us-east-1b", "vpc-1", null, "running", "default", "RunInstances", null),
                windows("i-3", "m5.large", "us-east-1b"),
                new FleetSelection.Instance("i-4", "m4.large", "us-east-1b", "vpc-1", "windows", "stopped", "default", "RunInstances:0002", null),
                new FleetSelection.Instance("i-5", "m4.large", "us-east-1b", "vpc-1", "windows", "stopping", "default", "RunInstances:0002", null)), HYPERVISORS, "named");
        assertEquals(List.of("i-1", "i-4"), s.taken().stream().map(FleetSelection.Taken::instanceId).toList());
        assertEquals(List.of(
                new FleetSelection.Left("i-2", "not Windows (Linux/UNIX): this tool moves Windows instances"),
                new FleetSelection.Left("i-3", "m5.large runs on the nitro hypervisor, not Xen"),
                new FleetSelection.Left("i-5", "it is stopping; only a running or stopped instance is migrated")), s.left());
    }

    @Test
    void aWindowsReservationCoversItsOwnTypeOnlyAndAZonalOneItsZoneOnly() {
        List<FleetSelection.Instance> fleet = List.of(windows("i-1", "m4.large", "us-east-1b"), windows("i-2", "m4.large", "us-east-1a"),
                windows("i-3", "m4.xlarge", "us-east-1b"), windows("i-4", "c4.xlarge", "us-east-1a"));
        FleetSelection.Selection zonal = FleetSelection.renewals(List.of(ri("r-1", "m4.large", "us-east-1b", 2, "2026-12-20T00:00:00Z", "Windows")),
                fleet, HYPERVISORS, AS_OF, 30);
        assertEquals(List.of("i-1"), zonal.taken().stream().map(FleetSelection.Taken::instanceId).toList(),
                "not the m4.large of another zone, nor the m4.xlarge: a Windows reservation is not size-flexible");
        assertEquals(List.of("i-1"), zonal.reservations().get(0).covers());
        assertTrue(zonal.taken().get(0).reason().contains("may be covered by reservation r-1 (2 x m4.large, Availability Zone us-east-1b), which ends 2026-12-20T00:00:00Z"),
                zonal.taken().get(0).reason());
        FleetSelection.Selection regional = FleetSelection.renewals(List.of(ri("r-2", "m4.large", null, 1, "2026-12-20T00:00:00Z", "Windows")),
                fleet, HYPERVISORS, AS_OF, 30);
        assertEquals(List.of("i-1", "i-2"), regional.taken().stream().map(FleetSelection.Taken::instanceId).toList(),
                "a regional one covers any zone; both may run under it, EC2 does not say which gets the discount");
        assertEquals(List.of("i-1", "i-2"), regional.reservations().get(0).covers());
    }

    @Test
    void reservationsOutsideTheWindowForLinuxOrForNitroTypesSelectNothingAndSayWhy() {
        List<FleetSelection.Instance> fleet = List.of(windows("i-1", "m4.large", "us-east-1b"), windows("i-4", "c4.xlarge", "us-east-1a"),
                windows("i-5", "m5.large", "us-east-1a"));
        FleetSelection.Selection s = FleetSelection.renewals(List.of(
                ri("r-later", "c4.xlarge", null, 1, "2027-06-30T00:00:00Z", "Windows"),
                ri("r-linux", "m4.large", null, 1, "2026-12-01T00:00:00Z", "Linux/UNIX"),
                ri("r-nitro", "m5.large", null, 1, "2026-12-01T00:00:00Z", "Windows"),
                ri("r-none", "t2.medium", "us-east-1a", 1, "2026-12-01T00:00:00Z", "Windows"),
                new FleetSelection.Reservation("r-retired", "m4.large", null, 1, Instant.parse("2026-12-01T00:00:00Z"), "Windows", "default", "retired")),
                fleet, HYPERVISORS, AS_OF, 30);
        assertEquals(List.of(), s.taken());
        assertEquals(List.of("it ends 2027-06-30T00:00:00Z, after 2026-12-26T00:00:00Z", "it is for Linux/UNIX, not a Windows platform", "m5.large is not a Xen type",
                "no On-Demand Windows t2.medium instance in us-east-1a with default tenancy", "it is retired"),
                s.reservations().stream().map(FleetSelection.Looked::reason).toList());
        FleetSelection.Selection later = FleetSelection.renewals(List.of(ri("r-later", "c4.xlarge", null, 1, "2027-06-30T00:00:00Z", "Windows")),
                fleet, HYPERVISORS, AS_OF, 240);
        assertEquals(List.of("i-4"), later.taken().stream().map(FleetSelection.Taken::instanceId).toList(), "within 240 days");
    }

    @Test
    void anInstanceCoveredByTwoReservationsIsTakenOnceAndTenancyMustMatch() {
        List<FleetSelection.Instance> fleet = List.of(windows("i-1", "m4.large", "us-east-1b"),
                new FleetSelection.Instance("i-2", "m4.large", "us-east-1b", "vpc-1", "windows", "running", "dedicated", "RunInstances:0002", null));
        FleetSelection.Selection s = FleetSelection.renewals(List.of(ri("r-1", "m4.large", "us-east-1b", 1, "2026-12-10T00:00:00Z", "Windows"),
                ri("r-2", "m4.large", null, 1, "2026-12-11T00:00:00Z", "Windows (Amazon VPC)")), fleet, HYPERVISORS, AS_OF, 30);
        assertEquals(List.of("i-1"), s.taken().stream().map(FleetSelection.Taken::instanceId).toList(), "the dedicated one is not covered");
        assertEquals(List.of("i-1"), s.reservations().get(1).covers());
    }

    @Test
    void aReservationCoversOnlyOnDemandInstancesOfItsOwnWindowsPlatform() {
        List<FleetSelection.Instance> fleet = List.of(windows("i-plain", "m4.large", "us-east-1b"),
                new FleetSelection.Instance("i-sql", "m4.large", "us-east-1b", "vpc-1", "windows", "running", "default", "RunInstances:0006", null),
                new FleetSelection.Instance("i-byol", "m4.large", "us-east-1b", "vpc-1", "windows", "running", "default", "RunInstances:0800", null),
                new FleetSelection.Instance("i-spot", "m4.large", "us-east-1b", "vpc-1", "windows", "running", "default", "RunInstances:0002", "spot"));
        FleetSelection.Selection plain = FleetSelection.renewals(List.of(ri("r-w", "m4.large", null, 4, "2026-12-10T00:00:00Z", "Windows (Amazon VPC)")),
                fleet, HYPERVISORS, AS_OF, 30);
        assertEquals(List.of("i-plain"), plain.reservations().get(0).covers(), "not SQL Server, not BYOL, not Spot");
        FleetSelection.Selection sql = FleetSelection.renewals(List.of(ri("r-s", "m4.large", null, 1, "2026-12-10T00:00:00Z",
                "Windows with SQL Server Standard")), fleet, HYPERVISORS, AS_OF, 30);
        assertEquals(List.of("i-sql"), sql.taken().stream().map(FleetSelection.Taken::instanceId).toList());
    }

    @Test
    void aReservationThatEndedBeforeTheWindowStartsSelectsNothing() {
        FleetSelection.Selection s = FleetSelection.renewals(List.of(ri("r-1", "m4.large", null, 1, "2026-12-10T00:00:00Z", "Windows")),
                List.of(windows("i-1", "m4.large", "us-east-1b")), HYPERVISORS, Instant.parse("2027-01-01T00:00:00Z"), 30);
        assertEquals(List.of(), s.taken());
        assertEquals("it ended 2026-12-10T00:00:00Z", s.reservations().get(0).reason());
    }
}
