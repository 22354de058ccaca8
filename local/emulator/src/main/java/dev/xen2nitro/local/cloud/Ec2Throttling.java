package dev.xen2nitro.local.cloud;

import dev.xen2nitro.local.wire.AwsError;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.SdkPojo;

/**
 * EC2's API throttling for the one account and Region of a {@link Cloud}, as the EC2 Developer Guide,
 * "Request throttling for the Amazon EC2 API" (https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html)
 * describes it: token buckets per account and Region; request rate limiting, where "each API is evaluated
 * individually" and each request removes one token from that API's bucket; buckets refill at a set rate
 * per second up to their maximum capacity; and resource rate limiting for RunInstances, TerminateInstances,
 * StartInstances and StopInstances, a second bucket per action that "depletes based on the number of
 * resources that are impacted by the request". A request either bucket cannot serve fails with
 * {@code RequestLimitExceeded}.
 *
 * <p>Capacities and refill rates are the page's tables "Request token bucket sizes and refill rates" and
 * "Resource token bucket sizes and refill rates". Of its categories, the console's own non-mutating bucket is
 * not modelled (nothing calls this cloud from the EC2 console); of its "Uncategorized actions", only the rows
 * of actions this cloud serves (and of the four actions with resource buckets) are listed here.
 *
 * <p>Seconds are AWS seconds: a bucket refills {@code rate} tokens per {@code timeFactor} real seconds. A
 * bucket starts full. The page does not say whether a refused request takes a token; here it takes none.
 */
public final class Ec2Throttling {

    /** A token bucket's maximum capacity and its refill rate in tokens per AWS second. */
    public record Limit(double capacity, double refillPerSecond) {}

    /** Non-mutating actions: "The Describe*, List*, Search*, and Get* API actions that are not included in another category." */
    public static final Limit NON_MUTATING = new Limit(100, 20);
    /**
     * Unfiltered and unpaginated non-mutating actions: the actions of {@link #UNFILTERED_UNPAGINATED} "when requested
     * without specifying either pagination or a filter, use tokens from a smaller token bucket".
     */
    public static final Limit UNFILTERED_NON_MUTATING = new Limit(50, 10);
    /** Mutating actions: "All mutating API actions that are not Resource-intensive actions or Uncategorized actions." */
    public static final Limit MUTATING = new Limit(50, 5);
    /** Resource-intensive actions, throttled "separately from other mutating actions". */
    public static final Limit RESOURCE_INTENSIVE = new Limit(50, 5);

    /** The page's list of unfiltered and unpaginated non-mutating actions. */
    static final Set<String> UNFILTERED_UNPAGINATED = Set.of("DescribeInstances", "DescribeInstanceStatus", "DescribeNetworkInterfaces",
            "DescribeSecurityGroups", "DescribeSnapshots", "DescribeSpotInstanceRequests", "DescribeVolumes");

    /** The page's list of resource-intensive actions. */
    static final Set<String> RESOURCE_INTENSIVE_ACTIONS = Set.of("AcceptVpcPeeringConnection", "AuthorizeSecurityGroupIngress",
            "CancelSpotInstanceRequests", "CreateKeyPair", "CreateVpcPeeringConnection", "DeleteVpcPeeringConnection",
            "RejectVpcPeeringConnection", "RevokeSecurityGroupIngress", "RequestSpotInstances");

    /**
     * Rows of the page's "Uncategorized actions" table ("API actions that receive their own token bucket sizes and
     * refill rates"): those of the actions this cloud serves, and RunInstances and TerminateInstances, which have
     * resource buckets. StopInstances is in no row of that table nor in the resource-intensive list, so it is a
     * mutating action.
     */
    static final Map<String, Limit> UNCATEGORIZED = Map.of(
            "CreateTags", new Limit(100, 10),
            "DeleteTags", new Limit(100, 10),
            "CreateVpcEndpoint", new Limit(4, 0.3),
            "DeleteVpcEndpoints", new Limit(4, 0.3),
            "DeleteSnapshot", new Limit(100, 5),
            "DeregisterImage", new Limit(100, 5),
            "RunInstances", new Limit(5, 2),
            "StartInstances", new Limit(5, 2),
            "TerminateInstances", new Limit(100, 5));

    /** The page's "Resource token bucket sizes and refill rates": tokens are instances. */
    static final Map<String, Limit> RESOURCE = Map.of(
            "RunInstances", new Limit(1000, 2),
            "TerminateInstances", new Limit(1000, 20),
            "StartInstances", new Limit(1000, 2),
            "StopInstances", new Limit(1000, 20));

    private final String accountId;
    private final double timeFactor;
    private volatile LongSupplier nanoClock = System::nanoTime;
    private final Map<String, Bucket> buckets = new LinkedHashMap<>();
    private final Map<String, Long> throttled = new LinkedHashMap<>();

    Ec2Throttling(String accountId, double timeFactor) {
        this.accountId = accountId;
        this.timeFactor = timeFactor;
    }

    /** Replaces the real-time clock (nanoseconds, as {@link System#nanoTime()}) the buckets refill by; buckets already made keep their level. */
    public synchronized void clock(LongSupplier nanos) {
        long now = nanos.getAsLong();
        buckets.values().forEach(b -> b.at = now);
        this.nanoClock = nanos;
    }

    /** The request bucket of {@code action}: its uncategorized row, else its category's. */
    public static Limit requestLimit(String action, boolean unfilteredUnpaginated) {
        Limit own = UNCATEGORIZED.get(action);
        if (own != null) return own;
        if (RESOURCE_INTENSIVE_ACTIONS.contains(action)) return RESOURCE_INTENSIVE;
        if (nonMutating(action)) {
            return unfilteredUnpaginated && UNFILTERED_UNPAGINATED.contains(action) ? UNFILTERED_NON_MUTATING : NON_MUTATING;
        }
        return MUTATING;
    }

    /** The resource bucket of {@code action}, or null when it has none. */
    public static Limit resourceLimit(String action) {
        return RESOURCE.get(action);
    }

    static boolean nonMutating(String action) {
        return action.startsWith("Describe") || action.startsWith("List") || action.startsWith("Search") || action.startsWith("Get");
    }

    /**
     * Takes a token from the request bucket of {@code action} (the smaller one when {@code request} has neither a filter
     * nor pagination and the action has one), and one per instance from its resource bucket, or refuses the request.
     */
    public void admit(String action, SdkPojo request) {
        admit(action, unfilteredUnpaginated(request), instances(action, request));
    }

    /** As {@link #admit(String, SdkPojo)}, with the request's shape already known. */
    public synchronized void admit(String action, boolean unfilteredUnpaginated, int instances) {
        long now = nanoClock.getAsLong();
        Bucket request = requestBucket(action, unfilteredUnpaginated, now);
        Limit resourceLimit = resourceLimit(action);
        Bucket resource = resourceLimit == null ? null : bucket("resource " + action, resourceLimit, now);
        if (request.tokens < 1) {
            refuse(action, "Request limit exceeded. Account " + accountId + " has been throttled on ec2:" + action
                    + " because it exceeded its request rate limit.");
        }
        if (resource != null && resource.tokens < instances) {
            refuse(action, "Request limit exceeded.");
        }
        request.tokens -= 1;
        if (resource != null) resource.tokens -= instances;
    }

    /** How many requests of each action were refused, in the order first refused. */
    public synchronized Map<String, Long> throttled() {
        return new LinkedHashMap<>(throttled);
    }

    /** Tokens now in the request bucket of {@code action} (the unfiltered one when {@code unfiltered}), full if never used. */
    public synchronized double tokens(String action, boolean unfiltered) {
        return requestBucket(action, unfiltered, nanoClock.getAsLong()).tokens;
    }

    /** An action's request bucket; its unfiltered and unpaginated requests, where it has that category, have one of their own. */
    private Bucket requestBucket(String action, boolean unfilteredUnpaginated, long now) {
        Limit limit = requestLimit(action, unfilteredUnpaginated);
        return bucket((limit == UNFILTERED_NON_MUTATING ? "unfiltered " : "") + action, limit, now);
    }

    private void refuse(String action, String message) {
        throttled.merge(action, 1L, Long::sum);
        // EC2 answers RequestLimitExceeded with HTTP 503, as SDK and CLI error output quoted in public issues shows
        // ("Request limit exceeded. (Service: AmazonEC2; Status Code: 503; Error Code: RequestLimitExceeded; ...)",
        // cloudfoundry/bosh-aws-cpi-release issue 61; "Request limit exceeded. Account ... has been throttled on
        // ec2:RunInstances because it exceeded its request rate limit. (Service: Ec2, Status Code: 503, ...)",
        // CloudSnorkel/cdk-github-runners issue 946).
        throw new AwsError("RequestLimitExceeded", message, 503);
    }

    private Bucket bucket(String key, Limit limit, long now) {
        Bucket b = buckets.computeIfAbsent(key, k -> new Bucket(limit, now));
        b.refill(now);
        return b;
    }

    /** Pagination is MaxResults or NextToken; a filter is a non-empty Filters list (Filter.N on the wire). */
    static boolean unfilteredUnpaginated(SdkPojo request) {
        for (SdkField<?> f : request.sdkFields()) {
            Object v = f.getValueOrDefault(request);
            switch (f.memberName()) {
                case "MaxResults", "NextToken" -> {
                    if (v != null) return false;
                }
                case "Filters" -> {
                    if (v instanceof List<?> l && !l.isEmpty()) return false;
                }
                default -> { }
            }
        }
        return true;
    }

    /**
     * The instances a request with a resource bucket acts on: its InstanceIds (StartInstances, StopInstances,
     * TerminateInstances). This cloud does not serve RunInstances, so how many of MinCount..MaxCount it counts is left open.
     */
    static int instances(String action, SdkPojo request) {
        if (!RESOURCE.containsKey(action)) return 0;
        for (SdkField<?> f : request.sdkFields()) {
            if (f.memberName().equals("InstanceIds") && f.getValueOrDefault(request) instanceof List<?> l) return l.size();
        }
        return 0;
    }

    private final class Bucket {
        final Limit limit;
        double tokens;
        long at;

        Bucket(Limit limit, long now) {
            this.limit = limit;
            this.tokens = limit.capacity();
            this.at = now;
        }

        void refill(long now) {
            if (now <= at) return;
            double awsSeconds = (now - at) / 1e9 / timeFactor;
            tokens = Math.min(limit.capacity(), tokens + awsSeconds * limit.refillPerSecond());
            at = now;
        }
    }
}
