package dev.xen2nitro.local.cloud;

/** IPv4 CIDR arithmetic for security-group rules and subnet sizes. */
public final class Cidr {
    private Cidr() {}

    public static boolean contains(String cidr, String ip) {
        String[] parts = cidr.split("/");
        int bits = parts.length > 1 ? Integer.parseInt(parts[1]) : 32;
        long mask = bits == 0 ? 0 : (0xFFFFFFFFL << (32 - bits)) & 0xFFFFFFFFL;
        return (toLong(parts[0]) & mask) == (toLong(ip) & mask);
    }

    /** Whether every address of {@code inner} is in {@code outer}. */
    public static boolean covers(String outer, String inner) {
        int outerBits = Integer.parseInt(outer.split("/")[1]);
        int innerBits = Integer.parseInt(inner.split("/")[1]);
        return outerBits <= innerBits && contains(outer, inner.split("/")[0]);
    }

    /** How many addresses the block holds. */
    public static long size(String cidr) {
        return 1L << (32 - Integer.parseInt(cidr.split("/")[1]));
    }

    static long toLong(String ip) {
        long v = 0;
        for (String p : ip.split("\\.")) {
            v = (v << 8) | Integer.parseInt(p);
        }
        return v;
    }
}
