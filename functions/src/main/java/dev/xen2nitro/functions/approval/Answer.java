package dev.xen2nitro.functions.approval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;

/**
 * The answer to an approval request as the approval function sends it to the waiting execution (SendTaskSuccess): who
 * answered, how and when, for which instance, target type and plan, and its {@code signature}, an HMAC-SHA-256 of
 * {@link #message} made with the stack's approval key, which only the approval function may use.
 *
 * @param approver the approvers, comma-separated, in the order they approved (one for a rejection): the caller's ARN for
 *                 the CLI way, the entry of ApproverArns whose link answered for a link
 * @param via      for each approver in turn, {@code cli} (the URL, signed with the approver's AWS credentials) or
 *                 {@code link} (the page of the link mailed to that approver), comma-separated
 * @param at       when the answer was given, ISO-8601 in UTC
 * @param reason   a rejection's reason, or empty
 */
public record Answer(boolean approved, String approver, String via, String at, String instanceId, String targetType, String planHash,
                     String reason, String signature) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * What is signed: the canonical JSON of every field but the signature, and the ARN of the execution that waits for
     * the answer, so that an answer signed for one execution is worth nothing to another.
     */
    public byte[] message(String executionArn) {
        ObjectNode m = fields();
        m.put("purpose", "xen2nitro approval");
        m.put("execution", executionArn);
        return PlanHash.canonical(m).getBytes(StandardCharsets.UTF_8);
    }

    /** Every field but the signature. */
    private ObjectNode fields() {
        ObjectNode o = JSON.createObjectNode();
        o.put("approved", approved);
        o.put("approver", approver);
        o.put("via", via);
        o.put("at", at);
        o.put("instanceId", instanceId);
        o.put("targetType", targetType);
        o.put("planHash", planHash);
        o.put("reason", reason == null ? "" : reason);
        return o;
    }

    public Answer signed(String signature) {
        return new Answer(approved, approver, via, at, instanceId, targetType, planHash, reason, signature);
    }

    public ObjectNode toJson() {
        ObjectNode o = fields();
        o.put("signature", signature);
        return o;
    }

    /**
     * The answer in {@code node} as the approval function writes it, or null when it is not one: any other shape, a field
     * missing or of another type. The signature is not checked here.
     */
    public static Answer read(JsonNode node) {
        if (node == null || !node.isObject() || !node.path("approved").isBoolean()) {
            return null;
        }
        for (String f : new String[] {"approver", "via", "at", "instanceId", "targetType", "planHash", "reason", "signature"}) {
            if (!node.path(f).isTextual()) {
                return null;
            }
        }
        return new Answer(node.get("approved").asBoolean(), node.get("approver").asText(), node.get("via").asText(), node.get("at").asText(),
                node.get("instanceId").asText(), node.get("targetType").asText(), node.get("planHash").asText(), node.get("reason").asText(),
                node.get("signature").asText());
    }
}
