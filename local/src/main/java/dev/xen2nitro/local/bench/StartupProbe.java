package dev.xen2nitro.local.bench;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The process {@link StartupBenchmark} starts for each measurement: a fresh JVM on a function package's classpath (and
 * nothing of the local cloud's), which constructs one handler and invokes it as Lambda would, then prints one line of
 * figures and exits. It depends on the JDK and aws-lambda-java-core only, which both packages hold, plus org.crac for
 * {@code primed}.
 *
 * <pre>
 * java -cp PACKAGE:DIR dev.xen2nitro.local.bench.StartupProbe cold|primed HANDLER_CLASS EVENT_FILE
 * java -cp PACKAGE:DIR dev.xen2nitro.local.bench.StartupProbe prime-all HANDLER_CLASS...
 * java -cp PACKAGE:DIR dev.xen2nitro.local.bench.StartupProbe invoke HANDLER_CLASS EVENT_FILE
 * </pre>
 *
 * {@code cold}: construct, one invocation, exit. {@code primed}: construct, run the handler's org.crac
 * {@code beforeCheckpoint} (what SnapStart runs before its snapshot), then the first invocation and five warm ones, each on
 * the world the sample assumes: before each it prints {@code NEXT} and waits for a line on its input, which the benchmark
 * writes once it has loaded the world afresh.
 * Prints {@code key=value} pairs: constructMs, primeMs, firstMs, warmMs (the median of the warm ones), outcome (ok or the
 * error's class), cpuMs (the process's CPU time) and peakKiB (VmHWM, the resident set's peak, from /proc/self/status).
 * {@code prime-all}: constructs and primes each handler in turn, as SnapStart would before its snapshot, and prints
 * {@code primed=N}, the calls answered while priming ({@code answered}) and of those the ones the HTTP client took from
 * the loopback server ({@code loopback}), the handlers whose priming reached no SDK call ({@code noCall}), and those that left recorded answers
 * untaken ({@code left}, each with its calls and how many of each were left); a class the package lacks ends it with the
 * error (priming lets no {@link Error} pass).
 */
public final class StartupProbe {
    private StartupProbe() {}

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        if (mode.equals("prime-all")) {
            int n = 0;
            StringBuilder none = new StringBuilder();
            StringBuilder left = new StringBuilder();
            for (int i = 1; i < args.length; i++) {
                long before = dev.xen2nitro.functions.core.Aws.primedAnswers();
                Class<?> type = Class.forName(args[i]);
                Object handler = type.getDeclaredConstructor().newInstance();
                String name = args[i].substring(args[i].lastIndexOf('.') + 1);
                // What beforeCheckpoint runs, with the recorded answers kept to see how many priming took.
                var answers = dev.xen2nitro.functions.core.PrimingAnswers.of(type);
                if (handler instanceof dev.xen2nitro.functions.core.JsonHandler<?, ?> h) {
                    h.prime(answers);
                } else {
                    ((org.crac.Resource) handler).beforeCheckpoint(null);
                }
                if (dev.xen2nitro.functions.core.Aws.primedAnswers() == before) {
                    none.append(none.isEmpty() ? "" : ",").append(name);
                }
                if (!answers.left().isEmpty()) {
                    left.append(left.isEmpty() ? "" : ";").append(name).append(answers.left());
                }
                n++;
            }
            System.out.println("STARTUP primed=" + n + " answered=" + dev.xen2nitro.functions.core.Aws.primedAnswers()
                    + " loopback=" + dev.xen2nitro.functions.core.Aws.primedOverLoopback() + " noCall=" + none
                    + " left=" + left.toString().replace(' ', '_'));
            System.out.flush();
            Runtime.getRuntime().halt(0);
        }
        byte[] event = Files.readAllBytes(Path.of(args[2]));
        if (mode.equals("invoke")) {
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            try {
                RequestStreamHandler h = (RequestStreamHandler) Class.forName(args[1]).getDeclaredConstructor().newInstance();
                h.handleRequest(new ByteArrayInputStream(event), response, null);
                System.out.println("RESPONSE " + response.toString(StandardCharsets.UTF_8));
            } catch (Exception | Error e) {
                Throwable t = e instanceof java.lang.reflect.InvocationTargetException ite ? ite.getCause() : e;
                System.out.println("ERROR " + t.getClass().getName() + ": " + t.getMessage());
            }
            System.out.flush();
            Runtime.getRuntime().halt(0);
        }
        long t0 = System.nanoTime();
        RequestStreamHandler handler = (RequestStreamHandler) Class.forName(args[1]).getDeclaredConstructor().newInstance();
        long t1 = System.nanoTime();
        StringBuilder out = new StringBuilder("constructMs=").append(ms(t1 - t0));
        if (mode.equals("primed")) {
            ((org.crac.Resource) handler).beforeCheckpoint(null);
            out.append(" primeMs=").append(ms(System.nanoTime() - t1));
        }
        boolean primed = mode.equals("primed");
        if (primed) awaitWorld();
        long s = System.nanoTime();
        String outcome = invoke(handler, event);
        out.append(" firstMs=").append(ms(System.nanoTime() - s)).append(" outcome=").append(outcome);
        if (mode.equals("primed")) {
            List<Double> warm = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                awaitWorld();
                long w = System.nanoTime();
                invoke(handler, event);
                warm.add(ms(System.nanoTime() - w));
            }
            warm.sort(Double::compare);
            out.append(" warmMs=").append(warm.get(warm.size() / 2));
        }
        java.time.Duration cpu = ProcessHandle.current().info().totalCpuDuration().orElse(java.time.Duration.ZERO);
        out.append(" cpuMs=").append(cpu.toMillis()).append(" peakKiB=").append(peakKiB());
        System.out.println("STARTUP " + out);
        System.out.flush();
        // Exit at once, as a function's first invocation is measured to its response (no shutdown hooks of interest).
        Runtime.getRuntime().halt(0);
    }

    /** Copies this class into {@code dir} (as a class directory) and returns it, for a classpath with nothing else of this module. */
    public static Path copyTo(Path dir) throws java.io.IOException {
        String resource = StartupProbe.class.getName().replace('.', '/') + ".class";
        Path target = dir.resolve(resource);
        Files.createDirectories(target.getParent());
        try (java.io.InputStream in = StartupProbe.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException(resource + " is not on the classpath");
            Files.copy(in, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return dir;
    }

    private static final java.io.BufferedReader IN = new java.io.BufferedReader(new java.io.InputStreamReader(System.in, StandardCharsets.UTF_8));

    /** Asks the benchmark for the world the sample assumes (it loads it afresh) and waits until it is there; not timed. */
    private static void awaitWorld() throws java.io.IOException {
        System.out.println("NEXT");
        System.out.flush();
        IN.readLine();
    }

    private static String invoke(RequestStreamHandler handler, byte[] event) {
        try {
            handler.handleRequest(new ByteArrayInputStream(event), new ByteArrayOutputStream(), null);
            return "ok";
        } catch (Exception | Error e) {
            return e.getClass().getSimpleName();
        }
    }

    private static double ms(long nanos) {
        return Math.round(nanos / 1e4) / 100.0;
    }

    private static long peakKiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.US_ASCII)) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (java.io.IOException | NumberFormatException e) {
            // Not Linux: no figure.
        }
        return -1;
    }
}
