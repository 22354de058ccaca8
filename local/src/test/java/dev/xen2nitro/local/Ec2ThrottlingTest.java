package dev.xen2nitro.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xen2nitro.local.cloud.Ec2Throttling;
import dev.xen2nitro.local.wire.AwsError;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.Filter;

/**
 * The EC2 emulator throttles as the EC2 Developer Guide's "Request throttling for the Amazon EC2 API" says:
 * one bucket per action, of its category's capacity and refill rate, a smaller one for unfiltered and
 * unpaginated requests of the listed Describe actions, resource buckets counted in instances, and
 * {@code RequestLimitExceeded} with HTTP 503 when a bucket is empty. The buckets refill by a clock the test
 * moves, in AWS seconds scaled by the world's time factor.
 */
class Ec2ThrottlingTest {
    private static final String INSTANCE = "i-0a1b2c3d4e5f60001";
    /** Real seconds per AWS second in this test's world. */
    private static final double TIME_FACTOR = 0.5;
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private Emulator emulator;
    private Ec2Client ec2;

    @BeforeEach
    void start() throws Exception {
        emulator = Worlds.start("seed-2012r2-private", s -> s.replaceFirst("\\{", "{\"timeFactor\": " + TIME_FACTOR + ","));
        emulator.cloud().ec2Throttling.clock(nanos::get);
        // No SDK retries: each call below is one request.
        ec2 = Ec2Client.builder().endpointOverride(emulator.endpoint()).region(Region.of(emulator.cloud().region))
                .credentialsProvider(Worlds.CREDS).httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
    }

    @AfterEach
    void stop() {
        ec2.close();
        emulator.close();
    }

    private void advanceAwsSeconds(double seconds) {
        nanos.addAndGet(Math.round(seconds * TIME_FACTOR * 1e9));
    }

    private static DescribeInstancesRequest filtered() {
        return DescribeInstancesRequest.builder().filters(Filter.builder().name("instance-id").values(INSTANCE).build()).build();
    }

    private static Ec2Exception throttled(Runnable call) {
        Ec2Exception e = assertThrows(Ec2Exception.class, call::run);
        assertEquals("RequestLimitExceeded", e.awsErrorDetails().errorCode());
        assertEquals(503, e.statusCode());
        return e;
    }

    @Test
    void aFilteredDescribeBurstOf100PassesThe101stIsThrottledAndOtherActionsAreNot() {
        for (int i = 0; i < 100; i++) {
            assertEquals(1, ec2.describeInstances(filtered()).reservations().size(), "call " + (i + 1));
        }
        Ec2Exception e = throttled(() -> ec2.describeInstances(filtered()));
        assertTrue(e.getMessage().contains("has been throttled on ec2:DescribeInstances"), e.getMessage());

        // Each API is evaluated individually: DescribeVpcs and StopInstances have buckets of their own.
        assertEquals(1, ec2.describeVpcs().vpcs().size());
        ec2.stopInstances(b -> b.instanceIds(INSTANCE));

        long refused = emulator.cloud().calls.stream()
                .filter(c -> "DescribeInstances".equals(c.get("operation")) && "RequestLimitExceeded".equals(c.get("error"))).count();
        assertEquals(1, refused);
        assertEquals(Map.of("DescribeInstances", 1L), emulator.cloud().ec2Throttling.throttled());
    }

    @Test
    void theBucketRefills20TokensPerAwsSecond() {
        for (int i = 0; i < 100; i++) {
            ec2.describeInstances(filtered());
        }
        throttled(() -> ec2.describeInstances(filtered()));

        advanceAwsSeconds(1);
        for (int i = 0; i < 20; i++) {
            ec2.describeInstances(filtered());
        }
        throttled(() -> ec2.describeInstances(filtered()));

        // An empty bucket is full again after 5 seconds, and holds no more than 100.
        advanceAwsSeconds(60);
        for (int i = 0; i < 100; i++) {
            ec2.describeInstances(filtered());
        }
        throttled(() -> ec2.describeInstances(filtered()));
    }

    @Test
    void unfilteredUnpaginatedDescribeInstancesUsesTheSmallerBucket() {
        for (int i = 0; i < 50; i++) {
            ec2.describeInstances();
        }
        throttled(() -> ec2.describeInstances());
        // Instance IDs are neither a filter nor pagination.
        throttled(() -> ec2.describeInstances(b -> b.instanceIds(INSTANCE)));
        // A filter or pagination takes from the standard bucket, still full.
        ec2.describeInstances(filtered());
        ec2.describeInstances(b -> b.maxResults(5));

        advanceAwsSeconds(1);
        for (int i = 0; i < 10; i++) {
            ec2.describeInstances();
        }
        throttled(() -> ec2.describeInstances());
    }

    @Test
    void startInstancesHasItsOwnBucketOf5Refilling2PerSecond() {
        for (int i = 0; i < 5; i++) {
            ec2.startInstances(b -> b.instanceIds(INSTANCE)); // a running instance: answered, nothing changes
        }
        throttled(() -> ec2.startInstances(b -> b.instanceIds(INSTANCE)));
        advanceAwsSeconds(1);
        ec2.startInstances(b -> b.instanceIds(INSTANCE));
        ec2.startInstances(b -> b.instanceIds(INSTANCE));
        throttled(() -> ec2.startInstances(b -> b.instanceIds(INSTANCE)));
    }

    @Test
    void resourceBucketsCountInstances() {
        Ec2Throttling t = emulator.cloud().ec2Throttling;
        // StopInstances: a mutating action (50, 5) with a resource bucket of 1000 instances refilling 20 a second.
        for (int i = 0; i < 10; i++) {
            t.admit("StopInstances", false, 100);
        }
        AwsError e = assertThrows(AwsError.class, () -> t.admit("StopInstances", false, 1));
        assertEquals("RequestLimitExceeded", e.code());
        assertEquals(503, e.status());
        assertEquals(40, t.tokens("StopInstances", false), 1e-9, "a refused request takes no token");

        advanceAwsSeconds(1);
        t.admit("StopInstances", false, 20);
        assertThrows(AwsError.class, () -> t.admit("StopInstances", false, 1));

        // TerminateInstances: request bucket 100 refilling 5, resource bucket 1000 refilling 20.
        assertEquals(new Ec2Throttling.Limit(100, 5), Ec2Throttling.requestLimit("TerminateInstances", true));
        assertEquals(new Ec2Throttling.Limit(1000, 20), Ec2Throttling.resourceLimit("TerminateInstances"));
        assertEquals(new Ec2Throttling.Limit(1000, 2), Ec2Throttling.resourceLimit("RunInstances"));
        assertEquals(null, Ec2Throttling.resourceLimit("DescribeInstances"));
    }

    @Test
    void actionsTakeTheirCategorysLimits() {
        assertEquals(new Ec2Throttling.Limit(100, 20), Ec2Throttling.requestLimit("DescribeVpcs", true));
        assertEquals(new Ec2Throttling.Limit(50, 10), Ec2Throttling.requestLimit("DescribeSecurityGroups", true));
        assertEquals(new Ec2Throttling.Limit(100, 20), Ec2Throttling.requestLimit("DescribeSecurityGroups", false));
        assertEquals(new Ec2Throttling.Limit(50, 5), Ec2Throttling.requestLimit("ModifyInstanceAttribute", false));
        assertEquals(new Ec2Throttling.Limit(50, 5), Ec2Throttling.requestLimit("AuthorizeSecurityGroupIngress", false));
        assertEquals(new Ec2Throttling.Limit(100, 10), Ec2Throttling.requestLimit("CreateTags", false));
        assertEquals(new Ec2Throttling.Limit(4, 0.3), Ec2Throttling.requestLimit("CreateVpcEndpoint", false));
        assertEquals(new Ec2Throttling.Limit(5, 2), Ec2Throttling.requestLimit("StartInstances", false));
    }

    @Test
    void aBucketRefillsInRealTimeScaledByTheTimeFactor() {
        Ec2Throttling t = emulator.cloud().ec2Throttling;
        for (int i = 0; i < 4; i++) {
            t.admit("CreateVpcEndpoint", false, 0);
        }
        assertThrows(AwsError.class, () -> t.admit("CreateVpcEndpoint", false, 0));
        // 0.3 tokens per AWS second: one token after 10/3 AWS seconds, that is 10/3 * 0.5 real seconds here.
        nanos.addAndGet(1_600_000_000L);
        assertThrows(AwsError.class, () -> t.admit("CreateVpcEndpoint", false, 0));
        nanos.addAndGet(100_000_000L);
        t.admit("CreateVpcEndpoint", false, 0);
    }
}
