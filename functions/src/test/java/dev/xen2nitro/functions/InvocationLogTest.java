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
        /** Which lines came as bytes, which Lambda's Java runtime writes as they are in the JSON log format. */
        final List<Boolean> bytes = new ArrayList<>();
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
                public void log(String message) { lines.add(message); bytes.add(false); }
                public void log(byte[] message) { lines.add(new String(message, StandardCharsets.UTF_8)); bytes.add(true); }
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

    /** A handler that counts what it was given, as RecordOutcome counts an instance left needing attention. */
    static final class Counting extends JsonHandler<dev.xen2nitro.functions.typechange.InstanceRef, dev.xen2nitro.functions.typechange.InstanceRef> {
        Counting() {
            super(dev.xen2nitro.functions.typechange.InstanceRef.class);
        }

        @Override
        protected dev.xen2nitro.functions.typechange.InstanceRef handle(dev.xen2nitro.functions.typechange.InstanceRef input) {
            return input;
        }

        @Override
        protected java.util.Map<String, Integer> metrics(dev.xen2nitro.functions.typechange.InstanceRef in, dev.xen2nitro.functions.typechange.InstanceRef out) {
            return out.instanceId().endsWith("1") ? java.util.Map.of("Counted", 1) : java.util.Map.of();
        }

        @Override
        protected dev.xen2nitro.functions.typechange.InstanceRef sampleInput() {
            return new dev.xen2nitro.functions.typechange.InstanceRef("i-0123456789abcdef0");
        }
    }

    /**
     * A metric of the invocation goes into its one line in the embedded metric format (namespace xen2nitro, the function as
     * dimension), written as bytes so that the JSON log format leaves it at the top of the log event; without one, the line
     * is as before.
     */
    @Test
    void aMetricOfTheInvocationIsInItsLineInTheEmbeddedMetricFormat() throws Exception {
        Captured c = new Captured("xen2nitro-RecordOutcomeFunction-1A2B");
        new Counting().handleRequest(new ByteArrayInputStream("{\"instanceId\":\"i-0a1b2c3d4e5f60001\"}".getBytes(StandardCharsets.UTF_8)),
                new ByteArrayOutputStream(), c);
        JsonNode line = only(c);
        assertEquals(List.of(true), c.bytes);
        assertEquals("succeeded", line.path("outcome").asText());
        assertEquals(1, line.path("Counted").asInt());
        assertEquals("xen2nitro-RecordOutcomeFunction-1A2B", line.path("function").asText());
        assertEquals("{\"Namespace\":\"xen2nitro\",\"Dimensions\":[[\"function\"]],\"Metrics\":[{\"Name\":\"Counted\",\"Unit\":\"Count\"}]}",
                line.at("/_aws/CloudWatchMetrics/0").toString());
        assertTrue(line.at("/_aws/Timestamp").isIntegralNumber());

        Captured none = new Captured("xen2nitro-RecordOutcomeFunction-1A2B");
        new Counting().handleRequest(new ByteArrayInputStream("{\"instanceId\":\"i-0a1b2c3d4e5f60002\"}".getBytes(StandardCharsets.UTF_8)),
                new ByteArrayOutputStream(), none);
        JsonNode plain = only(none);
        assertEquals(List.of(false), none.bytes);
        assertFalse(plain.has("_aws") || plain.has("Counted"), plain.toString());
    }
}
