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
 * invocation and the median of five warm ones; in each round, beside the cold starts, and the medians of the rounds
 * reported.
 */
public final class StartupBenchmark {
    /** The JVM options of Lambda's runtimes this benchmark reproduces (see the class comment). */
    static final List<String> LAMBDA_JVM_OPTIONS = List.of("-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

    /** Loads, afresh, the account in which a function's events/ sample is invoked. */
    public interface Worlds {
        void load(LocalCloud local, String function) throws IOException;
    }

    public record Run(double wallMs, long cpuMs, long peakKiB, String outcome) {}

    public record Primed(double primeMs, double firstMs, double warmMs, String outcome) {
        /** The medians of several runs; the first outcome that is not ok, or ok. */
        static Primed median(List<Primed> runs) {
            return new Primed(StartupBenchmark.median(runs.stream().map(Primed::primeMs).toList()),
                    StartupBenchmark.median(runs.stream().map(Primed::firstMs).toList()),
                    StartupBenchmark.median(runs.stream().map(Primed::warmMs).toList()),
                    runs.stream().map(Primed::outcome).filter(o -> !o.equals("ok")).findFirst().orElse("ok"));
        }
    }

    /** {@code cds}: ours again with an AppCDS archive of the package, or empty when not measured. */
    public record FunctionFigures(String function, List<Run> ours, List<Run> baseline, Primed primed, List<Run> cds) {
        double oursWall() { return median(ours.stream().map(Run::wallMs).toList()); }
        double baseWall() { return median(baseline.stream().map(Run::wallMs).toList()); }
        double ratio() { return oursWall() / baseWall(); }
        double cdsWall() { return median(cds.stream().map(Run::wallMs).toList()); }
        double cdsRatio() { return cdsWall() / baseWall(); }
    }

    public record PackageSize(String name, long bytes, long uncompressedBytes, int entries) {}

    private final Path root;
    private final Path work;
    private long archiveBytes = -1;

    /** The size of the AppCDS archive {@code measure} made with {@code cds}, or -1. */
    public long archiveBytes() {
        return archiveBytes;
    }

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
        return measure(functions, runs, worlds, progress, false);
    }

    /**
     * As {@link #measure(List, int, Worlds, PrintStream)}; with {@code cds}, each run also starts ours with an AppCDS
     * archive of the package ({@link #archive}), which shows what a cache of the loaded classes would give. It is not what
     * this stack deploys: such a cache is specific to the JVM build that made it, and for the AOT caches of Java 25 the
     * Lambda Developer Guide says to deploy with container images ("Customize Java runtime startup behavior for Lambda
     * functions") and strongly recommends not using them in .zip or JAR archives ("Deploy Java Lambda functions with .zip
     * or JAR file archives"), whose managed runtime Lambda updates.
     */
    public List<FunctionFigures> measure(List<String> functions, int runs, Worlds worlds, PrintStream progress, boolean cds) throws Exception {
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
        // CDS archives only classes from jars: with the archive, the probe's classes come from a jar of their own.
        Path probeJar = cds ? jar(probe, work.resolve("probe.jar")) : null;
        // -Xshare:on: a JVM that cannot map the archive stops, rather than run without it (-Xshare:auto) unnoticed.
        List<String> cdsOptions = cds ? List.of("-Xshare:on", "-XX:SharedArchiveFile=" + archive(probeJar, template, progress)) : List.of();
        try (LocalCloud local = LocalCloud.open(root, WorldLoader.load(Files.readString(seed), seed.toString()))) {
            for (String f : chosen) {
                Template.Function fn = template.functions().get(logicalIds.get(f));
                Map<String, String> env = environment(local, logicalIds.get(f));
                Path event = root.resolve("events/" + f + ".json");
                List<Run> ours = new ArrayList<>(), base = new ArrayList<>(), withCds = new ArrayList<>();
                List<Primed> primedRuns = new ArrayList<>();
                for (int r = 0; r < runs; r++) {
                    // Rotate which goes first, so that none always finds the machine's caches warmer.
                    List<Runnable> order = new ArrayList<>();
                    List<Exception> failed = new ArrayList<>();
                    order.add(measured(failed, () -> ours.add(cold(deployed(root), probe, fn.handlerClass(), event, env)), () -> worlds.load(local, f)));
                    order.add(measured(failed, () -> base.add(cold(baseline(root), probe, fn.handlerClass(), event, env)), () -> worlds.load(local, f)));
                    // Each of its invocations on the world loaded afresh (the probe waits for it).
                    order.add(measured(failed, () -> primedRuns.add(primed(deployed(root), probe, fn.handlerClass(), event, env,
                            () -> worlds.load(local, f))), () -> { }));
                    if (cds) {
                        order.add(measured(failed, () -> withCds.add(cold(deployed(root), probeJar, fn.handlerClass(), event, env, cdsOptions)),
                                () -> worlds.load(local, f)));
                    }
                    java.util.Collections.rotate(order, -(r % order.size()));
                    for (Runnable m : order) {
                        m.run();
                        if (!failed.isEmpty()) throw failed.get(0);
                    }
                }
                Primed primed = Primed.median(primedRuns);
                FunctionFigures ff = new FunctionFigures(f, ours, base, primed, withCds);
                figures.add(ff);
                progress.printf("  %-28s cold %6.0f ms, baseline %6.0f ms (%.2f); primed first %6.1f ms, warm %6.1f ms%n", f, ff.oursWall(),
                        ff.baseWall(), ff.ratio(), primed.firstMs(), primed.warmMs());
            }
        }
        return figures;
    }

    private interface Measurement {
        void run() throws Exception;
    }

    /** {@code m} after {@code reset}, its failure kept in {@code failed}. */
    private static Runnable measured(List<Exception> failed, Measurement m, Reset reset) {
        return () -> {
            try {
                reset.reset();
                m.run();
            } catch (Exception e) {
                failed.add(e);
            }
        };
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
        return cold(pkg, probe, handler, event, env, List.of());
    }

    private Run cold(Path pkg, Path probe, String handler, Path event, Map<String, String> env, List<String> jvmOptions)
            throws IOException, InterruptedException {
        long started = System.nanoTime();
        Map<String, String> out = probe(pkg, probe, "cold", handler, event, env, null, jvmOptions);
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
        return probe(pkg, probe, mode, handler, event, env, reset, List.of());
    }

    private Map<String, String> probe(Path pkg, Path probe, String mode, String handler, Path event, Map<String, String> env, Reset reset,
                                      List<String> jvmOptions) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(LAMBDA_JVM_OPTIONS);
        command.addAll(jvmOptions);
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

    /**
     * An AppCDS archive of the deployed package (a dynamic archive over the JDK's own), made as a build step of a container
     * image could make it: a JVM on the package primes every handler of the template ({@code StartupProbe prime-all}, no AWS
     * call) and writes the classes it loaded at exit ({@code -XX:ArchiveClassesAtExit}). Returns its path.
     */
    private Path archive(Path probe, Template template, PrintStream progress) throws IOException, InterruptedException {
        Path jsa = work.resolve("xen2nitro-functions.jsa");
        Files.deleteIfExists(jsa);
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
        command.addAll(LAMBDA_JVM_OPTIONS);
        command.addAll(List.of("-XX:ArchiveClassesAtExit=" + jsa, "-cp", deployed(root) + java.io.File.pathSeparator + probe,
                StartupProbe.class.getName(), "prime-all"));
        template.functions().values().stream().map(Template.Function::handlerClass).distinct().sorted().forEach(command::add);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("AWS_"));
        pb.environment().putAll(primingEnvironment(root));
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0 || !Files.isRegularFile(jsa)) {
            throw new IllegalStateException("the AppCDS archive was not written:\n" + output);
        }
        archiveBytes = Files.size(jsa);
        progress.printf("  AppCDS archive of the package: %s, %,d bytes%n", jsa, archiveBytes);
        return jsa;
    }

    /**
     * The environment in which {@code StartupProbe prime-all} primes every handler of the template: what each function
     * reads, with the local worlds' names (local/sam-env.json), so that priming goes past the settings to the calls; a
     * region and test keys; and an endpoint where nothing listens, so that a call priming let out would fail.
     */
    public static Map<String, String> primingEnvironment(Path root) throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        Map<String, Map<String, String>> samEnv = dev.xen2nitro.local.SamEnv.read(root);
        new Template(root).functions().keySet().forEach(fn -> env.putAll(dev.xen2nitro.local.SamEnv.environment(samEnv, fn)));
        env.putAll(Map.of("AWS_ENDPOINT_URL", "http://127.0.0.1:9", "AWS_REGION", "us-east-1",
                "AWS_ACCESS_KEY_ID", "AKIATESTONLY00000000", "AWS_SECRET_ACCESS_KEY", "test-only"));
        return env;
    }

    /** A jar of the files under {@code dir}. */
    private static Path jar(Path dir, Path jar) throws IOException {
        try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar)); var files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                out.putNextEntry(new java.util.jar.JarEntry(dir.relativize(f).toString().replace(java.io.File.separatorChar, '/')));
                out.write(Files.readAllBytes(f));
                out.closeEntry();
            }
        }
        return jar;
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
        List<FunctionFigures> withCds = figures.stream().filter(f -> !f.cds().isEmpty()).toList();
        if (!withCds.isEmpty()) {
            out.println();
            out.println("ours with an AppCDS archive of the package (not deployable as a .zip on a managed runtime; see the README):");
            out.printf("%-28s %8s %7s %7s | %8s | %5s | %s%n", "function", "cds ms", "cpu ms", "MiB", "base ms", "ratio", "outcome");
            List<Double> cdsRatios = new ArrayList<>();
            for (FunctionFigures f : withCds) {
                cdsRatios.add(f.cdsRatio());
                out.printf("%-28s %8.0f %7d %7.0f | %8.0f | %5.2f | %s%n", f.function(), f.cdsWall(), medianLong(f.cds().stream().map(Run::cpuMs).toList()),
                        medianLong(f.cds().stream().map(Run::peakKiB).toList()) / 1024.0, f.baseWall(), f.cdsRatio(), f.cds().get(0).outcome());
            }
            out.printf("with the archive, wall time over the baseline's: median %.2f, best %.2f, worst %.2f; %d of %d functions at 0.6 or less%n",
                    median(cdsRatios), cdsRatios.stream().mapToDouble(d -> d).min().orElse(Double.NaN),
                    cdsRatios.stream().mapToDouble(d -> d).max().orElse(Double.NaN), cdsRatios.stream().filter(r -> r <= 0.6).count(), cdsRatios.size());
        }
    }
}
