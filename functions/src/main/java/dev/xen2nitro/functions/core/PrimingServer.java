package dev.xen2nitro.functions.core;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;

/**
 * A server on the loopback interface, open only while the process primes, that gives each priming request the answer
 * chosen for it ({@link Aws#priming}), so that priming runs the HTTP client's own code (the URL connection client writing
 * the request, HttpURLConnection sending it and reading the status, headers and body) as an invocation will, not only the
 * SDK's code above it: the Lambda guide recommends preloading what contributes to startup latency with dummy invocations
 * before the snapshot (Lambda Developer Guide, "Maximize Lambda SnapStart performance", performance tuning; the AWS
 * Compute Blog calls it invoke priming: "Optimizing cold start performance of AWS Lambda using advanced priming
 * strategies with SnapStart").
 *
 * <p>Nothing leaves the execution environment: the server listens on the loopback address only, and its requests are sent
 * by a URL connection client that opens them with no proxy ({@link #send}); it answers one exchange per connection with {@code Connection: close} (so
 * HttpURLConnection keeps no connection alive for later) and echoes the answer's name, which the client checks; it is
 * closed, its thread ended, before priming returns. So no socket is open in the snapshot: the SnapStart guide does not
 * guarantee the state of connections made before it ("Maximize Lambda SnapStart performance", networking best
 * practices). The exchange is plain HTTP, one request a connection: the TLS of AWS's endpoints, and the reuse of a kept
 * connection, are not primed.
 */
final class PrimingServer implements AutoCloseable {
    /** The request header that names the answer a priming request is to get. */
    static final String ANSWER_HEADER = "X-Xen2nitro-Priming-Answer";

    /** How long a read of an exchange may wait. */
    private static final int TIMEOUT_MILLIS = 10_000;
    /** How long {@link #close} waits for the thread, once every socket is closed (which ends it at once). */
    private static final int JOIN_MILLIS = 2_000;

    private final ServerSocket socket;
    private final Map<String, PrimingAnswers.Answer> expected = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong answered = new AtomicLong();
    private final Thread acceptor;
    /** The connection being answered, closed by {@link #close} should it hang; and whether closed: both under this. */
    private Socket current;
    private boolean closed;

    private PrimingServer(ServerSocket socket) {
        this.socket = socket;
        this.acceptor = new Thread(this::serve, "xen2nitro-priming-server");
        this.acceptor.setDaemon(true);
        this.acceptor.start();
    }

    /** Opens the server on an ephemeral port of the loopback address. */
    static PrimingServer open() throws IOException {
        ServerSocket s = new ServerSocket();
        try {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
            return new PrimingServer(s);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /**
     * The client of the exchanges: the URL connection client every SDK client uses, its connections opened with no proxy
     * whatever the JVM's or the environment's proxy settings ({@code Proxy.NO_PROXY}), and, as the SDK's own factory
     * would, with timeouts (2 s to connect, as the SDK's default; {@link #TIMEOUT_MILLIS} to read).
     */
    private static final class ClientHolder {
        static final SdkHttpClient CLIENT = UrlConnectionHttpClient.create(uri -> {
            try {
                java.net.HttpURLConnection c = (java.net.HttpURLConnection) uri.toURL().openConnection(java.net.Proxy.NO_PROXY);
                c.setConnectTimeout(2_000);
                c.setReadTimeout(TIMEOUT_MILLIS);
                return c;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e); // the exchange fails, and the answer is given in the process
            }
        });
    }

    /**
     * {@code request} as the SDK prepared it (its body {@code sent}), sent to this server through the URL connection
     * client and answered with {@code answer}; should the exchange fail at any point (the answer is read whole, and must
     * carry its name back), {@code otherwise} answers it.
     */
    ExecutableHttpRequest send(HttpExecuteRequest request, byte[] sent, PrimingAnswers.Answer answer, ExecutableHttpRequest otherwise) {
        String id = expect(answer);
        SdkHttpRequest.Builder to = request.httpRequest().toBuilder().protocol("http").host(host()).port(port()).putHeader(ANSWER_HEADER, id);
        HttpExecuteRequest.Builder via = HttpExecuteRequest.builder();
        if (request.contentStreamProvider().isPresent()) {
            to.putHeader("Content-Length", String.valueOf(sent.length));
            via.contentStreamProvider(() -> new java.io.ByteArrayInputStream(sent));
        }
        ExecutableHttpRequest exchange;
        try {
            exchange = ClientHolder.CLIENT.prepareRequest(via.request(to.build()).build());
        } catch (RuntimeException e) {
            forget(id);
            return otherwise;
        }
        return new ExecutableHttpRequest() {
            @Override
            public HttpExecuteResponse call() throws IOException {
                try {
                    HttpExecuteResponse r = exchange.call();
                    byte[] received = null;
                    if (r.responseBody().isPresent()) {
                        try (AbortableInputStream in = r.responseBody().get()) {
                            received = in.readAllBytes();
                        }
                    }
                    if (!id.equals(r.httpResponse().firstMatchingHeader(ANSWER_HEADER).orElse(null))) {
                        throw new IOException("not the loopback server's answer " + id + ": HTTP " + r.httpResponse().statusCode());
                    }
                    answered.incrementAndGet();
                    return HttpExecuteResponse.builder().response(r.httpResponse())
                            .responseBody(received == null ? null : AbortableInputStream.create(new java.io.ByteArrayInputStream(received))).build();
                } catch (IOException | RuntimeException e) {
                    forget(id);
                    return otherwise.call();
                }
            }

            @Override
            public void abort() {
                exchange.abort();
            }
        };
    }

    /** Requests {@link #send} has had answered by this server, whole and named as sent. */
    long answered() {
        return answered.get();
    }

    /** The loopback address as a URI's host: 127.0.0.1, or [::1] where the JVM prefers IPv6. */
    String host() {
        InetAddress a = socket.getInetAddress();
        return a instanceof java.net.Inet6Address ? "[" + a.getHostAddress() + "]" : a.getHostAddress();
    }

    int port() {
        return socket.getLocalPort();
    }

    /** Holds {@code answer} for the request that will carry the returned value in {@link #ANSWER_HEADER}. */
    String expect(PrimingAnswers.Answer answer) {
        String id = Long.toString(ids.incrementAndGet());
        expected.put(id, answer);
        return id;
    }

    /** Drops an answer no request came for (its request failed before it was sent). */
    void forget(String id) {
        expected.remove(id);
    }

    private void serve() {
        for (;;) {
            Socket s;
            try {
                s = socket.accept();
            } catch (IOException e) {
                // Closed (priming is over), or unable to accept: stop listening, so that a client is refused at once
                // and takes its answer in the process ({@link #send}).
                closeQuietly(socket);
                return;
            }
            synchronized (this) {
                if (closed) {
                    closeQuietly(s);
                    return;
                }
                current = s;
            }
            try (s) {
                s.setSoTimeout(TIMEOUT_MILLIS);
                s.setTcpNoDelay(true);
                exchange(s.getInputStream(), s.getOutputStream());
            } catch (IOException | RuntimeException e) {
                // One broken exchange: its request fails in the client, which then takes its answer in the process;
                // the server goes on.
            }
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // Closing: nothing to do.
        }
    }

    private void exchange(InputStream raw, OutputStream out) throws IOException {
        InputStream in = new BufferedInputStream(raw);
        String requestLine = line(in);
        String method = requestLine.isEmpty() ? "" : requestLine.substring(0, Math.max(0, requestLine.indexOf(' ')));
        long length = 0;
        boolean chunked = false;
        boolean expectContinue = false;
        String id = null;
        for (String header = line(in); !header.isEmpty(); header = line(in)) {
            int colon = header.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = header.substring(colon + 1).trim();
            switch (name) {
                case "content-length" -> length = Long.parseLong(value);
                case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                case "expect" -> expectContinue = value.equalsIgnoreCase("100-continue");
                default -> {
                    if (name.equals(ANSWER_HEADER.toLowerCase(Locale.ROOT))) {
                        id = value;
                    }
                }
            }
        }
        if (expectContinue) {
            out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }
        if (chunked) {
            skipChunks(in);
        } else {
            in.skipNBytes(length);
        }
        PrimingAnswers.Answer answer = id == null ? null : expected.remove(id);
        if (answer == null) {
            throw new IOException("a request with no answer held for it: " + requestLine);
        }
        boolean head = method.equals("HEAD");
        byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
        StringBuilder lines = new StringBuilder("HTTP/1.1 ").append(answer.status()).append(" Primed\r\n")
                .append("Content-Type: ").append(answer.contentType()).append("\r\n")
                .append(ANSWER_HEADER).append(": ").append(id).append("\r\n");
        String contentLength = String.valueOf(body.length);
        for (var h : answer.headers().entrySet()) {
            if (h.getKey().equalsIgnoreCase("Content-Length")) {
                if (head) {
                    contentLength = h.getValue(); // a HEAD's: the object's length, with no body sent
                }
            } else {
                lines.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
            }
        }
        lines.append("Content-Length: ").append(contentLength).append("\r\nConnection: close\r\n\r\n");
        ByteArrayOutputStream response = new ByteArrayOutputStream();
        response.write(lines.toString().getBytes(StandardCharsets.UTF_8));
        if (!head) {
            response.write(body);
        }
        out.write(response.toByteArray()); // at once
        out.flush();
    }

    private static void skipChunks(InputStream in) throws IOException {
        for (;;) {
            String size = line(in);
            int ext = size.indexOf(';');
            long n = Long.parseLong((ext < 0 ? size : size.substring(0, ext)).trim(), 16);
            if (n == 0) {
                while (!line(in).isEmpty()) {
                    // trailers
                }
                return;
            }
            in.skipNBytes(n);
            line(in);
        }
    }

    /** One CRLF-ended line, without its end; empty at the end of the stream. */
    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
            if (c != '\r') {
                b.write(c);
            }
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    /**
     * Closes the server's socket and the connection it is answering, if any (a client that stopped half-way), which ends
     * its thread at once, and waits for that. Should the thread still run, says so on standard error, which Lambda
     * logs: it would be in the snapshot.
     */
    @Override
    public void close() {
        Socket s;
        synchronized (this) {
            closed = true;
            s = current;
        }
        closeQuietly(socket);
        if (s != null) {
            closeQuietly(s);
        }
        try {
            acceptor.join(JOIN_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (acceptor.isAlive()) {
            System.err.println("xen2nitro: the priming server's thread did not end within " + JOIN_MILLIS + " ms of its close");
        }
        expected.clear();
    }

    /** Whether the server's thread still runs. */
    boolean running() {
        return acceptor.isAlive();
    }
}
