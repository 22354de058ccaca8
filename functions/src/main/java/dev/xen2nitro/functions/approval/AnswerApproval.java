package dev.xen2nitro.functions.approval;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.xen2nitro.functions.core.Aws;
import dev.xen2nitro.functions.core.Executions;
import dev.xen2nitro.functions.core.JsonHandler;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
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
 * The approval: the one component whose answer the migration accepts. Approvers call its function URL (AuthType AWS_IAM)
 * signed with their own credentials, so the caller is the one Lambda names in requestContext.authorizer.iam.userArn,
 * never a name in the request's body (Lambda Developer Guide, "Invoking Lambda function URLs", request payload). It
 * answers:
 *
 * <ul>
 *   <li>{@code GET ?execution=ARN}: what is waiting (instance, target, plan hash, backup image, who asked, until when, the
 *       approvals so far); changes nothing.</li>
 *   <li>{@code POST {"execution", "decision": "approve"|"reject", "planHash", "reason"}}: {@link AnswerRules} decides;
 *       the answer is signed with the stack's approval key (KMS GenerateMac, HMAC-SHA-256 over {@link Answer#message}),
 *       sent with SendTaskSuccess, and the pending approval deleted, so that it is answered once.</li>
 * </ul>
 *
 * A direct Invoke passes no caller (only the function URL does), so a request without one is refused; whoever may invoke
 * the function directly could hand it any event, which is why approvers are granted lambda:InvokeFunction only through
 * the URL (README, "Approving a migration").
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

    @Override
    protected Response handle(Request in) {
        String caller = in.requestContext() == null || in.requestContext().authorizer() == null || in.requestContext().authorizer().iam() == null
                ? null : in.requestContext().authorizer().iam().userArn();
        if (caller == null || caller.isBlank()) {
            return message(403, "Who you are is taken from the request, and this one names nobody: call the approval function's URL"
                    + " signed with your AWS credentials (SigV4, e.g. curl --aws-sigv4), not the function itself.");
        }
        String method = in.requestContext().http() == null ? "" : in.requestContext().http().method();
        Approvers approvers = Approvers.of(Aws.setting("APPROVER_ARNS"), Aws.setting("MINIMUM_APPROVALS"));
        if (!approvers.names(caller)) {
            return message(403, caller + " is not an approver of this stack: its ApproverArns name " + approvers.arns());
        }
        try {
            return switch (method) {
                case "GET" -> show(in, caller, approvers);
                case "POST" -> answer(in, caller, approvers);
                default -> message(405, "GET ?execution=ARN shows what is waiting; POST answers it.");
            };
        } catch (AwsServiceException | SdkClientException e) {
            // The caller may try again: nothing was sent unless the answer said so.
            return message(503, "The approval could not be completed (" + e.getClass().getSimpleName() + "); nothing was sent to the"
                    + " execution. Try again.");
        }
    }

    private static String path() {
        return Aws.setting("PENDING_APPROVALS");
    }

    /** The pending approval of {@code execution}, or null when none waits. */
    private static PendingApproval pending(String execution) {
        String name = RequestApproval.parameterName(path(), execution);
        try {
            String value = Aws.ssm().getParameter(r -> r.name(name).withDecryption(true)).parameter().value();
            PendingApproval p = JSON.readValue(value, PendingApproval.class);
            return execution.equals(p.execution()) ? p : null;
        } catch (ParameterNotFoundException e) {
            return null;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the pending approval " + name + " is not what RequestApproval writes", e);
        }
    }

    private static Response nothingWaits(String execution) {
        return message(404, "No approval of " + execution + " is waiting: it was answered, it expired, or the execution never asked.");
    }

    private Response show(Request in, String caller, Approvers approvers) {
        String execution = in.queryStringParameters() == null ? null : in.queryStringParameters().get("execution");
        if (!Executions.isArn(execution)) {
            return message(400, "Name the execution: ?execution=arn:aws:states:REGION:ACCOUNT:execution:STATE-MACHINE:NAME");
        }
        PendingApproval p = pending(execution);
        if (p == null) {
            return nothingWaits(execution);
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
        return json(200, o);
    }

    private Response answer(Request in, String caller, Approvers approvers) {
        String text = in.body() == null ? "" : Boolean.TRUE.equals(in.isBase64Encoded())
                ? new String(Base64.getDecoder().decode(in.body()), StandardCharsets.UTF_8) : in.body();
        JsonNode body;
        try {
            body = JSON.readTree(text);
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
            return nothingWaits(execution);
        }
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        AnswerRules.Outcome o = AnswerRules.decide(p, caller, decision.equals("approve") ? AnswerRules.Decision.APPROVE : AnswerRules.Decision.REJECT,
                body.path("planHash").asText(null), body.path("reason").asText(null), "cli", now, approvers);
        String name = RequestApproval.parameterName(path(), execution);
        if (o.status() == 410) {
            delete(name);
        }
        if (o.recorded() != null) {
            String value = write(o.recorded());
            Aws.ssm().putParameter(r -> r.name(name).type(ParameterType.SECURE_STRING).overwrite(true).value(value));
            return message(202, o.message());
        }
        if (o.answer() == null) {
            return message(o.status(), o.message());
        }
        Answer unsigned = o.answer();
        byte[] mac = Aws.kms().generateMac(r -> r.keyId(Aws.setting("APPROVAL_KEY_ID")).macAlgorithm(MacAlgorithmSpec.HMAC_SHA_256)
                .message(SdkBytes.fromByteArray(unsigned.message(execution)))).mac().asByteArray();
        Answer signed = unsigned.signed(Base64.getEncoder().encodeToString(mac));
        try {
            Aws.sfn().sendTaskSuccess(r -> r.taskToken(p.taskToken()).output(signed.toJson().toString()));
        } catch (TaskTimedOutException | InvalidTokenException | TaskDoesNotExistException e) {
            delete(name);
            return message(410, "The execution " + execution + " no longer waits for this approval (it timed out or ended).");
        }
        delete(name);
        ObjectNode done = JSON.createObjectNode();
        done.put("answer", signed.approved() ? "approved" : "rejected");
        done.put("execution", execution);
        done.put("instanceId", signed.instanceId());
        done.put("targetType", signed.targetType());
        done.put("planHash", signed.planHash());
        done.put("approver", signed.approver());
        done.put("at", signed.at());
        return json(200, done);
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
