package dev.xen2nitro.local.iam;

import java.util.List;

/**
 * Who makes a call: a role's session, as the functions and state machines of the stack are, with the
 * role's policies. {@code arn} is the session's ARN as AWS names it in an access-denied message
 * ({@code arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION}).
 */
public record Principal(String roleName, String arn, List<Policy> policies) {
    /** The role's ARN, which IAM gives a role's session as {@code aws:PrincipalArn} (IAM User Guide, "AWS global condition context keys"). */
    public String roleArn() {
        String account = arn.split(":")[4];
        return "arn:aws:iam::" + account + ":role/" + roleName;
    }

    public static Principal session(String accountId, String roleName, String session, List<Policy> policies) {
        return new Principal(roleName, "arn:aws:sts::" + accountId + ":assumed-role/" + roleName + "/" + session, List.copyOf(policies));
    }
}
