package dev.xen2nitro.functions.approval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;

/**
 * What an approval is for: the SHA-256 of the canonical JSON of the plan mailed to the approvers (the preflight report,
 * the guest's facts and plan, the target and the backup image). Canonical: object members sorted by name, as RFC 8785
 * sorts them (UTF-16 code units), no whitespace, strings escaped as JSON escapes them; so the same plan has the same hash
 * whoever serializes it, and any change to it another.
 */
public final class PlanHash {
    private PlanHash() {}

    private static final ObjectMapper JSON = new ObjectMapper();

    public static String of(JsonNode plan) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical(plan).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The canonical JSON text of {@code node}; a missing node is {@code null}. */
    public static String canonical(JsonNode node) {
        StringBuilder out = new StringBuilder();
        write(node == null || node.isMissingNode() ? JSON.nullNode() : node, out);
        return out.toString();
    }

    private static void write(JsonNode node, StringBuilder out) {
        if (node.isObject()) {
            List<String> names = new ArrayList<>();
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                names.add(it.next());
            }
            names.sort(String::compareTo);
            out.append('{');
            for (int i = 0; i < names.size(); i++) {
                if (i > 0) out.append(',');
                out.append(JSON.getNodeFactory().textNode(names.get(i)).toString()).append(':');
                write(node.get(names.get(i)), out);
            }
            out.append('}');
        } else if (node.isArray()) {
            out.append('[');
            for (int i = 0; i < node.size(); i++) {
                if (i > 0) out.append(',');
                write(node.get(i), out);
            }
            out.append(']');
        } else {
            out.append(node.toString());
        }
    }
}
