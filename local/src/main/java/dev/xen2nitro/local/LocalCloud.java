package dev.xen2nitro.local;

import dev.xen2nitro.local.cloud.Cloud;
import dev.xen2nitro.local.host.LambdaHost;
import dev.xen2nitro.local.host.Template;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * The emulator, the Lambda host and the runner together: one migration in one JVM. The functions
 * reach the emulator through the SDK's standard endpoint override ({@code aws.endpointUrl}, the
 * system-property form of {@code AWS_ENDPOINT_URL}), set here before any function builds a client.
 * The clients are built once per JVM, so one JVM serves one local cloud at a time: {@link #reset}
 * loads another world into the same emulator.
 */
public final class LocalCloud implements AutoCloseable {
    private final Path projectRoot;
    private final Template template;
    private final Emulator emulator;
    private final LambdaHost host;

    private static LocalCloud current;

    private LocalCloud(Path projectRoot, Cloud cloud, int port) throws IOException {
        this.projectRoot = projectRoot;
        this.template = new Template(projectRoot);
        this.emulator = new Emulator(cloud, port);
        String endpoint = emulator.endpoint().toString();
        String previous = System.getProperty("aws.endpointUrl");
        if (previous != null && !previous.equals(endpoint)) {
            throw new IllegalStateException("this JVM's functions already talk to " + previous + "; use reset() to load another world");
        }
        System.setProperty("aws.endpointUrl", endpoint);
        System.setProperty("aws.region", cloud.region);
        System.setProperty("aws.accessKeyId", "AKIALOCAL");
        System.setProperty("aws.secretAccessKey", "local-secret");
        // What template.yaml's Globals give every function (TOPIC_ARN, DRIVER_BUCKET, DOCUMENT_PREFIX).
        template.environment(cloud.region, cloud.accountId).forEach((k, v) -> {
            if (System.getenv(k) == null) System.setProperty(k, v);
        });
        this.host = new LambdaHost(template, cloud.timeFactor, emulator::cloud);
    }

    /** Starts the local cloud on {@code cloud}, or loads {@code cloud} into the one this JVM already runs. */
    public static synchronized LocalCloud start(Path projectRoot, Cloud cloud) throws IOException {
        if (current == null) {
            current = new LocalCloud(projectRoot, cloud, 0);
        } else {
            current.emulator.load(cloud);
        }
        return current;
    }

    public Emulator emulator() {
        return emulator;
    }

    public LambdaHost host() {
        return host;
    }

    public Runner.Report run(String stateMachine, String inputJson, String approval, PrintStream progress)
            throws IOException, InterruptedException {
        return new Runner(projectRoot, template, emulator, host, progress).run(stateMachine, inputJson, approval);
    }

    public Runner.Report runDefinition(String asl, String inputJson, String approval, PrintStream progress)
            throws IOException, InterruptedException {
        return new Runner(projectRoot, template, emulator, host, progress).runDefinition(asl, inputJson, approval);
    }

    public Map<String, Object> world() {
        return emulator.snapshot();
    }

    @Override
    public void close() {
        // Kept for the JVM's life: its functions' clients point at this emulator.
    }
}
