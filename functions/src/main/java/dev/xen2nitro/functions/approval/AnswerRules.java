package dev.xen2nitro.functions.approval;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What the approval function does with a caller's answer to a pending approval: refuse it (with the HTTP status the caller
 * gets and why), record one more approval while fewer than the stack's minimum were given, or give the answer the
 * execution waits for. No SDK here.
 */
public final class AnswerRules {
    private AnswerRules() {}

    public enum Decision { APPROVE, REJECT }

    /**
     * Exactly one of: a refusal ({@code status} 4xx and {@code message}); {@code recorded}, the pending approval with one
     * more approval to keep (202); {@code answer}, unsigned, to send (200).
     */
    public record Outcome(int status, String message, PendingApproval recorded, Answer answer) {
        static Outcome refused(int status, String message) {
            return new Outcome(status, message, null, null);
        }
    }

    /** The longest reason kept: the whole answer is signed as one KMS message of at most 4096 bytes. */
    public static final int MAX_REASON = 500;

    /**
     * Who answers through the mailed link: whoever holds the mail. Lambda names no caller for a function URL without IAM
     * auth, so the link counts as one approver, once, and is recorded as this.
     */
    public static final String LINK_HOLDER = "the holder of the approval link";

    /**
     * @param caller   the caller's ARN as Lambda gives it (requestContext.authorizer.iam.userArn), or {@link #LINK_HOLDER}
     * @param planHash the plan the caller approves (the hash in the mail, or the page's); any plan may be rejected
     * @param via      {@code cli} or {@code link}
     */
    public static Outcome decide(PendingApproval p, String caller, Decision decision, String planHash, String reason, String via,
                                 Instant now, Approvers approvers) {
        boolean link = via.equals("link");
        if (link ? !caller.equals(LINK_HOLDER) : !approvers.names(caller)) {
            return Outcome.refused(403, caller + " is not an approver of this stack: its ApproverArns name " + approvers.arns());
        }
        if (link && p.linkUsed()) {
            return Outcome.refused(409, "This link has answered already; it works once. Answer with your AWS credentials (the mail says how).");
        }
        if (now.isAfter(Instant.parse(p.expiresAt()))) {
            return Outcome.refused(410, "The approval of " + p.execution() + " expired at " + p.expiresAt() + "; the migration does not wait for it any more.");
        }
        String why = reason == null ? "" : reason.strip();
        if (why.length() > MAX_REASON) {
            return Outcome.refused(400, "The reason is " + why.length() + " characters long; keep it to " + MAX_REASON + ".");
        }
        if (decision == Decision.REJECT) {
            // Anyone named may reject, the starter too: rejecting changes nothing on the instance.
            return new Outcome(200, "rejected", null, new Answer(false, caller, via, now.toString(), p.instanceId(), p.targetType(), p.planHash(),
                    why.isEmpty() ? "no reason given" : why, null));
        }
        if (planHash == null || planHash.isBlank()) {
            return Outcome.refused(400, "Give the planHash of the plan you approve: the approval request mails it (" + p.planHash() + " is waiting).");
        }
        if (!planHash.equals(p.planHash())) {
            return Outcome.refused(409, "You approve plan " + planHash + ", but " + p.execution() + " waits for an approval of plan " + p.planHash()
                    + ": read the newest approval request and approve what it shows.");
        }
        if (caller.equals(p.requestedBy())) {
            return Outcome.refused(403, caller + " started " + p.execution() + " and cannot approve it: another approver must.");
        }
        if (p.approvedBy(caller)) {
            return Outcome.refused(409, caller + " has approved it already: " + p.approvals().size() + " of " + approvers.minimum()
                    + " approvals; another approver must approve.");
        }
        PendingApproval more = p.with(new PendingApproval.Approval(caller, now.toString()), link);
        if (more.approvals().size() < approvers.minimum()) {
            return new Outcome(202, "Approval recorded: " + more.approvals().size() + " of " + approvers.minimum() + "; "
                    + (approvers.minimum() - more.approvals().size()) + " more needed.", more, null);
        }
        List<String> who = new ArrayList<>();
        more.approvals().forEach(a -> who.add(a.approver()));
        return new Outcome(200, "approved", null, new Answer(true, String.join(",", who), via, now.toString(), p.instanceId(), p.targetType(),
                p.planHash(), "", null));
    }
}
