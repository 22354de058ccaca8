package dev.xen2nitro.functions.network;

import static org.junit.jupiter.api.Assertions.*;

import dev.xen2nitro.functions.network.EndpointSharing.Endpoint;
import dev.xen2nitro.functions.network.EndpointSharing.Plan;
import dev.xen2nitro.functions.network.EndpointSharing.Release;
import dev.xen2nitro.functions.network.EndpointSharing.User;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How the migrations of one VPC share its temporary endpoints, without AWS. */
class EndpointSharingTest {
    static final String RTB_A = "rtb-0a", RTB_B = "rtb-0b";

    static Endpoint iface(String id, String service, String state, boolean ours) {
        return new Endpoint(id, service, false, state, ours, List.of());
    }

    static Endpoint s3(String id, String table, boolean ours) {
        return new Endpoint(id, "s3", true, "available", ours, List.of(table));
    }

    static User user(String name, String cidr, String table) {
        return new User("arn:aws:states:us-east-1:123456789012:execution:m:" + name, "i-0" + name, "subnet-" + name, cidr, List.of(table));
    }

    @Test
    void theFirstMigrationOfAVpcCreatesEverythingAndRegisters() {
        Plan p = EndpointSharing.plan(false, List.of(RTB_A), List.of());
        assertEquals(List.of("ssm", "ec2messages", "ssmmessages"), p.createInterface());
        assertEquals(List.of(RTB_A), p.createGateway());
        assertEquals(List.of(), p.reuse());
        assertTrue(p.register());
        assertTrue(p.openGroup());
        assertNull(p.waitFor());
    }

    @Test
    void theNextUsesTheTemporaryEndpointsInAnyLiveStateAndNeedsAnS3EndpointOnlyForItsOwnRouteTable() {
        List<Endpoint> vpc = List.of(iface("vpce-1", "ssm", "pending", true), iface("vpce-2", "ec2messages", "available", true),
                iface("vpce-3", "ssmmessages", "pendingAcceptance", true), s3("vpce-4", RTB_A, true));
        Plan same = EndpointSharing.plan(false, List.of(RTB_A), vpc);
        assertEquals(List.of(), same.createInterface(), "a second endpoint of a service with private DNS is refused in the VPC");
        assertEquals(List.of(), same.createGateway());
        assertEquals(List.of("vpce-1", "vpce-2", "vpce-3", "vpce-4"), same.reuse());
        assertTrue(same.register() && same.openGroup(), "it relies on them and its subnet must be admitted");
        Plan other = EndpointSharing.plan(false, List.of(RTB_B), vpc);
        assertEquals(List.of(RTB_B), other.createGateway(), "a gateway endpoint serves only its route tables");
    }

    @Test
    void endpointsThatExistedBeforeAreUsedAndNeitherReliedOnNorOpened() {
        List<Endpoint> vpc = List.of(iface("vpce-1", "ssm", "available", false), iface("vpce-2", "ec2messages", "available", false),
                iface("vpce-3", "ssmmessages", "available", false), s3("vpce-4", RTB_A, false));
        Plan p = EndpointSharing.plan(false, List.of(RTB_A), vpc);
        assertEquals(new Plan(List.of(), List.of(), List.of(), false, false, null), p);
        Plan mixed = EndpointSharing.plan(false, List.of(RTB_A), List.of(iface("vpce-3", "ssmmessages", "available", false)));
        assertEquals(List.of("ssm", "ec2messages"), mixed.createInterface());
        assertEquals(List.of(), mixed.reuse(), "the ssmmessages endpoint is not this stack's");
    }

    @Test
    void anEndpointBeingDeletedHoldsItsNameSoTheNextMigrationWaits() {
        Plan p = EndpointSharing.plan(false, List.of(RTB_A), List.of(iface("vpce-1", "ssm", "deleting", true)));
        assertNotNull(p.waitFor());
        assertTrue(p.waitFor().contains("vpce-1"), p.waitFor());
        assertFalse(p.register(), "nothing is registered while it waits");
        Plan gone = EndpointSharing.plan(false, List.of(RTB_A), List.of(iface("vpce-1", "ssm", "deleted", true)));
        assertNull(gone.waitFor());
        assertTrue(gone.createInterface().contains("ssm"));
    }

    @Test
    void aSubnetWithAnInternetRouteCreatesNothingButReliesOnTemporaryInterfaceEndpointsThatPrivateDnsSendsItTo() {
        assertEquals(new Plan(List.of(), List.of(), List.of(), false, false, null), EndpointSharing.plan(true, List.of(RTB_A), List.of()));
        Plan p = EndpointSharing.plan(true, List.of(RTB_A), List.of(iface("vpce-1", "ssm", "available", true)));
        assertEquals(List.of("vpce-1"), p.reuse());
        assertTrue(p.register() && p.openGroup());
        assertEquals(List.of(), p.createInterface());
    }

    @Test
    void theLastUserDeletesEverythingTemporaryAndTheGroup() {
        Release r = EndpointSharing.release(List.of(), List.of(iface("vpce-1", "ssm", "available", true), s3("vpce-4", RTB_A, true),
                iface("vpce-5", "ec2messages", "deleting", true)), List.of("10.0.1.0/24"));
        assertEquals(List.of("vpce-1", "vpce-4"), r.deleteEndpoints(), "one already being deleted is not deleted again");
        assertTrue(r.deleteGroup());
        assertEquals(List.of(), r.revokeCidrs());
    }

    @Test
    void withUsersLeftOnlyWhatNoneOfThemNeedsGoes() {
        List<Endpoint> ours = List.of(iface("vpce-1", "ssm", "available", true), s3("vpce-4", RTB_A, true), s3("vpce-6", RTB_B, true));
        Release r = EndpointSharing.release(List.of(user("b", "10.0.2.0/24", RTB_B)), ours, List.of("10.0.1.0/24", "10.0.2.0/24"));
        assertEquals(List.of("vpce-4"), r.deleteEndpoints(), "the interface endpoint stays, whoever created it; A's S3 endpoint goes");
        assertFalse(r.deleteGroup());
        assertEquals(List.of("10.0.1.0/24"), r.revokeCidrs());
        Release shared = EndpointSharing.release(List.of(user("c", "10.0.1.0/24", RTB_A)), ours, List.of("10.0.1.0/24"));
        assertEquals(List.of("vpce-6"), shared.deleteEndpoints());
        assertEquals(List.of(), shared.revokeCidrs(), "another user in the same subnet keeps its rule");
    }

    @Test
    void aUserOfUnknownExecutionKeepsTheEndpoints() {
        Release r = EndpointSharing.release(List.of(new User(null, null, null, null, null)), List.of(iface("vpce-1", "ssm", "available", true)),
                List.of("10.0.1.0/24"));
        assertEquals(List.of(), r.deleteEndpoints());
        assertFalse(r.deleteGroup());
    }

    @Test
    void onlyAnExecutionKnownToHaveEndedIsStale() {
        assertFalse(EndpointSharing.stale("RUNNING"));
        assertFalse(EndpointSharing.stale(null), "an execution that cannot be described is kept");
        for (String ended : List.of("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")) {
            assertTrue(EndpointSharing.stale(ended), ended);
        }
    }

    @Test
    void aLockOlderThanTwiceTheFunctionTimeoutIsTakenOver() {
        Instant now = Instant.parse("2025-11-27T09:00:00Z");
        assertFalse(EndpointSharing.lockExpired(now.minusSeconds(119), now));
        assertTrue(EndpointSharing.lockExpired(now.minusSeconds(121), now));
        assertTrue(EndpointSharing.LOCK_EXPIRY.getSeconds() >= 2 * 60, "twice the 60 seconds of template.yaml's Timeout");
    }

    @Test
    void liveStatesAreThoseOfAnEndpointThatServesOrWill() {
        for (String s : List.of("pendingAcceptance", "pending", "available", "partial")) assertTrue(EndpointSharing.live(s), s);
        for (String s : List.of("deleting", "deleted", "rejected", "failed", "expired", "Deleted")) assertFalse(EndpointSharing.live(s), s);
    }
}
