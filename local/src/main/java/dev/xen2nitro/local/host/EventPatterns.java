package dev.xen2nitro.local.host;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * EventBridge's matching of an event against a rule's pattern, for the patterns of template.yaml: every field of
 * the pattern must be in the event; an object matches the event's object field by field, an array of values
 * matches a field equal to one of them (EventBridge User Guide, "Amazon EventBridge event patterns"). Content
 * filters (prefix, numeric, exists...) are refused rather than guessed: the template uses none.
 */
public final class EventPatterns {
    private EventPatterns() {}

    /** Whether {@code event} matches {@code pattern}, each pattern value passed through {@code resolve} (for a {@code !Ref}). */
    public static boolean matches(JsonNode pattern, JsonNode event, UnaryOperator<String> resolve) {
        for (Iterator<Map.Entry<String, JsonNode>> it = pattern.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            JsonNode want = f.getValue();
            JsonNode have = event.get(f.getKey());
            if (want.isObject()) {
                if (have == null || !have.isObject() || !matches(want, have, resolve)) {
                    return false;
                }
            } else if (want.isArray()) {
                if (have == null || have.isNull() || have.isContainerNode()) {
                    return false;
                }
                boolean any = false;
                for (JsonNode value : want) {
                    if (!value.isValueNode()) {
                        throw new IllegalStateException("the local cloud matches exact values only; the pattern's " + f.getKey() + " has " + value);
                    }
                    any |= resolve.apply(value.asText()).equals(have.asText());
                }
                if (!any) {
                    return false;
                }
            } else {
                throw new IllegalStateException("an event pattern's values are arrays or objects; " + f.getKey() + " is " + want);
            }
        }
        return true;
    }
}
