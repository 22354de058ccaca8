package dev.xen2nitro.local.iam;

import java.util.List;

/**
 * Who makes a call: a role's session, as the functions and state machines of the stack are, or an IAM user, as the
 * local cloud's people are ({@code LocalPeople}), with the role's or user's policies. {@code arn} is the caller's ARN as
 * AWS names it in an access-denied message ({@code arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION} for a session,
 * {@code arn:aws:iam::ACCOUNT:user/NAME} for a user); {@code roleName} is null for a user.
 */
public record Principal(String roleName, String arn, List<Policy> policies) {
    /**
     * What IAM gives the caller as {@code aws:PrincipalArn} (IAM User Guide, "AWS global condition context keys"): a role
     * session's role ARN, a user's own ARN.
     */
    public String roleArn() {
        if (roleName == null) {
            return arn;
        }
        String account = arn.split(":")[4];
        return "arn:aws:iam::" + account + ":role/" + roleName;
    }

    public String accountId() {
        return arn.split(":")[4];
    }

    public static Principal session(String accountId, String roleName, String session, List<Policy> policies) {
        return new Principal(roleName, "arn:aws:sts::" + accountId + ":assumed-role/" + roleName + "/" + session, List.copyOf(policies));
    }

    public static Principal user(String accountId, String name, List<Policy> policies) {
        return new Principal(null, "arn:aws:iam::" + accountId + ":user/" + name, List.copyOf(policies));
    }
}
