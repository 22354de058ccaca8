package dev.xen2nitro.functions.approval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.xen2nitro.functions.core.Aws;
import dev.xen2nitro.functions.core.Executions;
import dev.xen2nitro.functions.core.JsonHandler;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.model.KmsInvalidMacException;
import software.amazon.awssdk.services.kms.model.MacAlgorithmSpec;
import software.amazon.awssdk.services.ssm.model.ParameterNotFoundException;
import software.amazon.awssdk.services.ssm.model.ParameterTier;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/**
 * Where pending approvals are kept: an SSM SecureString parameter per execution under the stack's path
 * (PENDING_APPROVALS), named by the digest of the execution's ARN, holding {@code {"pending": ..., "mac": ...}}.
 *
 * <p>The parameter's access is not what protects it: SecureString parameters are encrypted with the account's
 * {@code aws/ssm} key, which every principal of the account may use through SSM, and ssm:PutParameter on the path is
 * common in operators' policies. So the record carries an HMAC-SHA-256 made with the stack's PendingApprovalKey over the
 * SHA-256 of its canonical JSON (the hash keeps the message within GenerateMac's 4096 bytes: KMS API Reference,
 * GenerateMac, Message), which only RequestApproval and the approval function may generate (the key's policy). A record
 * written by anyone else (its link hashes, its starter, its approvals so far) does not verify, and the approval
 * function refuses it. An older record of the same execution can be put back; it holds nothing an answer could not
 * have given, and its task token is the execution's or one that no longer waits.
 */
public final class PendingApprovals {
    private PendingApprovals() {}

    /** The most a value may hold: 8 KB for an advanced parameter, which Intelligent-Tiering makes one above 4 KB (SSM User Guide, "Managing parameter tiers"). */
    static final int MAX_VALUE_BYTES = 8192;

    /** The record was not written by xen2nitro (its MAC does not verify), or is not one. */
    public static final class NotOurs extends RuntimeException {
        NotOurs(String message) {
            super(message);
        }
    }

    public static String name(String execution) {
        return nameOf(Executions.digest(execution));
    }

    /** The parameter of the approval whose ID (the digest of its execution's ARN) is {@code id}. */
    public static String nameOf(String id) {
        return Aws.setting("PENDING_APPROVALS") + id;
    }

    private static byte[] message(JsonNode pending) {
        return ("xen2nitro pending approval " + PlanHash.of(pending)).getBytes(StandardCharsets.UTF_8);
    }

    private static String keyId() {
        return Aws.setting("PENDING_APPROVAL_KEY_ID");
    }

    /** Keeps {@code p}, replacing what was kept for its execution. */
    public static void write(PendingApproval p) {
        JsonNode pending = JsonHandler.JSON.valueToTree(p);
        ObjectNode o = JsonHandler.JSON.createObjectNode();
        o.set("pending", pending);
        // A MAC is 32 bytes, 44 characters in base64: the size is known before KMS is asked.
        int bytes = o.toString().getBytes(StandardCharsets.UTF_8).length + ",\"mac\":\"\"".length() + 44;
        if (bytes > MAX_VALUE_BYTES) {
            throw new IllegalStateException("the pending approval of " + p.execution() + " is " + bytes + " bytes, more than a parameter holds ("
                    + MAX_VALUE_BYTES + "): fewer approvers, or shorter plan lines");
        }
        byte[] mac = Aws.kms().generateMac(r -> r.keyId(keyId()).macAlgorithm(MacAlgorithmSpec.HMAC_SHA_256)
                .message(SdkBytes.fromByteArray(message(pending)))).mac().asByteArray();
        o.put("mac", Base64.getEncoder().encodeToString(mac));
        String value = o.toString();
        String name = name(p.execution());
        // Intelligent-Tiering: standard up to 4 KB, advanced above (an approval with many approvers and long ARNs).
        Aws.ssm().putParameter(r -> r.name(name).type(ParameterType.SECURE_STRING).tier(ParameterTier.INTELLIGENT_TIERING)
                .overwrite(true).value(value).description("xen2nitro: the approval " + p.execution() + " waits for, until " + p.expiresAt()));
    }

    /** The pending approval kept under {@code id}, or null when none is; {@link NotOurs} when xen2nitro did not write it. */
    public static PendingApproval read(String id) {
        String name = nameOf(id);
        String value;
        try {
            value = Aws.ssm().getParameter(r -> r.name(name).withDecryption(true)).parameter().value();
        } catch (ParameterNotFoundException e) {
            return null;
        }
        JsonNode o;
        try {
            o = JsonHandler.JSON.readTree(value);
        } catch (JsonProcessingException e) {
            throw new NotOurs("the pending approval " + name + " is not JSON");
        }
        JsonNode pending = o.path("pending");
        byte[] mac;
        try {
            mac = Base64.getDecoder().decode(o.path("mac").asText(""));
        } catch (IllegalArgumentException e) {
            mac = new byte[0];
        }
        byte[] given = mac;
        boolean valid = pending.isObject() && given.length > 0 && verify(pending, given);
        if (!valid) {
            throw new NotOurs("the pending approval " + name + " does not carry xen2nitro's MAC: someone else wrote it");
        }
        PendingApproval p;
        try {
            p = JsonHandler.JSON.treeToValue(pending, PendingApproval.class);
        } catch (JsonProcessingException e) {
            throw new NotOurs("the pending approval " + name + " is not what RequestApproval writes");
        }
        if (!id.equals(Executions.digest(p.execution()))) {
            throw new NotOurs("the pending approval " + name + " is another execution's");
        }
        return p;
    }

    private static boolean verify(JsonNode pending, byte[] mac) {
        try {
            return Aws.kms().verifyMac(r -> r.keyId(keyId()).macAlgorithm(MacAlgorithmSpec.HMAC_SHA_256)
                    .message(SdkBytes.fromByteArray(message(pending))).mac(SdkBytes.fromByteArray(mac))).macValid();
        } catch (KmsInvalidMacException e) {
            return false;
        }
    }

    /** Deletes what is kept for {@code execution}; whether there was something. */
    public static boolean delete(String execution) {
        String name = name(execution);
        try {
            Aws.ssm().deleteParameter(r -> r.name(name));
            return true;
        } catch (ParameterNotFoundException e) {
            return false;
        }
    }
}
