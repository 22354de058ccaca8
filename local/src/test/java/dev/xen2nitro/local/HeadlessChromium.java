package dev.xen2nitro.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Debian's Chromium (/usr/bin/chromium; .ci/run installs it) in headless mode, driven through the Chrome DevTools
 * Protocol over its WebSocket (chromedevtools.github.io/devtools-protocol: Page.navigate, Page.loadEventFired,
 * Runtime.evaluate, Page.captureScreenshot), as a person's browser opens the approval link: no library between the
 * test and the browser. Each instance is a browser of its own with an empty profile, stopped by {@link #close}.
 */
final class HeadlessChromium implements AutoCloseable {
    static final Path BINARY = Path.of("/usr/bin/chromium");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://\\S+)");

    private final Process process;
    private final Path profile;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> replies = new ConcurrentHashMap<>();
    private final BlockingQueue<String> loads = new LinkedBlockingQueue<>();

    private HeadlessChromium(Process process, Path profile, WebSocket socket) {
        this.process = process;
        this.profile = profile;
        this.socket = socket;
    }

    static HeadlessChromium start() throws Exception {
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException(BINARY + " is missing: apt-get install -y chromium (.ci/run does)");
        }
        Path profile = Files.createTempDirectory("xen2nitro-chromium");
        // --no-sandbox: tests may run as root, whom Chromium's sandbox refuses.
        Process p = new ProcessBuilder(BINARY.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--window-size=900,1100", "--remote-debugging-port=0", "--user-data-dir=" + profile, "about:blank")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
        String browser = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (String line; browser == null && System.nanoTime() < deadline && (line = err.readLine()) != null; ) {
            Matcher m = LISTENING.matcher(line);
            if (m.find()) browser = m.group(1);
        }
        if (browser == null) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
            throw new IllegalStateException("Chromium did not open its DevTools port");
        }
        Thread drain = new Thread(() -> {
            try {
                err.transferTo(java.io.Writer.nullWriter());
            } catch (IOException ended) {
                // The browser stopped.
            }
        }, "chromium-stderr");
        drain.setDaemon(true);
        drain.start();
        URI list = URI.create(browser.replaceFirst("^ws://", "http://").replaceFirst("/devtools/browser/.*$", "/json/list"));
        HttpClient http = HttpClient.newHttpClient();
        JsonNode targets = JSON.readTree(http.send(HttpRequest.newBuilder(list).build(), HttpResponse.BodyHandlers.ofString()).body());
        String page = null;
        for (JsonNode t : targets) {
            if ("page".equals(t.path("type").asText())) page = t.path("webSocketDebuggerUrl").asText();
        }
        HeadlessChromium[] self = new HeadlessChromium[1];
        StringBuilder partial = new StringBuilder();
        WebSocket ws = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10)).buildAsync(URI.create(page), new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    if (self[0] != null) self[0].received(partial.toString());
                    partial.setLength(0);
                }
                w.request(1);
                return null;
            }
        }).get(30, TimeUnit.SECONDS);
        self[0] = new HeadlessChromium(p, profile, ws);
        self[0].send("Page.enable", JSON.createObjectNode());
        return self[0];
    }

    private void received(String text) {
        try {
            JsonNode m = JSON.readTree(text);
            if (m.has("id")) {
                CompletableFuture<JsonNode> f = replies.remove(m.get("id").asInt());
                if (f != null) f.complete(m);
            } else if ("Page.loadEventFired".equals(m.path("method").asText())) {
                loads.add(text);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    JsonNode send(String method, ObjectNode params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        replies.put(id, reply);
        ObjectNode m = JSON.createObjectNode().put("id", id).put("method", method);
        m.set("params", params);
        socket.sendText(m.toString(), true).get(30, TimeUnit.SECONDS);
        JsonNode r = reply.get(60, TimeUnit.SECONDS);
        if (r.has("error")) {
            throw new IllegalStateException(method + ": " + r.get("error"));
        }
        return r.path("result");
    }

    /** Opens {@code url} as a typed address and waits until the page has loaded. */
    void open(String url) throws Exception {
        loads.clear();
        send("Page.navigate", JSON.createObjectNode().put("url", url));
        awaitLoad();
    }

    void awaitLoad() throws InterruptedException {
        if (loads.poll(60, TimeUnit.SECONDS) == null) {
            throw new IllegalStateException("the page did not load within a minute");
        }
    }

    /** The value of a JavaScript expression in the page. */
    String evaluate(String expression) throws Exception {
        JsonNode r = send("Runtime.evaluate", JSON.createObjectNode().put("expression", expression).put("returnByValue", true));
        return r.at("/result/value").asText(null);
    }

    /** Runs {@code action} (a click that submits a form) and waits for the page it leads to. */
    void submit(String action) throws Exception {
        loads.clear();
        evaluate(action);
        awaitLoad();
    }

    /** The text a person reads on the page. */
    String text() throws Exception {
        return evaluate("document.body.innerText");
    }

    byte[] screenshot() throws Exception {
        return Base64.getDecoder().decode(send("Page.captureScreenshot", JSON.createObjectNode().put("format", "png")).path("data").asText());
    }

    @Override
    public void close() {
        socket.abort();
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (var files = Files.walk(profile)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // A temporary profile left behind is harmless.
        }
    }
}
