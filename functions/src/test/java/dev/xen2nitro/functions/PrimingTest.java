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
 * handler's request paths run, answered in the process. Afterwards the same clients send their calls. The surefire
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
    void whilePrimingTheCallsAreAnsweredInTheProcess() {
        long before = Aws.requestsSent();
        String[] state = new String[1];
        Aws.priming(() -> state[0] = String.valueOf(Aws.ec2().describeInstances(r -> r.instanceIds("i-0a1b2c3d4e5f60001")).reservations()));
        assertEquals("[]", state[0], "the canned answer is an empty success");
        assertEquals(before, Aws.requestsSent());
    }
}
