package dev.xen2nitro.local.bench;

import dev.xen2nitro.local.LocalCloud;
import dev.xen2nitro.local.cloud.Cloud;
import dev.xen2nitro.local.host.Template;
import dev.xen2nitro.local.world.WorldLoader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipFile;

/**
 * How fast each function starts, beside a baseline, and how large its package is.
 *
 * <p><b>Cold start</b>: for every function of template.yaml, a fresh JVM ({@link StartupProbe}) on the deployed package
 * (functions/target/xen2nitro-functions.zip) constructs the handler, invokes it once with its events/ sample against the
 * local cloud (in the account the sample assumes, loaded afresh before every invocation, with the function's own
 * environment and role), and exits;
 * paired in the same round with the same measurement on the baseline package (local/baseline: the same handlers with their
 * SDK clients built as most samples build them). Wall time is measured here, from starting the process to its exit; CPU
 * time and the peak resident set by the process itself. Both run with tiered compilation stopped at level 1, the java17
 * and java21 runtimes' default, and the serial collector, the java11 and java17 default (Lambda Developer Guide,
 * "Customize Java runtime startup behavior for Lambda functions"), on this machine's JDK (printed), with no heap limit.
 * The credentials are the function role's keys in the environment, as on-demand Lambda gives them; a SnapStart function
 * fetches them from the container endpoint on its first call instead, which is not reproduced.
 *
 * <p><b>After priming</b>: a fresh JVM constructs the handler, runs its {@code beforeCheckpoint} (what SnapStart runs
 * before it takes the snapshot; the snapshot itself and its restore cannot be reproduced here), then times the first
 * invocation and the median of five warm ones.
 */
public final class StartupBenchmark {
    /** The JVM options of Lambda's runtimes this benchmark reproduces (see the class comment). */
    static final List<String> LAMBDA_JVM_OPTIONS = List.of("-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

    /** Loads, afresh, the account in which a function's events/ sample is invoked. */
    public interface Worlds {
        void load(LocalCloud local, String function) throws IOException;
    }

    public record Run(double wallMs, long cpuMs, long peakKiB, String outcome) {}

    public record Primed(double primeMs, double firstMs, double warmMs, String outcome) {}

    public record FunctionFigures(String function, List<Run> ours, List<Run> baseline, Primed primed) {
        double oursWall() { return median(ours.stream().map(Run::wallMs).toList()); }
        double baseWall() { return median(baseline.stream().map(Run::wallMs).toList()); }
        double ratio() { return oursWall() / baseWall(); }
    }

    public record PackageSize(String name, long bytes, long uncompressedBytes, int entries) {}

    private final Path root;
    private final Path work;

    public StartupBenchmark(Path root, Path work) {
        this.root = root;
        this.work = work;
    }

    public static Path deployed(Path root) {
        return root.resolve("functions/target/xen2nitro-functions.zip");
    }

    public static Path baseline(Path root) {
        return root.resolve("local/baseline/target/startup-baseline.jar");
    }

    /** The package's size as uploaded (the jar), and what Lambda extracts from it. */
    public static PackageSize size(String name, Path jar) throws IOException {
        long uncompressed = 0;
        int entries = 0;
        try (ZipFile z = new ZipFile(jar.toFile())) {
            for (var e : java.util.Collections.list(z.entries())) {
                uncompressed += Math.max(0, e.getSize());
                entries++;
            }
        }
        return new PackageSize(name, Files.size(jar), uncompressed, entries);
    }

    /** Measures {@code functions} (all of template.yaml when empty), {@code runs} cold pairs each. */
    public List<FunctionFigures> measure(List<String> functions, int runs, Worlds worlds, PrintStream progress) throws Exception {
        for (Path p : List.of(deployed(root), baseline(root))) {
            if (!Files.isRegularFile(p)) {
                throw new IllegalStateException(p + " is missing: build it with ./mvnw package -DskipTests -Pbench (local/perf does)");
            }
        }
        Path probe = probeClasses();
        Template template = new Template(root);
        // By the name of the handler, its events/ sample and its state: the logical ID without "Function".
        Map<String, String> logicalIds = new TreeMap<>();
        template.functions().keySet().forEach(id -> logicalIds.put(id.replaceFirst("Function$", ""), id));
        List<String> chosen = functions.isEmpty() ? List.copyOf(logicalIds.keySet()) : functions;
        for (String f : chosen) {
            if (!logicalIds.containsKey(f)) throw new IllegalArgumentException(f + " is no function of template.yaml; it has " + logicalIds.keySet());
            if (!Files.isRegularFile(root.resolve("events/" + f + ".json"))) throw new IllegalStateException("events/" + f + ".json is missing");
        }
        Path seed = root.resolve("local/worlds/seed-2012r2-private.json");
        List<FunctionFigures> figures = new ArrayList<>();
        try (LocalCloud local = LocalCloud.open(root, WorldLoader.load(Files.readString(seed), seed.toString()))) {
            for (String f : chosen) {
                Template.Function fn = template.functions().get(logicalIds.get(f));
                Map<String, String> env = environment(local, logicalIds.get(f));
                Path event = root.resolve("events/" + f + ".json");
                List<Run> ours = new ArrayList<>(), base = new ArrayList<>();
                for (int r = 0; r < runs; r++) {
                    // Alternate which goes first, so that neither always finds the machine's caches warmer.
                    boolean oursFirst = r % 2 == 0;
                    Path first = oursFirst ? deployed(root) : baseline(root), second = oursFirst ? baseline(root) : deployed(root);
                    worlds.load(local, f);
                    Run a = cold(first, probe, fn.handlerClass(), event, env);
                    worlds.load(local, f);
                    Run b = cold(second, probe, fn.handlerClass(), event, env);
                    (oursFirst ? ours : base).add(a);
                    (oursFirst ? base : ours).add(b);
                }
                Primed primed = primed(deployed(root), probe, fn.handlerClass(), event, env,
                        () -> worlds.load(local, f));
                FunctionFigures ff = new FunctionFigures(f, ours, base, primed);
                figures.add(ff);
                progress.printf("  %-28s cold %6.0f ms, baseline %6.0f ms (%.2f); primed first %6.1f ms, warm %6.1f ms%n", f, ff.oursWall(),
                        ff.baseWall(), ff.ratio(), primed.firstMs(), primed.warmMs());
            }
        }
        return figures;
    }

    /** What Lambda gives the function: its region, its role's credentials, the stack's settings and its own; the local endpoint. */
    private static Map<String, String> environment(LocalCloud local, String function) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String keep : List.of("PATH", "HOME", "LANG", "TMPDIR")) {
            if (System.getenv(keep) != null) env.put(keep, System.getenv(keep));
        }
        Cloud cloud = local.emulator().cloud();
        env.put("AWS_REGION", cloud.region);
        env.put("AWS_DEFAULT_REGION", cloud.region);
        var credentials = LocalCloud.credentials(function);
        env.put("AWS_ACCESS_KEY_ID", credentials.accessKeyId());
        env.put("AWS_SECRET_ACCESS_KEY", credentials.secretAccessKey());
        env.put("AWS_ENDPOINT_URL", local.emulator().endpoint().toString());
        env.put("AWS_LAMBDA_FUNCTION_NAME", function);
        String pins = System.getProperty("XEN2NITRO_PACKAGE_PINS");
        if (pins != null) env.put("XEN2NITRO_PACKAGE_PINS", pins);
        // Its Environment as the stack resolves it, the Globals with it.
        Map<String, String> own = local.host().environment(function);
        if (own != null) env.putAll(own);
        return env;
    }

    /** Loads the world afresh. */
    interface Reset {
        void reset() throws IOException;
    }

    private Run cold(Path pkg, Path probe, String handler, Path event, Map<String, String> env) throws IOException, InterruptedException {
        long started = System.nanoTime();
        Map<String, String> out = probe(pkg, probe, "cold", handler, event, env, null);
        double wall = (System.nanoTime() - started) / 1e6;
        return new Run(wall, Long.parseLong(out.get("cpuMs")), Long.parseLong(out.get("peakKiB")), out.get("outcome"));
    }

    private Primed primed(Path pkg, Path probe, String handler, Path event, Map<String, String> env, Reset reset)
            throws IOException, InterruptedException {
        Map<String, String> out = probe(pkg, probe, "primed", handler, event, env, reset);
        return new Primed(Double.parseDouble(out.get("primeMs")), Double.parseDouble(out.get("firstMs")), Double.parseDouble(out.get("warmMs")),
                out.get("outcome"));
    }

    private Map<String, String> probe(Path pkg, Path probe, String mode, String handler, Path event, Map<String, String> env, Reset reset)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(LAMBDA_JVM_OPTIONS);
        command.addAll(List.of("-cp", pkg + java.io.File.pathSeparator + probe, StartupProbe.class.getName(), mode, handler, event.toString()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        StringBuilder output = new StringBuilder();
        try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
             var answer = new java.io.PrintStream(p.getOutputStream(), true, StandardCharsets.UTF_8)) {
            for (String l; (l = lines.readLine()) != null; ) {
                if (l.equals("NEXT")) {
                    if (reset != null) reset.reset();
                    answer.println();
                } else {
                    output.append(l).append('\n');
                }
            }
        }
        int exit = p.waitFor();
        String line = output.toString().lines().filter(l -> l.startsWith("STARTUP ")).findFirst().orElse(null);
        if (exit != 0 || line == null) {
            throw new IllegalStateException(mode + " " + handler + " on " + pkg.getFileName() + " exited " + exit + ":\n" + output);
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (String kv : line.substring("STARTUP ".length()).split(" ")) {
            int eq = kv.indexOf('=');
            values.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return values;
    }

    /** The probe's class in a directory of its own, so that the child's classpath is the package and nothing else of this module. */
    private Path probeClasses() throws IOException {
        return StartupProbe.copyTo(work.resolve("probe"));
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(Double::compare);
        int n = sorted.size();
        return n == 0 ? Double.NaN : n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    static long medianLong(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        sorted.sort(Long::compare);
        return sorted.isEmpty() ? -1 : sorted.get(sorted.size() / 2);
    }

    /** Prints the cold-start and priming table. */
    public static void print(List<FunctionFigures> figures, PrintStream out) {
        out.printf("%-28s %8s %7s %7s | %8s %7s %7s | %5s | %-22s | %8s %8s %5s%n", "function", "cold ms", "cpu ms", "MiB", "base ms", "cpu ms",
                "MiB", "ratio", "outcome (ours / base)", "1st ms", "warm ms", "x");
        List<Double> ratios = new ArrayList<>(), primedRatios = new ArrayList<>();
        for (FunctionFigures f : figures) {
            double primedRatio = f.primed().firstMs() / Math.max(0.01, f.primed().warmMs());
            ratios.add(f.ratio());
            primedRatios.add(primedRatio);
            out.printf("%-28s %8.0f %7d %7.0f | %8.0f %7d %7.0f | %5.2f | %-22s | %8.1f %8.1f %5.2f%n", f.function(), f.oursWall(),
                    medianLong(f.ours().stream().map(Run::cpuMs).toList()), medianLong(f.ours().stream().map(Run::peakKiB).toList()) / 1024.0,
                    f.baseWall(), medianLong(f.baseline().stream().map(Run::cpuMs).toList()),
                    medianLong(f.baseline().stream().map(Run::peakKiB).toList()) / 1024.0, f.ratio(),
                    f.ours().get(0).outcome() + " / " + f.baseline().get(0).outcome(), f.primed().firstMs(), f.primed().warmMs(), primedRatio);
        }
        out.printf("cold start, our wall time over the baseline's: median %.2f, best %.2f, worst %.2f; %d of %d functions at 0.6 or less%n",
                median(ratios), ratios.stream().mapToDouble(d -> d).min().orElse(Double.NaN), ratios.stream().mapToDouble(d -> d).max().orElse(Double.NaN),
                ratios.stream().filter(r -> r <= 0.6).count(), ratios.size());
        out.printf("after priming, first invocation over a warm one: median %.2f, worst %.2f; %d of %d functions at 2 or less%n",
                median(primedRatios), primedRatios.stream().mapToDouble(d -> d).max().orElse(Double.NaN),
                primedRatios.stream().filter(r -> r <= 2).count(), primedRatios.size());
    }
}
