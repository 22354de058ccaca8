package dev.xen2nitro.local.iam;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An identity-based IAM policy: its statements, read from the JSON AWS reads ("IAM JSON policy
 * element reference", IAM User Guide). A single value and a one-element list mean the same; anything
 * this model does not evaluate ({@code Principal}, policy variables) is refused when the policy is read,
 * rather than silently taken as a match.
 */
public record Policy(String name, List<Statement> statements) {

    public enum Effect { Allow, Deny }

    /**
     * One statement. Exactly one of {@code actions}/{@code notActions} and one of
     * {@code resources}/{@code notResources} is non-null. {@code conditions} maps an operator as written
     * (e.g. {@code ForAnyValue:StringLike}) to its keys (lower-cased: condition keys are case-insensitive)
     * and their values.
     */
    public record Statement(String sid, Effect effect, List<String> actions, List<String> notActions,
                            List<String> resources, List<String> notResources,
                            Map<String, Map<String, List<String>>> conditions) {}

    /** Reads a policy document ({@code {"Statement": [...]}}); {@code name} says where it came from in errors. */
    public static Policy read(String name, JsonNode document) {
        JsonNode st = document.get("Statement");
        if (st == null) {
            throw new IllegalArgumentException(name + ": a policy document needs a Statement");
        }
        List<Statement> out = new ArrayList<>();
        int n = 0;
        for (JsonNode s : st.isArray() ? st : List.of(st)) {
            out.add(statement(name + ".Statement[" + n++ + "]", s));
        }
        return new Policy(name, List.copyOf(out));
    }

    private static Statement statement(String at, JsonNode s) {
        for (String field : (Iterable<String>) s::fieldNames) {
            if (!List.of("Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition").contains(field)) {
                throw new IllegalArgumentException(at + ": '" + field + "' is not evaluated here (identity-based policies only)");
            }
        }
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
        return new Statement(s.has("Sid") ? s.get("Sid").asText() : null, effect, actions, notActions, resources, notResources, conditions);
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
