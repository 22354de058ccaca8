package dev.xen2nitro.local.host;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.xen2nitro.local.iam.Policy;
import dev.xen2nitro.local.iam.Principal;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The roles and SSM documents of the stack as CloudFormation would create them: template.yaml translated by
 * aws-sam-translator (local/sam/translate.py), whose roles carry SAM's policy templates expanded,
 * with every intrinsic function of their policies resolved for the local stack (stack
 * {@value Template#STACK_NAME}, the world's region and account). Each function and state machine
 * runs as its role's session.
 */
public final class StackRoles {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * AWS managed policies a role of the template names, with their documents ("AWS managed policy
     * reference": AWSLambdaBasicExecutionRole allows logs:CreateLogGroup, logs:CreateLogStream and
     * logs:PutLogEvents on every resource; AWSXrayWriteOnlyAccess, which SAM attaches to a traced state
     * machine's role, allows xray:PutTraceSegments, xray:PutTelemetryRecords, xray:GetSamplingRules,
     * xray:GetSamplingTargets and xray:GetSamplingStatisticSummaries on every resource).
     */
    private static final Map<String, String> MANAGED = Map.of(
            "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
            "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"logs:CreateLogGroup\",\"logs:CreateLogStream\",\"logs:PutLogEvents\"],\"Resource\":\"*\"}]}",
            "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess",
            "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"xray:PutTraceSegments\",\"xray:PutTelemetryRecords\",\"xray:GetSamplingRules\","
                    + "\"xray:GetSamplingTargets\",\"xray:GetSamplingStatisticSummaries\"],\"Resource\":\"*\"}]}");

    private final JsonNode resources;
    private final JsonNode parameters;
    private final String region, accountId;
    /** The template's Conditions, evaluated by Fn::If with a deployment's parameter values. */
    private final JsonNode conditions;
    /** The deployment the roles' policies are resolved for (its parameter values decide their Fn::If). */
    private final Deployment deployment;

    /**
     * What a deployment gives the template beyond its own text: the values of its parameters (those not given take their
     * Default) and each function URL, by the URL resource's logical ID.
     */
    public record Deployment(Map<String, String> parameters, Map<String, String> functionUrls) {
        public static final Deployment NONE = new Deployment(Map.of(), Map.of());
    }

    /** A KMS key of the stack: its ID and ARN as KMS gives them, its spec and usage, and its key policy. */
    public record Key(String logicalId, String id, String arn, String keySpec, String keyUsage, Policy policy) {}
    /** Function or state machine logical ID to the principal it runs as. */
    private final Map<String, Principal> principals = new LinkedHashMap<>();

    private StackRoles(JsonNode translated, String region, String accountId, Map<String, String> parameterValues) {
        this.resources = translated.path("Resources");
        this.parameters = translated.path("Parameters");
        this.conditions = translated.path("Conditions");
        this.region = region;
        this.accountId = accountId;
        this.deployment = new Deployment(Map.copyOf(parameterValues), Map.of());
        resources.fields().forEachRemaining(e -> {
            String type = e.getValue().path("Type").asText();
            if (type.equals("AWS::Lambda::Function") || type.equals("AWS::StepFunctions::StateMachine")) {
                JsonNode roleRef = e.getValue().path("Properties").path(type.equals("AWS::Lambda::Function") ? "Role" : "RoleArn");
                String role = roleRef.path("Fn::GetAtt").path(0).asText(null);
                if (role == null) {
                    throw new IllegalStateException(e.getKey() + "'s role is not a role of the template (" + roleRef + ")");
                }
                principals.put(e.getKey(), Principal.session(accountId, roleName(role), e.getKey(), policies(role)));
            }
        });
    }

    /** Translates {@code template.yaml} under {@code projectRoot} (needs python3 with aws-sam-translator, which cfn-lint installs). */
    public static StackRoles of(Path projectRoot, String region, String accountId) throws IOException {
        return of(projectRoot, region, accountId, Map.of());
    }

    /** As {@link #of(Path, String, String)}, the roles' policies as a stack deployed with these parameter values has them. */
    public static StackRoles of(Path projectRoot, String region, String accountId, Map<String, String> parameterValues) throws IOException {
        ProcessBuilder pb = new ProcessBuilder("python3", projectRoot.resolve("local/sam/translate.py").toString(),
                projectRoot.resolve("template.yaml").toString(), region).redirectErrorStream(false);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (p.waitFor() != 0) {
                throw new IllegalStateException("local/sam/translate.py failed (it needs python3 with aws-sam-translator, which cfn-lint"
                        + " installs: pip install cfn-lint): " + err.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return new StackRoles(JSON.readTree(out), region, accountId, parameterValues);
    }

    /** The principal the function or state machine {@code logicalId} runs as. */
    public Principal principal(String logicalId) {
        Principal p = principals.get(logicalId);
        if (p == null) {
            throw new IllegalArgumentException("template.yaml declares no function or state machine " + logicalId);
        }
        return p;
    }

    public Map<String, Principal> principals() {
        return principals;
    }

    /**
     * The stack's SSM documents as CloudFormation creates them: each document's name and its content as
     * JSON, every intrinsic function resolved (an allowedPattern built with !Sub names the stack's bucket).
     */
    public Map<String, String> documents() {
        Map<String, String> out = new LinkedHashMap<>();
        resources.fields().forEachRemaining(e -> {
            if (e.getValue().path("Type").asText().equals("AWS::SSM::Document")) {
                JsonNode p = e.getValue().path("Properties");
                out.put(resolve(p.path("Name")).asText(), resolve(p.path("Content")).toString());
            }
        });
        return out;
    }

    /** The properties of the template's resource {@code logicalId} as CloudFormation would read them, intrinsic functions resolved. */
    public JsonNode properties(String logicalId) {
        JsonNode r = resources.get(logicalId);
        if (r == null) {
            throw new IllegalArgumentException("template.yaml declares no resource " + logicalId);
        }
        return resolve(r.path("Properties"));
    }

    /**
     * The stack's topic policies as CloudFormation attaches them: each AWS::SNS::TopicPolicy's document, intrinsic functions
     * resolved, by the ARN of each topic it names.
     */
    public Map<String, Policy> topicPolicies() {
        return topicPolicies(Map.of());
    }

    /** As {@link #topicPolicies()}, the stack deployed with these parameter values. */
    public Map<String, Policy> topicPolicies(Map<String, String> parameters) {
        Deployment d = new Deployment(parameters, Map.of());
        Map<String, Policy> out = new LinkedHashMap<>();
        resources.fields().forEachRemaining(e -> {
            if (e.getValue().path("Type").asText().equals("AWS::SNS::TopicPolicy")) {
                JsonNode p = e.getValue().path("Properties");
                Policy policy = Policy.readResourcePolicy(e.getKey(), resolve(p.path("PolicyDocument"), d));
                resolve(p.path("Topics"), d).forEach(topic -> out.put(topic.asText(), policy));
            }
        });
        return out;
    }

    /**
     * The environment of the function {@code logicalId} as Lambda gives it: its Environment's Variables with the
     * template's Globals merged in (as SAM merges them), every intrinsic function resolved for {@code deployment}.
     */
    public Map<String, String> environment(String logicalId, Deployment deployment) {
        JsonNode r = resources.get(logicalId);
        if (r == null || !r.path("Type").asText().equals("AWS::Lambda::Function")) {
            throw new IllegalArgumentException("template.yaml declares no function " + logicalId);
        }
        Map<String, String> out = new LinkedHashMap<>();
        resolve(r.path("Properties").path("Environment").path("Variables"), deployment).fields()
                .forEachRemaining(v -> out.put(v.getKey(), v.getValue().asText()));
        return out;
    }

    /**
     * The variables template.yaml declares for the function {@code logicalId}, with the Globals, whatever their value: the
     * ones sam local gives it (with "" for what it cannot resolve; samcli/local/lambdafn/env_vars.py), before CloudFormation
     * drops those whose value is AWS::NoValue.
     */
    public java.util.Set<String> declaredVariables(String logicalId) {
        JsonNode r = resources.get(logicalId);
        if (r == null || !r.path("Type").asText().equals("AWS::Lambda::Function")) {
            throw new IllegalArgumentException("template.yaml declares no function " + logicalId);
        }
        java.util.Set<String> out = new java.util.TreeSet<>();
        r.path("Properties").path("Environment").path("Variables").fieldNames().forEachRemaining(out::add);
        return out;
    }

    /** The stack's instance profiles, by ARN, to the ARN of their role. */
    public Map<String, String> instanceProfiles() {
        Map<String, String> out = new LinkedHashMap<>();
        resources.fields().forEachRemaining(e -> {
            if (e.getValue().path("Type").asText().equals("AWS::IAM::InstanceProfile")) {
                String role = e.getValue().path("Properties").path("Roles").path(0).path("Ref").asText();
                out.put(getAtt(e.getKey(), "Arn", Deployment.NONE), getAtt(role, "Arn", Deployment.NONE));
            }
        });
        return out;
    }

    /** The ARNs of the stack's SNS topics, which the stack creates. */
    public List<String> topicArns() {
        List<String> out = new ArrayList<>();
        resources.fields().forEachRemaining(e -> {
            if (e.getValue().path("Type").asText().equals("AWS::SNS::Topic")) {
                out.add(ref(e.getKey()));
            }
        });
        return out;
    }

    /** The stack's KMS keys, with their key policies resolved. */
    public List<Key> kmsKeys() {
        List<Key> out = new ArrayList<>();
        resources.fields().forEachRemaining(e -> {
            if (e.getValue().path("Type").asText().equals("AWS::KMS::Key")) {
                JsonNode p = e.getValue().path("Properties");
                out.add(new Key(e.getKey(), kmsKeyId(e.getKey()), kmsKeyArn(e.getKey()), p.path("KeySpec").asText("SYMMETRIC_DEFAULT"),
                        p.path("KeyUsage").asText("ENCRYPT_DECRYPT"), Policy.readKeyPolicy(e.getKey() + ".KeyPolicy", resolve(p.path("KeyPolicy")))));
            }
        });
        return out;
    }

    /** A key's ID as KMS would make it, here derived from its logical ID so that it is the same in every local cloud. */
    public static String kmsKeyId(String logicalId) {
        return java.util.UUID.nameUUIDFromBytes(("xen2nitro kms key " + logicalId).getBytes(StandardCharsets.UTF_8)).toString();
    }

    private String kmsKeyArn(String logicalId) {
        return "arn:aws:kms:" + region + ":" + accountId + ":key/" + kmsKeyId(logicalId);
    }

    /** The function a URL resource serves: its TargetFunctionArn names the function, or an alias of it. */
    private String urlFunction(String urlLogicalId) {
        JsonNode target = resources.path(urlLogicalId).path("Properties").path("TargetFunctionArn");
        String ref = target.path("Ref").asText(target.path("Fn::GetAtt").path(0).asText(null));
        JsonNode r = ref == null ? null : resources.get(ref);
        if (r != null && r.path("Type").asText().equals("AWS::Lambda::Alias")) {
            ref = r.path("Properties").path("FunctionName").path("Ref").asText(null);
        }
        if (ref == null) {
            throw new IllegalStateException(urlLogicalId + "'s TargetFunctionArn names no function of the template: " + target);
        }
        return ref;
    }

    private String roleName(String logicalId) {
        return Template.STACK_NAME + "-" + logicalId;
    }

    private List<Policy> policies(String role) {
        JsonNode props = resources.path(role).path("Properties");
        List<Policy> out = new ArrayList<>();
        for (JsonNode arn : props.path("ManagedPolicyArns")) {
            String a = String.valueOf(resolve(arn, deployment).asText());
            String doc = MANAGED.get(a);
            if (doc == null) {
                throw new IllegalStateException(role + " names the managed policy " + a + ", whose document the local cloud does not know:"
                        + " add it to StackRoles.MANAGED from the AWS managed policy reference");
            }
            out.add(read(a, doc));
        }
        for (JsonNode given : props.path("Policies")) {
            // A policy under Fn::If is there only when its condition holds for the deployment.
            JsonNode inline = resolve(given, deployment);
            if (inline.isMissingNode()) continue;
            out.add(Policy.read(role + "/" + inline.path("PolicyName").asText(), inline.path("PolicyDocument")));
        }
        return out;
    }

    private static Policy read(String name, String doc) {
        try {
            return Policy.read(name, JSON.readTree(doc));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final Pattern VAR = Pattern.compile("\\$\\{([^}!]+)}");

    /** The value CloudFormation would give {@code node}, for the intrinsic functions policies use. */
    JsonNode resolve(JsonNode node) {
        return resolve(node, Deployment.NONE);
    }

    /** As {@link #resolve(JsonNode)}, with the parameter values and function URLs of a deployment. */
    JsonNode resolve(JsonNode node, Deployment d) {
        if (node.isArray()) {
            ArrayNode a = JsonNodeFactory.instance.arrayNode();
            node.forEach(n -> {
                JsonNode v = resolve(n, d);
                if (!v.isMissingNode()) a.add(v);
            });
            return a;
        }
        if (!node.isObject()) {
            return node;
        }
        if (node.size() == 1) {
            String fn = node.fieldNames().next();
            JsonNode arg = node.get(fn);
            switch (fn) {
                case "Fn::If":
                    // Fn::If [condition, then, else] (CloudFormation User Guide, "Condition functions").
                    return resolve(arg.get(holds(arg.get(0).asText(), d) ? 1 : 2), d);
                case "Ref": {
                    // AWS::NoValue removes the property or list item it is given for.
                    if (arg.asText().equals("AWS::NoValue")) {
                        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
                    }
                    // A CommaDelimitedList parameter is a list of its values (CloudFormation User Guide, "Parameters").
                    if (parameters.path(arg.asText()).path("Type").asText().equals("CommaDelimitedList")) {
                        ArrayNode a = JsonNodeFactory.instance.arrayNode();
                        for (String v : ref(arg.asText(), d).split(",", -1)) a.add(v.trim());
                        return a;
                    }
                    return text(ref(arg.asText(), d));
                }
                case "Fn::GetAtt":
                    return text(getAtt(arg.get(0).asText(), arg.get(1).asText(), d));
                case "Fn::Sub": {
                    String s = arg.isArray() ? arg.get(0).asText() : arg.asText();
                    Map<String, String> vars = new LinkedHashMap<>();
                    if (arg.isArray()) {
                        arg.get(1).fields().forEachRemaining(v -> vars.put(v.getKey(), resolve(v.getValue(), d).asText()));
                    }
                    Matcher m = VAR.matcher(s);
                    StringBuilder b = new StringBuilder();
                    while (m.find()) {
                        String name = m.group(1);
                        String value = vars.containsKey(name) ? vars.get(name)
                                : name.contains(".") && !name.startsWith("AWS::") ? getAtt(name.substring(0, name.indexOf('.')), name.substring(name.indexOf('.') + 1), d)
                                : ref(name, d);
                        m.appendReplacement(b, Matcher.quoteReplacement(value));
                    }
                    m.appendTail(b);
                    return text(b.toString());
                }
                case "Fn::Join": {
                    List<String> parts = new ArrayList<>();
                    resolve(arg.get(1), d).forEach(p -> parts.add(p.asText()));
                    return text(String.join(arg.get(0).asText(), parts));
                }
                default:
                    if (fn.startsWith("Fn::")) {
                        throw new IllegalStateException("the local cloud does not resolve " + fn + " in a policy: " + node);
                    }
            }
        }
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = resolve(e.getValue(), d);
            if (!v.isMissingNode()) o.set(e.getKey(), v);
        }
        return o;
    }

    /** Whether the template's condition {@code name} holds for the deployment. */
    private boolean holds(String name, Deployment d) {
        JsonNode c = conditions.get(name);
        if (c == null) {
            throw new IllegalStateException("a policy uses the condition " + name + ", which template.yaml does not declare");
        }
        return holds(c, d);
    }

    /** Fn::Equals, Fn::Not, Fn::And, Fn::Or and Condition (CloudFormation User Guide, "Condition functions"). */
    private boolean holds(JsonNode c, Deployment d) {
        String fn = c.fieldNames().next();
        JsonNode arg = c.get(fn);
        return switch (fn) {
            case "Fn::Equals" -> resolve(arg.get(0), d).asText().equals(resolve(arg.get(1), d).asText());
            case "Fn::Not" -> !holds(arg.get(0), d);
            case "Fn::And" -> java.util.stream.StreamSupport.stream(arg.spliterator(), false).allMatch(x -> holds(x, d));
            case "Fn::Or" -> java.util.stream.StreamSupport.stream(arg.spliterator(), false).anyMatch(x -> holds(x, d));
            case "Condition" -> holds(arg.asText(), d);
            default -> throw new IllegalStateException("the local cloud does not evaluate " + fn + " in a condition");
        };
    }

    private static JsonNode text(String s) {
        return JsonNodeFactory.instance.textNode(s);
    }

    private String ref(String name) {
        return ref(name, Deployment.NONE);
    }

    private String ref(String name, Deployment d) {
        switch (name) {
            case "AWS::Partition": return "aws";
            case "AWS::Region": return region;
            case "AWS::AccountId": return accountId;
            case "AWS::StackName": return Template.STACK_NAME;
            case "AWS::URLSuffix": return "amazonaws.com";
            default:
        }
        if (parameters.has(name)) {
            String value = d.parameters().get(name);
            if (value == null && parameters.get(name).has("Default")) {
                value = parameters.get(name).get("Default").asText();
            }
            if (value == null) {
                throw new IllegalStateException("the template's parameter " + name + " has no Default and this deployment gives it no value");
            }
            return value;
        }
        JsonNode r = resources.get(name);
        if (r == null) {
            throw new IllegalStateException("a policy refers to " + name + ", which template.yaml does not declare");
        }
        JsonNode p = r.path("Properties");
        return switch (r.path("Type").asText()) {
            // Ref of a KMS key is its key ID.
            case "AWS::KMS::Key" -> kmsKeyId(name);
            case "AWS::S3::Bucket" -> resolve(p.path("BucketName")).asText();
            case "AWS::SNS::Topic" -> "arn:aws:sns:" + region + ":" + accountId + ":" + resolve(p.path("TopicName")).asText();
            case "AWS::SSM::Document" -> resolve(p.path("Name")).asText();
            case "AWS::StepFunctions::StateMachine" -> Template.stateMachineArn(name, region, accountId);
            // Functions run under their logical IDs locally (LambdaHost), which is what their Ref names.
            default -> name;
        };
    }

    private String getAtt(String resource, String attribute, Deployment d) {
        JsonNode r = resources.get(resource);
        if (r == null) {
            throw new IllegalStateException("a policy refers to " + resource + "." + attribute + ", which template.yaml does not declare");
        }
        String type = r.path("Type").asText();
        return switch (type + "." + attribute) {
            case "AWS::S3::Bucket.Arn" -> "arn:aws:s3:::" + ref(resource);
            case "AWS::StepFunctions::StateMachine.Name" -> resource;
            case "AWS::StepFunctions::StateMachine.Arn" -> ref(resource);
            case "AWS::Lambda::Function.Arn" -> "arn:aws:lambda:" + region + ":" + accountId + ":function:" + resource;
            case "AWS::IAM::Role.Arn" -> "arn:aws:iam::" + accountId + ":role/" + roleName(resource);
            case "AWS::IAM::InstanceProfile.Arn" -> "arn:aws:iam::" + accountId + ":instance-profile/" + roleName(resource);
            case "AWS::SNS::Topic.TopicArn" -> ref(resource);
            case "AWS::SNS::Topic.TopicName" -> resolve(r.path("Properties").path("TopicName")).asText();
            case "AWS::KMS::Key.Arn" -> kmsKeyArn(resource);
            case "AWS::KMS::Key.KeyId" -> kmsKeyId(resource);
            case "AWS::Lambda::Url.FunctionUrl" -> {
                String url = d.functionUrls().get(resource);
                if (url == null) {
                    throw new IllegalStateException(resource + ".FunctionUrl: this deployment serves no such URL (of " + urlFunction(resource) + ")");
                }
                yield url;
            }
            default -> throw new IllegalStateException("the local cloud does not resolve " + resource + "." + attribute + " (" + type + ")");
        };
    }
}
