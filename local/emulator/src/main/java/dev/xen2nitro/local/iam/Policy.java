package dev.xen2nitro.local.iam;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An IAM policy: its statements, read from the JSON AWS reads ("IAM JSON policy element reference", IAM
 * User Guide). An identity-based policy has no {@code Principal}; a resource-based one (the topic's policy,
 * {@link #readResourcePolicy}) names one in each statement. A single value and a one-element list mean the
 * same; anything this model does not evaluate ({@code NotPrincipal}, principals other than {@code "*"}, an
 * ARN or a service, policy variables) is refused when the policy is read, rather than silently taken as a match.
 */
public record Policy(String name, List<Statement> statements) {

    public enum Effect { Allow, Deny }

    /**
     * One statement. Exactly one of {@code actions}/{@code notActions} and one of
     * {@code resources}/{@code notResources} is non-null. {@code conditions} maps an operator as written
     * (e.g. {@code ForAnyValue:StringLike}) to its keys (lower-cased: condition keys are case-insensitive)
     * and their values. {@code principals} is null in an identity-based policy; in a resource-based one it maps
     * {@code AWS} or {@code Service} to the principals named, or {@code *} to {@code ["*"]} for everyone.
     */
    public record Statement(String sid, Effect effect, List<String> actions, List<String> notActions,
                            List<String> resources, List<String> notResources,
                            Map<String, Map<String, List<String>>> conditions, Map<String, List<String>> principals) {}

    /** Reads an identity-based policy document ({@code {"Statement": [...]}}); {@code name} says where it came from in errors. */
    public static Policy read(String name, JsonNode document) {
        return read(name, document, false);
    }

    /** Reads a resource-based policy document, whose statements each name their {@code Principal}. */
    public static Policy readResourcePolicy(String name, JsonNode document) {
        return read(name, document, true, false);
    }

    /**
     * Reads a KMS key policy: a resource-based policy in which the account itself may be a principal
     * ({@code arn:aws:iam::ACCOUNT:root} or the account ID), which gives the account's IAM policies a say in the key
     * (KMS Developer Guide, "Default key policy": "Allows access to the AWS account and enables IAM policies").
     */
    public static Policy readKeyPolicy(String name, JsonNode document) {
        return read(name, document, true, true);
    }

    private static Policy read(String name, JsonNode document, boolean resourceBased) {
        return read(name, document, resourceBased, false);
    }

    private static Policy read(String name, JsonNode document, boolean resourceBased, boolean accounts) {
        JsonNode st = document.get("Statement");
        if (st == null) {
            throw new IllegalArgumentException(name + ": a policy document needs a Statement");
        }
        List<Statement> out = new ArrayList<>();
        int n = 0;
        for (JsonNode s : st.isArray() ? st : List.of(st)) {
            out.add(statement(name + ".Statement[" + n++ + "]", s, resourceBased, accounts));
        }
        return new Policy(name, List.copyOf(out));
    }

    private static Statement statement(String at, JsonNode s, boolean resourceBased, boolean accounts) {
        for (String field : (Iterable<String>) s::fieldNames) {
            boolean known = List.of("Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition").contains(field)
                    || (resourceBased && field.equals("Principal"));
            if (!known) {
                throw new IllegalArgumentException(at + ": '" + field + "' is not evaluated here"
                        + (resourceBased ? "" : " (an identity-based policy names no principal)"));
            }
        }
        Map<String, List<String>> principals = resourceBased ? principals(at + ".Principal", s.get("Principal"), accounts) : null;
        Effect effect = Effect.valueOf(text(at + ".Effect", s.get("Effect")));
        List<String> actions = strings(at + ".Action", s.get("Action"));
        List<String> notActions = strings(at + ".NotAction", s.get("NotAction"));
        List<String> resources = strings(at + ".Resource", s.get("Resource"));
        List<String> notResources = strings(at + ".NotResource", s.get("NotResource"));
        if ((actions == null) == (notActions == null) || (resources == null) == (notResources == null)) {
            throw new IllegalArgumentException(at + ": a statement has exactly one of Action/NotAction and one of Resource/NotResource");
        }
        Map<String, Map<String, List<String>>> conditions = new LinkedHashMap<>();
        JsonNode c = s.get("Condition");
        if (c != null) {
            c.fields().forEachRemaining(op -> {
                Map<String, List<String>> keys = new LinkedHashMap<>();
                op.getValue().fields().forEachRemaining(k -> keys.put(k.getKey().toLowerCase(Locale.ROOT),
                        strings(at + ".Condition." + op.getKey() + "." + k.getKey(), k.getValue())));
                Conditions.check(at + ".Condition." + op.getKey(), op.getKey());
                conditions.put(op.getKey(), keys);
            });
        }
        for (List<String> l : new ArrayList<>(java.util.Arrays.asList(resources, notResources))) {
            if (l != null && l.stream().anyMatch(r -> r.contains("${"))) {
                throw new IllegalArgumentException(at + ": policy variables in Resource are not evaluated here: " + l);
            }
        }
        return new Statement(s.has("Sid") ? s.get("Sid").asText() : null, effect, actions, notActions, resources, notResources, conditions,
                principals);
    }

    /** {@code "*"}, or {@code {"AWS": ARNs, "Service": names}} ("IAM JSON policy elements: Principal"). */
    private static Map<String, List<String>> principals(String at, JsonNode p, boolean accounts) {
        if (p == null) {
            throw new IllegalArgumentException(at + ": a statement of a resource-based policy names its Principal");
        }
        if (p.isTextual()) {
            if (!p.asText().equals("*")) {
                throw new IllegalArgumentException(at + " must be \"*\" or an object, not " + p);
            }
            return Map.of("*", List.of("*"));
        }
        Map<String, List<String>> out = new LinkedHashMap<>();
        p.fields().forEachRemaining(e -> {
            if (!List.of("AWS", "Service").contains(e.getKey())) {
                throw new IllegalArgumentException(at + "." + e.getKey() + ": only AWS and Service principals are evaluated here");
            }
            List<String> ids = strings(at + "." + e.getKey(), e.getValue());
            if (e.getKey().equals("AWS") && ids.stream().anyMatch(id -> !id.equals("*") && !id.contains(":role/") && !id.contains(":assumed-role/")
                    && !(accounts && (id.matches("[0-9]{12}") || id.matches("arn:aws[a-z-]*:iam::[0-9]{12}:root"))))) {
                // An account (ID or :root) delegates to the account's principals, which their own policies must then allow: not modelled.
                throw new IllegalArgumentException(at + ".AWS: only \"*\" and role ARNs are evaluated here, not " + ids);
            }
            out.put(e.getKey(), ids);
        });
        return out;
    }

    private static String text(String at, JsonNode n) {
        if (n == null || !n.isTextual()) {
            throw new IllegalArgumentException(at + " must be a string");
        }
        return n.asText();
    }

    private static List<String> strings(String at, JsonNode n) {
        if (n == null) {
            return null;
        }
        List<String> out = new ArrayList<>();
        for (JsonNode v : n.isArray() ? n : List.of(n)) {
            if (!v.isValueNode()) {
                throw new IllegalArgumentException(at + " must be a string or a list of strings, not " + v);
            }
            out.add(v.asText());
        }
        return List.copyOf(out);
    }
}
