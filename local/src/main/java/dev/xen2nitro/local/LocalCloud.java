package dev.xen2nitro.local;

import dev.xen2nitro.local.cloud.Cloud;
import dev.xen2nitro.local.host.LambdaHost;
import dev.xen2nitro.local.host.StackRoles;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import dev.xen2nitro.local.host.Template;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The emulator, the Lambda host and the runner together. The functions reach the emulator through
 * the SDK's standard endpoint override ({@code aws.endpointUrl}, the system-property form of
 * {@code AWS_ENDPOINT_URL}), set here before any function builds a client. The clients are built once
 * per JVM, against the first local cloud's emulator; each Lambda host sends the calls of the
 * invocations it runs to its own emulator ({@link dev.xen2nitro.local.host.EmulatorRouting}), so
 * local clouds opened with {@link #open} run side by side. {@link #start} keeps one for the JVM's
 * life and loads each new world into it.
 */
public final class LocalCloud implements AutoCloseable {
    private final Path projectRoot;
    private final Template template;
    private final Emulator emulator;
    private final LambdaHost host;

    private static LocalCloud current;

    /**
     * The values the local stack is deployed with, beyond the template's defaults: its approvers are the local people alice
     * and bob, each sent a link of their own.
     */
    static Map<String, String> parameters(Cloud cloud, Map<String, String> given) {
        Map<String, String> p = new java.util.LinkedHashMap<>();
        p.put("ApproverArns", dev.xen2nitro.local.host.LocalPeople.approverArns(cloud.accountId));
        // Each approver's own link on the approval-link topic, which the local people read in world.json.
        p.put("ApprovalLinks", "true");
        p.putAll(given);
        return p;
    }

    private final Map<String, String> parameters;

    private LocalCloud(Path projectRoot, Cloud cloud, int port, Map<String, String> given) throws IOException {
        this(projectRoot, cloud, dev.xen2nitro.local.wire.LocalServer.LOOPBACK, port, given);
    }

    private LocalCloud(Path projectRoot, Cloud cloud, String listenHost, int port, Map<String, String> given) throws IOException {
        this.projectRoot = projectRoot;
        this.template = new Template(projectRoot);
        this.emulator = new Emulator(cloud, listenHost, port);
        String endpoint = emulator.endpoint().toString();
        String region = System.getProperty("aws.region");
        if (region != null && !region.equals(cloud.region)) {
            // The functions' clients are built once, in one region: a world of another region needs its own JVM.
            throw new IllegalStateException("this JVM's functions work in " + region + "; a world in " + cloud.region + " needs another JVM");
        }
        if (System.getProperty("aws.endpointUrl") == null) {
            System.setProperty("aws.endpointUrl", endpoint);
        }
        System.setProperty("aws.region", cloud.region);
        // Credentials the emulator knows the secret of, so that it verifies the package URLs the functions presign.
        System.setProperty("aws.accessKeyId", dev.xen2nitro.local.cloud.LocalCredentials.ACCESS_KEY_ID);
        System.setProperty("aws.secretAccessKey", dev.xen2nitro.local.cloud.LocalCredentials.SECRET_ACCESS_KEY);
        // The pins of the stand-in zips the worlds stage, read instead of the (empty) pins in the functions' jar.
        // template.yaml never gives XEN2NITRO_PACKAGE_PINS a value: in AWS the functions read only the pins they were built with.
        if (System.getenv("XEN2NITRO_PACKAGE_PINS") == null) {
            System.setProperty("XEN2NITRO_PACKAGE_PINS", projectRoot.resolve("local/package-pins.sha256").toAbsolutePath().toString());
        }
        // Each function and state machine signs its calls as its role's session; the emulator authorizes them by its policies.
        this.parameters = parameters(cloud, given);
        StackRoles stack = roles(projectRoot, cloud.region, cloud.accountId, parameters);
        Map<String, AwsCredentials> credentials = new java.util.LinkedHashMap<>();
        stack.principals().forEach((logicalId, principal) -> {
            AwsCredentials c = credentials(logicalId);
            emulator.access().register(c.accessKeyId(), principal);
            credentials.put(logicalId, c);
        });
        // The account's people sign with their own keys (the approvers answer at the approval function's URL).
        for (dev.xen2nitro.local.host.LocalPeople.Person person : dev.xen2nitro.local.host.LocalPeople.ALL) {
            emulator.access().register(person.accessKeyId(), dev.xen2nitro.local.host.LocalPeople.principal(person, cloud.region, cloud.accountId));
        }
        // The topic's policy decides who may publish to it, with the publishers' own policies; a key's policy who may use it.
        stack.topicPolicies().forEach(emulator.access()::resourcePolicy);

        stack.kmsKeys().forEach(k -> emulator.access().resourcePolicy(k.arn(), k.policy()));
        this.host = new LambdaHost(template, cloud.timeFactor, emulator::cloud, emulator.endpoint(), credentials, emulator.access(), stack,
                parameters, listenHost, port);
        createDocuments(cloud);
    }

    /** The parameter values this local stack is deployed with (template defaults where none is given). */
    public Map<String, String> parameters() {
        return parameters;
    }

    /**
     * The stack's SSM documents, as the deployed stack has them (SendCommand checks its parameters against them), its topics
     * (those a world names already keep their messages), and its KMS keys, each with key material of its own in this cloud.
     */
    private void createDocuments(Cloud cloud) throws IOException {
        // The stack's instance profiles exist in the account (the rehearsal's clone is launched with one).
        synchronized (cloud) {
            cloud.instanceProfiles.putAll(roles(projectRoot, cloud.region, cloud.accountId, parameters).instanceProfiles());
        }
        for (String logicalId : template.stateMachines().keySet()) {
            // Each with its role, which its executions run as (ExecutionStarted names it).
            dev.xen2nitro.local.iam.Principal role = emulator.access().principal(credentials(logicalId).accessKeyId());
            cloud.executions.deployed(Template.stateMachineArn(logicalId, cloud.region, cloud.accountId), role == null ? null : role.roleArn());
        }
        for (String topic : roles(projectRoot, cloud.region, cloud.accountId, parameters).topicArns()) {
            synchronized (cloud) {
                cloud.topics.putIfAbsent(topic, new java.util.ArrayList<>());
            }
        }
        roles(projectRoot, cloud.region, cloud.accountId, parameters).documents().forEach((name, content) -> {
            cloud.commands.documents.put(name, new dev.xen2nitro.local.cloud.Commands.Document(name, content));
        });
        for (StackRoles.Key k : roles(projectRoot, cloud.region, cloud.accountId, parameters).kmsKeys()) {
            Cloud.KmsKey key = new Cloud.KmsKey();
            key.id = k.id();
            key.arn = k.arn();
            key.keySpec = k.keySpec();
            key.keyUsage = k.keyUsage();
            key.material = new byte[32];
            new java.security.SecureRandom().nextBytes(key.material);
            synchronized (cloud) {
                cloud.kmsKeys.put(key.id, key);
            }
        }
    }

    private static final Map<String, StackRoles> ROLES = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * The stack's roles, translated once per JVM for each region, account and set of parameter values (the translation takes a
     * second or two).
     */
    private static StackRoles roles(Path projectRoot, String region, String accountId, Map<String, String> parameters) throws IOException {
        String key = projectRoot.toAbsolutePath() + "|" + region + "|" + accountId + "|" + new java.util.TreeMap<>(parameters);
        StackRoles r = ROLES.get(key);
        if (r == null) {
            r = StackRoles.of(projectRoot, region, accountId, parameters);
            ROLES.put(key, r);
        }
        return r;
    }

    /**
     * The session credentials of a function's or state machine's role: an access key that names it
     * (temporary keys start with ASIA) and a secret of its own.
     */
    public static AwsCredentials credentials(String logicalId) {
        String digest;
        try {
            digest = java.util.HexFormat.of().withUpperCase().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(logicalId.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return AwsBasicCredentials.create("ASIA" + digest.substring(0, 16), "local-secret-" + logicalId);
    }

    /** A local cloud of its own on {@code cloud}, to run beside others; close it when done. */
    public static LocalCloud open(Path projectRoot, Cloud cloud) throws IOException {
        return open(projectRoot, cloud, Map.of());
    }

    /** As {@link #open(Path, Cloud)}, the stack deployed with these parameter values (e.g. MinimumApprovals). */
    public static LocalCloud open(Path projectRoot, Cloud cloud, Map<String, String> parameters) throws IOException {
        synchronized (LocalCloud.class) {
            return new LocalCloud(projectRoot, cloud, 0, parameters);
        }
    }

    /**
     * The local cloud on {@code cloud} for tools outside this JVM (local/run --serve; sam local, README "SAM local
     * testing"): the emulator on {@code host}:{@code port}, the Lambda host on {@code port} + 1, the function URLs from
     * {@code port} + 2 in template.yaml's order, and the stack deployed in the account (its documents, topics and keys).
     */
    public static LocalCloud serve(Path projectRoot, Cloud cloud, String host, int port) throws IOException {
        synchronized (LocalCloud.class) {
            return new LocalCloud(projectRoot, cloud, host, port, Map.of());
        }
    }

    /** Starts the local cloud on {@code cloud}, or loads {@code cloud} into the one this JVM already runs. */
    public static synchronized LocalCloud start(Path projectRoot, Cloud cloud) throws IOException {
        if (current == null) {
            current = new LocalCloud(projectRoot, cloud, 0, Map.of());
        } else {
            current.emulator.load(cloud);
            current.createDocuments(cloud);
        }
        return current;
    }

    public Template template() {
        return template;
    }

    /** The variables template.yaml declares for the function {@code logicalId}, whatever their value (sam local's view). */
    public java.util.Set<String> declaredVariables(String logicalId) throws IOException {
        Cloud cloud = emulator.cloud();
        return roles(projectRoot, cloud.region, cloud.accountId, parameters).declaredVariables(logicalId);
    }

    public Emulator emulator() {
        return emulator;
    }

    /** Puts {@code cloud} in place of this local cloud's account, with the stack's SSM documents, as a fresh deployment has it. */
    public synchronized void reset(Cloud cloud) throws IOException {
        emulator.load(cloud);
        createDocuments(cloud);
    }

    public LambdaHost host() {
        return host;
    }

    public Runner.Report run(String stateMachine, String inputJson, String approval, PrintStream progress)
            throws IOException, InterruptedException {
        return runner(progress).run(stateMachine, inputJson, approval);
    }

    /** As {@link #run(String, String, String, PrintStream)}, started by {@code startedBy}, one of the local people. */
    public Runner.Report run(String stateMachine, String inputJson, String approval, PrintStream progress,
                             dev.xen2nitro.local.host.LocalPeople.Person startedBy) throws IOException, InterruptedException {
        return runner(progress).startedBy(startedBy).run(stateMachine, inputJson, approval);
    }

    /** As {@link #run(String, String, String, PrintStream)}, telling {@code listener} of each state the execution enters. */
    public Runner.Report run(String stateMachine, String inputJson, String approval, PrintStream progress, Runner.StateListener listener)
            throws IOException, InterruptedException {
        return runner(progress).onStateEntered(listener).run(stateMachine, inputJson, approval);
    }

    /** A runner of this local cloud's state machines, for what the {@code run} methods do not set (e.g. {@link Runner#onEvent}). */
    public Runner runner(PrintStream progress) {
        Runner r = new Runner(projectRoot, template, emulator, host, progress);
        return lambdaEndpoint == null ? r : r.lambdaEndpoint(lambdaEndpoint);
    }

    private volatile java.net.URI lambdaEndpoint;

    /**
     * Sends the state machines' Lambda tasks to {@code endpoint} (e.g. sam local start-lambda's) instead of this local
     * cloud's Lambda host; the functions there reach this emulator their own way (local/sam-env.json).
     */
    public LocalCloud lambdaEndpoint(java.net.URI endpoint) {
        this.lambdaEndpoint = endpoint;
        return this;
    }

    /** The definitions of template.yaml's state machines, by logical ID, their placeholders filled. */
    public Map<String, String> definitions() throws IOException {
        var cloud = emulator.cloud();
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (Template.StateMachine sm : template.stateMachines().values()) {
            out.put(sm.logicalId(), template.definition(sm, cloud.region, cloud.accountId));
        }
        return out;
    }

    /** Runs {@code asl} as the state machine {@code role} of template.yaml would, with its role. */
    public Runner.Report runDefinition(String asl, String inputJson, String approval, String role, PrintStream progress)
            throws IOException, InterruptedException {
        return runner(progress).runDefinition(asl, inputJson, approval, role);
    }

    /**
     * What one delivery of an event did: the function whose rule or schedule took it, its response (or error), and the
     * executions it started, each run to its end.
     */
    public record Delivery(String event, String function, int status, com.fasterxml.jackson.databind.JsonNode response, List<Runner.Report> runs) {}

    /**
     * Delivers {@code eventJson} as EventBridge would to the functions of template.yaml: an event (it has a detail-type) to
     * each function with an enabled EventBridgeRule whose pattern matches it; a schedule's payload (no detail-type) to each
     * function with an enabled ScheduleV2 whose input has the same {@code source}. A rule's or schedule's State is the
     * deployed parameter it names. Each execution a function started (StartExecution) is then run to its end with
     * {@code approval}, printing its progress.
     */
    public List<Delivery> deliver(String eventJson, String approval, PrintStream progress) throws IOException, InterruptedException {
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.JsonNode event = json.readTree(eventJson);
        Map<String, String> deployed = new java.util.LinkedHashMap<>(template.parameterDefaults());
        deployed.putAll(parameters);
        List<Delivery> out = new java.util.ArrayList<>();
        var cloud = emulator.cloud();
        for (Template.FunctionEvent e : template.functionEvents()) {
            boolean matches;
            if (e.type().equals("EventBridgeRule")) {
                matches = event.has("detail-type") && dev.xen2nitro.local.host.EventPatterns.matches(e.pattern(), event, v -> v);
            } else {
                java.util.regex.Matcher source = java.util.regex.Pattern.compile("\"source\"\\s*:\\s*\"([^\"]+)\"").matcher(String.valueOf(e.input()));
                matches = !event.has("detail-type") && source.find() && source.group(1).equals(event.path("source").asText());
            }
            if (!matches) continue;
            String state = deployed.getOrDefault(e.state(), e.state());
            String what = (e.type().equals("ScheduleV2") ? "schedule " : "EventBridge rule ") + e.name() + " of " + e.function();
            if (!state.equals("ENABLED")) {
                progress.printf("%s matches, but is %s (%s); nothing delivered%n", what, state, e.state());
                continue;
            }
            progress.printf("%s: delivering the event%n", what);
            java.util.Set<String> before = new java.util.HashSet<>();
            cloud.executions.all().forEach(x -> before.add(x.arn));
            java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                            host.endpoint().resolve("/2015-03-31/functions/" + e.function() + "/invocations"))
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(eventJson)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            boolean failed = r.headers().firstValue("X-Amz-Function-Error").isPresent();
            com.fasterxml.jackson.databind.JsonNode response = json.readTree(r.body());
            progress.printf("%s %s:%n%s%n", e.function(), failed ? "failed" : "answered", json.writerWithDefaultPrettyPrinter().writeValueAsString(response));
            List<Runner.Report> runs = new java.util.ArrayList<>();
            for (var x : cloud.executions.all()) {
                if (before.contains(x.arn)) continue;
                progress.printf("%s started %s; running it%n", e.function(), x.arn);
                runs.add(runner(progress).runStarted(x.arn, approval));
            }
            out.add(new Delivery(e.name(), e.function(), failed ? 500 : r.statusCode(), response, runs));
        }
        if (out.isEmpty()) {
            progress.println("no enabled rule or schedule of template.yaml takes this event");
        }
        return out;
    }

    public Map<String, Object> world() {
        return emulator.snapshot();
    }

    /** Stops a local cloud from {@link #open}; the one {@link #start} keeps stays for the JVM's life. */
    @Override
    public void close() {
        synchronized (LocalCloud.class) {
            if (this == current) {
                return;
            }
        }
        host.close();
        emulator.close();
    }
}
