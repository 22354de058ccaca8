package dev.xen2nitro.functions.approval;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The approvers the stack names (its ApproverArns) and who among callers they are. An IAM user's ARN names that user; a
 * role's ARN names every session of the role (a caller who assumed it is {@code arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION},
 * without the role's path: IAM User Guide, "IAM identifiers"); a role session's ARN names that session only, as IAM
 * Identity Center names each person's session by the person's user name.
 */
public final class Approvers {
    private static final Pattern ROLE = Pattern.compile("arn:(aws[a-z-]*):iam::([0-9]{12}):role/(?:.*/)?([^/]+)");
    private static final Pattern SESSION = Pattern.compile("arn:(aws[a-z-]*):sts::([0-9]{12}):assumed-role/([^/]+)/([^/]+)");

    private final List<String> arns;
    private final int minimum;

    public Approvers(List<String> arns, int minimum) {
        if (minimum < 1) {
            throw new IllegalArgumentException("the minimum number of approvals is at least 1, not " + minimum);
        }
        this.arns = List.copyOf(arns);
        this.minimum = minimum;
    }

    /** From the stack's settings: APPROVER_ARNS, comma-separated, and MINIMUM_APPROVALS. */
    public static Approvers of(String approverArns, String minimumApprovals) {
        List<String> arns = new ArrayList<>();
        if (approverArns != null) {
            for (String a : approverArns.split(",")) {
                if (!a.isBlank()) arns.add(a.trim());
            }
        }
        return new Approvers(arns, minimumApprovals == null || minimumApprovals.isBlank() ? 1 : Integer.parseInt(minimumApprovals.trim()));
    }

    public List<String> arns() {
        return arns;
    }

    public int minimum() {
        return minimum;
    }

    /** Whether the stack names the caller {@code callerArn} as an approver. */
    public boolean names(String callerArn) {
        return entryOf(callerArn) != null;
    }

    /**
     * The entry of ApproverArns that names {@code callerArn} (the ARN itself, or the role whose session it is), or null.
     * Approvals are counted by entry, not by caller: a role's sessions, whose names the caller chooses with
     * sts:AssumeRole (IAM User Guide, "IAM identifiers"), are one approver however many sessions answer.
     */
    public String entryOf(String callerArn) {
        if (callerArn == null) {
            return null;
        }
        for (String a : arns) {
            if (a.equals(callerArn)) {
                return a;
            }
        }
        Matcher session = SESSION.matcher(callerArn);
        if (!session.matches()) {
            return null;
        }
        for (String a : arns) {
            Matcher role = ROLE.matcher(a);
            if (role.matches() && role.group(1).equals(session.group(1)) && role.group(2).equals(session.group(2))
                    && role.group(3).equals(session.group(3))) {
                return a;
            }
        }
        return null;
    }

    /**
     * Who {@code callerArn} is, as approvals are counted and the starter is compared: a session of an IAM Identity Center
     * permission set's role (AWSReservedSSO_...) is its user, whatever the permission set, because Identity Center, not
     * the user, names the session, after the user who signed in (arn:aws:sts::ACCOUNT:assumed-role/AWSReservedSSO_SET_ID/USER);
     * any other caller is the entry of ApproverArns that names it (all sessions of a role entry are one approver, their
     * names being the caller's choice with sts:AssumeRole: IAM User Guide, "IAM identifiers"), or itself.
     */
    public String key(String callerArn) {
        if (callerArn == null) {
            return null;
        }
        Matcher session = SESSION.matcher(callerArn);
        if (session.matches() && session.group(3).startsWith("AWSReservedSSO_")) {
            return "arn:" + session.group(1) + ":sts::" + session.group(2) + ":assumed-role/AWSReservedSSO_*/" + session.group(4);
        }
        String entry = entryOf(callerArn);
        return entry != null ? entry : callerArn;
    }

    /** Whether {@code a} and {@code b} are the same approver ({@link #key}). */
    public boolean same(String a, String b) {
        return a != null && b != null && key(a).equals(key(b));
    }
}
