package dev.xen2nitro.local.wire;

import java.lang.reflect.Method;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.core.protocol.MarshallingType;
import software.amazon.awssdk.core.traits.ListTrait;
import software.amazon.awssdk.core.traits.MapTrait;
import software.amazon.awssdk.core.util.SdkAutoConstructList;
import software.amazon.awssdk.core.util.SdkAutoConstructMap;
import software.amazon.awssdk.utils.builder.SdkBuilder;

/**
 * Reads and writes the SDK's own model classes by their field metadata (names on the wire, list
 * member names, types), so the emulator speaks exactly the shapes the real SDK expects.
 */
public final class SdkShapes {
    private SdkShapes() {}

    /** A new builder of the model class {@code type} (its static {@code builder()}). */
    public static SdkPojo builderOf(Class<?> type) {
        try {
            Method m = type.getMethod("builder");
            return (SdkPojo) m.invoke(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException(type + " is not an SDK model class", e);
        }
    }

    @SuppressWarnings("unchecked")
    public static <T> T build(SdkPojo builder) {
        return (T) ((SdkBuilder<?, ?>) builder).build();
    }

    /** A value read from the wire, by field: the codec supplies how a scalar or a nested value is found. */
    public interface Source {
        /** The scalar text at this field, or null when absent. */
        String scalar(SdkField<?> field);

        /** The nested source for a structure at this field, or null when absent. */
        Source struct(SdkField<?> field);

        /** The sources of each member of a list at this field (empty when absent). */
        List<Source> list(SdkField<?> field);

        /** The scalar text of this source itself (for list members that are scalars). */
        String text();

        /** The entries of a map at this field (empty when absent or unsupported by the protocol). */
        default List<Source> elements() {
            return List.of();
        }

        default java.util.Map<String, Source> map(SdkField<?> field) {
            return java.util.Map.of();
        }
    }

    public static Object readField(SdkField<?> field, Source src) {
        MarshallingType<?> type = field.marshallingType();
        if (type == MarshallingType.SDK_POJO) {
            Source nested = src.struct(field);
            if (nested == null) {
                return null;
            }
            SdkPojo b = field.constructor().get();
            fill(b, nested);
            return build(b);
        }
        if (type == MarshallingType.LIST) {
            List<Source> members = src.list(field);
            if (members.isEmpty()) {
                return null;
            }
            SdkField<?> member = field.getRequiredTrait(ListTrait.class).memberFieldInfo();
            List<Object> out = new ArrayList<>();
            for (Source m : members) {
                out.add(readMember(member, m));
            }
            return out;
        }
        if (type == MarshallingType.MAP) {
            java.util.Map<String, Source> entries = src.map(field);
            if (entries.isEmpty()) {
                return null;
            }
            SdkField<?> valueField = field.getRequiredTrait(MapTrait.class).valueFieldInfo();
            java.util.Map<String, Object> out = new java.util.LinkedHashMap<>();
            entries.forEach((k, v) -> out.put(k, valueField.marshallingType() == MarshallingType.LIST
                    ? readListMembers(valueField, v) : readMember(valueField, v)));
            return out;
        }
        String text = src.scalar(field);
        return text == null ? null : convert(type, text);
    }

    private static List<Object> readListMembers(SdkField<?> listField, Source listSource) {
        SdkField<?> member = listField.getRequiredTrait(ListTrait.class).memberFieldInfo();
        List<Object> out = new ArrayList<>();
        for (Source m : listSource.elements()) {
            out.add(readMember(member, m));
        }
        return out;
    }

    private static Object readMember(SdkField<?> member, Source m) {
        if (member.marshallingType() == MarshallingType.SDK_POJO) {
            SdkPojo b = member.constructor().get();
            fill(b, m);
            return build(b);
        }
        return convert(member.marshallingType(), m.text());
    }

    public static void fill(SdkPojo builder, Source src) {
        for (SdkField<?> f : builder.sdkFields()) {
            Object v = readField(f, src);
            if (v != null) {
                f.set(builder, v);
            }
        }
    }

    static Object convert(MarshallingType<?> type, String text) {
        try {
            if (type == MarshallingType.STRING) return text;
            if (type == MarshallingType.INTEGER) return Integer.valueOf(text);
            if (type == MarshallingType.LONG) return Long.valueOf(text);
            if (type == MarshallingType.BOOLEAN) return Boolean.valueOf(text);
            if (type == MarshallingType.DOUBLE) return Double.valueOf(text);
            if (type == MarshallingType.FLOAT) return Float.valueOf(text);
            if (type == MarshallingType.INSTANT) {
                // Epoch seconds, as the JSON protocols send them (a JSON number, which may come in exponent notation), or ISO-8601.
                return text.matches("[0-9.]+([Ee][+-]?[0-9]+)?")
                        ? Instant.ofEpochMilli(new java.math.BigDecimal(text).movePointRight(3).longValue()) : Instant.parse(text);
            }
            // Blobs travel base64-encoded in the JSON protocols (KMS's Message and Mac).
            if (type == MarshallingType.SDK_BYTES) return software.amazon.awssdk.core.SdkBytes.fromByteArray(java.util.Base64.getDecoder().decode(text));
        } catch (RuntimeException e) {
            throw new AwsError("InvalidParameterValue", "Value (" + text + ") is not a valid " + type);
        }
        throw new AwsError("InvalidParameterValue", "Unsupported parameter type " + type);
    }

    /** Fields of a model object that carry a value (auto-constructed empty lists and maps are absent). */
    public static void forEachPresent(SdkPojo pojo, java.util.function.BiConsumer<SdkField<?>, Object> consumer) {
        for (SdkField<?> f : pojo.sdkFields()) {
            Object v = f.getValueOrDefault(pojo);
            if (v == null || v instanceof SdkAutoConstructList || v instanceof SdkAutoConstructMap) {
                continue;
            }
            consumer.accept(f, v);
        }
    }

    public static SdkField<?> listMember(SdkField<?> field) {
        return field.getRequiredTrait(ListTrait.class).memberFieldInfo();
    }

    public static SdkField<?> mapValue(SdkField<?> field) {
        return field.getRequiredTrait(MapTrait.class).valueFieldInfo();
    }

    static String scalarText(Object v, Function<Instant, String> instants) {
        if (v instanceof Instant i) {
            return instants.apply(i);
        }
        return String.valueOf(v);
    }
}
