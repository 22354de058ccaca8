package dev.xen2nitro.functions.approval;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.xen2nitro.functions.core.Aws;
import dev.xen2nitro.functions.core.Executions;
import dev.xen2nitro.functions.core.JsonHandler;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.kms.model.MacAlgorithmSpec;
import software.amazon.awssdk.services.sfn.model.InvalidTokenException;
import software.amazon.awssdk.services.sfn.model.TaskDoesNotExistException;
import software.amazon.awssdk.services.sfn.model.TaskTimedOutException;
import software.amazon.awssdk.services.ssm.model.ParameterNotFoundException;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/**
 * The approval: the one component whose answer the migration accepts. It has two function URLs.
 *
 * <p>The CLI way (AuthType AWS_IAM): approvers call it signed with their own credentials, so the caller is the one Lambda
 * names in requestContext.authorizer.iam.userArn, never a name in the request's body (Lambda Developer Guide, "Invoking
 * Lambda function URLs", request payload). {@code GET ?execution=ARN} shows what is waiting and changes nothing;
 * {@code POST {"execution", "decision": "approve"|"reject", "planHash", "reason"}} answers.
 *
 * <p>The link (AuthType NONE): the mail carries {@code ?approval=ID&key=SECRET}, whose SHA-256 the pending approval keeps.
 * {@code GET} shows the page ({@link ApprovalPage}) and changes nothing; the page's forms {@code POST} the answer, an
 * approval only with its confirmation. Lambda names no caller here: whoever holds the mail answers, once.
 *
 * <p>Either way {@link AnswerRules} decides; the answer is signed with the stack's approval key (KMS GenerateMac,
 * HMAC-SHA-256 over {@link Answer#message}), sent with SendTaskSuccess, and the pending approval deleted, so that it is
 * answered once. A direct Invoke passes no caller and no link; whoever may invoke the function directly could hand it any
 * event, which is why approvers are granted lambda:InvokeFunction only through the URL (README, "Approving a migration").
 */
public class AnswerApproval extends JsonHandler<AnswerApproval.Request, AnswerApproval.Response> {

    /** A function URL request (payload format 2.0), the fields read here. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Request(String rawPath, Map<String, String> queryStringParameters, Map<String, String> headers, Context requestContext,
                          String body, Boolean isBase64Encoded) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Context(Http http, Authorizer authorizer) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Http(String method) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Authorizer(Iam iam) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Iam(String userArn, String accountId) {}

    /** A function URL response: Lambda turns it into the HTTP response. */
    public record Response(int statusCode, Map<String, String> headers, String body) {}

    public AnswerApproval() {
        super(Request.class);
    }

    private static Response json(int status, JsonNode body) {
        return new Response(status, Map.of("content-type", "application/json"), body.toString());
    }

    private static Response message(int status, String message) {
        return json(status, JSON.createObjectNode().put("message", message));
    }

    private static Response page(int status, String title, String message) {
        return new Response(status, ApprovalPage.HEADERS, ApprovalPage.result(title, message));
    }

    @Override
    protected Response handle(Request in) {
        String caller = in.requestContext() == null || in.requestContext().authorizer() == null || in.requestContext().authorizer().iam() == null
                ? null : in.requestContext().authorizer().iam().userArn();
        String method = in.requestContext() == null || in.requestContext().http() == null ? "" : in.requestContext().http().method();
        Approvers approvers = Approvers.of(Aws.setting("APPROVER_ARNS"), Aws.setting("MINIMUM_APPROVALS"));
        try {
            if (caller == null || caller.isBlank()) {
                return link(in, method, approvers);
            }
            if (!approvers.names(caller)) {
                return message(403, caller + " is not an approver of this stack: its ApproverArns name " + approvers.arns());
            }
            return switch (method) {
                case "GET" -> show(in, approvers);
                case "POST" -> answer(in, caller, approvers);
                default -> message(405, "GET ?execution=ARN shows what is waiting; POST answers it.");
            };
        } catch (AwsServiceException | SdkClientException e) {
            // The caller may try again: nothing was sent unless the answer said so.
            String why = "The approval could not be completed (" + e.getClass().getSimpleName() + "); nothing was sent to the execution. Try again.";
            return caller == null ? page(503, "Not completed", why) : message(503, why);
        }
    }

    private static String path() {
        return Aws.setting("PENDING_APPROVALS");
    }

    /** The pending approval kept under {@code id} (the digest of its execution's ARN), or null when none waits. */
    private static PendingApproval pendingAt(String id) {
        String name = path() + id;
        try {
            String value = Aws.ssm().getParameter(r -> r.name(name).withDecryption(true)).parameter().value();
            PendingApproval p = JSON.readValue(value, PendingApproval.class);
            return id.equals(Executions.digest(p.execution())) ? p : null;
        } catch (ParameterNotFoundException e) {
            return null;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the pending approval " + name + " is not what RequestApproval writes", e);
        }
    }

    private static PendingApproval pending(String execution) {
        PendingApproval p = pendingAt(Executions.digest(execution));
        return p != null && execution.equals(p.execution()) ? p : null;
    }

    private static String nothingWaits(String execution) {
        return "No approval of " + execution + " is waiting: it was answered, it expired, or the execution never asked.";
    }

    private Response show(Request in, Approvers approvers) {
        String execution = in.queryStringParameters() == null ? null : in.queryStringParameters().get("execution");
        if (!Executions.isArn(execution)) {
            return message(400, "Name the execution: ?execution=arn:aws:states:REGION:ACCOUNT:execution:STATE-MACHINE:NAME");
        }
        PendingApproval p = pending(execution);
        if (p == null) {
            return message(404, nothingWaits(execution));
        }
        ObjectNode o = JSON.createObjectNode();
        o.put("execution", p.execution());
        o.put("instanceId", p.instanceId());
        o.put("targetType", p.targetType());
        o.put("planHash", p.planHash());
        o.put("backupImageId", p.backupImageId());
        o.put("requestedBy", p.requestedBy());
        o.put("requestedAt", p.requestedAt());
        o.put("expiresAt", p.expiresAt());
        o.put("minimumApprovals", approvers.minimum());
        o.set("approvals", JSON.valueToTree(p.approvals()));
        o.set("plan", JSON.valueToTree(p.plan()));
        return json(200, o);
    }

    private static String text(Request in) {
        return in.body() == null ? "" : Boolean.TRUE.equals(in.isBase64Encoded())
                ? new String(Base64.getDecoder().decode(in.body()), StandardCharsets.UTF_8) : in.body();
    }

    private Response answer(Request in, String caller, Approvers approvers) {
        JsonNode body;
        try {
            body = JSON.readTree(text(in));
        } catch (JsonProcessingException e) {
            body = null;
        }
        if (body == null || !body.isObject()) {
            return message(400, "Send JSON: {\"execution\": ARN, \"decision\": \"approve\", \"planHash\": HASH} or"
                    + " {\"execution\": ARN, \"decision\": \"reject\", \"reason\": TEXT}");
        }
        String execution = body.path("execution").asText(null);
        String decision = body.path("decision").asText("");
        if (!Executions.isArn(execution)) {
            return message(400, "'execution' is the ARN of the execution that asks (the approval request names it)");
        }
        if (!decision.equals("approve") && !decision.equals("reject")) {
            return message(400, "'decision' is \"approve\" or \"reject\"");
        }
        PendingApproval p = pending(execution);
        if (p == null) {
            return message(404, nothingWaits(execution));
        }
        Done d = complete(p, caller, decision, body.path("planHash").asText(null), body.path("reason").asText(null), "cli", approvers);
        if (d.answer() == null) {
            return message(d.status(), d.message());
        }
        ObjectNode done = JSON.createObjectNode();
        done.put("answer", d.answer().approved() ? "approved" : "rejected");
        done.put("execution", execution);
        done.put("instanceId", d.answer().instanceId());
        done.put("targetType", d.answer().targetType());
        done.put("planHash", d.answer().planHash());
        done.put("approver", d.answer().approver());
        done.put("at", d.answer().at());
        return json(200, done);
    }

    /** The link: its page (GET) or its forms' answer (POST), for whoever holds the link mailed for one pending approval. */
    private Response link(Request in, String method, Approvers approvers) {
        Map<String, String> params = method.equals("POST") ? form(text(in)) : in.queryStringParameters() == null ? Map.of() : in.queryStringParameters();
        String id = params.get("approval");
        String key = params.get("key");
        if (id == null || !id.matches("[0-9a-f]{16}") || key == null || key.isBlank()) {
            return page(400, "Not a whole link", "This address is not a whole approval link: open the link as the approval request mailed it."
                    + " Approvers with AWS credentials answer at the approval URL signed with them (README, \"Approving a migration\").");
        }
        PendingApproval p = pendingAt(id);
        if (p == null) {
            return page(404, "Nothing waits", "No approval waits for this link: it was answered, it expired, or the migration ended.");
        }
        if (p.linkKeyHash() == null || !MessageDigest.isEqual(sha256(key).getBytes(StandardCharsets.US_ASCII),
                p.linkKeyHash().getBytes(StandardCharsets.US_ASCII))) {
            return page(403, "Not the link that was mailed", "This link's key is not the one the approval request mailed; nothing was changed.");
        }
        if (method.equals("GET")) {
            if (Instant.now().isAfter(Instant.parse(p.expiresAt()))) {
                return page(410, "Expired", "This approval expired at " + p.expiresAt() + "; the migration does not wait for it any more.");
            }
            if (p.linkUsed()) {
                return page(409, "Answered", "This link has answered already; it works once.");
            }
            return new Response(200, ApprovalPage.HEADERS, ApprovalPage.review(p, approvers, id, key));
        }
        if (!method.equals("POST")) {
            return page(405, "Not an answer", "Open the link to see what waits; answer with the page's buttons.");
        }
        String decision = params.getOrDefault("decision", "");
        if (decision.equals("approve") && !"yes".equals(params.get("confirm"))) {
            return page(400, "Not confirmed", "Tick the confirmation to approve; nothing was changed.");
        }
        if (!decision.equals("approve") && !decision.equals("reject")) {
            return page(400, "Not an answer", "Answer with the page's buttons: approve or reject.");
        }
        Done d = complete(p, AnswerRules.LINK_HOLDER, decision, params.get("planHash"), params.get("reason"), "link", approvers);
        if (d.answer() == null) {
            return page(d.status(), d.status() == 202 ? "Approval recorded" : "Not accepted", d.message());
        }
        return page(200, d.answer().approved() ? "Approved" : "Rejected", (d.answer().approved() ? "Approved: " : "Rejected: ")
                + p.instanceId() + " -> " + p.targetType() + ". The migration goes on and its report will say what became of it.");
    }

    /** What became of an answer: refused or recorded (a status and message), or answered (the signed answer sent). */
    private record Done(int status, String message, Answer answer) {}

    private Done complete(PendingApproval p, String caller, String decision, String planHash, String reason, String via, Approvers approvers) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        AnswerRules.Outcome o = AnswerRules.decide(p, caller, decision.equals("approve") ? AnswerRules.Decision.APPROVE : AnswerRules.Decision.REJECT,
                planHash, reason, via, now, approvers);
        String execution = p.execution();
        String name = RequestApproval.parameterName(path(), execution);
        if (o.status() == 410) {
            delete(name);
        }
        if (o.recorded() != null) {
            String value = write(o.recorded());
            Aws.ssm().putParameter(r -> r.name(name).type(ParameterType.SECURE_STRING).overwrite(true).value(value));
            return new Done(202, o.message(), null);
        }
        if (o.answer() == null) {
            return new Done(o.status(), o.message(), null);
        }
        Answer unsigned = o.answer();
        byte[] mac = Aws.kms().generateMac(r -> r.keyId(Aws.setting("APPROVAL_KEY_ID")).macAlgorithm(MacAlgorithmSpec.HMAC_SHA_256)
                .message(SdkBytes.fromByteArray(unsigned.message(execution)))).mac().asByteArray();
        Answer signed = unsigned.signed(Base64.getEncoder().encodeToString(mac));
        try {
            Aws.sfn().sendTaskSuccess(r -> r.taskToken(p.taskToken()).output(signed.toJson().toString()));
        } catch (TaskTimedOutException | InvalidTokenException | TaskDoesNotExistException e) {
            delete(name);
            return new Done(410, "The execution " + execution + " no longer waits for this approval (it timed out or ended).", null);
        }
        delete(name);
        return new Done(200, signed.approved() ? "approved" : "rejected", signed);
    }

    /** An HTML form's fields (application/x-www-form-urlencoded). */
    static Map<String, String> form(String body) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            out.put(URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
                    eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String write(PendingApproval p) {
        try {
            return JSON.writeValueAsString(p);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Single use: an answered or expired approval is gone. */
    private static void delete(String name) {
        try {
            Aws.ssm().deleteParameter(r -> r.name(name));
        } catch (ParameterNotFoundException e) {
            // Answered meanwhile by another approver: nothing left to delete.
        }
    }

    @Override
    protected Request sampleInput() {
        return new Request("/", Map.of("execution", Executions.SAMPLE), Map.of(), new Context(new Http("GET"),
                new Authorizer(new Iam("arn:aws:iam::123456789012:user/approver", "123456789012"))), null, false);
    }
}
