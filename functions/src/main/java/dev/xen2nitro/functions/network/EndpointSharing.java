package dev.xen2nitro.functions.network;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The rules by which the migrations of one VPC share its temporary endpoints (no AWS calls here).
 *
 * <p>An interface endpoint with private DNS answers the service's regional name for the whole VPC, through a private
 * hosted zone that AWS manages for it (AWS whitepaper "Building a Scalable and Secure Multi-VPC AWS Network
 * Infrastructure", "Centralized access to VPC private endpoints"), so a VPC holds one of them per service: a second
 * CreateVpcEndpoint with private DNS for the service fails with InvalidParameter "private-dns-enabled cannot be set
 * because there is already a conflicting DNS domain for ... in the VPC" (observed; RUNBOOK, and
 * hashicorp/terraform-provider-aws#17269). So every migration of a VPC uses the one endpoint of each service that is
 * there, whoever created it, and the temporary ones stay until the last migration that relies on them has released
 * them. A gateway endpoint carries only the traffic of the route tables associated with it (RUNBOOK; PrivateLink Guide,
 * "Gateway endpoints"): the S3 one is needed per route table.
 */
public final class EndpointSharing {
    private EndpointSharing() {}

    public static final List<String> INTERFACE_SERVICES = List.of("ssm", "ec2messages", "ssmmessages");
    public static final String S3 = "s3";

    /**
     * A VPC endpoint as these rules see it.
     *
     * @param service the last part of its service name (ssm, s3, ...)
     * @param ours    tagged as temporary and shared through this stack's registry of users: the only endpoints ever deleted
     */
    public record Endpoint(String id, String service, boolean gateway, String state, boolean ours, List<String> routeTableIds) {
        public Endpoint {
            routeTableIds = routeTableIds == null ? List.of() : List.copyOf(routeTableIds);
        }
    }

    /** A migration registered as a user of its VPC's temporary endpoints, with what it needs of them. */
    public record User(String execution, String instanceId, String subnetId, String subnetCidr, List<String> routeTableIds) {
        public User {
            routeTableIds = routeTableIds == null ? List.of() : List.copyOf(routeTableIds);
        }
    }

    /**
     * What one migration must do to reach SSM and S3 through its VPC's endpoints.
     *
     * @param createInterface the interface services to create (private DNS, in the migration's subnet)
     * @param createGateway   the route tables that need a temporary S3 gateway endpoint of their own
     * @param reuse           the temporary endpoints of earlier users that this migration relies on
     * @param register        whether it relies on anything temporary, so must be registered as a user
     * @param openGroup       whether the temporary group must admit its subnet (it relies on a temporary interface endpoint)
     * @param waitFor         why nothing can be done yet (an endpoint of a needed service is being deleted), or null
     */
    public record Plan(List<String> createInterface, List<String> createGateway, List<String> reuse, boolean register, boolean openGroup,
                       String waitFor) {}

    /** What the release of a user leaves to do. */
    public record Release(List<String> deleteEndpoints, boolean deleteGroup, List<String> revokeCidrs) {}

    private static final Set<String> GONE = Set.of("deleting", "deleted", "rejected", "failed", "expired");

    /**
     * Whether an endpoint in this state serves, or will (DescribeVpcEndpoints, State: PendingAcceptance, Pending, Available,
     * Deleting, Deleted, Rejected, Failed, Expired, Partial): every state but those of an endpoint going or gone.
     */
    public static boolean live(String state) {
        return state == null || !GONE.contains(state.toLowerCase(Locale.ROOT));
    }

    /**
     * The plan of one migration in a VPC whose endpoints are {@code inVpc}. An endpoint of the service that is there, in any
     * live state, is used: one this stack did not create is never touched; a temporary one is relied on. A subnet with an
     * internet route needs no endpoint, but relies on a temporary interface endpoint that exists, because the endpoint's
     * private DNS sends the subnet's SSM traffic to it, and its group must then admit the subnet.
     */
    public static Plan plan(boolean internetRoute, List<String> routeTableIds, List<Endpoint> inVpc) {
        List<String> createInterface = new ArrayList<>();
        List<String> createGateway = new ArrayList<>();
        List<String> reuse = new ArrayList<>();
        boolean openGroup = false;
        for (String service : INTERFACE_SERVICES) {
            List<Endpoint> serving = inVpc.stream().filter(e -> !e.gateway() && service.equals(e.service()) && live(e.state())).toList();
            if (serving.stream().anyMatch(e -> !e.ours())) {
                continue;
            }
            if (!serving.isEmpty()) {
                serving.forEach(e -> reuse.add(e.id()));
                openGroup = true;
                continue;
            }
            if (internetRoute) {
                continue;
            }
            Endpoint going = inVpc.stream().filter(e -> !e.gateway() && service.equals(e.service()) && "deleting".equalsIgnoreCase(e.state()))
                    .findFirst().orElse(null);
            if (going != null) {
                // Its private DNS name is taken until it is gone: a new endpoint of the service would be refused.
                return new Plan(List.of(), List.of(), List.of(), false, false,
                        "the " + service + " endpoint " + going.id() + " of this VPC is still being deleted");
            }
            createInterface.add(service);
            openGroup = true;
        }
        if (!internetRoute) {
            for (String table : routeTableIds == null ? List.<String>of() : routeTableIds) {
                List<Endpoint> serving = inVpc.stream().filter(e -> e.gateway() && S3.equals(e.service()) && live(e.state())
                        && e.routeTableIds().contains(table)).toList();
                if (serving.stream().anyMatch(e -> !e.ours())) {
                    continue;
                }
                if (!serving.isEmpty()) {
                    serving.forEach(e -> reuse.add(e.id()));
                } else {
                    createGateway.add(table);
                }
            }
        }
        boolean register = !createInterface.isEmpty() || !createGateway.isEmpty() || !reuse.isEmpty();
        return new Plan(createInterface, createGateway, reuse, register, openGroup, null);
    }

    /**
     * What is left to do once a user is gone and {@code remaining} still are: with nobody left, delete every temporary
     * endpoint ({@code ours}) and the group; otherwise only the S3 gateway endpoints of route tables that no remaining user
     * has, and revoke the group's rules ({@code groupCidrs}) for subnets that no remaining user is in. The interface
     * endpoints stay for the remaining users whichever subnet they were created in: their interfaces answer the whole VPC.
     */
    public static Release release(List<User> remaining, List<Endpoint> ours, List<String> groupCidrs) {
        List<Endpoint> present = ours.stream().filter(e -> live(e.state())).toList();
        if (remaining.isEmpty()) {
            return new Release(present.stream().map(Endpoint::id).toList(), true, List.of());
        }
        Set<String> tables = new LinkedHashSet<>();
        Set<String> cidrs = new LinkedHashSet<>();
        for (User u : remaining) {
            tables.addAll(u.routeTableIds());
            if (u.subnetCidr() != null) cidrs.add(u.subnetCidr());
        }
        List<String> delete = present.stream().filter(e -> e.gateway() && e.routeTableIds().stream().noneMatch(tables::contains))
                .map(Endpoint::id).toList();
        List<String> revoke = (groupCidrs == null ? List.<String>of() : groupCidrs).stream().filter(c -> !cidrs.contains(c)).distinct().toList();
        return new Release(delete, false, revoke);
    }

    /** A user whose execution is known to have ended (DescribeExecution: a status other than RUNNING); unknown (null) is kept. */
    public static boolean stale(String executionStatus) {
        return executionStatus != null && !"RUNNING".equals(executionStatus);
    }

    /**
     * How long a VPC's lock may be held before another execution takes it over: twice the functions' Timeout (60 seconds,
     * template.yaml Globals). Lambda stops an invocation at its timeout (Lambda Developer Guide, "Configure Lambda function
     * timeout"), so a holder older than that is gone without having released it.
     */
    public static final Duration LOCK_EXPIRY = Duration.ofSeconds(120);

    public static boolean lockExpired(Instant takenAt, Instant now) {
        return takenAt == null || takenAt.plus(LOCK_EXPIRY).isBefore(now);
    }
}
