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
     * @param caller   who answers: the caller's ARN as Lambda gives it (requestContext.authorizer.iam.userArn), or, through
     *                 a mailed link, the entry of ApproverArns the link was mailed to
     * @param planHash the plan the caller approves (the hash in the mail, or the page's); any plan may be rejected
     * @param via      {@code cli} or {@code link}
     */
    public static Outcome decide(PendingApproval p, String caller, Decision decision, String planHash, String reason, String via,
                                 Instant now, Approvers approvers) {
        boolean link = via.equals("link");
        if (approvers.entryOf(caller) == null) {
            return Outcome.refused(403, caller + " is not an approver of this stack: its ApproverArns name " + approvers.arns());
        }
        String entry = approvers.key(caller);
        if (link && p.approvedBy(entry)) {
            return Outcome.refused(409, "This link has answered already; it works once.");
        }
        if (now.isAfter(Instant.parse(p.expiresAt()))) {
            return Outcome.refused(410, "The approval of " + p.execution() + " expired at " + p.expiresAt() + "; the migration does not wait for it any more.");
        }
        String why = reason == null ? "" : reason.strip();
        if (why.length() > MAX_REASON) {
            return Outcome.refused(400, "The reason is " + why.length() + " characters long; keep it to " + MAX_REASON + ".");
        }
        if (decision == Decision.REJECT) {
            // Any approver may reject, the starter too: rejecting changes nothing on the instance.
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
        if (!p.starterSettled()) {
            return Outcome.refused(503, "Who started " + p.execution() + " is not in CloudTrail's event history yet (it delivers an event within"
                    + " about 5 minutes on average), and whoever started it may not approve it: approve again in a few minutes. Nothing was changed.");
        }
        if (approvers.same(caller, p.requestedBy())) {
            return Outcome.refused(403, caller + " started " + p.execution() + (caller.equals(p.requestedBy()) ? "" : " (as " + p.requestedBy() + ")")
                    + " and cannot approve it: another approver must.");
        }
        if (p.approvedBy(entry)) {
            return Outcome.refused(409, entry + " has approved it already: " + p.approvals().size() + " of " + approvers.minimum()
                    + " approvals; another approver must approve.");
        }
        PendingApproval more = p.with(new PendingApproval.Approval(caller, entry, via, now.toString()));
        if (more.approvals().size() < approvers.minimum()) {
            return new Outcome(202, "Approval recorded: " + more.approvals().size() + " of " + approvers.minimum() + "; "
                    + (approvers.minimum() - more.approvals().size()) + " more needed.", more, null);
        }
        List<String> who = new ArrayList<>();
        List<String> how = new ArrayList<>();
        more.approvals().forEach(a -> {
            who.add(a.approver());
            how.add(a.via());
        });
        return new Outcome(200, "approved", null, new Answer(true, String.join(",", who), String.join(",", how), now.toString(), p.instanceId(),
                p.targetType(), p.planHash(), "", null));
    }
}
