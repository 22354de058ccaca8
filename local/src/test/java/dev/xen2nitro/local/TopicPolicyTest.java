package dev.xen2nitro.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.xen2nitro.functions.core.JsonHandler;
import dev.xen2nitro.functions.report.RecordOutcome;
import dev.xen2nitro.local.host.StackRoles;
import dev.xen2nitro.local.iam.AccessControl;
import dev.xen2nitro.local.iam.Evaluator;
import dev.xen2nitro.local.iam.Evaluator.Caller;
import dev.xen2nitro.local.iam.Evaluator.Decision;
import dev.xen2nitro.local.iam.Policy;
import dev.xen2nitro.local.iam.Principal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Who may publish to the stack's topic, by template.yaml's topic policy and the publishers' own policies as IAM decides
 * within one account: the stack's roles that publish, and the stack's alarm (cloudwatch.amazonaws.com for that alarm's ARN
 * in this account); nobody else. And the alarm is wired to the topic and to the metric RecordOutcome reports.
 */
class TopicPolicyTest {
    private static final String ACCOUNT = "123456789012", REGION = "us-east-1";
    private static final String TOPIC = "arn:aws:sns:us-east-1:123456789012:xen2nitro-notifications";
    private static final String LINK_TOPIC = "arn:aws:sns:us-east-1:123456789012:xen2nitro-approval-links";
    private static StackRoles roles;
    private static Policy topicPolicy;
    private static String alarmArn;

    @BeforeAll
    static void translate() throws Exception {
        roles = StackRoles.of(Worlds.root(), REGION, ACCOUNT);
        Map<String, Policy> policies = roles.topicPolicies();
        assertEquals(java.util.Set.of(TOPIC, LINK_TOPIC), policies.keySet(), "a policy on each of the stack's topics");
        topicPolicy = policies.get(TOPIC);
        alarmArn = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:" + roles.properties("NeedsAttentionAlarm").path("AlarmName").asText();
    }

    /** The decision on a role's session publishing: its own policies and the topic's, with the context AWS gives a role. */
    private static Decision publishAs(Principal p) {
        Map<String, List<String>> ctx = Map.of("aws:PrincipalArn", List.of(p.roleArn()), "aws:PrincipalIsAWSService", List.of("false"));
        return AccessControl.combine(Evaluator.decide(p.policies(), "sns:Publish", TOPIC, ctx),
                Evaluator.decideResource(topicPolicy, Caller.of(p), "sns:Publish", TOPIC, ctx));
    }

    /** The decision on CloudWatch publishing for the alarm {@code source} of {@code account}: a service principal has no policies of its own. */
    private static Decision publishAsCloudWatch(String source, String account) {
        Map<String, List<String>> ctx = Map.of("aws:PrincipalServiceName", List.of("cloudwatch.amazonaws.com"),
                "aws:PrincipalIsAWSService", List.of("true"), "aws:SourceArn", List.of(source), "aws:SourceAccount", List.of(account));
        return AccessControl.combine(Evaluator.decide(List.of(), "sns:Publish", TOPIC, ctx),
                Evaluator.decideResource(topicPolicy, Caller.service("cloudwatch.amazonaws.com"), "sns:Publish", TOPIC, ctx));
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
        assertEquals(java.util.Set.of("RequestApprovalFunction", "PublishReportFunction", "PublishFleetReportFunction"), java.util.Set.copyOf(granted));
    }

    @Test
    void anyOtherPrincipalOfTheAccountIsDeniedWhateverItsOwnPolicies() throws Exception {
        Policy everything = Policy.read("admin", new ObjectMapper().readTree("{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"sns:*\",\"Resource\":\"*\"}}"));
        assertEquals(Decision.EXPLICIT_DENY, publishAs(Principal.session(ACCOUNT, "ops-admin", "alice", List.of(everything))));
        // A role whose name starts with the stack's is not the stack's.
        assertEquals(Decision.EXPLICIT_DENY, publishAs(Principal.session(ACCOUNT, "xen2nitro-PublishReportFunctionRole-copy", "s", List.of(everything))));
        // Nor may another AWS service publish, for this stack's alarm's ARN or not.
        Map<String, List<String>> ctx = Map.of("aws:PrincipalServiceName", List.of("events.amazonaws.com"), "aws:SourceArn", List.of(alarmArn),
                "aws:SourceAccount", List.of(ACCOUNT));
        assertEquals(Decision.EXPLICIT_DENY, Evaluator.decideResource(topicPolicy, Caller.service("events.amazonaws.com"), "sns:Publish", TOPIC, ctx));
    }

    @Test
    void cloudWatchPublishesForTheStacksAlarmOnly() {
        assertEquals("arn:aws:cloudwatch:us-east-1:123456789012:alarm:xen2nitro-needs-attention", alarmArn);
        assertEquals(Decision.ALLOW, publishAsCloudWatch(alarmArn, ACCOUNT));
        // Another alarm, or this alarm's name in another account (confused deputy): no.
        assertEquals(Decision.IMPLICIT_DENY, publishAsCloudWatch("arn:aws:cloudwatch:us-east-1:123456789012:alarm:someone-elses", ACCOUNT));
        assertEquals(Decision.IMPLICIT_DENY, publishAsCloudWatch(alarmArn.replace(ACCOUNT, "210987654321"), "210987654321"));
    }

    /** The approval-link topic: only the approval request publishes, and only LinkSubscriberArns subscribe (nobody by default). */
    @Test
    void onlyTheApprovalRequestPublishesLinksAndOnlyTheNamedSubscribersSubscribe() throws Exception {
        Policy linkPolicy = roles.topicPolicies().get(LINK_TOPIC);
        java.util.function.BiFunction<Principal, String, Decision> as = (p, action) -> {
            Map<String, List<String>> ctx = Map.of("aws:PrincipalArn", List.of(p.roleArn()), "aws:PrincipalIsAWSService", List.of("false"));
            return AccessControl.combine(Evaluator.decide(p.policies(), action, LINK_TOPIC, ctx),
                    Evaluator.decideResource(linkPolicy, Caller.of(p), action, LINK_TOPIC, ctx));
        };
        assertEquals(Decision.ALLOW, as.apply(roles.principal("RequestApprovalFunction"), "sns:Publish"));
        assertEquals(Decision.EXPLICIT_DENY, as.apply(roles.principal("PublishReportFunction"), "sns:Publish"), "reports go to the stack's topic");
        Policy everything = Policy.read("admin", new ObjectMapper().readTree("{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"sns:*\",\"Resource\":\"*\"}}"));
        Principal admin = Principal.session(ACCOUNT, "ops-admin", "alice", List.of(everything));
        assertEquals(Decision.EXPLICIT_DENY, as.apply(admin, "sns:Subscribe"), "LinkSubscriberArns is empty: nobody subscribes");
        assertEquals(Decision.EXPLICIT_DENY, as.apply(admin, "sns:Publish"));
        // Deployed with two subscribers (a CommaDelimitedList), the first of them may subscribe.
        Policy withSubscribers = roles.topicPolicies(Map.of("LinkSubscriberArns",
                "arn:aws:iam::123456789012:role/ops-admin,arn:aws:iam::123456789012:role/security")).get(LINK_TOPIC);
        Map<String, List<String>> ctx = Map.of("aws:PrincipalArn", List.of(admin.roleArn()), "aws:PrincipalIsAWSService", List.of("false"));
        assertEquals(Decision.ALLOW, AccessControl.combine(Evaluator.decide(admin.policies(), "sns:Subscribe", LINK_TOPIC, ctx),
                Evaluator.decideResource(withSubscribers, Caller.of(admin), "sns:Subscribe", LINK_TOPIC, ctx)));
    }

    /** The alarm watches the metric RecordOutcome writes into its log line, and publishes to the topic whose key lets it. */
    @Test
    void theAlarmWatchesRecordOutcomesMetricAndPublishesToTheTopic() {
        JsonNode alarm = roles.properties("NeedsAttentionAlarm");
        assertEquals(List.of(TOPIC), strings(alarm.path("AlarmActions")));
        assertEquals(JsonHandler.METRIC_NAMESPACE, alarm.path("Namespace").asText());
        assertEquals(RecordOutcome.NEEDS_ATTENTION_METRIC, alarm.path("MetricName").asText());
        // The dimension is the function's name, which the function reports (locally its logical ID).
        assertEquals("[{\"Name\":\"function\",\"Value\":\"RecordOutcomeFunction\"}]", alarm.path("Dimensions").toString());
        assertEquals("Sum", alarm.path("Statistic").asText());
        assertEquals("GreaterThanOrEqualToThreshold", alarm.path("ComparisonOperator").asText());
        assertEquals(1, alarm.path("Threshold").asInt());
        assertEquals("notBreaching", alarm.path("TreatMissingData").asText());
        // The topic's key lets CloudWatch use it for this alarm only; the AWS managed key alias/aws/sns could not.
        JsonNode topic = roles.properties("NotificationTopic");
        assertEquals(StackRoles.kmsKeyId("NotificationKey"), topic.path("KmsMasterKeyId").asText(), "Ref of the key: its ID");
        Map<String, JsonNode> bySid = new LinkedHashMap<>();
        roles.properties("NotificationKey").path("KeyPolicy").path("Statement").forEach(s -> bySid.put(s.path("Sid").asText(), s));
        JsonNode cloudWatch = bySid.get("TheStacksAlarm");
        assertEquals("cloudwatch.amazonaws.com", cloudWatch.at("/Principal/Service").asText());
        assertEquals(List.of("kms:GenerateDataKey*", "kms:Decrypt"), strings(cloudWatch.path("Action")));
        assertEquals(alarmArn, cloudWatch.at("/Condition/ArnLike/aws:SourceArn").asText());
        assertEquals(ACCOUNT, cloudWatch.at("/Condition/StringEquals/aws:SourceAccount").asText());
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
