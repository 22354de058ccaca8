package dev.xen2nitro.functions.rules;

/** Compares dotted version numbers numerically (8.4.3 < 8.10.0). */
public final class Versions {
    private Versions() {}

    public static int compare(String a, String b) {
        String[] x = a.split("\\."), y = b.split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            long p = i < x.length ? Long.parseLong(x[i]) : 0;
            long q = i < y.length ? Long.parseLong(y[i]) : 0;
            if (p != q) return Long.compare(p, q);
        }
        return 0;
    }

    /** True when {@code installed} is present and at or above {@code pinned}. */
    public static boolean atLeast(String installed, String pinned) {
        return installed != null && !installed.isBlank() && compare(installed, pinned) >= 0;
    }
}
