package dev.xen2nitro.functions.approval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An approval request waiting for its answer, as RequestApproval keeps it for the approval function ({@link PendingApprovals}):
 * the execution's task token, what is to be approved, until when, who started the execution where that is known, the
 * approvals given so far, and the hash of each approver's mailed link.
 *
 * @param executionStartTime when the execution started, around which CloudTrail's StartExecution is looked for again
 *                           while the starter is not known yet
 * @param requestedBy        the ARN of whoever started the execution, or null when it is not known
 * @param starterSettled     whether CloudTrail's StartExecution event was found: then {@code requestedBy} is final (null
 *                           for a start by a service, which names no ARN); until then it is looked for again before an approval
 * @param expiresAt          when the execution stops waiting (ISO-8601): the approval timeout after the state was entered
 * @param plan               the plan in a few lines, for the link's page ({@link PlanSummary})
 * @param links              for each entry of ApproverArns, the SHA-256 of the secret its own mailed link carries (never
 *                           the secret itself); empty when the stack mails no links
 */
public record PendingApproval(String execution, String taskToken, String instanceId, String targetType, String planHash,
                              String backupImageId, String executionStartTime, String requestedBy, Boolean starterSettled,
                              String requestedAt, String expiresAt, List<Approval> approvals, List<String> plan, Map<String, String> links) {

    /**
     * One approver's approval, while more are needed.
     *
     * @param approver the caller (the CLI way) or the entry whose link answered
     * @param entry    who it counts as ({@link Approvers#key}): the entry of ApproverArns, or an Identity Center user
     * @param via      {@code cli} or {@code link}
     */
    public record Approval(String approver, String entry, String via, String at) {}

    public PendingApproval {
        approvals = approvals == null ? List.of() : List.copyOf(approvals);
        plan = plan == null ? List.of() : List.copyOf(plan);
        links = links == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(links));
        starterSettled = Boolean.TRUE.equals(starterSettled);
    }

    /** With one more approval. */
    public PendingApproval with(Approval a) {
        List<Approval> more = new ArrayList<>(approvals);
        more.add(a);
        return new PendingApproval(execution, taskToken, instanceId, targetType, planHash, backupImageId, executionStartTime, requestedBy,
                starterSettled, requestedAt, expiresAt, more, plan, links);
    }

    /** With the starter CloudTrail named once the event was there. */
    public PendingApproval startedBy(String arn) {
        return new PendingApproval(execution, taskToken, instanceId, targetType, planHash, backupImageId, executionStartTime, arn, true,
                requestedAt, expiresAt, approvals, plan, links);
    }

    /** Whether {@code entry} ({@link Approvers#key}) has approved already. */
    public boolean approvedBy(String entry) {
        return approvals.stream().anyMatch(a -> a.entry().equals(entry));
    }

    /** The entry whose link's secret hashes to {@code keyHash}, or null. */
    public String linkEntry(String keyHash) {
        for (var e : links.entrySet()) {
            if (java.security.MessageDigest.isEqual(e.getValue().getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                    keyHash.getBytes(java.nio.charset.StandardCharsets.US_ASCII))) {
                return e.getKey();
            }
        }
        return null;
    }
}
