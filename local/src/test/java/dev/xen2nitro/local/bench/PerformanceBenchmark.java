package dev.xen2nitro.local.bench;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code local/perf}: the project's speed, size and downtime figures in one run, each beside its baseline: the functions'
 * cold start and their first invocation after priming ({@link StartupBenchmark}), the deployed package's size, and per
 * migration the state transitions, API calls and the time the server is unavailable against the manual procedure
 * ({@link MigrationBenchmark}). Not a test: {@code ./mvnw verify} never runs it. It lives with the tests because it invokes
 * each function in the account its events/ sample assumes, which {@link dev.xen2nitro.local.HandlerSamplesTest} defines.
 *
 * <pre>
 * local/perf [--runs 3] [--functions Preflight,CheckInstanceState] [--skip-startup] [--skip-migrations] [--cds] [--out local/target/perf]
 * </pre>
 */
public final class PerformanceBenchmark {
    public static void main(String[] argv) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        for (int i = 0; i < argv.length; i++) {
            String k = argv[i];
            if (k.equals("--skip-startup") || k.equals("--skip-migrations") || k.equals("--cds")) {
                a.put(k, "true");
            } else if (List.of("--runs", "--functions", "--out").contains(k) && i + 1 < argv.length) {
                a.put(k, argv[++i]);
            } else {
                System.err.println("usage: local/perf [--runs 3] [--functions A,B] [--skip-startup] [--skip-migrations] [--cds] [--out DIR]");
                System.exit(2);
            }
        }
        Path root = Path.of(System.getProperty("xen2nitro.projectRoot", ".")).toAbsolutePath().normalize();
        Path out = Path.of(a.getOrDefault("--out", root.resolve("local/target/perf").toString()));
        Files.createDirectories(out);
        int runs = Integer.parseInt(a.getOrDefault("--runs", "3"));
        List<String> functions = a.containsKey("--functions") ? Arrays.asList(a.get("--functions").split(",")) : List.of();
        PrintStream o = System.out;

        o.printf("xen2nitro performance, %s, commit %s; %d cores, %d MiB; %s %s%n", LocalDate.now(ZoneOffset.UTC), commit(root),
                Runtime.getRuntime().availableProcessors(), memoryMiB(), System.getProperty("java.vm.name"), System.getProperty("java.version"));

        o.println();
        o.println("== package (what template.yaml's CodeUri deploys) ==");
        StartupBenchmark.PackageSize ours = StartupBenchmark.size("xen2nitro-functions.zip", StartupBenchmark.deployed(root));
        StartupBenchmark.PackageSize base = Files.isRegularFile(StartupBenchmark.baseline(root))
                ? StartupBenchmark.size("startup-baseline.jar (SDK defaults)", StartupBenchmark.baseline(root)) : null;
        for (StartupBenchmark.PackageSize s : base == null ? List.of(ours) : List.of(ours, base)) {
            o.printf("%-38s %,12d bytes (%.1f MiB) zipped, %,13d bytes (%.1f MiB) unzipped, %,d entries%n", s.name(), s.bytes(),
                    s.bytes() / 1048576.0, s.uncompressedBytes(), s.uncompressedBytes() / 1048576.0, s.entries());
        }
        o.println("Lambda quotas: 50 MB zipped for a direct upload (SAM uploads to S3), 250 MB unzipped.");

        if (!a.containsKey("--skip-startup")) {
            o.println();
            o.printf("== cold start and priming (%d runs each, medians; JVM options %s) ==%n", runs, String.join(" ", StartupBenchmark.LAMBDA_JVM_OPTIONS));
            StartupBenchmark startup = new StartupBenchmark(root, out);
            List<StartupBenchmark.FunctionFigures> figures = startup.measure(functions, runs, dev.xen2nitro.local.SampleWorlds::load, System.err,
                    a.containsKey("--cds"));
            StartupBenchmark.print(figures, o);
            if (startup.archiveBytes() >= 0) {
                o.printf("the archive: %,d bytes, written at exit by a JVM that primed every handler (-XX:ArchiveClassesAtExit), used with"
                        + " -Xshare:on (a JVM that cannot map it stops)%n", startup.archiveBytes());
            }
        }
        if (!a.containsKey("--skip-migrations")) {
            o.println();
            o.printf("== per migration (local cloud; AWS durations modelled at time factor %s) ==%n", MigrationBenchmark.TIME_FACTOR);
            MigrationBenchmark.print(MigrationBenchmark.measure(root, out), o);
        }
        System.exit(0);
    }

    private static String commit(Path root) {
        try {
            Process p = new ProcessBuilder("git", "-C", root.toString(), "rev-parse", "--short", "HEAD").redirectErrorStream(true).start();
            String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.waitFor() == 0 ? s : "unknown";
        } catch (java.io.IOException | InterruptedException e) {
            return "unknown";
        }
    }

    private static long memoryMiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        } catch (java.io.IOException | NumberFormatException e) {
            // Not Linux.
        }
        return -1;
    }
}
