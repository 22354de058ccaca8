package dev.xen2nitro.local.iam;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;

/**
 * The condition operators, as the IAM User Guide defines them ("IAM JSON policy elements: Condition
 * operators" and "Set operators for multivalued context keys"):
 * <ul>
 * <li>a key absent from the request context makes a condition false, except that a negated operator
 *     ({@code StringNotEquals}, {@code StringNotLike}, {@code ArnNotLike}...) is then true, an
 *     {@code ...IfExists} operator is true, and {@code Null} tests exactly that absence;</li>
 * <li>several values for one key match if any does; several keys, or several operators, must all match;</li>
 * <li>{@code ForAllValues:} is true when every value of the context key matches (and when the key is
 *     absent or empty); {@code ForAnyValue:} when at least one does (false when the key is absent);</li>
 * <li>condition keys are case-insensitive, values case-sensitive except for the {@code IgnoreCase} operators;
 *     {@code ArnLike} matches each of the six colon-separated parts of an ARN on its own.</li>
 * </ul>
 * Date, IP address and binary operators are not used by this project and are refused when a policy is read.
 */
final class Conditions {
    private Conditions() {}

    private static final Set<String> NEGATED = Set.of("StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike",
            "ArnNotEquals", "ArnNotLike", "NumericNotEquals");

    private static final Map<String, BiPredicate<String, String>> MATCH = Map.ofEntries(
            Map.entry("StringEquals", String::equals),
            Map.entry("StringNotEquals", String::equals),
            Map.entry("StringEqualsIgnoreCase", String::equalsIgnoreCase),
            Map.entry("StringNotEqualsIgnoreCase", String::equalsIgnoreCase),
            Map.entry("StringLike", (v, p) -> Globs.matches(p, v, false)),
            Map.entry("StringNotLike", (v, p) -> Globs.matches(p, v, false)),
            Map.entry("ArnEquals", Conditions::arnLike),
            Map.entry("ArnLike", Conditions::arnLike),
            Map.entry("ArnNotEquals", Conditions::arnLike),
            Map.entry("ArnNotLike", Conditions::arnLike),
            Map.entry("Bool", String::equalsIgnoreCase),
            Map.entry("NumericEquals", (v, p) -> numeric(v, p, c -> c == 0)),
            Map.entry("NumericNotEquals", (v, p) -> numeric(v, p, c -> c == 0)),
            Map.entry("NumericLessThan", (v, p) -> numeric(v, p, c -> c < 0)),
            Map.entry("NumericLessThanEquals", (v, p) -> numeric(v, p, c -> c <= 0)),
            Map.entry("NumericGreaterThan", (v, p) -> numeric(v, p, c -> c > 0)),
            Map.entry("NumericGreaterThanEquals", (v, p) -> numeric(v, p, c -> c >= 0)));

    /** Refuses an operator this model cannot evaluate, naming where it was found. */
    static void check(String at, String operator) {
        String base = base(operator);
        if (!base.equals("Null") && !MATCH.containsKey(base)) {
            throw new IllegalArgumentException(at + ": condition operator '" + operator + "' is not evaluated here");
        }
    }

    /** Whether every operator of the statement's Condition holds for the request context (keys lower-cased). */
    static boolean hold(Map<String, Map<String, List<String>>> conditions, Map<String, List<String>> context) {
        for (Map.Entry<String, Map<String, List<String>>> op : conditions.entrySet()) {
            for (Map.Entry<String, List<String>> key : op.getValue().entrySet()) {
                if (!holds(op.getKey(), key.getValue(), context.get(key.getKey()))) {
                    return false;
                }
            }
        }
        return true;
    }

    static boolean holds(String operator, List<String> policyValues, List<String> contextValues) {
        boolean absent = contextValues == null || contextValues.isEmpty();
        String set = operator.startsWith("ForAllValues:") ? "all" : operator.startsWith("ForAnyValue:") ? "any" : null;
        String base = base(operator);
        if (base.equals("Null")) {
            return policyValues.stream().anyMatch(p -> Boolean.parseBoolean(p) == absent);
        }
        boolean ifExists = operator.endsWith("IfExists");
        boolean negated = NEGATED.contains(base);
        BiPredicate<String, String> match = MATCH.get(base);
        if (absent) {
            if ("all".equals(set)) return true;
            if ("any".equals(set)) return false;
            return ifExists || negated;
        }
        // One context value against the policy's values: a positive operator matches any of them, a negated one none.
        java.util.function.Predicate<String> one = v -> negated != policyValues.stream().anyMatch(p -> match.test(v, p));
        if ("all".equals(set)) {
            return contextValues.stream().allMatch(one);
        }
        if ("any".equals(set)) {
            return contextValues.stream().anyMatch(one);
        }
        // A single-valued key (a multivalued one without a set operator matches when any of its values does).
        boolean positive = contextValues.stream().anyMatch(v -> policyValues.stream().anyMatch(p -> match.test(v, p)));
        return negated != positive;
    }

    private static String base(String operator) {
        String b = operator.replaceFirst("^(ForAllValues|ForAnyValue):", "");
        return b.endsWith("IfExists") ? b.substring(0, b.length() - "IfExists".length()) : b;
    }

    private static boolean arnLike(String value, String pattern) {
        String[] v = value.split(":", 6), p = pattern.split(":", 6);
        if (v.length != 6 || p.length != 6) {
            return false;
        }
        for (int i = 0; i < 6; i++) {
            if (!Globs.matches(p[i], v[i], false)) {
                return false;
            }
        }
        return true;
    }

    /** A value that is not a number matches no numeric condition. */
    private static boolean numeric(String value, String pattern, java.util.function.IntPredicate test) {
        try {
            return test.test(new BigDecimal(value).compareTo(new BigDecimal(pattern)));
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
