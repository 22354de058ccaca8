package dev.xen2nitro.functions.preflight;

/** One preflight check: its name, whether it passed, and why (what to do when it did not). */
public record Check(String name, boolean passed, String detail) {
    public static Check pass(String name, String detail) {
        return new Check(name, true, detail);
    }

    public static Check fail(String name, String detail) {
        return new Check(name, false, detail);
    }
}
