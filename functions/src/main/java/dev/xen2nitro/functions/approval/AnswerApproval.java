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

/**
 * The approval: the one component whose answer the migration accepts. It has two function URLs.
 *
 * <p>The CLI way (AuthType AWS_IAM): approvers call it signed with their own credentials, so the caller is the one Lambda
 * names in requestContext.authorizer.iam.userArn, never a name in the request's body (Lambda Developer Guide, "Invoking
 * Lambda function URLs", request payload). {@code GET ?execution=ARN} shows what is waiting and changes nothing;
 * {@code POST {"execution", "decision": "approve"|"reject", "planHash", "reason"}} answers.
 *
 * <p>The link (AuthType NONE): each approver's mail carries {@code ?approval=ID&key=SECRET}, a secret of that approver's
 * own whose SHA-256 the pending approval keeps. {@code GET} shows the page ({@link ApprovalPage}) and changes nothing; the
 * page's forms {@code POST} the answer, an approval only with its confirmation. Lambda names no caller here: the answer
 * is the approver's the link was mailed to (RequestApproval), once.
 *
 * <p>Either way {@link AnswerRules} decides; the answer is signed with the stack's approval key (KMS GenerateMac,
 * HMAC-SHA-256 over {@link Answer#message}), sent with SendTaskSuccess, and the pending approval deleted, so that it is
 * answered once. A direct Invoke can carry any event, a made-up caller included: nothing in the event tells it from the
 * URL's, which is why nobody is to be granted lambda:InvokeFunction on this function but through its URL (README,
 * "Approving a migration", which gives the service control policy that enforces it).
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
        } catch (PendingApprovals.NotOurs e) {
            String why = "Not accepted: " + e.getMessage() + ". Nothing was sent to the execution; tell the stack's administrators.";
            return caller == null ? page(403, "Not accepted", why) : message(403, why);
        } catch (AwsServiceException | SdkClientException e) {
            // The caller may try again: nothing was sent unless the answer said so.
            String why = "The approval could not be completed (" + e.getClass().getSimpleName() + "); nothing was sent to the execution. Try again.";
            return caller == null ? page(503, "Not completed", why) : message(503, why);
        }
    }

    /** The pending approval of {@code execution}, or null when none waits. */
    private static PendingApproval pending(String execution) {
        PendingApproval p = PendingApprovals.read(Executions.digest(execution));
        return p != null && execution.equals(p.execution()) ? p : null;
    }

    private static String nothingWaits(String execution) {
        return "No approval of " + execution + " is waiting: it was answered, it expired, or the execution never asked.";
    }

    /**
     * The execution a GET names. Its ARN comes URL-encoded (README: curl before 8.3.0 signs a query as written). The
     * Lambda Developer Guide's request payload ("Invoking Lambda function URLs") does not say whether the values of
     * {@code queryStringParameters} come decoded (the local host decodes them); should one still hold its
     * percent-encoding, it is decoded here: an ARN holds no {@code %} of its own, and a {@code +} stays a plus.
     */
    static String executionOf(Map<String, String> query) {
        String execution = query == null ? null : query.get("execution");
        return execution == null || execution.indexOf('%') < 0 ? execution
                : java.net.URLDecoder.decode(execution.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
    }

    private Response show(Request in, Approvers approvers) {
        String execution = executionOf(in.queryStringParameters());
        if (!Executions.isArn(execution)) {
            return message(400, "Name the execution, URL-encoded: ?execution=arn%3Aaws%3Astates%3AREGION%3AACCOUNT%3Aexecution%3ASTATE-MACHINE%3ANAME");
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
        if (!links()) {
            return page(403, "Links are off", "This stack takes answers only at its approval URL, signed with the approver's AWS credentials"
                    + " (README, \"Approving a migration\"); nothing was changed.");
        }
        PendingApproval p = PendingApprovals.read(id);
        if (p == null) {
            return page(404, "Nothing waits", "No approval waits for this link: it was answered, it expired, or the migration ended.");
        }
        String entry = p.linkEntry(sha256(key));
        if (entry == null || !approvers.names(entry)) {
            return page(403, "Not the link that was mailed", "This link's key is not one the approval request mailed to an approver of this stack;"
                    + " nothing was changed.");
        }
        if (method.equals("GET")) {
            if (Instant.now().isAfter(Instant.parse(p.expiresAt()))) {
                return page(410, "Expired", "This approval expired at " + p.expiresAt() + "; the migration does not wait for it any more.");
            }
            if (p.approvedBy(entry)) {
                return page(409, "Answered", "This link has answered already; it works once.");
            }
            return new Response(200, ApprovalPage.HEADERS, ApprovalPage.review(p, approvers, entry, id, key));
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
        Done d = complete(p, entry, decision, params.get("planHash"), params.get("reason"), "link", approvers);
        if (d.answer() == null) {
            return page(d.status(), d.status() == 202 ? "Approval recorded" : "Not accepted", d.message());
        }
        return page(200, d.answer().approved() ? "Approved" : "Rejected", (d.answer().approved() ? "Approved: " : "Rejected: ")
                + p.instanceId() + " -> " + p.targetType() + ". The migration goes on and its report will say what became of it.");
    }

    /** What became of an answer: refused or recorded (a status and message), or answered (the signed answer sent). */
    private record Done(int status, String message, Answer answer) {}

    private Done complete(PendingApproval waiting, String caller, String decision, String planHash, String reason, String via, Approvers approvers) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        PendingApproval p = waiting;
        if (decision.equals("approve") && !p.starterSettled()) {
            // CloudTrail had no StartExecution yet when the request was mailed: look again before any approval counts.
            Starter.Found found = Starter.of(p.execution(), Instant.parse(p.executionStartTime()));
            if (found.settled()) {
                p = p.startedBy(found.arn());
                PendingApprovals.write(p);
            }
        }
        AnswerRules.Outcome o = AnswerRules.decide(p, caller, decision.equals("approve") ? AnswerRules.Decision.APPROVE : AnswerRules.Decision.REJECT,
                planHash, reason, via, now, approvers);
        String execution = p.execution();
        if (o.status() == 410) {
            PendingApprovals.delete(execution);
        }
        if (o.recorded() != null) {
            PendingApprovals.write(o.recorded());
            return new Done(202, o.message(), null);
        }
        if (o.answer() == null) {
            return new Done(o.status(), o.message(), null);
        }
        Answer unsigned = o.answer();
        byte[] message = unsigned.message(execution);
        if (message.length > 4096) {
            // GenerateMac takes at most 4096 bytes (KMS API Reference, GenerateMac, Message).
            return new Done(400, "The answer is " + message.length + " bytes long, more than can be signed (4096): shorten the reason, or,"
                    + " if it has none, name fewer approvers or shorter ARNs in ApproverArns. Nothing was sent.", null);
        }
        byte[] mac = Aws.kms().generateMac(r -> r.keyId(Aws.setting("APPROVAL_KEY_ID")).macAlgorithm(MacAlgorithmSpec.HMAC_SHA_256)
                .message(SdkBytes.fromByteArray(message))).mac().asByteArray();
        Answer signed = unsigned.signed(Base64.getEncoder().encodeToString(mac));
        String token = p.taskToken();
        try {
            Aws.sfn().sendTaskSuccess(r -> r.taskToken(token).output(signed.toJson().toString()));
        } catch (TaskTimedOutException | InvalidTokenException | TaskDoesNotExistException e) {
            PendingApprovals.delete(execution);
            return new Done(410, "The execution " + execution + " no longer waits for this approval (it timed out or ended).", null);
        }
        try {
            PendingApprovals.delete(execution);
        } catch (AwsServiceException | SdkClientException e) {
            // Sent: the execution has its answer, and ForgetApproval deletes what is left when the migration ends.
        }
        return new Done(200, signed.approved() ? "approved" : "rejected", signed);
    }

    /** Whether the stack mails each approver a link (ApprovalLinks), or takes answers only at the IAM-authenticated URL. */
    static boolean links() {
        return !"false".equals(Aws.setting("APPROVAL_LINKS"));
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

    @Override
    protected Request sampleInput() {
        return new Request("/", Map.of("execution", Executions.SAMPLE), Map.of(), new Context(new Http("GET"),
                new Authorizer(new Iam("arn:aws:iam::123456789012:user/approver", "123456789012"))), null, false);
    }
}
