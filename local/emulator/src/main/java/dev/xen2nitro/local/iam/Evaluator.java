package dev.xen2nitro.local.iam;

import java.util.List;
import java.util.Map;

/**
 * Decides one request against a principal's identity-based policies as IAM does within one account
 * ("Policy evaluation logic", IAM User Guide): denied unless a statement allows it; an explicit deny in
 * any statement wins over every allow. No resource-based policy, permissions boundary, session policy or
 * SCP exists in the local cloud, so those steps of the logic always pass.
 *
 * <p>A request names one action and one resource; an action that AWS authorizes against several
 * resources (ssm:SendCommand against the document and each instance) is one request per resource, each of
 * which must be allowed (Service Authorization Reference, "Resource types" column).
 */
public final class Evaluator {
    private Evaluator() {}

    public enum Decision { ALLOW, IMPLICIT_DENY, EXPLICIT_DENY }

    /**
     * @param context the request context: condition keys (any case) and their values; a key the request
     *                does not have is absent, never an empty string
     */
    public static Decision decide(List<Policy> policies, String action, String resource, Map<String, List<String>> context) {
        Map<String, List<String>> ctx = new java.util.HashMap<>();
        context.forEach((k, v) -> ctx.put(k.toLowerCase(java.util.Locale.ROOT), v));
        boolean allowed = false;
        for (Policy p : policies) {
            for (Policy.Statement s : p.statements()) {
                if (!applies(s, action, resource, ctx)) {
                    continue;
                }
                if (s.effect() == Policy.Effect.Deny) {
                    return Decision.EXPLICIT_DENY;
                }
                allowed = true;
            }
        }
        return allowed ? Decision.ALLOW : Decision.IMPLICIT_DENY;
    }

    static boolean applies(Policy.Statement s, String action, String resource, Map<String, List<String>> ctx) {
        boolean actionMatch = s.actions() != null ? anyGlob(s.actions(), action, true) : !anyGlob(s.notActions(), action, true);
        if (!actionMatch) return false;
        boolean resourceMatch = s.resources() != null ? anyGlob(s.resources(), resource, false) : !anyGlob(s.notResources(), resource, false);
        return resourceMatch && Conditions.hold(s.conditions(), ctx);
    }

    private static boolean anyGlob(List<String> patterns, String value, boolean ignoreCase) {
        return patterns.stream().anyMatch(p -> Globs.matches(p, value, ignoreCase));
    }
}
