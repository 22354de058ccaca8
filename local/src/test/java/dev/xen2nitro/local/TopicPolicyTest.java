package dev.xen2nitro.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.xen2nitro.local.host.StackRoles;
import dev.xen2nitro.local.iam.AccessControl;
import dev.xen2nitro.local.iam.Evaluator;
import dev.xen2nitro.local.iam.Evaluator.Caller;
import dev.xen2nitro.local.iam.Evaluator.Decision;
import dev.xen2nitro.local.iam.Policy;
import dev.xen2nitro.local.iam.Principal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Who may publish to the stack's topic, by template.yaml's topic policy and the publishers' own policies as IAM decides
 * within one account: the stack's roles that publish; nobody else.
 */
class TopicPolicyTest {
    private static final String ACCOUNT = "123456789012", REGION = "us-east-1";
    private static final String TOPIC = "arn:aws:sns:us-east-1:123456789012:xen2nitro-notifications";
    private static StackRoles roles;
    private static Policy topicPolicy;

    @BeforeAll
    static void translate() throws Exception {
        roles = StackRoles.of(Worlds.root(), REGION, ACCOUNT);
        Map<String, Policy> policies = roles.topicPolicies();
        assertEquals(List.of(TOPIC), List.copyOf(policies.keySet()), "one policy, on the stack's topic");
        topicPolicy = policies.get(TOPIC);
    }

    /** The decision on a role's session publishing: its own policies and the topic's, with the context AWS gives a role. */
    private static Decision publishAs(Principal p) {
        Map<String, List<String>> ctx = Map.of("aws:PrincipalArn", List.of(p.roleArn()), "aws:PrincipalIsAWSService", List.of("false"));
        return AccessControl.combine(Evaluator.decide(p.policies(), "sns:Publish", TOPIC, ctx),
                Evaluator.decideResource(topicPolicy, Caller.of(p), "sns:Publish", TOPIC, ctx));
    }

    @Test
    void theStacksPublishersMayPublish() {
        assertEquals(Decision.ALLOW, publishAs(roles.principal("RequestApprovalFunction")));
        assertEquals(Decision.ALLOW, publishAs(roles.principal("PublishReportFunction")));
        // A role of the stack that does not publish is denied by the topic as well as by its own policies.
        assertEquals(Decision.EXPLICIT_DENY, publishAs(roles.principal("PreflightFunction")));
    }

    /** Any role its own policies let publish, named in the topic policy or not: what a new publisher must not miss. */
    @Test
    void everyRoleGrantedPublishIsNamedInTheTopicPolicy() {
        List<String> granted = new ArrayList<>();
        roles.principals().forEach((id, p) -> {
            Map<String, List<String>> ctx = Map.of("aws:PrincipalArn", List.of(p.roleArn()));
            if (Evaluator.decide(p.policies(), "sns:Publish", TOPIC, ctx) == Decision.ALLOW) {
                granted.add(id);
                assertEquals(Decision.ALLOW, publishAs(p), id + " may publish by its role but the topic policy denies it: name its role"
                        + " in NotificationTopicPolicy (template.yaml)");
            }
        });
        assertEquals(java.util.Set.of("RequestApprovalFunction", "PublishReportFunction"), java.util.Set.copyOf(granted));
    }

    @Test
    void anyOtherPrincipalOfTheAccountIsDeniedWhateverItsOwnPolicies() throws Exception {
        Policy everything = Policy.read("admin", new ObjectMapper().readTree("{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"sns:*\",\"Resource\":\"*\"}}"));
        assertEquals(Decision.EXPLICIT_DENY, publishAs(Principal.session(ACCOUNT, "ops-admin", "alice", List.of(everything))));
        // A role whose name starts with the stack's is not the stack's.
        assertEquals(Decision.EXPLICIT_DENY, publishAs(Principal.session(ACCOUNT, "xen2nitro-PublishReportFunctionRole-copy", "s", List.of(everything))));
    }
}
