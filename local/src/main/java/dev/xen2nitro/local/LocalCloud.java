package dev.xen2nitro.local;

import dev.xen2nitro.local.cloud.Cloud;
import dev.xen2nitro.local.host.LambdaHost;
import dev.xen2nitro.local.host.Template;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * The emulator, the Lambda host and the runner together. The functions reach the emulator through
 * the SDK's standard endpoint override ({@code aws.endpointUrl}, the system-property form of
 * {@code AWS_ENDPOINT_URL}), set here before any function builds a client. The clients are built once
 * per JVM, against the first local cloud's emulator; each Lambda host sends the calls of the
 * invocations it runs to its own emulator ({@link dev.xen2nitro.local.host.EmulatorRouting}), so
 * local clouds opened with {@link #open} run side by side. {@link #start} keeps one for the JVM's
 * life and loads each new world into it.
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
        String region = System.getProperty("aws.region");
        if (region != null && !region.equals(cloud.region)) {
            // The functions' clients are built once, in one region: a world of another region needs its own JVM.
            throw new IllegalStateException("this JVM's functions work in " + region + "; a world in " + cloud.region + " needs another JVM");
        }
        if (System.getProperty("aws.endpointUrl") == null) {
            System.setProperty("aws.endpointUrl", endpoint);
        }
        System.setProperty("aws.region", cloud.region);
        System.setProperty("aws.accessKeyId", "AKIALOCAL");
        System.setProperty("aws.secretAccessKey", "local-secret");
        // What template.yaml's Globals give every function (TOPIC_ARN, DRIVER_BUCKET, DOCUMENT_PREFIX).
        template.environment(cloud.region, cloud.accountId).forEach((k, v) -> {
            if (System.getenv(k) == null) System.setProperty(k, v);
        });
        this.host = new LambdaHost(template, cloud.timeFactor, emulator::cloud, emulator.endpoint());
        createDocuments(cloud);
    }

    /** The stack's SSM documents, as the deployed stack has them: SendCommand checks its parameters against them. */
    private void createDocuments(Cloud cloud) {
        template.documents(cloud.region, cloud.accountId).forEach((name, content) -> {
            dev.xen2nitro.local.cloud.Commands.Document d = new dev.xen2nitro.local.cloud.Commands.Document();
            d.name = name;
            d.content = content;
            cloud.commands.documents.put(name, d);
        });
    }

    /** A local cloud of its own on {@code cloud}, to run beside others; close it when done. */
    public static LocalCloud open(Path projectRoot, Cloud cloud) throws IOException {
        synchronized (LocalCloud.class) {
            return new LocalCloud(projectRoot, cloud, 0);
        }
    }

    /** Starts the local cloud on {@code cloud}, or loads {@code cloud} into the one this JVM already runs. */
    public static synchronized LocalCloud start(Path projectRoot, Cloud cloud) throws IOException {
        if (current == null) {
            current = new LocalCloud(projectRoot, cloud, 0);
        } else {
            current.emulator.load(cloud);
            current.createDocuments(cloud);
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

    /** Stops a local cloud from {@link #open}; the one {@link #start} keeps stays for the JVM's life. */
    @Override
    public void close() {
        synchronized (LocalCloud.class) {
            if (this == current) {
                return;
            }
        }
        host.close();
        emulator.close();
    }
}
