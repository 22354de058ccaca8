package dev.xen2nitro.functions.approval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.xen2nitro.functions.core.Aws;
import dev.xen2nitro.functions.core.AwsCalls;
import dev.xen2nitro.functions.core.Executions;
import dev.xen2nitro.functions.core.InvalidInputException;
import dev.xen2nitro.functions.core.JsonHandler;
import dev.xen2nitro.functions.core.Validatable;
import dev.xen2nitro.functions.rules.InstanceIds;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import software.amazon.awssdk.services.ssm.model.ParameterTier;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/**
 * Asks the stack's approvers: keeps the pending approval (the task token, the execution, instance, target type and the
 * hash of the plan, when it expires, and who started the execution where CloudTrail knows it, {@link Starter}) where only
 * the approval function reads it, and mails the plan with its hash and how to answer: a link to the approval function's
 * page, which carries a secret whose hash only the pending approval keeps, and the CLI way at its URL. The task token is
 * in no mail, link or log: it is worth nothing without the approval function's signature anyway (VerifyApproval), and it
 * stays out of sight all the same.
 */
public class RequestApproval extends JsonHandler<RequestApproval.Input, RequestApproval.Result> {

    /**
     * @param executionStartTime $$.Execution.StartTime, around which CloudTrail's StartExecution event is looked for
     * @param report             what the approvers are asked to approve: the plan, whose hash the answer must carry
     */
    public record Input(String taskToken, String instanceId, String execution, String executionStartTime, String targetType,
                        Integer approvalTimeoutSeconds, JsonNode report) implements Validatable {
        @Override
        public void validate() {
            InstanceIds.require("instanceId", instanceId);
            Executions.require("execution", execution);
            if (taskToken == null || taskToken.isBlank()) {
                throw new InvalidInputException("'taskToken' is required ($$.Task.Token of a .waitForTaskToken state)");
            }
            if (targetType == null || targetType.isBlank()) {
                throw new InvalidInputException("'targetType' is required: the type the approvers are asked to approve");
            }
            try {
                Instant.parse(executionStartTime);
            } catch (RuntimeException e) {
                throw new InvalidInputException("'executionStartTime' is \"" + executionStartTime + "\"; expected $$.Execution.StartTime (ISO-8601)");
            }
        }
    }

    /**
     * @param planHash    the SHA-256 of the plan mailed, which an approval must name
     * @param requestedBy who started the execution, as CloudTrail recorded it, or null when that is not known
     */
    public record Result(String messageId, String planHash, String expiresAt, String requestedBy) {}

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    public RequestApproval() {
        super(Input.class);
    }

    /** Where the pending approval of {@code execution} is kept: the stack's path (PENDING_APPROVALS) and the digest of its ARN. */
    public static String parameterName(String path, String execution) {
        return path + Executions.digest(execution);
    }

    static String message(Input in, String region, String planHash, Instant expires, String url, String link, Approvers approvers,
                          Starter.Found starter) {
        String report;
        try {
            report = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(in.report());
        } catch (JsonProcessingException e) {
            report = String.valueOf(in.report());
        }
        String curl = "curl --aws-sigv4 \"aws:amz:" + region + ":lambda\" --user \"$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY\" \\\n"
                + "       -H \"x-amz-security-token: $AWS_SESSION_TOKEN\" -H 'content-type: application/json' \\\n";
        int n = approvers.minimum();
        return "xen2nitro asks for approval to move " + in.instanceId() + " to " + in.targetType() + " (execution " + in.execution() + ").\n\n"
                + "Approving stops the instance once, enables ENA, changes its type and starts it. The backup AMI is taken and the\n"
                + "PV and ENA drivers are installed; the NVMe driver and Sysprep_Generalize_Pnp run only after approval, and the\n"
                + "preflight runs again first.\n"
                + "Without an answer by " + expires + " the migration is abandoned and the instance stays on its type.\n\n"
                + "Plan hash: " + planHash + " (SHA-256 of the plan below, canonical JSON)\n"
                + (n == 1 ? "One approval" : n + " approvals by different approvers") + " of: " + String.join(", ", approvers.arns()) + "\n"
                + (starter.arn() != null ? "Started by " + starter.arn() + " (CloudTrail), who cannot approve it.\n"
                        : "Who started the execution is not known: " + starter.unknownBecause() + ".\n")
                + "Review and answer on this page (it works once, until " + expires + "; keep this mail to yourself):\n  " + link + "\n\n"
                + "Or answer with your own AWS credentials (curl 7.75 or later):\n\n"
                + "Approve:\n  " + curl + "       --data '{\"execution\":\"" + in.execution() + "\",\"decision\":\"approve\",\"planHash\":\"" + planHash
                + "\"}' \\\n       " + url + "\n\n"
                + "Reject:\n  " + curl + "       --data '{\"execution\":\"" + in.execution() + "\",\"decision\":\"reject\",\"reason\":\"YOUR REASON\"}' \\\n"
                + "       " + url + "\n\n"
                + "What is waiting (read only): curl --aws-sigv4 ... '" + url + "?execution=" + in.execution() + "'\n\n"
                + "Preflight report and plan:\n" + report + "\n";
    }

    @Override
    protected Result handle(Input in) {
        String topic = Aws.setting("TOPIC_ARN");
        String path = Aws.setting("PENDING_APPROVALS");
        Approvers approvers = Approvers.of(Aws.setting("APPROVER_ARNS"), Aws.setting("MINIMUM_APPROVALS"));
        String planHash = PlanHash.of(in.report());
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        int timeout = in.approvalTimeoutSeconds() == null ? 86_400 : in.approvalTimeoutSeconds();
        Instant expires = now.plusSeconds(timeout);
        String image = in.report() == null ? null : in.report().path("backupImageId").asText(null);
        Starter.Found starter = Starter.of(in.execution(), Instant.parse(in.executionStartTime()));
        // The link carries a secret of 256 bits; only its hash is kept, so the parameter alone does not give the link away.
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String key = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        PendingApproval pending = new PendingApproval(in.execution(), in.taskToken(), in.instanceId(), in.targetType(), planHash, image,
                starter.arn(), now.toString(), expires.toString(), List.of(), PlanSummary.of(in.report(), in.targetType()),
                AnswerApproval.sha256(key), false);
        String link = Aws.setting("APPROVAL_LINK_URL") + "?approval=" + Executions.digest(in.execution()) + "&key=" + key;
        String name = parameterName(path, in.execution());
        String value;
        try {
            value = JSON.writeValueAsString(pending);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        // A SecureString under the stack's path: RequestApproval's role may only write it, AnswerApproval's read it. A retried
        // state has a new task token, which replaces the old.
        AwsCalls.call("PutParameter " + name, () -> Aws.ssm().putParameter(r -> r.name(name).type(ParameterType.SECURE_STRING)
                .tier(ParameterTier.STANDARD).overwrite(true).value(value)
                .description("xen2nitro: the approval " + in.execution() + " waits for, until " + expires)));
        String subject = ("xen2nitro: approve " + in.instanceId() + " -> " + in.targetType() + "?");
        String message = message(in, Aws.region().id(), planHash, expires, Aws.setting("APPROVAL_URL"), link, approvers, starter);
        String id = AwsCalls.call("Publish to " + topic, () -> Aws.sns().publish(r -> r.topicArn(topic)
                .subject(subject.length() > 100 ? subject.substring(0, 100) : subject)
                .message(message))).messageId();
        return new Result(id, planHash, expires.toString(), starter.arn());
    }

    @Override
    protected Input sampleInput() {
        return new Input("token", "i-0123456789abcdef0", Executions.SAMPLE, "2026-11-27T09:00:00Z", "m5.xlarge", 3600, JSON.createObjectNode());
    }
}
