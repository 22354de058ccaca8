package dev.xen2nitro.local.wire;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** An HTTP server of the local cloud on 127.0.0.1, its threads daemons, all of it stopped by {@link #close}. */
public final class LocalServer implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService threads;

    /** Serves {@code handler} under {@code path} on {@code port} (0: any free port). */
    public LocalServer(int port, String threadName, String path, HttpHandler handler) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
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

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
