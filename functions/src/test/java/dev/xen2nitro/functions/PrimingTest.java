package dev.xen2nitro.functions;

import dev.xen2nitro.functions.core.Aws;
import dev.xen2nitro.functions.core.JsonHandler;

import static org.junit.jupiter.api.Assertions.*;

import dev.xen2nitro.functions.typechange.CheckInstanceState;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Priming for the SnapStart snapshot runs every handler's calls without sending any: the SDK clients are built and the
 * handler's request paths run, the HTTP client's included, answered by a loopback server open only while priming. Afterwards the same clients send their calls. The surefire
 * configuration points the SDK at a closed local port ({@code aws.endpointUrl}), so a call that is sent fails at once.
 */
class PrimingTest {

    @Test
    void primingEveryHandlerSendsNoRequestAndBuildsTheClients() throws Exception {
        long before = Aws.requestsSent();
        for (JsonHandler<?, ?> handler : HandlerInputTest.ALL) {
            handler.beforeCheckpoint(null);
        }
        assertEquals(before, Aws.requestsSent(), "priming sent a request");
    }

    @Test
    void afterPrimingAnInvocationSendsItsCalls() throws Exception {
        CheckInstanceState handler = new CheckInstanceState();
        handler.beforeCheckpoint(null);
        long before = Aws.requestsSent();
        // Nothing listens at the endpoint: the call is sent, and fails as a refused connection does (a transient error the state machine retries).
        assertThrows(dev.xen2nitro.functions.core.TransientAwsException.class, () -> handler.handleRequest(
                new ByteArrayInputStream("{\"instanceId\":\"i-0a1b2c3d4e5f60001\"}".getBytes(StandardCharsets.UTF_8)),
                new ByteArrayOutputStream(), null));
        assertTrue(Aws.requestsSent() > before, "the invocation's call was not sent");
    }

    @Test
    void whilePrimingTheCallsAreAnsweredThroughTheHttpClientFromTheLoopback() {
        long before = Aws.requestsSent();
        long overLoopback = Aws.primedOverLoopback();
        String[] state = new String[1];
        Aws.priming(() -> state[0] = String.valueOf(Aws.ec2().describeInstances(r -> r.instanceIds("i-0a1b2c3d4e5f60001")).reservations()));
        assertEquals("[]", state[0], "the canned answer is an empty success");
        assertEquals(before, Aws.requestsSent());
        assertEquals(overLoopback + 1, Aws.primedOverLoopback(), "the answer did not come through the HTTP client");
        assertNoPrimingServerLeft();
    }

    /** A request with a body (an S3 PUT), a HEAD, and a JSON call each take their answer over the loopback. */
    @Test
    void requestsWithABodyAndHeadsComeThroughTheLoopbackToo() {
        long overLoopback = Aws.primedOverLoopback();
        Aws.priming(() -> {
            Aws.s3().putObject(b -> b.bucket("xen2nitro-priming").key("k"), software.amazon.awssdk.core.sync.RequestBody.fromString("x".repeat(10_000)));
            Aws.s3().headObject(b -> b.bucket("xen2nitro-priming").key("k"));
            Aws.ssm().getParameter(b -> b.name("/xen2nitro/priming"));
        });
        assertEquals(overLoopback + 3, Aws.primedOverLoopback(), "some answers were given in the process instead");
        assertNoPrimingServerLeft();
    }

    /** Even where the JDK's proxy selector would send loopback to a proxy, priming's exchanges reach no proxy. */
    @Test
    void aProxyForLoopbackIsNotUsedWhilePriming() throws Exception {
        java.net.ProxySelector before = java.net.ProxySelector.getDefault();
        try (java.net.ServerSocket proxy = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            java.net.Proxy http = new java.net.Proxy(java.net.Proxy.Type.HTTP, proxy.getLocalSocketAddress());
            java.net.ProxySelector.setDefault(new java.net.ProxySelector() {
                @Override
                public java.util.List<java.net.Proxy> select(java.net.URI uri) {
                    return java.util.List.of(http);
                }

                @Override
                public void connectFailed(java.net.URI uri, java.net.SocketAddress sa, java.io.IOException e) {
                }
            });
            long answered = Aws.primedAnswers();
            long overLoopback = Aws.primedOverLoopback();
            String[] state = new String[1];
            Aws.priming(() -> state[0] = String.valueOf(Aws.ec2().describeInstances(r -> r.instanceIds("i-0a1b2c3d4e5f60001")).reservations()));
            assertEquals("[]", state[0]);
            assertEquals(answered + 1, Aws.primedAnswers());
            assertEquals(overLoopback + 1, Aws.primedOverLoopback(), "the answer did not come over the loopback");
            proxy.setSoTimeout(200);
            assertThrows(java.net.SocketTimeoutException.class, proxy::accept, "the proxy was connected to");
        } finally {
            java.net.ProxySelector.setDefault(before);
        }
        assertNoPrimingServerLeft();
    }

    /** The loopback server is closed and its thread gone once priming returns: nothing of it is in the snapshot. */
    private static void assertNoPrimingServerLeft() {
        assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().equals("xen2nitro-priming-server") && t.isAlive()),
                "the priming server's thread outlived priming");
    }
}
