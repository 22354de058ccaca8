package dev.xen2nitro.functions.rules;

import dev.xen2nitro.functions.core.InvalidInputException;
import java.util.regex.Pattern;

/** EC2 instance IDs: "i-" and 8 (older) or 17 lower-case hexadecimal characters. */
public final class InstanceIds {
    private InstanceIds() {}

    private static final Pattern ID = Pattern.compile("i-([0-9a-f]{8}|[0-9a-f]{17})");

    public static boolean isWellFormed(String id) {
        return id != null && ID.matcher(id).matches();
    }

    /** Throws {@link InvalidInputException} naming the field unless {@code id} is a well-formed instance ID. */
    public static void require(String field, String id) {
        if (id == null || id.isBlank()) {
            throw new InvalidInputException("'" + field + "' is required: give the ID of the instance to migrate, e.g. i-0abc123def4567890");
        }
        if (!isWellFormed(id)) {
            throw new InvalidInputException("'" + field + "' is \"" + id + "\", which is not an EC2 instance ID: "
                    + "expected i- followed by 8 or 17 hexadecimal characters, e.g. i-0abc123def4567890");
        }
    }
}
