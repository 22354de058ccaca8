package dev.xen2nitro.functions.preflight;

/** One preflight check: its name, whether it passed, and why (what to do when it did not). */
public record Check(String name, boolean passed, String detail) {
    public static Check pass(String name, String detail) {
        return new Check(name, true, detail);
    }

    public static Check fail(String name, String detail) {
        return new Check(name, false, detail);
    }

    /**
     * The failed checks in one line, each as its name and what to do ({@code name: detail}, separated by {@code " | "}),
     * for the execution's cause, which the console and {@code describe-execution} show; null when every check passed.
     */
    public static String refusal(java.util.List<Check> checks) {
        String failed = checks.stream().filter(c -> !c.passed()).map(c -> c.name() + ": " + c.detail())
                .collect(java.util.stream.Collectors.joining(" | "));
        return failed.isEmpty() ? null : failed;
    }
}
