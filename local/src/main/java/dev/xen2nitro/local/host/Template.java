package dev.xen2nitro.local.host;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the local cloud takes from template.yaml, so the template stays the single source: each
 * function's handler and timeout, and each state machine's definition file and substitutions.
 */
public final class Template {

    public record Function(String logicalId, String handlerClass, int timeoutSeconds) {}

    /**
     * A function URL: the function it runs and its AuthType, by the URL resource's logical ID (a function's
     * FunctionUrlConfig is the URL SAM names FUNCTIONUrl; an AWS::Lambda::Url names its function in TargetFunctionArn).
     */
    public record Url(String logicalId, String function, String authType) {}

    public record StateMachine(String logicalId, Path definition, Map<String, String> substitutions) {}

    /**
     * An EventBridge rule of the template (a state machine's event source of type EventBridgeRule): its pattern
     * as written (a {@code !Ref} read as the logical ID it names) and the state machine it starts.
     */
    public record EventRule(String name, String target, JsonNode pattern) {}

    /**
     * An event source of a function: an EventBridge rule ({@code EventBridgeRule}, its {@code pattern}) or an EventBridge
     * Scheduler schedule ({@code ScheduleV2}, its {@code input} as written, a {@code !Sub} read as its text), with its
     * {@code state}: ENABLED, DISABLED, or the parameter its {@code !Ref} names.
     */
    public record FunctionEvent(String name, String function, String type, JsonNode pattern, String input, String state) {}

    /**
     * What the function {@code function}'s resource-based policy grants everyone ({@code Principal: "*"}), from the
     * template's AWS::Lambda::Permission resources: {@code lambda:InvokeFunctionUrl} when its FunctionUrlAuthType is
     * NONE, {@code lambda:InvokeFunction} (whether or not only through a URL). A URL with AuthType NONE answers only with
     * both since October 2025 (Lambda Developer Guide, "Control access to Lambda function URLs").
     */
    public java.util.Set<String> publicGrants(String function) {
        java.util.Set<String> out = new java.util.TreeSet<>();
        resources.forEach((id, r) -> {
            JsonNode p = r.path("Properties");
            if (!r.path("Type").asText().equals("AWS::Lambda::Permission") || !p.path("Principal").asText().equals("*")) return;
            if (!p.path("FunctionName").asText().replaceAll("\\.(Arn|Alias)$", "").equals(function)) return;
            String action = p.path("Action").asText();
            if (action.equals("lambda:InvokeFunctionUrl") && p.path("FunctionUrlAuthType").asText().equals("NONE")) out.add(action);
            if (action.equals("lambda:InvokeFunction")) out.add(action);
        });
        return out;
    }

    /** The stack name the local cloud plays (names of the topic, bucket and documents derive from it). */
    public static final String STACK_NAME = "xen2nitro";

    private final Map<String, Function> functions = new LinkedHashMap<>();
    private final Map<String, Url> urls = new LinkedHashMap<>();
    private final Map<String, JsonNode> resources = new LinkedHashMap<>();
    private final Map<String, StateMachine> stateMachines = new LinkedHashMap<>();
    private final java.util.List<EventRule> eventRules = new java.util.ArrayList<>();
    private final java.util.List<FunctionEvent> functionEvents = new java.util.ArrayList<>();
    private final Map<String, String> parameterDefaults = new LinkedHashMap<>();

    public Template(Path projectRoot) throws IOException {
        Path file = projectRoot.resolve("template.yaml");
        // CloudFormation short-form tags (!Ref, !Sub) are read as their plain scalar text.
        JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(file));
        int globalTimeout = root.path("Globals").path("Function").path("Timeout").asInt(3);
        root.path("Parameters").fields().forEachRemaining(p -> {
            if (p.getValue().has("Default")) parameterDefaults.put(p.getKey(), p.getValue().path("Default").asText());
        });
        root.path("Resources").fields().forEachRemaining(e -> {
            JsonNode r = e.getValue();
            resources.put(e.getKey(), r);
            String type = r.path("Type").asText();
            JsonNode p = r.path("Properties");
            if (type.equals("AWS::Serverless::Function")) {
                String handler = p.path("Handler").asText();
                functions.put(e.getKey(), new Function(e.getKey(), handler.split("::")[0], p.path("Timeout").asInt(globalTimeout)));
                p.path("Events").fields().forEachRemaining(ev -> {
                    String kind = ev.getValue().path("Type").asText();
                    JsonNode props = ev.getValue().path("Properties");
                    if (kind.equals("EventBridgeRule") || kind.equals("ScheduleV2")) {
                        functionEvents.add(new FunctionEvent(ev.getKey(), e.getKey(), kind, props.path("Pattern"),
                                props.path("Input").asText(null), props.path("State").asText("ENABLED")));
                    }
                });
                if (p.path("FunctionUrlConfig").has("AuthType")) {
                    urls.put(e.getKey() + "Url", new Url(e.getKey() + "Url", e.getKey(), p.path("FunctionUrlConfig").path("AuthType").asText()));
                }
            } else if (type.equals("AWS::Lambda::Url")) {
                // TargetFunctionArn: !GetAtt FUNCTION.Arn (or !Ref FUNCTION), read as its plain text.
                String target = p.path("TargetFunctionArn").asText().replaceAll("\\.(Arn|Alias)$", "");
                urls.put(e.getKey(), new Url(e.getKey(), target, p.path("AuthType").asText()));
            } else if (type.equals("AWS::Serverless::StateMachine")) {
                Map<String, String> subs = new LinkedHashMap<>();
                p.path("DefinitionSubstitutions").fields().forEachRemaining(s -> subs.put(s.getKey(), s.getValue().asText()));
                stateMachines.put(e.getKey(), new StateMachine(e.getKey(), p.has("Definition") ? inline(e.getKey(), p.path("Definition"))
                        : projectRoot.resolve(p.path("DefinitionUri").asText()), subs));
                p.path("Events").fields().forEachRemaining(ev -> {
                    if (ev.getValue().path("Type").asText().equals("EventBridgeRule")) {
                        eventRules.add(new EventRule(ev.getKey(), e.getKey(), ev.getValue().path("Properties").path("Pattern")));
                    }
                });
            }
        });
    }

    /** A definition written in the template ({@code Definition}), as the JSON file a {@code DefinitionUri} would name. */
    private static Path inline(String logicalId, JsonNode definition) {
        try {
            Path file = Files.createTempFile(logicalId, ".asl.json");
            file.toFile().deleteOnExit();
            Files.writeString(file, new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(definition));
            return file;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The event sources (rules and schedules) of the template's functions. */
    public java.util.List<FunctionEvent> functionEvents() {
        return functionEvents;
    }

    /** Each parameter's default value, by name. */
    public Map<String, String> parameterDefaults() {
        return parameterDefaults;
    }

    public Map<String, Function> functions() {
        return functions;
    }

    /** The function URLs, by the URL resource's logical ID. */
    public Map<String, Url> urls() {
        return urls;
    }

    /** The EventBridge rules that start a state machine of the template. */
    public java.util.List<EventRule> eventRules() {
        return eventRules;
    }

    public Map<String, StateMachine> stateMachines() {
        return stateMachines;
    }

    public StateMachine stateMachine(String logicalId) {
        StateMachine sm = stateMachines.get(logicalId);
        if (sm == null) {
            throw new IllegalArgumentException("template.yaml declares no state machine " + logicalId
                    + "; it declares " + stateMachines.keySet());
        }
        return sm;
    }

    /** What {@code !Ref} of a state machine gives: its ARN (named by its logical ID here). */
    public static String stateMachineArn(String logicalId, String region, String accountId) {
        return "arn:aws:states:" + region + ":" + accountId + ":stateMachine:" + logicalId;
    }

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z0-9]+)}");

    /**
     * The definition with every {@code ${Placeholder}} filled: a function reference ({@code Fn.Alias},
     * {@code Fn.Arn} or {@code Fn}) becomes that function's local ARN, a state machine's its ARN;
     * anything else its literal value.
     * A placeholder the template does not define is an error, as it is for CloudFormation.
     */
    public String definition(StateMachine sm, String region, String accountId) throws IOException {
        String asl = Files.readString(sm.definition());
        Matcher m = PLACEHOLDER.matcher(asl);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String key = m.group(1);
            String value = sm.substitutions().get(key);
            if (value == null) {
                throw new IllegalStateException(sm.definition() + " uses ${" + key + "}, which " + sm.logicalId()
                        + "'s DefinitionSubstitutions in template.yaml does not define");
            }
            String fn = value.replaceAll("\\.(Alias|Arn)$", "");
            if (functions.containsKey(fn)) {
                value = "arn:aws:lambda:" + region + ":" + accountId + ":function:" + fn + (value.endsWith(".Alias") ? ":live" : "");
            } else if (stateMachines.containsKey(value)) {
                value = stateMachineArn(value, region, accountId);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }
}
