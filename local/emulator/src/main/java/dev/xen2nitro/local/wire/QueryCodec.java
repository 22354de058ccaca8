package dev.xen2nitro.local.wire;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.core.protocol.MarshallingType;

/**
 * The Query wire protocol: form-encoded requests ({@code Action=...&InstanceId.1=...}) and XML
 * responses. EC2 flattens lists ({@code Name.N}) and writes results directly under the response
 * element with {@code <item>} members; Query services such as SNS wrap results in {@code <ActionResult>}
 * and lists in {@code .member.N}.
 */
public final class QueryCodec {
    private QueryCodec() {}

    public static Map<String, String> parseForm(String body) {
        Map<String, String> params = new LinkedHashMap<>();
        if (body == null || body.isEmpty()) {
            return params;
        }
        for (String pair : body.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.put(k, v);
        }
        return params;
    }

    /** Binds form parameters to a new request object of {@code requestType}. */
    public static <T> T read(Class<T> requestType, Map<String, String> params) {
        SdkPojo builder = SdkShapes.builderOf(requestType);
        SdkShapes.fill(builder, new FormSource(params, ""));
        return SdkShapes.build(builder);
    }

    private record FormSource(Map<String, String> params, String prefix) implements SdkShapes.Source {
        @Override
        public String scalar(SdkField<?> field) {
            return params.get(prefix + field.locationName());
        }

        @Override
        public SdkShapes.Source struct(SdkField<?> field) {
            String p = prefix + field.locationName() + ".";
            return params.keySet().stream().anyMatch(k -> k.startsWith(p)) ? new FormSource(params, p) : null;
        }

        @Override
        public List<SdkShapes.Source> list(SdkField<?> field) {
            String flat = prefix + field.locationName() + ".";
            String base = params.keySet().stream().anyMatch(k -> k.startsWith(flat + "member.")) ? flat + "member." : flat;
            List<SdkShapes.Source> out = new ArrayList<>();
            for (int i = 1; ; i++) {
                String key = base + i;
                if (!params.containsKey(key) && params.keySet().stream().noneMatch(k -> k.startsWith(key + "."))) {
                    return out;
                }
                out.add(new FormSource(params, key + "."));
            }
        }

        @Override
        public String text() {
            return params.get(prefix.substring(0, prefix.length() - 1));
        }

        /**
         * A map: {@code Field.entry.N.KEY} and {@code Field.entry.N.VALUE...}, with the key's and value's names from the
         * map's trait (SNS's MessageAttributes: Name, and Value with DataType and StringValue).
         */
        @Override
        public java.util.Map<String, SdkShapes.Source> map(SdkField<?> field) {
            software.amazon.awssdk.core.traits.MapTrait trait = field.getRequiredTrait(software.amazon.awssdk.core.traits.MapTrait.class);
            String keyName = trait.keyLocationName() == null ? "key" : trait.keyLocationName();
            String valueName = trait.valueLocationName() == null ? "value" : trait.valueLocationName();
            java.util.Map<String, SdkShapes.Source> out = new LinkedHashMap<>();
            for (int i = 1; ; i++) {
                String entry = prefix + field.locationName() + ".entry." + i + ".";
                String key = params.get(entry + keyName);
                if (key == null) {
                    return out;
                }
                out.put(key, new FormSource(params, entry + valueName + "."));
            }
        }
    }

    public static final String EC2_NS = "http://ec2.amazonaws.com/doc/2016-11-15/";

    /** EC2's response: fields directly under {@code <ActionResponse>}, lists of {@code <item>}. */
    public static String ec2Response(String action, SdkPojo response, String requestId) {
        StringBuilder sb = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        sb.append('<').append(action).append("Response xmlns=\"").append(EC2_NS).append("\">");
        sb.append("<requestId>").append(requestId).append("</requestId>");
        writeFields(sb, response, true);
        sb.append("</").append(action).append("Response>");
        return sb.toString();
    }

    /** A Query service's response: {@code <ActionResponse><ActionResult>...</ActionResult><ResponseMetadata>}. */
    public static String queryResponse(String action, String namespace, SdkPojo response, String requestId) {
        StringBuilder sb = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        sb.append('<').append(action).append("Response xmlns=\"").append(namespace).append("\">");
        sb.append('<').append(action).append("Result>");
        writeFields(sb, response, false);
        sb.append("</").append(action).append("Result>");
        sb.append("<ResponseMetadata><RequestId>").append(requestId).append("</RequestId></ResponseMetadata>");
        sb.append("</").append(action).append("Response>");
        return sb.toString();
    }

    public static String ec2Error(AwsError e, String requestId) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>" + escape(e.code())
                + "</Code><Message>" + escape(e.getMessage()) + "</Message></Error></Errors><RequestID>" + requestId
                + "</RequestID></Response>";
    }

    public static String queryError(AwsError e, String requestId) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ErrorResponse><Error><Type>" + (e.status() >= 500 ? "Receiver" : "Sender")
                + "</Type><Code>" + escape(e.code()) + "</Code><Message>" + escape(e.getMessage())
                + "</Message></Error><RequestId>" + requestId + "</RequestId></ErrorResponse>";
    }

    private static void writeFields(StringBuilder sb, SdkPojo pojo, boolean ec2) {
        SdkShapes.forEachPresent(pojo, (f, v) -> writeValue(sb, f.unmarshallLocationName(), f, v, ec2));
    }

    private static void writeValue(StringBuilder sb, String name, SdkField<?> f, Object v, boolean ec2) {
        MarshallingType<?> type = f.marshallingType();
        if (type == MarshallingType.LIST) {
            SdkField<?> member = SdkShapes.listMember(f);
            String memberName = member.unmarshallLocationName() != null ? member.unmarshallLocationName() : (ec2 ? "item" : "member");
            sb.append('<').append(name).append('>');
            for (Object item : (List<?>) v) {
                writeValue(sb, memberName, member, item, ec2);
            }
            sb.append("</").append(name).append('>');
        } else if (type == MarshallingType.SDK_POJO) {
            sb.append('<').append(name).append('>');
            writeFields(sb, (SdkPojo) v, ec2);
            sb.append("</").append(name).append('>');
        } else if (type == MarshallingType.MAP) {
            sb.append('<').append(name).append('>');
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                sb.append("<entry><key>").append(escape(String.valueOf(e.getKey()))).append("</key><value>")
                        .append(escape(String.valueOf(e.getValue()))).append("</value></entry>");
            }
            sb.append("</").append(name).append('>');
        } else {
            sb.append('<').append(name).append('>')
                    .append(escape(SdkShapes.scalarText(v, QueryCodec::iso)))
                    .append("</").append(name).append('>');
        }
    }

    static String iso(Instant i) {
        return DateTimeFormatter.ISO_INSTANT.format(i.truncatedTo(ChronoUnit.MILLIS));
    }

    public static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
