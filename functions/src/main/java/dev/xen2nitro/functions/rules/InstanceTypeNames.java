package dev.xen2nitro.functions.rules;

import dev.xen2nitro.functions.core.InvalidInputException;
import java.util.regex.Pattern;

/** The shape of an instance type name: family, a dot, size (m5.xlarge, c5n.18xlarge, u-6tb1.metal). */
public final class InstanceTypeNames {
    private InstanceTypeNames() {}

    private static final Pattern TYPE = Pattern.compile("[a-z][a-z0-9-]*\\.[a-z0-9-]+");

    public static void require(String field, String type) {
        if (type == null || type.isBlank()) {
            throw new InvalidInputException("'" + field + "' is required: give an instance type such as m5.xlarge");
        }
        if (!TYPE.matcher(type).matches()) {
            throw new InvalidInputException("'" + field + "' is \"" + type + "\", which is not an instance type name: "
                    + "expected family.size, e.g. m5.xlarge");
        }
    }
}
