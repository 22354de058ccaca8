package dev.xen2nitro.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.xen2nitro.local.iam.Evaluator;
import dev.xen2nitro.local.iam.Evaluator.Decision;
import dev.xen2nitro.local.iam.Policy;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The policy evaluator against the rules of the IAM User Guide, one rule per test. */
class IamEvaluatorTest {
    private static final String INSTANCE = "arn:aws:ec2:us-east-1:123456789012:instance/i-0a1b2c3d4e5f60001";

    private static Policy policy(String json) throws Exception {
        return Policy.read("test", new ObjectMapper().readTree(json));
    }

    private static Decision decide(String json, String action, String resource, Map<String, List<String>> ctx) throws Exception {
        return Evaluator.decide(List.of(policy(json)), action, resource, ctx);
    }

    @Test
    void nothingIsAllowedUnlessAStatementAllowsIt() throws Exception {
        String p = "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"ec2:Describe*\",\"Resource\":\"*\"}}";
        assertEquals(Decision.ALLOW, decide(p, "ec2:DescribeInstances", "*", Map.of()));
        assertEquals(Decision.IMPLICIT_DENY, decide(p, "ec2:StopInstances", INSTANCE, Map.of()));
    }

    @Test
    void actionsIgnoreCaseResourcesDoNot() throws Exception {
        String p = "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"ec2:stopinstances\",\"Resource\":\"arn:aws:ec2:*:*:instance/i-0a*\"}}";
        assertEquals(Decision.ALLOW, decide(p, "ec2:StopInstances", INSTANCE, Map.of()));
        assertEquals(Decision.IMPLICIT_DENY, decide(p, "ec2:StopInstances", INSTANCE.replace("i-0a", "i-0A"), Map.of()));
    }

    @Test
    void anExplicitDenyWinsOverEveryAllow() throws Exception {
        Policy allow = policy("{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"ec2:*\",\"Resource\":\"*\"}}");
        Policy deny = policy("{\"Statement\":{\"Effect\":\"Deny\",\"NotAction\":\"ec2:Describe*\",\"Resource\":\"*\"}}");
        assertEquals(Decision.EXPLICIT_DENY, Evaluator.decide(List.of(allow, deny), "ec2:StopInstances", INSTANCE, Map.of()));
        assertEquals(Decision.ALLOW, Evaluator.decide(List.of(allow, deny), "ec2:DescribeImages", "*", Map.of()));
    }

    @Test
    void aTagConditionAllowsOnlyTheTaggedResource() throws Exception {
        String p = "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"ec2:StopInstances\",\"Resource\":\"*\","
                + "\"Condition\":{\"StringEquals\":{\"aws:ResourceTag/xen2nitro:lock\":\"exec-1\"}}}}";
        assertEquals(Decision.ALLOW, decide(p, "ec2:StopInstances", INSTANCE, Map.of("aws:ResourceTag/xen2nitro:lock", List.of("exec-1"))));
        assertEquals(Decision.IMPLICIT_DENY, decide(p, "ec2:StopInstances", INSTANCE, Map.of("aws:ResourceTag/xen2nitro:lock", List.of("exec-2"))));
        // A key absent from the request makes a positive condition false.
        assertEquals(Decision.IMPLICIT_DENY, decide(p, "ec2:StopInstances", INSTANCE, Map.of()));
        // Condition keys are case-insensitive.
        assertEquals(Decision.ALLOW, decide(p, "ec2:StopInstances", INSTANCE, Map.of("AWS:resourcetag/xen2nitro:lock", List.of("exec-1"))));
    }

    @Test
    void aNegatedOperatorIsTrueWhenTheKeyIsAbsentIfExistsToo() throws Exception {
        String notLike = "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"ec2:CreateTags\",\"Resource\":\"*\","
                + "\"Condition\":{\"StringNotLike\":{\"ec2:ResourceTag/owner\":\"team-*\"}}}}";
        assertEquals(Decision.ALLOW, decide(notLike, "ec2:CreateTags", INSTANCE, Map.of()));
        assertEquals(Decision.IMPLICIT_DENY, decide(notLike, "ec2:CreateTags", INSTANCE, Map.of("ec2:ResourceTag/owner", List.of("team-a"))));
        String ifExists = "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"ec2:CreateTags\",\"Resource\":\"*\","
                + "\"Condition\":{\"StringEqualsIfExists\":{\"ec2:CreateAction\":\"CreateImage\"}}}}";
        assertEquals(Decision.ALLOW, decide(ifExists, "ec2:CreateTags", INSTANCE, Map.of()));
        assertEquals(Decision.IMPLICIT_DENY, decide(ifExists, "ec2:CreateTags", INSTANCE, Map.of("ec2:CreateAction", List.of("RunInstances"))));
    }

    @Test
    void setOperatorsOnMultivaluedKeys() throws Exception {
        String all = "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"ec2:CreateTags\",\"Resource\":\"*\","
                + "\"Condition\":{\"ForAllValues:StringLike\":{\"aws:TagKeys\":[\"xen2nitro:*\"]}}}}";
        assertEquals(Decision.ALLOW, decide(all, "ec2:CreateTags", INSTANCE, Map.of("aws:TagKeys", List.of("xen2nitro:lock", "xen2nitro:state"))));
        assertEquals(Decision.IMPLICIT_DENY, decide(all, "ec2:CreateTags", INSTANCE, Map.of("aws:TagKeys", List.of("xen2nitro:lock", "Name"))));
        // ForAllValues is true for an absent key: a request with no tags passes it (why policies pair it with Null).
        assertEquals(Decision.ALLOW, decide(all, "ec2:CreateTags", INSTANCE, Map.of()));
        String any = all.replace("ForAllValues", "ForAnyValue");
        assertEquals(Decision.ALLOW, decide(any, "ec2:CreateTags", INSTANCE, Map.of("aws:TagKeys", List.of("xen2nitro:lock", "Name"))));
        assertEquals(Decision.IMPLICIT_DENY, decide(any, "ec2:CreateTags", INSTANCE, Map.of()));
    }

    @Test
    void nullTestsPresenceAndAllOperatorsMustHold() throws Exception {
        String p = "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"ec2:CreateTags\",\"Resource\":\"*\",\"Condition\":{"
                + "\"Null\":{\"aws:TagKeys\":\"false\"},\"ForAllValues:StringEquals\":{\"aws:TagKeys\":[\"xen2nitro:lock\"]}}}}";
        assertEquals(Decision.IMPLICIT_DENY, decide(p, "ec2:CreateTags", INSTANCE, Map.of()));
        assertEquals(Decision.ALLOW, decide(p, "ec2:CreateTags", INSTANCE, Map.of("aws:TagKeys", List.of("xen2nitro:lock"))));
    }

    @Test
    void arnLikeMatchesEachPartOnItsOwn() throws Exception {
        String p = "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"ec2:CreateReplaceRootVolumeTask\",\"Resource\":\"*\","
                + "\"Condition\":{\"ArnLike\":{\"ec2:ImageID\":\"arn:aws:ec2:*:123456789012:image/*\"}}}}";
        assertEquals(Decision.ALLOW, decide(p, "ec2:CreateReplaceRootVolumeTask", INSTANCE,
                Map.of("ec2:ImageID", List.of("arn:aws:ec2:us-east-1:123456789012:image/ami-1"))));
        // The account part may not absorb a colon the way a plain string wildcard would.
        assertEquals(Decision.IMPLICIT_DENY, decide(p, "ec2:CreateReplaceRootVolumeTask", INSTANCE,
                Map.of("ec2:ImageID", List.of("arn:aws:ec2:us-east-1:999999999999:image/ami-1"))));
    }

    @Test
    void whatTheModelCannotEvaluateIsRefusedWhenRead() {
        IllegalArgumentException principal = assertThrows(IllegalArgumentException.class, () -> policy(
                "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}}"));
        assertTrue(principal.getMessage().contains("Principal"), principal.getMessage());
        IllegalArgumentException op = assertThrows(IllegalArgumentException.class, () -> policy(
                "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\",\"Condition\":{\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0/8\"}}}}"));
        assertTrue(op.getMessage().contains("IpAddress"), op.getMessage());
    }

    /** A resource-based policy counts only the statements whose Principal names the caller: everyone, its role, or its service. */
    @Test
    void aResourcePolicyCountsTheStatementsThatNameTheCaller() throws Exception {
        String topic = "arn:aws:sns:us-east-1:123456789012:t";
        Policy p = Policy.readResourcePolicy("topic", new ObjectMapper().readTree("{\"Statement\":["
                + "{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"cloudwatch.amazonaws.com\"},\"Action\":\"sns:Publish\",\"Resource\":\"*\"},"
                + "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::123456789012:role/publisher\"},\"Action\":\"sns:Publish\",\"Resource\":\"*\"},"
                + "{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"sns:Publish\",\"Resource\":\"*\","
                + "\"Condition\":{\"StringEquals\":{\"aws:PrincipalArn\":\"arn:aws:iam::123456789012:role/banned\"}}}]}"));
        dev.xen2nitro.local.iam.Principal publisher = dev.xen2nitro.local.iam.Principal.session("123456789012", "publisher", "s", List.of());
        dev.xen2nitro.local.iam.Principal other = dev.xen2nitro.local.iam.Principal.session("123456789012", "other", "s", List.of());
        dev.xen2nitro.local.iam.Principal banned = dev.xen2nitro.local.iam.Principal.session("123456789012", "banned", "s", List.of());
        assertEquals("arn:aws:iam::123456789012:role/publisher", publisher.roleArn());
        assertEquals(Decision.ALLOW, Evaluator.decideResource(p, Evaluator.Caller.of(publisher), "sns:Publish", topic, Map.of()));
        assertEquals(Decision.IMPLICIT_DENY, Evaluator.decideResource(p, Evaluator.Caller.of(other), "sns:Publish", topic, Map.of()));
        assertEquals(Decision.ALLOW, Evaluator.decideResource(p, Evaluator.Caller.service("cloudwatch.amazonaws.com"), "sns:Publish", topic, Map.of()));
        assertEquals(Decision.IMPLICIT_DENY, Evaluator.decideResource(p, Evaluator.Caller.service("events.amazonaws.com"), "sns:Publish", topic, Map.of()));
        assertEquals(Decision.EXPLICIT_DENY, Evaluator.decideResource(p, Evaluator.Caller.of(banned), "sns:Publish", topic,
                Map.of("aws:PrincipalArn", List.of(banned.roleArn()))));
        // Within one account, an explicit deny in either policy wins, then an allow in either.
        assertEquals(Decision.ALLOW, dev.xen2nitro.local.iam.AccessControl.combine(Decision.IMPLICIT_DENY, Decision.ALLOW));
        assertEquals(Decision.ALLOW, dev.xen2nitro.local.iam.AccessControl.combine(Decision.ALLOW, Decision.IMPLICIT_DENY));
        assertEquals(Decision.EXPLICIT_DENY, dev.xen2nitro.local.iam.AccessControl.combine(Decision.ALLOW, Decision.EXPLICIT_DENY));
        assertEquals(Decision.IMPLICIT_DENY, dev.xen2nitro.local.iam.AccessControl.combine(Decision.IMPLICIT_DENY, null));
        // An account as principal delegates to its principals' own policies: not modelled, so refused when read.
        IllegalArgumentException account = assertThrows(IllegalArgumentException.class, () -> Policy.readResourcePolicy("topic", new ObjectMapper()
                .readTree("{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::123456789012:root\"},\"Action\":\"sns:Publish\",\"Resource\":\"*\"}}")));
        assertTrue(account.getMessage().contains("only \"*\" and role ARNs"), account.getMessage());
    }
}
