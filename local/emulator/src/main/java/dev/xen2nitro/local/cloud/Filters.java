package dev.xen2nitro.local.cloud;

import dev.xen2nitro.local.wire.AwsError;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import software.amazon.awssdk.services.ec2.model.Filter;

/** EC2 Describe* filters: every filter must match one of its values; {@code tag:Key} and {@code tag-key} are common. */
final class Filters {
    private Filters() {}

    static boolean match(List<Filter> filters, Set<String> supported, Map<String, String> tags,
                         Function<String, Collection<String>> values) {
        for (Filter f : filters) {
            Collection<String> actual;
            if (f.name().startsWith("tag:")) {
                String v = tags.get(f.name().substring(4));
                actual = v == null ? List.of() : List.of(v);
            } else if (f.name().equals("tag-key")) {
                actual = tags.keySet();
            } else if (supported.contains(f.name())) {
                actual = values.apply(f.name());
            } else {
                // EC2 rejects filter names it does not know for the action.
                throw new AwsError("InvalidParameterValue", "The filter '" + f.name() + "' is invalid");
            }
            if (actual.stream().noneMatch(a -> f.values().stream().anyMatch(pattern -> glob(pattern, a)))) {
                return false;
            }
        }
        return true;
    }

    /** EC2 filter values accept * and ? wildcards. */
    static boolean glob(String pattern, String value) {
        if (value == null) return false;
        String regex = ("\\Q" + pattern + "\\E").replace("*", "\\E.*\\Q").replace("?", "\\E.\\Q");
        return value.matches(regex);
    }
}
