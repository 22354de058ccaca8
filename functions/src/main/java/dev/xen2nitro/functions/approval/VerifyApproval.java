package dev.xen2nitro.functions.approval;

import com.fasterxml.jackson.databind.JsonNode;
import dev.xen2nitro.functions.core.Aws;
import dev.xen2nitro.functions.core.AwsCalls;
import dev.xen2nitro.functions.core.Executions;
import dev.xen2nitro.functions.core.InvalidInputException;
import dev.xen2nitro.functions.core.JsonHandler;
import dev.xen2nitro.functions.core.Validatable;
import dev.xen2nitro.functions.rules.InstanceIds;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.Set;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.model.KmsInvalidMacException;
import software.amazon.awssdk.services.kms.model.MacAlgorithmSpec;

/**
 * After the callback: whatever came back through the task token approves only when it is the approval function's
 * answer, signed with the stack's approval key for this execution (KMS VerifyMac), approved, for this instance, this
 * target type and the plan that was mailed (its hash recomputed here from the same plan), by approvers the stack names,
 * as many as it requires. Anything else, a raw send-task-success of {"approved": true} included, is a rejection whose
 * reason says which check failed. This role may verify with the key, never sign.
 */
public class VerifyApproval extends JsonHandler<VerifyApproval.Input, VerifyApproval.Result> {

    /**
     * @param report the plan, as RequestApproval was given it
     * @param answer what the task token was answered with ($.approval), any JSON
     * @param fleet  for a batch approval, the fleet's plan in the stack's bucket (then {@code execution} is the fleet's): in
     *               the fleet, without instanceId and targetType; in one of its migrations, with that migration's instance
     *               and type, which the plan must move
     */
    public record Input(String execution, String instanceId, String targetType, JsonNode report, JsonNode answer, FleetPlan fleet,
                        String executionName) implements Validatable {
        @Override
        public void validate() {
            Executions.require("execution", execution);
            if (fleet != null) {
                FleetPlan.requireKey("fleet.planKey", fleet.planKey());
                if ((instanceId == null) != (targetType == null)) {
                    throw new InvalidInputException("a migration of a fleet gives both its 'instanceId' and 'targetType'; the fleet gives neither");
                }
                if (instanceId != null) {
                    InstanceIds.require("instanceId", instanceId);
                    if (executionName == null) {
                        throw new InvalidInputException("a migration of a fleet gives its own 'executionName' ($$.Execution.Name)");
                    }
                }
                return;
            }
            InstanceIds.require("instanceId", instanceId);
            if (targetType == null || targetType.isBlank()) {
                throw new InvalidInputException("'targetType' is required: the type that was to be approved");
            }
        }
    }

    /**
     * @param approved true only for a signed approval that passed every check
     * @param signed   whether the answer is the approval function's (its signature verified)
     * @param reason   why, in words, for the report: who approved or rejected, how and when, or which check failed
     */
    public record Result(boolean approved, boolean signed, String approver, String via, String at, String planHash, String reason) {}

    public VerifyApproval() {
        super(Input.class);
    }

    private static Result refused(boolean signed, Answer a, String planHash, String reason) {
        return new Result(false, signed, a == null ? null : a.approver(), a == null ? null : a.via(), a == null ? null : a.at(), planHash, reason);
    }

    /** A short view of what came back, for the reason: enough to recognize it, never a long payload. */
    private static String shown(JsonNode answer) {
        String s = answer == null ? "null" : answer.toString();
        return s.length() > 120 ? s.substring(0, 120) + "..." : s;
    }

    @Override
    protected Result handle(Input in) {
        if (in.fleet() == null) {
            return verify(in, in.report(), in.instanceId(), in.targetType());
        }
        JsonNode plan = dev.xen2nitro.functions.fleet.FleetPlans.read(in.fleet().planKey());
        if (!in.execution().equals(plan.path("execution").asText())) {
            return refused(false, null, PlanHash.of(plan), "the plan " + in.fleet().planKey() + " is the plan of " + plan.path("execution").asText()
                    + ", not of " + in.execution());
        }
        Result fleet = verify(in, plan, FleetPlan.subject(plan.path("migrate").size()), FleetPlan.TARGET);
        if (!fleet.approved() || in.instanceId() == null) {
            return fleet;
        }
        // One migration of the fleet: started by the fleet under the name only it gives (so once), while the fleet runs, and
        // the approved plan must move this instance to this type.
        String expected = FleetPlan.childName(in.execution(), in.instanceId());
        if (!expected.equals(in.executionName())) {
            return new Result(false, true, fleet.approver(), fleet.via(), fleet.at(), fleet.planHash(), "the fleet's answer approves the migration"
                    + " of " + in.instanceId() + " only in the execution the fleet names " + expected + ", not in " + in.executionName());
        }
        String status = AwsCalls.call("DescribeExecution " + in.execution(), () -> Aws.sfn().describeExecution(r -> r.executionArn(in.execution()))
                .statusAsString());
        if (!"RUNNING".equals(status)) {
            return new Result(false, true, fleet.approver(), fleet.via(), fleet.at(), fleet.planHash(), "the fleet " + in.execution() + " is "
                    + status + ": its answer approves migrations only while it runs");
        }
        String planned = FleetPlan.targetOf(plan, in.instanceId());
        if (planned == null) {
            return new Result(false, true, fleet.approver(), fleet.via(), fleet.at(), fleet.planHash(), "the approved plan of " + in.execution()
                    + " does not move " + in.instanceId());
        }
        if (!planned.equals(in.targetType())) {
            return new Result(false, true, fleet.approver(), fleet.via(), fleet.at(), fleet.planHash(), "the approved plan moves " + in.instanceId()
                    + " to " + planned + ", not " + in.targetType());
        }
        return new Result(true, true, fleet.approver(), fleet.via(), fleet.at(), fleet.planHash(), fleet.reason() + " (the batch of fleet "
                + in.execution() + ")");
    }

    /** The checks of an answer for {@code report}, which names {@code instanceId} and {@code targetType}. */
    private Result verify(Input in, JsonNode report, String instanceId, String targetType) {
        String planHash = PlanHash.of(report);
        Answer a = Answer.read(in.answer());
        if (a == null || a.signature().isBlank()) {
            return refused(false, null, planHash, "the answer " + shown(in.answer()) + " is not the approval function's (it carries no"
                    + " signature); a task token alone approves nothing: approvers answer at the approval function's URL (README,"
                    + " \"Approving a migration\")");
        }
        byte[] mac;
        try {
            mac = Base64.getDecoder().decode(a.signature());
        } catch (IllegalArgumentException e) {
            mac = new byte[0];
        }
        byte[] given = mac;
        boolean valid;
        if (given.length == 0) {
            valid = false;
        } else {
            valid = AwsCalls.call("VerifyMac", () -> {
                try {
                    return Aws.kms().verifyMac(r -> r.keyId(Aws.setting("APPROVAL_KEY_ID")).macAlgorithm(MacAlgorithmSpec.HMAC_SHA_256)
                            .message(SdkBytes.fromByteArray(a.message(in.execution()))).mac(SdkBytes.fromByteArray(given))).macValid();
                } catch (KmsInvalidMacException e) {
                    return false;
                }
            });
        }
        if (!valid) {
            return refused(false, null, planHash, "the answer's signature does not verify: the approval function did not sign this answer for"
                    + " this execution, or it was changed after it was signed");
        }
        if (!a.instanceId().equals(instanceId)) {
            return refused(true, a, planHash, "the answer approves instance " + a.instanceId() + ", not " + instanceId);
        }
        if (!a.targetType().equals(targetType)) {
            return refused(true, a, planHash, "the answer approves type " + a.targetType() + ", not " + targetType);
        }
        if (!a.planHash().equals(planHash)) {
            return refused(true, a, planHash, "the answer approves plan " + a.planHash() + ", not the plan that was mailed (" + planHash + ")");
        }
        String how = a.approver() + " via " + a.via() + " at " + a.at();
        if (!a.approved()) {
            return refused(true, a, planHash, "rejected by " + how + ": " + a.reason());
        }
        // The stack's approvers now, which may have changed since the answer was signed; counted by their entries.
        Approvers approvers = Approvers.of(Aws.setting("APPROVER_ARNS"), Aws.setting("MINIMUM_APPROVALS"));
        Set<String> entries = new LinkedHashSet<>();
        for (String arn : a.approver().split(",")) {
            if (approvers.entryOf(arn) == null) {
                return refused(true, a, planHash, "the answer was approved by " + arn + ", whom the stack no longer names as an approver");
            }
            entries.add(approvers.key(arn));
        }
        if (entries.size() < approvers.minimum()) {
            return refused(true, a, planHash, "the answer has approvals of " + entries.size() + " approvers; the stack requires " + approvers.minimum());
        }
        return new Result(true, true, a.approver(), a.via(), a.at(), planHash, "approved by " + how);
    }

    @Override
    protected Input sampleInput() {
        return new Input(Executions.SAMPLE, "i-0123456789abcdef0", "m5.xlarge", JSON.createObjectNode(), JSON.createObjectNode(), null, null);
    }
}
