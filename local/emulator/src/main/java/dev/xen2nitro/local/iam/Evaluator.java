package dev.xen2nitro.local.iam;

import java.util.List;
import java.util.Map;

/**
 * Decides one request against a principal's identity-based policies as IAM does within one account
 * ("Policy evaluation logic", IAM User Guide): denied unless a statement allows it; an explicit deny in
 * any statement wins over every allow. The one resource-based policy of the local cloud, the stack's topic
 * policy, is decided by {@link #decideResource} for the statements whose Principal names the caller, and
 * {@link AccessControl} combines both. No permissions boundary, session policy or SCP exists in the local
 * cloud, so those steps of the logic always pass.
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

    /**
     * Who a resource-based policy's {@code Principal} is matched against: a role's session by the role's ARN and the
     * session's ARN, or an AWS service by its service principal ({@code cloudwatch.amazonaws.com}).
     */
    public record Caller(List<String> arns, String service) {
        public static Caller of(Principal p) {
            return new Caller(List.of(p.roleArn(), p.arn()), null);
        }

        public static Caller service(String name) {
            return new Caller(List.of(), name);
        }

        /** The account itself, as a key policy names it to let IAM policies decide: its root user's ARN or its ID. */
        public static Caller account(String accountId) {
            return new Caller(List.of("arn:aws:iam::" + accountId + ":root", accountId), null);
        }

        boolean named(Map<String, List<String>> principals) {
            if (principals.containsKey("*")) return true;
            if (service != null) return principals.getOrDefault("Service", List.of()).contains(service);
            List<String> aws = principals.getOrDefault("AWS", List.of());
            return aws.contains("*") || arns.stream().anyMatch(aws::contains);
        }
    }

    /** Decides the request against a resource-based policy: only the statements whose Principal names {@code caller} count. */
    public static Decision decideResource(Policy policy, Caller caller, String action, String resource, Map<String, List<String>> context) {
        Map<String, List<String>> ctx = new java.util.HashMap<>();
        context.forEach((k, v) -> ctx.put(k.toLowerCase(java.util.Locale.ROOT), v));
        boolean allowed = false;
        for (Policy.Statement s : policy.statements()) {
            if (s.principals() == null || !caller.named(s.principals()) || !applies(s, action, resource, ctx)) {
                continue;
            }
            if (s.effect() == Policy.Effect.Deny) {
                return Decision.EXPLICIT_DENY;
            }
            allowed = true;
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
