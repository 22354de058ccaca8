package dev.xen2nitro.local.guest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How SSM Agent hands a Command document's parameters to an aws:runPowerShellScript step, and so what the script
 * finds when it reads them. Two ways, as AWS documents them:
 * <ul>
 * <li>Text: the agent replaces each {@code {{ name }}} in the script with the parameter's value, whatever its version
 * ("Data elements and parameters": allowedPattern is "technically not necessary" only in documents that use no
 * {@code {{ }}}).</li>
 * <li>Environment: for a String parameter declared with {@code interpolationType: ENV_VAR}, an agent of version
 * {@value #ENV_VAR_SINCE} or later also sets the environment variable {@code SSM_name} to the value; an older one sets
 * none ("Troubleshooting parameter handling issues": "Verify SSM Agent version is 3.3.2746.0 or later", and add
 * fallback logic for older agents; PowerShell reads {@code $env:SSM_name}).</li>
 * </ul>
 * The model does not run PowerShell. It reads a parameter as the documents' scripts do: {@code $env:SSM_name} when the
 * agent set it, else the single-quoted string the script assigns to it, {@code $env:SSM_name = '...'}, as the text
 * replacement left it; and a document it was not given, by its parameters as they came.
 */
public final class SsmAgent {
    private SsmAgent() {}

    public static final String ENV_VAR_SINCE = "3.3.2746.0";

    /**
     * What the agent gave the script: the environment variables it set, the script's text after the replacement, and
     * each declared parameter as the script reads it (null when the script finds no value).
     */
    public record Delivery(Map<String, String> environment, String script, Map<String, String> reads) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern REFERENCE = Pattern.compile("\\{\\{\\s*([A-Za-z0-9_]+)\\s*}}");

    /** Whether an agent of this version sets SSM_ environment variables. */
    public static boolean setsEnvironment(String agentVersion) {
        return agentVersion != null && DriverReleases.atLeast(agentVersion, ENV_VAR_SINCE);
    }

    /**
     * The delivery of {@code document} (its content as JSON; null for a document SSM was not given) with the parameters
     * SendCommand carried, by an agent of {@code agentVersion}.
     */
    public static Delivery deliver(String document, Map<String, List<String>> given, String agentVersion) {
        JsonNode doc = null;
        if (document != null) {
            try {
                doc = JSON.readTree(document);
            } catch (IOException e) {
                doc = null;
            }
        }
        Map<String, String> environment = new LinkedHashMap<>();
        Map<String, String> reads = new LinkedHashMap<>();
        if (doc == null) {
            given.forEach((k, v) -> reads.put(k, v == null || v.isEmpty() ? null : v.get(0)));
            return new Delivery(environment, null, reads);
        }
        Map<String, String> values = new LinkedHashMap<>();
        doc.path("parameters").properties().forEach(p -> {
            List<String> v = given.get(p.getKey());
            values.put(p.getKey(), v != null && !v.isEmpty() ? v.get(0) : p.getValue().has("default") ? p.getValue().get("default").asText() : null);
            if (setsEnvironment(agentVersion) && "String".equals(p.getValue().path("type").asText())
                    && "ENV_VAR".equals(p.getValue().path("interpolationType").asText()) && values.get(p.getKey()) != null) {
                environment.put("SSM_" + p.getKey(), values.get(p.getKey()));
            }
        });
        StringBuilder script = new StringBuilder();
        for (JsonNode step : doc.path("mainSteps")) {
            if (!"aws:runPowerShellScript".equals(step.path("action").asText())) continue;
            for (JsonNode line : step.path("inputs").path("runCommand")) {
                Matcher m = REFERENCE.matcher(line.asText());
                StringBuilder b = new StringBuilder();
                while (m.find()) {
                    String value = values.get(m.group(1));
                    m.appendReplacement(b, Matcher.quoteReplacement(value != null ? value : m.group()));
                }
                m.appendTail(b);
                script.append(b).append('\n');
            }
        }
        for (String name : values.keySet()) {
            String fromEnvironment = environment.get("SSM_" + name);
            reads.put(name, fromEnvironment != null ? fromEnvironment : assigned(script.toString(), name));
        }
        return new Delivery(environment, script.toString(), reads);
    }

    /**
     * The single-quoted string the script assigns to {@code $env:SSM_name}, as PowerShell reads it ('' is one '), or null
     * when it assigns none. Environment variable names are not case-sensitive on Windows.
     */
    static String assigned(String script, String name) {
        Matcher m = Pattern.compile("\\$env:SSM_" + Pattern.quote(name) + "\\s*=\\s*'((?:[^']|'')*)'", Pattern.CASE_INSENSITIVE).matcher(script);
        return m.find() ? m.group(1).replace("''", "'") : null;
    }
}
