package dev.xen2nitro.local.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.core.protocol.MarshallingType;

/**
 * The AWS JSON 1.0/1.1 wire protocol (SSM, Step Functions, KMS): a JSON body named by {@code X-Amz-Target},
 * members by their wire names, timestamps as epoch seconds, blobs in base64, errors as {@code {"__type", "message"}}.
 */
public final class JsonCodec {
    private JsonCodec() {}

    static final ObjectMapper MAPPER = new ObjectMapper();

    public static <T> T read(Class<T> requestType, byte[] body) {
        JsonNode node;
        try {
            node = body.length == 0 ? JsonNodeFactory.instance.objectNode() : MAPPER.readTree(body);
        } catch (IOException e) {
            throw new AwsError("SerializationException", "The request body is not valid JSON: " + e.getMessage());
        }
        SdkPojo builder = SdkShapes.builderOf(requestType);
        SdkShapes.fill(builder, new NodeSource(node));
        return SdkShapes.build(builder);
    }

    /** The model object {@code type} (a response the emulator composes as JSON) from its wire form. */
    public static <T> T read(Class<T> type, JsonNode node) {
        SdkPojo builder = SdkShapes.builderOf(type);
        SdkShapes.fill(builder, new NodeSource(node));
        return SdkShapes.build(builder);
    }

    private record NodeSource(JsonNode node) implements SdkShapes.Source {
        @Override
        public String scalar(SdkField<?> field) {
            JsonNode v = node.get(field.locationName());
            return v == null || v.isNull() || v.isContainerNode() ? null : v.asText();
        }

        @Override
        public SdkShapes.Source struct(SdkField<?> field) {
            JsonNode v = node.get(field.locationName());
            return v == null || !v.isObject() ? null : new NodeSource(v);
        }

        @Override
        public List<SdkShapes.Source> list(SdkField<?> field) {
            JsonNode v = node.get(field.locationName());
            List<SdkShapes.Source> out = new ArrayList<>();
            if (v != null && v.isArray()) {
                v.forEach(n -> out.add(new NodeSource(n)));
            }
            return out;
        }

        @Override
        public String text() {
            return node.asText();
        }

        @Override
        public List<SdkShapes.Source> elements() {
            List<SdkShapes.Source> out = new ArrayList<>();
            if (node.isArray()) node.forEach(n -> out.add(new NodeSource(n)));
            return out;
        }

        @Override
        public Map<String, SdkShapes.Source> map(SdkField<?> field) {
            JsonNode v = node.get(field.locationName());
            Map<String, SdkShapes.Source> out = new java.util.LinkedHashMap<>();
            if (v != null && v.isObject()) v.fields().forEachRemaining(e -> out.put(e.getKey(), new NodeSource(e.getValue())));
            return out;
        }
    }

    public static byte[] write(SdkPojo response) {
        try {
            return MAPPER.writeValueAsBytes(toNode(response));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static ObjectNode toNode(SdkPojo pojo) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        SdkShapes.forEachPresent(pojo, (f, v) -> out.set(f.locationName(), value(f, v)));
        return out;
    }

    private static JsonNode value(SdkField<?> f, Object v) {
        MarshallingType<?> type = f.marshallingType();
        JsonNodeFactory nf = JsonNodeFactory.instance;
        if (type == MarshallingType.SDK_POJO) return toNode((SdkPojo) v);
        if (type == MarshallingType.LIST) {
            ArrayNode a = nf.arrayNode();
            SdkField<?> member = SdkShapes.listMember(f);
            ((List<?>) v).forEach(item -> a.add(value(member, item)));
            return a;
        }
        if (type == MarshallingType.MAP) {
            ObjectNode o = nf.objectNode();
            SdkField<?> valueField = SdkShapes.mapValue(f);
            ((Map<?, ?>) v).forEach((k, val) -> o.set(String.valueOf(k), value(valueField, val)));
            return o;
        }
        if (v instanceof Instant i) return nf.numberNode(BigDecimal.valueOf(i.toEpochMilli(), 3));
        if (v instanceof Integer i) return nf.numberNode(i);
        if (v instanceof Long l) return nf.numberNode(l);
        if (v instanceof Double d) return nf.numberNode(d);
        if (v instanceof Boolean b) return nf.booleanNode(b);
        if (v instanceof software.amazon.awssdk.core.SdkBytes bytes) return nf.textNode(java.util.Base64.getEncoder().encodeToString(bytes.asByteArray()));
        return nf.textNode(String.valueOf(v));
    }

    public static byte[] error(AwsError e) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("__type", e.code());
        o.put("message", e.getMessage());
        return o.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
