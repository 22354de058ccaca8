package dev.xen2nitro.functions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.fasterxml.jackson.databind.JsonNode;
import dev.xen2nitro.functions.core.InvalidInputException;
import dev.xen2nitro.functions.core.JsonHandler;
import dev.xen2nitro.functions.guest.AssessGuest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One JSON log line per invocation: function, instance, execution, milliseconds, outcome or error type; nothing else. */
class InvocationLogTest {

    /** The context Lambda passes, with a logger that keeps what is logged. */
    static final class Captured implements Context {
        final List<String> lines = new ArrayList<>();
        final String name;

        Captured(String name) {
            this.name = name;
        }

        public String getAwsRequestId() { return "request"; }
        public String getLogGroupName() { return "/xen2nitro/functions"; }
        public String getLogStreamName() { return "stream"; }
        public String getFunctionName() { return name; }
        public String getFunctionVersion() { return "1"; }
        public String getInvokedFunctionArn() { return "arn:aws:lambda:us-east-1:123456789012:function:" + name + ":live"; }
        public CognitoIdentity getIdentity() { return null; }
        public ClientContext getClientContext() { return null; }
        public int getRemainingTimeInMillis() { return 60_000; }
        public int getMemoryLimitInMB() { return 1024; }
        public LambdaLogger getLogger() {
            return new LambdaLogger() {
                public void log(String message) { lines.add(message); }
                public void log(byte[] message) { lines.add(new String(message, StandardCharsets.UTF_8)); }
            };
        }
    }

    private static JsonNode only(Captured c) throws Exception {
        assertEquals(1, c.lines.size(), "one line per invocation: " + c.lines);
        assertTrue(c.lines.get(0).endsWith("\n") && c.lines.get(0).indexOf('\n') == c.lines.get(0).length() - 1, "a single line");
        return JsonHandler.JSON.readTree(c.lines.get(0));
    }

    @Test
    void aSucceededInvocationIsOneLine() throws Exception {
        String facts = Files.readString(Path.of("..", "events", "guest-facts.json"));
        String in = JsonHandler.JSON.writeValueAsString(java.util.Map.of("instanceId", "i-0a1b2c3d4e5f60001", "output", facts));
        Captured c = new Captured("xen2nitro-AssessGuestFunction-1A2B");
        new AssessGuest().handleRequest(new ByteArrayInputStream(in.getBytes(StandardCharsets.UTF_8)), new ByteArrayOutputStream(), c);
        JsonNode line = only(c);
        assertEquals("xen2nitro-AssessGuestFunction-1A2B", line.path("function").asText());
        assertEquals("i-0a1b2c3d4e5f60001", line.path("instanceId").asText());
        assertTrue(line.path("execution").isNull());
        assertTrue(line.path("ms").canConvertToLong() && line.path("ms").asLong() >= 0);
        assertEquals("succeeded", line.path("outcome").asText());
        assertTrue(line.path("errorType").isNull());
        assertFalse(c.lines.get(0).contains("FileServer"), "the guest's facts are not logged");
    }

    @Test
    void aFailedInvocationNamesTheErrorTypeAndNeverTheTaskToken() throws Exception {
        String token = "AQCEAAAAKgAAAAMAAAAAAAAAAX-secret-token";
        String in = "{\"instanceId\":\"i-0a1b2c3d4e5f60001\",\"execution\":\"arn:aws:states:us-east-1:123456789012:execution:m:run-1\",\"taskToken\":\"" + token + "\",\"unknown\":1}";
        Captured c = new Captured("xen2nitro-RequestApprovalFunction-1A2B");
        assertThrows(InvalidInputException.class, () -> new dev.xen2nitro.functions.approval.RequestApproval()
                .handleRequest(new ByteArrayInputStream(in.getBytes(StandardCharsets.UTF_8)), new ByteArrayOutputStream(), c));
        JsonNode line = only(c);
        assertEquals("failed", line.path("outcome").asText());
        assertEquals(InvalidInputException.class.getName(), line.path("errorType").asText());
        assertFalse(c.lines.get(0).contains(token), "no task token in a log line");
    }
}
