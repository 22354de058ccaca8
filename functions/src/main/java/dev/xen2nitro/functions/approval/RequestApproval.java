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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.sns.model.MessageAttributeValue;

/**
 * Asks the stack's approvers: keeps the pending approval (the task token, the execution, instance, target type and the
 * hash of the plan, when it expires, and who started the execution where CloudTrail knows it, {@link Starter}) for the
 * approval function ({@link PendingApprovals}), and mails the plan with its hash and how to answer.
 *
 * <p>The stack's topic gets one message for everyone (the plan and the CLI way). With ApprovalLinks, the approval-link
 * topic gets one message for each entry of ApproverArns, with the message attribute {@code approver} set to that entry,
 * carrying a link of that approver's own: a secret whose hash only the pending approval keeps. Each approver's address
 * is subscribed to that topic with the filter policy {@code {"approver": [ENTRY]}} (SNS Developer Guide, "Amazon SNS
 * message filtering"), and the topic's policy lets only LinkSubscriberArns subscribe, so each link reaches the one
 * approver it answers for. The task token is in no mail, link or log: it is worth nothing without the approval
 * function's signature anyway (VerifyApproval), and it stays out of sight all the same.
 */
public class RequestApproval extends JsonHandler<RequestApproval.Input, RequestApproval.Result> {

    /**
     * @param executionStartTime $$.Execution.StartTime, around which CloudTrail's StartExecution event is looked for
     * @param enteredTime        $$.State.EnteredTime: the state's timeout runs from then, and so does the approval's expiry
     * @param report             what the approvers are asked to approve: the plan, whose hash the answer must carry
     * @param fleet              for a batch approval, the fleet's plan in the stack's bucket, which is then the report;
     *                           instanceId and targetType are not given
     */
    public record Input(String taskToken, String instanceId, String execution, String executionStartTime, String enteredTime, String targetType,
                        Integer approvalTimeoutSeconds, JsonNode report, FleetPlan fleet) implements Validatable {
        @Override
        public void validate() {
            Executions.require("execution", execution);
            if (fleet != null) {
                FleetPlan.requireKey("fleet.planKey", fleet.planKey());
                if (instanceId != null || targetType != null || report != null) {
                    throw new InvalidInputException("a batch approval names its plan ('fleet'), not an 'instanceId', 'targetType' or 'report'");
                }
            } else {
                InstanceIds.require("instanceId", instanceId);
            }
            if (taskToken == null || taskToken.isBlank()) {
                throw new InvalidInputException("'taskToken' is required ($$.Task.Token of a .waitForTaskToken state)");
            }
            if (fleet == null && (targetType == null || targetType.isBlank())) {
                throw new InvalidInputException("'targetType' is required: the type the approvers are asked to approve");
            }
            time("executionStartTime", executionStartTime, "$$.Execution.StartTime");
            time("enteredTime", enteredTime, "$$.State.EnteredTime");
        }
    }

    private static void time(String field, String value, String from) {
        try {
            Instant.parse(value);
        } catch (RuntimeException e) {
            throw new InvalidInputException("'" + field + "' is \"" + value + "\"; expected " + from + " (ISO-8601)");
        }
    }

    /**
     * @param planHash    the SHA-256 of the plan mailed, which an approval must name
     * @param requestedBy who started the execution, as CloudTrail recorded it, or null when that is not known
     */
    public record Result(String messageId, String planHash, String expiresAt, String requestedBy) {}

    public RequestApproval() {
        super(Input.class);
    }

    /** The approval request; {@code link}, the approver's own, or null for the message to everyone subscribed without a filter. */
    static String message(Input in, String region, String planHash, Instant expires, String url, String link, Approvers approvers,
                          Starter.Found starter) {
        String report;
        if (in.fleet() != null) {
            // A fleet's whole plan may pass SNS's 256 KiB; the mail lists each move and refusal, and the plan is in the bucket.
            report = String.join("\n", FleetPlan.lines(in.report(), MAX_FLEET_LINES)) + "\n(the whole plan: " + in.fleet().planKey()
                    + " in the stack's bucket; its SHA-256 is the plan hash)";
        } else {
            try {
                report = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(in.report());
            } catch (JsonProcessingException e) {
                report = String.valueOf(in.report());
            }
        }
        String curl = "curl --aws-sigv4 \"aws:amz:" + region + ":lambda\" --user \"$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY\" \\\n"
                + "       -H \"x-amz-security-token: $AWS_SESSION_TOKEN\" -H 'content-type: application/json' \\\n";
        int n = approvers.minimum();
        return "xen2nitro asks for approval to move " + in.instanceId() + " to " + in.targetType() + " (execution " + in.execution() + ").\n\n"
                + (in.fleet() != null
                        ? "Approving starts one migration for each instance of the plan, with the type the plan gives it, at most\n"
                        + "maxConcurrency at a time; each takes its backup AMI, installs the drivers, runs the preflight again, then\n"
                        + "stops the instance once, enables ENA, changes its type and starts it. No further approval is asked.\n"
                        : "Approving stops the instance once, enables ENA, changes its type and starts it. The backup AMI is taken and the\n"
                        + "PV and ENA drivers are installed; the NVMe driver and Sysprep_Generalize_Pnp run only after approval, and the\n"
                        + "preflight runs again first.\n")
                + "Without an answer by " + expires + " the migration is abandoned and the instance stays on its type.\n\n"
                + "Plan hash: " + planHash + " (SHA-256 of the plan below, canonical JSON)\n"
                + (n == 1 ? "One approval" : n + " approvals by different approvers") + " of: " + String.join(", ", approvers.arns()) + "\n"
                + (starter.arn() != null ? "Started by " + starter.arn() + " (CloudTrail), who cannot approve it.\n"
                        : "Who started the execution is not known: " + starter.unknownBecause() + "."
                        + (starter.settled() ? "\n" : " It is looked for again before an approval counts.\n"))
                + (starter.arn() != null && approvers.names(starter.arn()) && approvers.arns().size() - 1 < n
                        ? "The starter is one of the " + approvers.arns().size() + " approvers, and " + n + " others must approve: it cannot be approved;"
                        + " reject it, or deploy with more approvers.\n" : "")
                + (link == null ? (AnswerApproval.links() ? "Each approver's own link is sent to them on the approval-link topic (README, \"Approving a migration\").\n\n" : "\n")
                        : "Review and answer on this page (it answers as you, once, until " + expires + "; keep this mail to yourself):\n  " + link + "\n\n")
                + "Or answer with your own AWS credentials (curl 7.75 or later):\n\n"
                + "Approve:\n  " + curl + "       --data '{\"execution\":\"" + in.execution() + "\",\"decision\":\"approve\",\"planHash\":\"" + planHash
                + "\"}' \\\n       " + url + "\n\n"
                + "Reject:\n  " + curl + "       --data '{\"execution\":\"" + in.execution() + "\",\"decision\":\"reject\",\"reason\":\"YOUR REASON\"}' \\\n"
                + "       " + url + "\n\n"
                // The ARN URL-encoded: curl before 8.3.0 signs the query as written, and AWS over it encoded (curl/curl issue 11794).
                + "What is waiting (read only): curl --aws-sigv4 ... '" + url + "?execution="
                + java.net.URLEncoder.encode(in.execution(), java.nio.charset.StandardCharsets.UTF_8) + "'\n\n"
                + "Preflight report and plan:\n" + report + "\n";
    }

    /** At most this many lines of a fleet's plan in a mail: about 100 KB, well within SNS's 256 KiB. */
    static final int MAX_FLEET_LINES = 1000;

    @Override
    protected Result handle(Input given) {
        Input in = given;
        if (given.fleet() != null) {
            JsonNode plan = dev.xen2nitro.functions.fleet.FleetPlans.read(given.fleet().planKey());
            if (given.fleet().planHash() == null || !given.fleet().planHash().equals(PlanHash.of(plan))) {
                // Someone rewrote the plan between PlanFleet and here: nothing is mailed, and the fleet fails.
                throw new IllegalStateException("the fleet's plan " + given.fleet().planKey() + " is not the plan PlanFleet made (hash "
                        + given.fleet().planHash() + "): it was changed in the bucket; start the fleet again");
            }
            in = new Input(given.taskToken(), FleetPlan.subject(plan.path("migrate").size()), given.execution(), given.executionStartTime(),
                    given.enteredTime(), FleetPlan.TARGET, given.approvalTimeoutSeconds(), plan, given.fleet());
        }
        return ask(in);
    }

    private Result ask(Input in) {
        String topic = Aws.setting("TOPIC_ARN");
        Approvers approvers = Approvers.of(Aws.setting("APPROVER_ARNS"), Aws.setting("MINIMUM_APPROVALS"));
        String planHash = PlanHash.of(in.report());
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        int timeout = in.approvalTimeoutSeconds() == null ? 86_400 : in.approvalTimeoutSeconds();
        // The state times out TimeoutSecondsPath after it was entered, whatever this function took: so does the approval.
        Instant expires = Instant.parse(in.enteredTime()).truncatedTo(ChronoUnit.SECONDS).plusSeconds(timeout);
        String image = in.report() == null || in.fleet() != null ? null : in.report().path("backupImageId").asText(null);
        Starter.Found starter = Starter.of(in.execution(), Instant.parse(in.executionStartTime()));
        // Each approver's link carries a secret of 256 bits of its own; only its hash is kept, so the parameter alone does
        // not give a link away. Made here, after a SnapStart restore, never in the snapshot.
        java.security.SecureRandom random = new java.security.SecureRandom();
        Map<String, String> keys = new LinkedHashMap<>();
        Map<String, String> hashes = new LinkedHashMap<>();
        if (AnswerApproval.links()) {
            for (String entry : approvers.arns()) {
                byte[] secret = new byte[32];
                random.nextBytes(secret);
                String key = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
                keys.put(entry, key);
                hashes.put(entry, AnswerApproval.sha256(key));
            }
        }
        PendingApproval pending = new PendingApproval(in.execution(), in.taskToken(), in.instanceId(), in.targetType(), planHash, image,
                in.executionStartTime(), starter.arn(), starter.settled(), now.toString(), expires.toString(), List.of(),
                in.fleet() != null ? PlanSummary.fleet(in.report()) : PlanSummary.of(in.report(), in.targetType()), hashes);
        // A retried state has a new task token, which replaces the old.
        AwsCalls.call("PutParameter " + PendingApprovals.name(in.execution()), () -> {
            PendingApprovals.write(pending);
            return null;
        });
        String subject = in.fleet() != null ? "xen2nitro: approve the migration of a " + in.instanceId() + "?"
                : "xen2nitro: approve " + in.instanceId() + " -> " + in.targetType() + "?";
        String shortSubject = subject.length() > 100 ? subject.substring(0, 100) : subject;
        String url = Aws.setting("APPROVAL_URL");
        String region = Aws.region().id();
        String everyone = message(in, region, planHash, expires, url, null, approvers, starter);
        String id = AwsCalls.call("Publish to " + topic, () -> Aws.sns().publish(r -> r.topicArn(topic).subject(shortSubject).message(everyone)))
                .messageId();
        String linkTopic = keys.isEmpty() ? null : Aws.setting("APPROVAL_LINK_TOPIC_ARN");
        for (var k : keys.entrySet()) {
            String link = Aws.setting("APPROVAL_LINK_URL") + "?approval=" + Executions.digest(in.execution()) + "&key=" + k.getValue();
            String mine = message(in, region, planHash, expires, url, link, approvers, starter);
            AwsCalls.call("Publish to " + linkTopic + " for " + k.getKey(), () -> Aws.sns().publish(r -> r.topicArn(linkTopic).subject(shortSubject)
                    .message(mine).messageAttributes(Map.of(APPROVER_ATTRIBUTE,
                            MessageAttributeValue.builder().dataType("String").stringValue(k.getKey()).build()))));
        }
        return new Result(id, planHash, expires.toString(), starter.arn());
    }

    /** The message attribute that names the approver a message's link is for; subscriptions filter on it. */
    public static final String APPROVER_ATTRIBUTE = "approver";

    @Override
    protected Input sampleInput() {
        return new Input("token", "i-0123456789abcdef0", Executions.SAMPLE, "2026-11-27T09:00:00Z", "2026-11-27T09:20:00Z", "m5.xlarge", 3600,
                JSON.createObjectNode(), null);
    }
}
