package dev.xen2nitro.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.net.httpserver.HttpExchange;
import dev.xen2nitro.local.cloud.AutoScalingApi;
import dev.xen2nitro.local.cloud.Cloud;
import dev.xen2nitro.local.cloud.Ec2Api;
import dev.xen2nitro.local.cloud.SfnApi;
import dev.xen2nitro.local.cloud.SnsApi;
import dev.xen2nitro.local.cloud.SsmApi;
import dev.xen2nitro.local.cloud.TaskTokens;
import dev.xen2nitro.local.wire.AwsError;
import dev.xen2nitro.local.wire.JsonCodec;
import dev.xen2nitro.local.wire.LocalServer;
import dev.xen2nitro.local.wire.QueryCodec;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.SdkPojo;

/**
 * The local cloud on 127.0.0.1: one HTTP endpoint speaking EC2 and SNS (Query), SSM, Step
 * Functions, KMS and CloudTrail (JSON), and S3 (REST), routed by the SigV4 credential scope as AWS routes by host name.
 * Unmodified SDK clients and the AWS CLI reach it through {@code --endpoint-url} or
 * {@code AWS_ENDPOINT_URL}. Paths under {@code /_local/} serve the runner and tests.
 */
public final class Emulator implements AutoCloseable {
    private static final Pattern SCOPE = Pattern.compile("Credential=([^/]+)/[0-9]+/([^/]+)/([^/]+)/aws4_request");
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).findAndRegisterModules();

    private volatile Cloud cloud;
    private final LocalServer server;
    private volatile Map<String, Actions> apis;
    private volatile S3Rest s3;
    private final dev.xen2nitro.local.iam.AccessControl access = new dev.xen2nitro.local.iam.AccessControl();
    private volatile java.util.function.Consumer<Answer> recorder;
    /** The call the current thread is answering and where its answer is recorded, while a recorder is set. */
    private static final ThreadLocal<Recording> RECORDING = new ThreadLocal<>();

    /**
     * One answer of the local cloud as the client received it: {@code call} is the signing scope's service and the
     * action ({@code X-Amz-Target}'s operation, the Query {@code Action}, or S3's HTTP method), e.g. {@code ec2
     * DescribeInstances}, {@code kms VerifyMac}, {@code s3 PUT}; a body that is not UTF-8 text is left out, and a HEAD's
     * is given by its {@code Content-Length} alone.
     */
    public record Answer(String call, int status, String contentType, Map<String, String> headers, String body) {}

    private record Recording(String call, java.util.function.Consumer<Answer> to) {}

    public Emulator(Cloud cloud, int port) throws IOException {
        this(cloud, LocalServer.LOOPBACK, port);
    }

    /** Serves {@code cloud} on {@code host}:{@code port} (0: any free port). */
    public Emulator(Cloud cloud, String host, int port) throws IOException {
        load(cloud);
        server = new LocalServer(host, port, "emulator", "/", this::handle);
    }

    /** Serves {@code next} from now on, in place of the current world. */
    public synchronized void load(Cloud next) {
        Map<String, Actions> a = new LinkedHashMap<>();
        a.put("ec2", new Actions(Ec2Api.families(next)));
        a.put("ssm", new Actions(List.of(new SsmApi(next), new dev.xen2nitro.local.cloud.SsmParameters(next))));
        a.put("sns", new Actions(List.of(new SnsApi(next))));
        a.put("states", new Actions(List.of(new SfnApi(next))));
        a.put("autoscaling", new Actions(List.of(new AutoScalingApi(next))));
        a.put("kms", new Actions(List.of(new dev.xen2nitro.local.cloud.KmsApi(next))));
        a.put("cloudtrail", new Actions(List.of(new dev.xen2nitro.local.cloud.CloudTrailApi(next))));
        this.apis = a;
        this.s3 = new S3Rest(next);
        this.cloud = next;
    }

    /** The world as it is now (what world.json holds). */
    public Map<String, Object> snapshot() {
        Cloud c = cloud;
        synchronized (c) {
            c.settle();
            return WorldSnapshot.of(c);
        }
    }

    /** The principals of the stack's roles, by access key; every call they sign is authorized by their policies. */
    public dev.xen2nitro.local.iam.AccessControl access() {
        return access;
    }

    public Cloud cloud() {
        return cloud;
    }

    /** Gives every answer to AWS calls from now on to {@code to}, in the order they are sent; null stops it. */
    public void record(java.util.function.Consumer<Answer> to) {
        recorder = to;
    }

    public URI endpoint() {
        return server.endpoint();
    }

    @Override
    public void close() {
        server.close();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] body = ex.getRequestBody().readAllBytes();
            String path = ex.getRequestURI().getPath();
            if (path.startsWith("/_local/")) {
                local(ex, ex.getRequestURI().getRawPath(), body);
                return;
            }
            String auth = Optional.ofNullable(ex.getRequestHeaders().getFirst("Authorization")).orElse("");
            Matcher m = SCOPE.matcher(auth);
            boolean signed = m.find();
            String service = signed ? m.group(3) : guessService(ex, body);
            dev.xen2nitro.local.iam.Principal principal = signed ? access.principal(m.group(1)) : null;
            String target = ex.getRequestHeaders().getFirst("X-Amz-Target");
            java.util.function.Consumer<Answer> to = recorder;
            if (to != null) {
                String action = target != null ? target.substring(target.lastIndexOf('.') + 1)
                        : service.equals("s3") ? ex.getRequestMethod()
                        : QueryCodec.parseForm(new String(body, StandardCharsets.UTF_8)).getOrDefault("Action", "");
                RECORDING.set(new Recording(service + " " + action, to));
            }
            switch (service) {
                case "ec2", "sns", "autoscaling" -> query(ex, service, body, principal);
                case "ssm", "states", "kms", "cloudtrail" -> json(ex, service, target, body, principal);
                case "s3" -> s3.handle(ex, body, access, principal);
                default -> send(ex, 400, "text/plain", ("This local cloud does not serve '" + service + "'").getBytes(StandardCharsets.UTF_8), Map.of());
            }
        } catch (RuntimeException e) {
            e.printStackTrace();
            send(ex, 500, "text/plain", String.valueOf(e).getBytes(StandardCharsets.UTF_8), Map.of());
        } finally {
            RECORDING.remove();
        }
    }

    private static String guessService(HttpExchange ex, byte[] body) {
        String target = ex.getRequestHeaders().getFirst("X-Amz-Target");
        if (target != null) {
            return target.startsWith("AmazonSSM") ? "ssm" : target.startsWith("TrentService") ? "kms" : target.contains("CloudTrail") ? "cloudtrail" : "states";
        }
        String b = new String(body, StandardCharsets.UTF_8);
        return b.contains("Action=Publish") ? "sns" : b.contains("Action=") ? "ec2" : "s3";
    }

    private void query(HttpExchange ex, String service, byte[] body, dev.xen2nitro.local.iam.Principal principal) throws IOException {
        Map<String, String> params = QueryCodec.parseForm(new String(body, StandardCharsets.UTF_8));
        String action = params.getOrDefault("Action", "");
        String requestId = UUID.randomUUID().toString();
        boolean ec2 = service.equals("ec2");
        try {
            SdkPojo response = invoke(service, action, m -> QueryCodec.read(m.getParameterTypes()[0], params),
                    params.get("InstanceId.1") != null ? params.get("InstanceId.1") : params.get("InstanceId"), principal);
            String xml = ec2 ? QueryCodec.ec2Response(action, response, requestId)
                    : QueryCodec.queryResponse(action, service.equals("sns") ? "http://sns.amazonaws.com/doc/2010-03-31/"
                            : "http://autoscaling.amazonaws.com/doc/2011-01-01/", response, requestId);
            send(ex, 200, "text/xml", xml.getBytes(StandardCharsets.UTF_8), Map.of());
        } catch (AwsError e) {
            String xml = ec2 ? QueryCodec.ec2Error(e, requestId) : QueryCodec.queryError(e, requestId);
            send(ex, e.status(), "text/xml", xml.getBytes(StandardCharsets.UTF_8), Map.of());
        }
    }

    private void json(HttpExchange ex, String service, String target, byte[] body, dev.xen2nitro.local.iam.Principal principal) throws IOException {
        String action = target == null ? "" : target.substring(target.lastIndexOf('.') + 1);
        String contentType = service.equals("states") ? "application/x-amz-json-1.0" : "application/x-amz-json-1.1";
        try {
            SdkPojo response = invoke(service, action, m -> JsonCodec.read(m.getParameterTypes()[0], body), instanceOf(body), principal);
            send(ex, 200, contentType, JsonCodec.write(response), Map.of());
        } catch (AwsError e) {
            send(ex, e.status(), contentType, JsonCodec.error(e), Map.of("X-Amzn-ErrorType", e.code()));
        }
    }

    private static String instanceOf(byte[] body) {
        Matcher m = Pattern.compile("\"InstanceIds?\"\\s*:\\s*\\[?\\s*\"(i-[0-9a-f]+)\"").matcher(new String(body, StandardCharsets.UTF_8));
        return m.find() ? m.group(1) : null;
    }

    interface RequestReader {
        Object read(Method m);
    }

    private SdkPojo invoke(String service, String action, RequestReader reader, String instanceId, dev.xen2nitro.local.iam.Principal principal) {
        Cloud cloud = this.cloud;
        String name = action.isEmpty() ? "" : Character.toLowerCase(action.charAt(0)) + action.substring(1);
        Actions.Action served = apis.get(service).get(name);
        try {
            if (served == null) {
                throw new AwsError("InvalidAction", "The action " + action + " is not valid for this web service (this local cloud models "
                        + service + " actions the functions use).");
            }
            Method method = served.method();
            Object request = reader.read(method);
            if (service.equals("ec2")) {
                // Every request takes a token from its action's bucket, whoever makes it (EC2 Developer Guide, "Request
                // throttling for the Amazon EC2 API"); whether AWS throttles before or after IAM is not documented.
                cloud.ec2Throttling.admit(action, (SdkPojo) request);
            }
            synchronized (cloud) {
                cloud.settle();
                // IAM decides before the service looks at the request's resources, as in AWS.
                access.authorize(principal, dev.xen2nitro.local.cloud.Authorizations.of(cloud, service, action, request), service);
                cloud.checkFault(service, action, instanceId);
                int executions = cloud.executions.all().size();
                SdkPojo out = (SdkPojo) method.invoke(served.handler(), request);
                cloud.recordCall(service, action, null);
                if (out instanceof software.amazon.awssdk.services.sfn.model.StartExecutionResponse started && principal != null
                        && cloud.executions.all().size() > executions) {
                    // CloudTrail records who started it (the approval's starter check reads this, as it reads CloudTrail in AWS).
                    var r = (software.amazon.awssdk.services.sfn.model.StartExecutionRequest) request;
                    cloud.recordStartExecution(started.executionArn(), r.stateMachineArn(), cloud.executions.find(started.executionArn()).name,
                            principal.arn(), null);
                }
                return out;
            }
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof AwsError err) {
                cloud.recordCall(service, action, err.code());
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        } catch (AwsError e) {
            cloud.recordCall(service, action, e.code());
            throw e;
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runner and test paths: the world's state and the task tokens of .waitForTaskToken states. */
    private void local(HttpExchange ex, String path, byte[] body) throws IOException {
        Cloud cloud = this.cloud;
        if (path.equals("/_local/world")) {
            send(ex, 200, "application/json", JSON.writeValueAsBytes(snapshot()), Map.of());
            return;
        }
        if (path.equals("/_local/execution")) {
            // The status of an execution as the local cloud knows it: the runner waits for a child's end to be recorded
            // (with every event before it) before its parent goes on, as Step Functions has it when a .sync task ends.
            String arn = JSON.readTree(body).path("executionArn").asText();
            var e = cloud.executions.find(arn);
            send(ex, 200, "application/json", JSON.writeValueAsBytes(Map.of("status", e == null ? "UNKNOWN" : e.status)), Map.of());
            return;
        }
        if (path.equals("/_local/authorize")) {
            // What Step Functions authorizes for a state the runner carries out itself (a child execution's start):
            // the caller's role, named by the access key of its Authorization header, against {action, resource}.
            Matcher key = SCOPE.matcher(Optional.ofNullable(ex.getRequestHeaders().getFirst("Authorization")).orElse(""));
            dev.xen2nitro.local.iam.Principal caller = key.find() ? access.principal(key.group(1)) : null;
            com.fasterxml.jackson.databind.JsonNode req = JSON.readTree(body);
            String action = req.path("action").asText();
            try {
                access.authorize(caller, List.of(new dev.xen2nitro.local.cloud.Authorizations.Target(action, req.path("resource").asText(), Map.of())),
                        action.substring(0, action.indexOf(':')));
                cloud.recordCall("local", "authorize " + action, null);
                send(ex, 200, "application/json", "{\"allowed\":true}".getBytes(StandardCharsets.UTF_8), Map.of());
            } catch (AwsError e) {
                cloud.recordCall("local", "authorize " + action, e.code());
                send(ex, 403, "application/json", JSON.writeValueAsBytes(Map.of("code", e.code(), "message", e.getMessage())), Map.of());
            }
            return;
        }
        Matcher m = Pattern.compile("/_local/tasks/([^/]+)(/open|/expire)?").matcher(path);
        if (m.matches()) {
            String token = java.net.URLDecoder.decode(m.group(1), StandardCharsets.UTF_8);
            String verb = m.group(2);
            TaskTokens.Task task;
            if ("/open".equals(verb)) {
                task = cloud.taskTokens.open(token, new String(body, StandardCharsets.UTF_8));
            } else if ("/expire".equals(verb)) {
                cloud.taskTokens.expire(token);
                task = cloud.taskTokens.get(token);
            } else {
                String q = Optional.ofNullable(ex.getRequestURI().getQuery()).orElse("");
                long wait = q.startsWith("wait=") ? Long.parseLong(q.substring(5)) : 0;
                try {
                    task = cloud.taskTokens.await(token, wait);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    task = cloud.taskTokens.get(token);
                }
            }
            if (task == null) {
                send(ex, 404, "application/json", "{\"status\":\"unknown\"}".getBytes(StandardCharsets.UTF_8), Map.of());
                return;
            }
            send(ex, 200, "application/json", JSON.writeValueAsBytes(task), Map.of());
            return;
        }
        send(ex, 404, "text/plain", ("no such local path " + path).getBytes(StandardCharsets.UTF_8), Map.of());
    }

    /** The body as text, or null when it is not UTF-8 (a package's bytes). */
    private static String utf8(byte[] body) {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(body)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            return null;
        }
    }

    static void send(HttpExchange ex, int status, String contentType, byte[] body, Map<String, String> headers) throws IOException {
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.getResponseHeaders().set("x-amzn-RequestId", UUID.randomUUID().toString());
        headers.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
        Recording recording = RECORDING.get();
        if (recording != null) {
            boolean head = "HEAD".equals(ex.getRequestMethod());
            Map<String, String> recorded = new java.util.TreeMap<>(headers);
            if (head) recorded.put("Content-Length", String.valueOf(body.length));
            String text = head ? "" : utf8(body);
            recording.to().accept(new Answer(recording.call(), status, contentType, recorded, text == null ? "" : text));
        }
        if ("HEAD".equals(ex.getRequestMethod())) {
            ex.getResponseHeaders().set("Content-Length", String.valueOf(body.length));
            ex.sendResponseHeaders(status, -1);
            return;
        }
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }
}
