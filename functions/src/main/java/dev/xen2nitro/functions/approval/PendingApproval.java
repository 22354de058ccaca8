package dev.xen2nitro.functions.approval;

import java.util.ArrayList;
import java.util.List;

/**
 * An approval request waiting for its answer, as RequestApproval keeps it for the approval function (an SSM SecureString
 * parameter that only those two functions' roles may write or read): the execution's task token, what is to be approved,
 * until when, who started the execution where that is known, the approvals given so far, and what the mailed link needs.
 *
 * @param requestedBy the ARN of whoever started the execution, or null when it is not known
 * @param expiresAt   when the execution stops waiting (ISO-8601): the approval timeout after the request
 * @param plan        the plan in a few lines, for the link's page ({@link PlanSummary})
 * @param linkKeyHash the SHA-256 of the secret the mailed link carries (never the secret itself), or null without a link
 * @param linkUsed    whether the link has answered already: it answers once
 */
public record PendingApproval(String execution, String taskToken, String instanceId, String targetType, String planHash,
                              String backupImageId, String requestedBy, String requestedAt, String expiresAt, List<Approval> approvals,
                              List<String> plan, String linkKeyHash, Boolean linkUsed) {

    /** One approver's approval, while more are needed. */
    public record Approval(String approver, String at) {}

    public PendingApproval {
        approvals = approvals == null ? List.of() : List.copyOf(approvals);
        plan = plan == null ? List.of() : List.copyOf(plan);
        linkUsed = Boolean.TRUE.equals(linkUsed);
    }

    /** With one more approval; {@code byLink}: the link has answered and answers no more. */
    public PendingApproval with(Approval a, boolean byLink) {
        List<Approval> more = new ArrayList<>(approvals);
        more.add(a);
        return new PendingApproval(execution, taskToken, instanceId, targetType, planHash, backupImageId, requestedBy, requestedAt, expiresAt, more,
                plan, linkKeyHash, linkUsed || byLink);
    }

    public boolean approvedBy(String arn) {
        return approvals.stream().anyMatch(a -> a.approver().equals(arn));
    }
}
