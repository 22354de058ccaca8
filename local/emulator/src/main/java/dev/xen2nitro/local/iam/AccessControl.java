package dev.xen2nitro.local.iam;

import dev.xen2nitro.local.cloud.Authorizations;
import dev.xen2nitro.local.wire.AwsError;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who may do what in the local cloud. A call signed with an access key registered here is made by
 * that key's principal (a role session of the stack) and is authorized by its policies; a call signed
 * with any other key is an administrator's, as the AWS CLI's or a test's set-up calls are.
 */
public final class AccessControl {
    private final Map<String, Principal> principals = new ConcurrentHashMap<>();
    /** Resource-based policies by the ARN of their resource: the stack's topic policy, for sns:Publish, and its KMS key policies. */
    private final Map<String, Policy> resourcePolicies = new ConcurrentHashMap<>();

    public void register(String accessKeyId, Principal principal) {
        principals.put(accessKeyId, principal);
    }

    /**
     * Attaches a resource-based policy to the resource {@code arn}. The stack's SNS topic has one here (its
     * AWS::SNS::TopicPolicy, which decides sns:Publish, the one SNS action served), and so has each KMS key of the stack
     * (its KeyPolicy, which decides kms:GenerateMac and kms:VerifyMac); other resource-based policies of AWS (the bucket's,
     * a function's) are not modelled.
     */
    public void resourcePolicy(String arn, Policy policy) {
        resourcePolicies.put(arn, policy);
    }

    /** The principal of {@code accessKeyId}, or null for an administrator. */
    public Principal principal(String accessKeyId) {
        return accessKeyId == null ? null : principals.get(accessKeyId);
    }

    /**
     * Refuses the call, as {@code service} refuses it, unless every target is allowed.
     *
     * <p>The messages are AWS's ("Troubleshoot access denied error messages", IAM User Guide): "User: ARN
     * is not authorized to perform: ACTION on resource: RESOURCE because no identity-based policy allows
     * the ACTION action" (or "with an explicit deny in an identity-based policy"), after EC2's "You are
     * not authorized to perform this operation." EC2 answers UnauthorizedOperation (HTTP 403), SNS
     * AuthorizationError (403), S3 AccessDenied (403), and the JSON services AccessDeniedException.
     */
    public void authorize(Principal principal, List<Authorizations.Target> targets, String service) {
        if (principal == null && service.equals("kms")) {
            // An administrator is no exception to a key policy: whoever the account's IAM policies allow everything may use a
            // key only as far as its key policy lets the account ("Key policies in AWS KMS", KMS Developer Guide).
            for (Authorizations.Target t : targets) {
                Policy keyPolicy = resourcePolicies.get(t.resource());
                String account = t.resource().split(":")[4];
                if (keyPolicy == null || Evaluator.decideResource(keyPolicy, Evaluator.Caller.account(account), t.action(), t.resource(), t.context())
                        != Evaluator.Decision.ALLOW) {
                    throw new AwsError("AccessDeniedException", "User: arn:aws:iam::" + account + ":root is not authorized to perform: " + t.action()
                            + " on resource: " + t.resource() + " because no resource-based policy allows the " + t.action() + " action", 400);
                }
            }
            return;
        }
        if (principal == null) {
            return;
        }
        for (Authorizations.Target t : targets) {
            Map<String, List<String>> ctx = new LinkedHashMap<>(t.context());
            // A role's session is known by its role's ARN (IAM User Guide, "AWS global condition context keys", aws:PrincipalArn),
            // and is no AWS service principal.
            ctx.put("aws:PrincipalArn", List.of(principal.roleArn()));
            ctx.put("aws:PrincipalIsAWSService", List.of("false"));
            Evaluator.Decision identity = Evaluator.decide(principal.policies(), t.action(), t.resource(), ctx);
            Policy onResource = resourcePolicies.get(t.resource());
            Evaluator.Decision resource = onResource == null ? null
                    : Evaluator.decideResource(onResource, Evaluator.Caller.of(principal), t.action(), t.resource(), ctx);
            Evaluator.Decision d = service.equals("kms") ? kms(principal, onResource, identity, resource, t, ctx) : combine(identity, resource);
            if (d == Evaluator.Decision.ALLOW) {
                continue;
            }
            String shown = service.equals("sns") ? "SNS:" + t.action().substring(4) : t.action();
            String why = resource == Evaluator.Decision.EXPLICIT_DENY ? "with an explicit deny in a resource-based policy"
                    : d == Evaluator.Decision.EXPLICIT_DENY ? "with an explicit deny in an identity-based policy"
                    : service.equals("kms") ? "because no resource-based policy allows the " + shown + " action"
                    : "because no identity-based policy allows the " + shown + " action";
            String msg = "User: " + principal.arn() + " is not authorized to perform: " + shown
                    + ("*".equals(t.resource()) ? " " : " on resource: " + t.resource() + " ") + why;
            throw switch (service) {
                case "ec2" -> new AwsError("UnauthorizedOperation", "You are not authorized to perform this operation. " + msg, 403);
                case "sns" -> new AwsError("AuthorizationError", msg, 403);
                case "s3" -> new AwsError("AccessDenied", msg, 403);
                case "autoscaling" -> new AwsError("AccessDenied", msg, 403);
                case "lambda" -> new AwsError("AccessDeniedException", msg, 403);
                default -> new AwsError("AccessDeniedException", msg, 400);
            };
        }
    }

    /**
     * A KMS key's decision: its key policy is the primary authority ("Key policies in AWS KMS", KMS Developer Guide: "Unless
     * the key policy explicitly allows it, you cannot use IAM policies to allow access to a KMS key"). A statement naming
     * the caller's role allows by itself; a statement naming the account lets the caller's identity-based policies decide;
     * an explicit deny anywhere wins. A key without a policy here (none registered) allows nobody.
     */
    private static Evaluator.Decision kms(Principal principal, Policy keyPolicy, Evaluator.Decision identity, Evaluator.Decision direct,
                                          Authorizations.Target t, Map<String, List<String>> ctx) {
        if (keyPolicy == null) {
            return Evaluator.Decision.IMPLICIT_DENY;
        }
        Evaluator.Decision viaAccount = Evaluator.decideResource(keyPolicy, Evaluator.Caller.account(principal.accountId()), t.action(), t.resource(), ctx);
        if (identity == Evaluator.Decision.EXPLICIT_DENY || direct == Evaluator.Decision.EXPLICIT_DENY) {
            return Evaluator.Decision.EXPLICIT_DENY;
        }
        return direct == Evaluator.Decision.ALLOW || (viaAccount == Evaluator.Decision.ALLOW && identity == Evaluator.Decision.ALLOW)
                ? Evaluator.Decision.ALLOW : Evaluator.Decision.IMPLICIT_DENY;
    }

    /**
     * The decision on a request within one account from its identity-based decision and, when the resource has a policy,
     * the resource-based one ("Policy evaluation logic", IAM User Guide): an explicit deny in either wins; otherwise an
     * allow in either allows; otherwise it is implicitly denied. {@code resource} is null when the resource has no policy.
     */
    public static Evaluator.Decision combine(Evaluator.Decision identity, Evaluator.Decision resource) {
        if (identity == Evaluator.Decision.EXPLICIT_DENY || resource == Evaluator.Decision.EXPLICIT_DENY) {
            return Evaluator.Decision.EXPLICIT_DENY;
        }
        return identity == Evaluator.Decision.ALLOW || resource == Evaluator.Decision.ALLOW ? Evaluator.Decision.ALLOW
                : Evaluator.Decision.IMPLICIT_DENY;
    }
}
