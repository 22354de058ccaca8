package dev.xen2nitro.functions.core;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The loopback server priming takes its answers from, spoken to by the JDK's HttpURLConnection as the URL connection
 * client speaks to it: each request gets the answer held for its name, whatever the way its body comes.
 */
class PrimingServerTest {

    private static HttpURLConnection open(PrimingServer server, String method, String id) throws IOException {
        HttpURLConnection c = (HttpURLConnection) new URL("http://" + server.host() + ":" + server.port() + "/p").openConnection(Proxy.NO_PROXY);
        c.setRequestMethod(method);
        c.setConnectTimeout(5_000);
        c.setReadTimeout(15_000);
        if (id != null) {
            c.setRequestProperty(PrimingServer.ANSWER_HEADER, id);
        }
        return c;
    }

    /** Sends {@code body}, of a fixed length or in chunks of 1,000 bytes, as the URL connection client streams one. */
    private static void send(HttpURLConnection c, byte[] body, boolean chunked) throws IOException {
        c.setDoOutput(true);
        if (chunked) {
            c.setChunkedStreamingMode(1000);
        } else {
            c.setFixedLengthStreamingMode(body.length);
        }
        try (OutputStream out = c.getOutputStream()) {
            out.write(body);
        }
    }

    private static String read(InputStream in) throws IOException {
        try (in) {
            return in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aPutThatAsksToContinueGetsItsAnswerAfterItsBody() throws Exception {
        try (PrimingServer server = PrimingServer.open()) {
            String id = server.expect(new PrimingAnswers.Answer("s3 PUT", 200, "text/xml", Map.of("ETag", "\"e\""), "<Done/>"));
            HttpURLConnection c = open(server, "PUT", id);
            c.setRequestProperty("Expect", "100-continue");
            send(c, new byte[2 * 1024 * 1024], false);
            assertEquals(200, c.getResponseCode());
            assertEquals(id, c.getHeaderField(PrimingServer.ANSWER_HEADER));
            assertEquals("\"e\"", c.getHeaderField("ETag"));
            assertEquals("<Done/>", read(c.getInputStream()));
        }
    }

    /** The server says to continue before the client sends its body, as a client that asks waits for (RFC 9110, Expect). */
    @Test
    void aRequestThatAsksToContinueIsToldToBeforeItsBodyIsSent() throws Exception {
        try (PrimingServer server = PrimingServer.open();
             java.net.Socket s = new java.net.Socket(server.host().replace("[", "").replace("]", ""), server.port())) {
            s.setSoTimeout(5_000);
            String id = server.expect(new PrimingAnswers.Answer("s3 PUT", 200, "text/xml", Map.of(), ""));
            OutputStream out = s.getOutputStream();
            out.write(("PUT /p HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n" + PrimingServer.ANSWER_HEADER + ": " + id
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] expected = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            assertEquals(new String(expected, StandardCharsets.US_ASCII), new String(in.readNBytes(expected.length), StandardCharsets.US_ASCII));
            out.write("body".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertTrue(read(in).startsWith("HTTP/1.1 200 "));
        }
    }

    @Test
    void aChunkedBodyIsReadToItsEnd() throws Exception {
        try (PrimingServer server = PrimingServer.open()) {
            String id = server.expect(new PrimingAnswers.Answer("ssm GetParameter", 200, "application/x-amz-json-1.1", Map.of(), "{\"a\":1}"));
            HttpURLConnection c = open(server, "POST", id);
            send(c, "x".repeat(5_500).getBytes(StandardCharsets.US_ASCII), true);
            assertEquals(200, c.getResponseCode());
            assertEquals("{\"a\":1}", read(c.getInputStream()));
        }
    }

    @Test
    void aHeadGetsTheRecordedLengthAndNoBodyWhileAGetGetsItsWholeBody() throws Exception {
        try (PrimingServer server = PrimingServer.open()) {
            String head = server.expect(new PrimingAnswers.Answer("s3 HEAD", 200, "application/octet-stream", Map.of("Content-Length", "54"), ""));
            String get = server.expect(new PrimingAnswers.Answer("s3 GET", 200, "text/plain", Map.of("Content-Length", "2"), "whole"));
            HttpURLConnection h = open(server, "HEAD", head);
            assertEquals(200, h.getResponseCode());
            assertEquals(54, h.getContentLengthLong());
            assertEquals("", read(h.getInputStream()));
            HttpURLConnection g = open(server, "GET", get);
            assertEquals(200, g.getResponseCode());
            assertEquals("whole", read(g.getInputStream()), "a recorded length is a HEAD's only");
        }
    }

    @Test
    void anErrorAnswerComesWithItsBody() throws Exception {
        try (PrimingServer server = PrimingServer.open()) {
            String id = server.expect(new PrimingAnswers.Answer("ec2 StopInstances", 400, "text/xml", Map.of(), "<Response><Errors/></Response>"));
            HttpURLConnection c = open(server, "POST", id);
            send(c, "a=b".getBytes(StandardCharsets.US_ASCII), false);
            assertEquals(400, c.getResponseCode());
            assertEquals("<Response><Errors/></Response>", read(c.getErrorStream()));
        }
    }

    @Test
    void aRequestWithNoAnswerHeldGetsNoneAndTheServerGoesOn() throws Exception {
        try (PrimingServer server = PrimingServer.open()) {
            assertThrows(IOException.class, () -> open(server, "GET", "nothing-held").getResponseCode());
            String id = server.expect(new PrimingAnswers.Answer("sns Publish", 200, "text/xml", Map.of(), "<R/>"));
            HttpURLConnection c = open(server, "GET", id);
            assertEquals(200, c.getResponseCode());
            assertEquals("<R/>", read(c.getInputStream()));
            // Each answer is given once.
            assertThrows(IOException.class, () -> open(server, "GET", id).getResponseCode());
        }
    }

    /** A client that stops half-way (here before its body) does not keep the server's thread alive past its close. */
    @Test
    void closingEndsAnExchangeLeftHalfWay() throws Exception {
        PrimingServer server = PrimingServer.open();
        try (java.net.Socket s = new java.net.Socket(server.host().replace("[", "").replace("]", ""), server.port())) {
            s.setSoTimeout(5_000);
            s.getOutputStream().write(("PUT /p HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nExpect: 100-continue\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            // Told to continue: the server is in the exchange, waiting for a body that does not come.
            assertTrue(new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII).startsWith("HTTP/1.1 100"));
            server.close();
            assertFalse(server.running(), "the server's thread outlived its close, waiting on the client");
        }
    }

    @Test
    void onceClosedNothingListensAndItsThreadIsGone() throws Exception {
        PrimingServer server = PrimingServer.open();
        int port = server.port();
        server.close();
        assertThrows(IOException.class, () -> new java.net.Socket(server.host().replace("[", "").replace("]", ""), port).close());
        assertFalse(server.running());
    }
}
