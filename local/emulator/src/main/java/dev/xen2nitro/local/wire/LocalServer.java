package dev.xen2nitro.local.wire;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An HTTP server of the local cloud, on 127.0.0.1 unless told another address (0.0.0.0 for containers to reach it), its
 * threads daemons, all of it stopped by {@link #close}.
 */
public final class LocalServer implements AutoCloseable {
    static {
        // Every response at once: without TCP_NODELAY the JDK's server sends a response's body only after the client has
        // acknowledged its headers, which a client holding its ACK back (Linux's delayed ACK, 40 ms at least) makes wait on
        // every reused connection; AWS's endpoints add no such wait. Read once, when the JDK's server is first loaded
        // (sun.net.httpserver.ServerConfig), which this class does before any of its own; the tests set it from the start
        // (local/pom.xml), for the servers they start themselves.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final HttpServer server;
    private final ExecutorService threads;

    /** Serves {@code handler} under {@code path} on 127.0.0.1:{@code port} (0: any free port). */
    public LocalServer(int port, String threadName, String path, HttpHandler handler) throws IOException {
        this(LOOPBACK, port, threadName, path, handler);
    }

    public static final String LOOPBACK = "127.0.0.1";

    /** Serves {@code handler} under {@code path} on {@code host}:{@code port} (0: any free port). */
    public LocalServer(String host, int port, String threadName, String path, HttpHandler handler) throws IOException {
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 64);
        } catch (java.net.BindException e) {
            throw new java.net.BindException("cannot listen on " + host + ":" + port + " (" + e.getMessage()
                    + "): another process has the port, or the address is not this machine's; give another --port or --host");
        }
        threads = daemons(threadName, 8);
        server.setExecutor(threads);
        server.createContext(path, handler);
        server.start();
    }

    /** A pool of {@code size} daemon threads named {@code name} (0: as many as needed). */
    public static ExecutorService daemons(String name, int size) {
        java.util.concurrent.ThreadFactory factory = r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
        return size == 0 ? Executors.newCachedThreadPool(factory) : Executors.newFixedThreadPool(size, factory);
    }

    /** Where this machine reaches it: 127.0.0.1 when it listens on every address or on loopback, else its address. */
    public URI endpoint() {
        java.net.InetAddress a = server.getAddress().getAddress();
        String host = a.isAnyLocalAddress() || a.isLoopbackAddress() ? LOOPBACK : a.getHostAddress();
        return URI.create("http://" + host + ":" + server.getAddress().getPort());
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
