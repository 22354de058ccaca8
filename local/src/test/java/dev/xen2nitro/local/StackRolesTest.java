package dev.xen2nitro.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xen2nitro.functions.rules.NitroTargets;
import dev.xen2nitro.local.cloud.Catalogue;
import dev.xen2nitro.local.host.StackRoles;
import dev.xen2nitro.local.host.Template;
import dev.xen2nitro.local.iam.Evaluator;
import dev.xen2nitro.local.iam.Evaluator.Decision;
import dev.xen2nitro.local.iam.Policy;
import dev.xen2nitro.local.iam.Principal;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The roles the local cloud authorizes against are template.yaml's, as SAM translates and CloudFormation resolves them. */
class StackRolesTest {
    private static final String ACCOUNT = "123456789012", REGION = "us-east-1";
    private static StackRoles roles;
    private static Template template;

    @BeforeAll
    static void translate() throws Exception {
        Path root = Worlds.root();
        roles = StackRoles.of(root, REGION, ACCOUNT);
        template = new Template(root);
    }

    private static Decision decide(String who, String action, String resource) {
        Principal p = roles.principal(who);
        return Evaluator.decide(p.policies(), action, resource, Map.of());
    }

    @Test
    void everyFunctionAndStateMachineRunsAsARoleOfItsOwn() {
        template.functions().keySet().forEach(f -> assertTrue(roles.principals().containsKey(f), f + " has no role"));
        template.stateMachines().keySet().forEach(s -> assertTrue(roles.principals().containsKey(s), s + " has no role"));
        Principal preflight = roles.principal("PreflightFunction");
        assertEquals("arn:aws:sts::123456789012:assumed-role/xen2nitro-PreflightFunctionRole/PreflightFunction", preflight.arn());
    }

    /**
     * Actions that change something and are granted on every resource without a condition, each with the reason
     * it cannot be narrowed. Nothing else may be.
     */
    static final Map<String, String> UNSCOPED_MUTATIONS = Map.ofEntries(
            Map.entry("logs:CreateLogDelivery", "Step Functions Developer Guide, IAM policies for logging to CloudWatch Logs: no resource type"),
            Map.entry("logs:UpdateLogDelivery", "same"),
            Map.entry("logs:DeleteLogDelivery", "same"),
            Map.entry("logs:PutResourcePolicy", "same"),
            Map.entry("logs:CreateLogGroup", "AWSLambdaBasicExecutionRole, the AWS managed policy SAM attaches to every function"),
            Map.entry("logs:CreateLogStream", "same"),
            Map.entry("logs:PutLogEvents", "same"),
            Map.entry("xray:PutTraceSegments", "AWSXrayWriteOnlyAccess, which SAM attaches to a traced state machine"),
            Map.entry("xray:PutTelemetryRecords", "same"),
            Map.entry("states:SendTaskSuccess", "no resource type (Service Authorization Reference, AWS Step Functions): a task token is all it"
                    + " names; only the approval function's role has it, and what it sends counts only when signed"),
            Map.entry("ssm:CancelCommand", "Service Authorization Reference, AWS Systems Manager: CancelCommand has no resource type"
                    + " (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssystemsmanager.html)"),
            Map.entry("route53:AssociateVPCWithHostedZone", "a dependent action of ec2:CreateVpcEndpoint (Service Authorization Reference); the"
                    + " endpoint service's hosted zone is not this account's"));

    @Test
    void noRoleMayChangeEverythingWithoutACondition() {
        java.util.List<String> found = new java.util.ArrayList<>();
        roles.principals().forEach((who, p) -> p.policies().forEach(policy -> policy.statements().forEach(s -> {
            boolean everything = s.resources() == null || s.resources().contains("*");
            if (s.effect() != dev.xen2nitro.local.iam.Policy.Effect.Allow || !everything || !s.conditions().isEmpty()) {
                return;
            }
            for (String a : s.actions() == null ? java.util.List.of("NotAction") : s.actions()) {
                String verb = a.substring(a.indexOf(':') + 1);
                boolean reads = verb.startsWith("Describe") || verb.startsWith("Get") || verb.startsWith("List") || verb.startsWith("Lookup");
                if (!reads && !UNSCOPED_MUTATIONS.containsKey(a)) {
                    found.add(who + ": " + a);
                }
            }
        })));
        assertEquals(java.util.List.of(), found, "mutating grants on every resource without a condition");
    }

    /**
     * ChangeInstanceType's role may set the Nitro families of NitroTargets, the list preflight and the handler check: the
     * same list, and in the catalogue it matches Nitro types (or bare metal, which runs on no hypervisor) and no Xen type.
     */
    @Test
    void theTypeChangeRoleAllowsTheNitroTargetsAndNoXenType() {
        List<String> granted = null;
        for (Policy policy : roles.principal("ChangeInstanceTypeFunction").policies()) {
            for (Policy.Statement s : policy.statements()) {
                if (s.actions() != null && s.actions().contains("ec2:ModifyInstanceAttribute")) {
                    assertEquals(null, granted, "one statement grants the type change");
                    granted = s.conditions().get("StringLike").get("ec2:attribute/instancetype");
                }
            }
        }
        assertEquals(NitroTargets.PATTERNS, granted, "template.yaml's ec2:Attribute/InstanceType list and NitroTargets.PATTERNS differ");
        String instance = "arn:aws:ec2:us-east-1:123456789012:instance/i-0a1b2c3d4e5f60001";
        Principal p = roles.principal("ChangeInstanceTypeFunction");
        int nitro = 0;
        for (Catalogue.InstanceType t : Catalogue.get().types().values()) {
            Decision d = Evaluator.decide(p.policies(), "ec2:ModifyInstanceAttribute", instance, Map.of(
                    "aws:ResourceTag/xen2nitro:lock", List.of("an-execution"), "ec2:Attribute/InstanceType", List.of(t.name())));
            assertEquals(NitroTargets.allows(t.name()) ? Decision.ALLOW : Decision.IMPLICIT_DENY, d, t.name());
            if (d == Decision.ALLOW) {
                assertTrue(t.nitro() || t.bareMetal(), t.name() + " is allowed but runs on " + t.hypervisor());
                nitro++;
            }
            if ("xen".equals(t.hypervisor())) {
                assertEquals(Decision.IMPLICIT_DENY, d, t.name() + " is a Xen type");
            }
        }
        assertTrue(nitro > 100, "the patterns match the catalogue's Nitro types: " + nitro);
        // Without the lock, no type at all.
        assertEquals(Decision.IMPLICIT_DENY, Evaluator.decide(p.policies(), "ec2:ModifyInstanceAttribute", instance,
                Map.of("ec2:Attribute/InstanceType", List.of("m5.xlarge"))));
    }

    @Test
    void policiesAreResolvedForTheLocalStack() {
        String instance = "arn:aws:ec2:us-east-1:123456789012:instance/i-0a1b2c3d4e5f60001";
        assertEquals(Decision.ALLOW, decide("CaptureGuestFactsFunction", "ssm:SendCommand", instance));
        assertEquals(Decision.ALLOW, decide("CaptureGuestFactsFunction", "ssm:SendCommand",
                "arn:aws:ssm:us-east-1:123456789012:document/xen2nitro-CaptureGuestFacts"));
        // Not a document of this stack, nor an instance of another account or region.
        assertEquals(Decision.IMPLICIT_DENY, decide("CaptureGuestFactsFunction", "ssm:SendCommand",
                "arn:aws:ssm:us-east-1::document/AWS-RunPowerShellScript"));
        assertEquals(Decision.IMPLICIT_DENY, decide("CaptureGuestFactsFunction", "ssm:SendCommand", instance.replace("us-east-1", "eu-west-1")));
        // The outcome only on an instance a migration holds, and only its own tags.
        Map<String, List<String>> outcome = Map.of("aws:TagKeys", List.of("xen2nitro:status", "xen2nitro:execution"));
        assertEquals(Decision.IMPLICIT_DENY, Evaluator.decide(roles.principal("RecordOutcomeFunction").policies(), "ec2:CreateTags", instance, outcome));
        Map<String, List<String>> locked = new java.util.HashMap<>(outcome);
        locked.put("aws:ResourceTag/xen2nitro:lock", List.of("arn:aws:states:us-east-1:123456789012:execution:m:e"));
        assertEquals(Decision.ALLOW, Evaluator.decide(roles.principal("RecordOutcomeFunction").policies(), "ec2:CreateTags", instance, locked));
        locked.put("aws:TagKeys", List.of("xen2nitro:status", "xen2nitro:lock"));
        assertEquals(Decision.IMPLICIT_DENY, Evaluator.decide(roles.principal("RecordOutcomeFunction").policies(), "ec2:CreateTags", instance, locked));
        // A function has only its own grants.
        assertEquals(Decision.IMPLICIT_DENY, decide("PreflightFunction", "ec2:StopInstances", instance));
        // The state machine may invoke the functions of the stack through their SAM connector.
        assertEquals(Decision.ALLOW, decide("MigrateInstanceStateMachine", "lambda:InvokeFunction",
                "arn:aws:lambda:us-east-1:123456789012:function:PreflightFunction:live"));
        assertEquals(Decision.IMPLICIT_DENY, decide("MigrateInstanceStateMachine", "lambda:InvokeFunction",
                "arn:aws:lambda:us-east-1:123456789012:function:SomethingElse"));
    }
}
