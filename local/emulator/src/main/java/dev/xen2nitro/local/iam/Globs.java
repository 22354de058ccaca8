package dev.xen2nitro.local.iam;

/**
 * IAM's wildcards: {@code *} any run of characters, {@code ?} any one character, everything else
 * literal ("IAM JSON policy elements: Resource" and "Condition operators", StringLike). Actions
 * compare without regard to case ("IAM JSON policy elements: Action"), resources and condition values with it.
 */
final class Globs {
    private Globs() {}

    static boolean matches(String pattern, String value, boolean ignoreCase) {
        String p = ignoreCase ? pattern.toLowerCase(java.util.Locale.ROOT) : pattern;
        String v = ignoreCase ? value.toLowerCase(java.util.Locale.ROOT) : value;
        return match(p, 0, v, 0);
    }

    private static boolean match(String p, int i, String v, int j) {
        while (i < p.length()) {
            char c = p.charAt(i);
            if (c == '*') {
                while (i < p.length() && p.charAt(i) == '*') i++;
                if (i == p.length()) return true;
                for (int k = j; k <= v.length(); k++) {
                    if (match(p, i, v, k)) return true;
                }
                return false;
            }
            if (j == v.length() || (c != '?' && c != v.charAt(j))) return false;
            i++;
            j++;
        }
        return j == v.length();
    }
}
