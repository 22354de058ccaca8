package dev.xen2nitro.local.host;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import dev.xen2nitro.local.wire.LocalServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The Lambda Invoke API for every function of template.yaml, in one JVM (as {@code sam local
 * start-lambda} does): {@code POST /2015-03-31/functions/{name}/invocations}. One handler instance
 * per function, kept between invocations like a warm container. An uncaught exception is reported
 * as the Java runtime reports it: header {@code X-Amz-Function-Error: Unhandled} and
 * {@code {errorType, errorMessage, stackTrace}} with the exception's fully-qualified class name.
 */
public final class LambdaHost implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One invocation, for the report. */
    public record Invocation(String function, long millis, String errorType) {}

    private final Template template;
    private final LocalServer server;
    private final Map<String, RequestStreamHandler> handlers = new ConcurrentHashMap<>();
    private final ExecutorService workers = LocalServer.daemons("lambda", 0);
    private final double timeFactor;
    private final java.util.function.Supplier<dev.xen2nitro.local.cloud.Cloud> faults;
    public final List<Invocation> invocations = new CopyOnWriteArrayList<>();
    /** What the functions logged, one entry per log call, as the function's log group would hold it. */
    public final List<String> logs = new CopyOnWriteArrayList<>();

    private final URI emulator;
    private final dev.xen2nitro.local.iam.AccessControl access;
    /** Each function's role session credentials, by logical ID. */
    private final Map<String, software.amazon.awssdk.auth.credentials.AwsCredentials> credentials;
    /** Each function URL of the template, by the URL's logical ID, each served on a port of its own. */
    private final Map<String, LocalServer> urls = new LinkedHashMap<>();
    /** Each function's environment, as Lambda gives it (its Variables with the Globals), by logical ID. */
    private final Map<String, Map<String, String>> environments = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * @param timeFactor scales each function's Timeout, as the local cloud scales AWS durations (never below 30 s)
     * @param emulator   where the functions' AWS calls go while this host runs them ({@link EmulatorRouting})
     * @param credentials each function's role session credentials, which sign its calls
     */
    public LambdaHost(Template template, double timeFactor, java.util.function.Supplier<dev.xen2nitro.local.cloud.Cloud> faults,
                      URI emulator, Map<String, software.amazon.awssdk.auth.credentials.AwsCredentials> credentials,
                      dev.xen2nitro.local.iam.AccessControl access, StackRoles roles, Map<String, String> parameters) throws IOException {
        this(template, timeFactor, faults, emulator, credentials, access, roles, parameters, dev.xen2nitro.local.wire.LocalServer.LOOPBACK, 0);
    }

    /**
     * As above, listening on {@code listenHost}: at {@code basePort} + 1 for invocations and {@code basePort} + 2, + 3, ...
     * for the function URLs in template.yaml's order; a {@code basePort} of 0 takes any free ports.
     */
    public LambdaHost(Template template, double timeFactor, java.util.function.Supplier<dev.xen2nitro.local.cloud.Cloud> faults,
                      URI emulator, Map<String, software.amazon.awssdk.auth.credentials.AwsCredentials> credentials,
                      dev.xen2nitro.local.iam.AccessControl access, StackRoles roles, Map<String, String> parameters,
                      String listenHost, int basePort) throws IOException {
        this.emulator = emulator;
        this.access = access;
        this.credentials = Map.copyOf(credentials);
        this.template = template;
        this.timeFactor = timeFactor;
        this.faults = faults;
        server = new LocalServer(listenHost, basePort == 0 ? 0 : basePort + 1, "lambda-host", "/2015-03-31/functions/", this::handle);
        int nextUrlPort = basePort == 0 ? 0 : basePort + 2;
        Map<String, String> served = new LinkedHashMap<>();
        for (Template.Url u : template.urls().values()) {
            Template.Function fn = template.functions().get(u.function());
            if (fn == null) {
                throw new IllegalStateException(u.logicalId() + " is the URL of " + u.function() + ", which is no function of template.yaml");
            }
            LocalServer url = new LocalServer(listenHost, nextUrlPort, "function-url", "/", ex -> url(fn, u.authType(), ex));
            if (nextUrlPort != 0) nextUrlPort++;
            urls.put(u.logicalId(), url);
            // A function URL ends with a slash (AWS::Lambda::Url, FunctionUrl: https://URL-ID.lambda-url.REGION.on.aws/).
            served.put(u.logicalId(), url.endpoint() + "/");
        }
        StackRoles.Deployment deployment = new StackRoles.Deployment(Map.copyOf(parameters), served);
        for (Template.Function fn : template.functions().values()) {
            environments.put(fn.logicalId(), roles.environment(fn.logicalId(), deployment));
        }
    }

    public URI endpoint() {
        return server.endpoint();
    }

    /** The URL of the function {@code logicalId} (its FunctionUrlConfig), with its closing slash. */
    public URI functionUrl(String logicalId) {
        return url(logicalId + "Url");
    }

    /** The function URL whose resource is {@code urlLogicalId}, with its closing slash. */
    public URI url(String urlLogicalId) {
        LocalServer url = urls.get(urlLogicalId);
        if (url == null) {
            throw new IllegalArgumentException(urlLogicalId + " is no function URL of template.yaml; it has " + urls.keySet());
        }
        return URI.create(url.endpoint() + "/");
    }

    /**
     * Runs each function of {@code given} with exactly that environment from now on, as Lambda would (or sam local with an
     * --env-vars file): a variable of the stack that it does not name is unset for that function, even where the JVM has
     * it as a property ({@code stackVariables}: every name the local cloud sets for some function).
     */
    public synchronized void useEnvironments(Map<String, Map<String, String>> given, java.util.Set<String> stackVariables) {
        given.forEach((logicalId, env) -> {
            if (!environments.containsKey(logicalId)) {
                throw new IllegalArgumentException(logicalId + " is no function of template.yaml");
            }
            environments.put(logicalId, Map.copyOf(env));
        });
        hidden = java.util.Set.copyOf(stackVariables);
    }

    private volatile java.util.Set<String> hidden = java.util.Set.of();

    /** The environment Lambda gives the function {@code logicalId}. */
    public Map<String, String> environment(String logicalId) {
        return environments.get(logicalId);
    }

    @Override
    public void close() {
        server.close();
        urls.values().forEach(LocalServer::close);
        workers.shutdownNow();
    }

    /** "arn:aws:lambda:r:a:function:Name:alias", "Name:alias" or "Name" to "Name". */
    public static String functionName(String ref) {
        String s = ref;
        int i = s.indexOf(":function:");
        if (i >= 0) s = s.substring(i + ":function:".length());
        int colon = s.indexOf(':');
        return colon >= 0 ? s.substring(0, colon) : s;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getRawPath();
            String[] parts = path.split("/");
            if (!"POST".equals(ex.getRequestMethod()) || parts.length < 5 || !"invocations".equals(parts[4])) {
                reply(ex, 404, Map.of(), error("ResourceNotFoundException", "unsupported path " + path).getBytes(StandardCharsets.UTF_8));
                return;
            }
            String name = functionName(URLDecoder.decode(parts[3], StandardCharsets.UTF_8));
            Template.Function fn = template.functions().get(name);
            if (fn == null) {
                reply(ex, 404, Map.of("X-Amzn-ErrorType", "ResourceNotFoundException"),
                        error("ResourceNotFoundException", "Function not found: " + name + " (template.yaml declares "
                                + template.functions().keySet() + ")").getBytes(StandardCharsets.UTF_8));
                return;
            }
            byte[] payload = ex.getRequestBody().readAllBytes();
            dev.xen2nitro.local.cloud.Cloud cloud = faults.get();
            // The caller's role must allow lambda:InvokeFunction on the function, qualified by the alias or
            // version invoked (Service Authorization Reference, AWS Lambda: InvokeFunction, resource function).
            java.util.regex.Matcher key = java.util.regex.Pattern.compile("Credential=([^/]+)/")
                    .matcher(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
            dev.xen2nitro.local.iam.Principal caller = key.find() ? access.principal(key.group(1)) : null;
            String ref = URLDecoder.decode(parts[3], StandardCharsets.UTF_8);
            String qualifier = ref.contains(":function:") ? ref.substring(ref.indexOf(":function:") + 10) : ref;
            String arn = "arn:aws:lambda:" + cloud.region + ":" + cloud.accountId + ":function:" + qualifier;
            try {
                access.authorize(caller, List.of(new dev.xen2nitro.local.cloud.Authorizations.Target("lambda:InvokeFunction", arn, Map.of())), "lambda");
            } catch (dev.xen2nitro.local.wire.AwsError denied) {
                cloud.recordCall("lambda", name, denied.code());
                reply(ex, 403, Map.of("X-Amzn-ErrorType", denied.code()), error(denied.code(), denied.getMessage()).getBytes(StandardCharsets.UTF_8));
                return;
            }
            dev.xen2nitro.local.cloud.Cloud.Fault fault = cloud.takeFault("lambda", name);
            if (fault != null && !fault.code.equals("Sandbox.Timedout")) {
                // A Lambda service error: the function never ran (Step Functions names it Lambda.ServiceException etc.).
                cloud.recordCall("lambda", name, fault.code);
                String type = fault.code.substring("Lambda.".length());
                reply(ex, fault.code.endsWith("TooManyRequestsException") ? 429 : 500, Map.of("X-Amzn-ErrorType", type),
                        error(type, fault.message).getBytes(StandardCharsets.UTF_8));
                return;
            }
            long start = System.nanoTime();
            Result r = invoke(fn, payload);
            if (fault != null) {
                // The function ran to its end (its effects are real) but the invocation timed out.
                cloud.recordCall("lambda", name, fault.code);
                r = new Result(error("Sandbox.Timedout", "Task timed out after " + fn.timeoutSeconds() + ".00 seconds")
                        .getBytes(StandardCharsets.UTF_8), "Sandbox.Timedout");
            }
            invocations.add(new Invocation(name, (System.nanoTime() - start) / 1_000_000, r.errorType));
            Map<String, String> headers = r.errorType == null ? Map.of() : Map.of("X-Amz-Function-Error", "Unhandled");
            reply(ex, 200, headers, r.body);
        }
    }

    private record Result(byte[] body, String errorType) {}

    /** The secret of a key the local cloud issued: a person's, or a function's or state machine's role session's. */
    private String secretOf(String accessKeyId) {
        String secret = LocalPeople.secrets().get(accessKeyId);
        if (secret != null) {
            return secret;
        }
        return credentials.values().stream().filter(c -> c.accessKeyId().equals(accessKeyId))
                .map(software.amazon.awssdk.auth.credentials.AwsCredentials::secretAccessKey).findFirst().orElse(null);
    }

    private static final java.time.format.DateTimeFormatter URL_TIME =
            java.time.format.DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", java.util.Locale.ENGLISH).withZone(java.time.ZoneOffset.UTC);

    /**
     * A request to a function URL. With AuthType AWS_IAM its signature is checked ({@link RequestSignature}) and its
     * caller authorized: lambda:InvokeFunctionUrl with lambda:FunctionUrlAuthType, and, as AWS requires of function URLs
     * created since October 2025, lambda:InvokeFunction with lambda:InvokedViaFunctionUrl (Lambda Developer Guide,
     * "Control access to Lambda function URLs"); a refusal is a 403 and the function does not run. Then the function runs
     * with the request as a payload format 2.0 event, the caller's identity in requestContext.authorizer.iam, and what it
     * returns becomes the response: a statusCode, headers, cookies and body, or, without a statusCode, 200 with the JSON
     * it returned (Lambda Developer Guide, "Invoking Lambda function URLs": request and response payloads). A function
     * error is a 502.
     */
    private void url(Template.Function fn, String authType, HttpExchange ex) throws IOException {
        try (ex) {
            byte[] body = ex.getRequestBody().readAllBytes();
            dev.xen2nitro.local.cloud.Cloud cloud = faults.get();
            String method = ex.getRequestMethod();
            String rawPath = ex.getRequestURI().getRawPath();
            String rawQuery = ex.getRequestURI().getRawQuery();
            Map<String, List<String>> headers = new LinkedHashMap<>();
            ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), v));
            Map<String, Object> iam = null;
            if ("NONE".equals(authType) && !template.publicGrants(fn.logicalId()).equals(java.util.Set.of("lambda:InvokeFunction", "lambda:InvokeFunctionUrl"))) {
                // No caller to authorize: the function's resource-based policy must grant both actions to everyone.
                cloud.recordCall("lambda", fn.logicalId() + " URL", "AccessDeniedException");
                reply(ex, 403, Map.of("x-amzn-ErrorType", "AccessDeniedException"), JSON.writeValueAsBytes(Map.of("Message", "Forbidden")));
                return;
            }
            if ("AWS_IAM".equals(authType)) {
                RequestSignature.Verdict v = RequestSignature.verify(method, rawPath, rawQuery, headers, body, cloud.region, "lambda",
                        this::secretOf, java.time.Instant.now());
                if (!v.valid()) {
                    cloud.recordCall("lambda", fn.logicalId() + " URL", v.accessKeyId() == null ? "MissingAuthenticationToken" : "InvalidSignatureException");
                    reply(ex, 403, Map.of("x-amzn-ErrorType", "AccessDeniedException"), JSON.writeValueAsBytes(Map.of("Message", v.refusal())));
                    return;
                }
                dev.xen2nitro.local.iam.Principal caller = access.principal(v.accessKeyId());
                String arn = "arn:aws:lambda:" + cloud.region + ":" + cloud.accountId + ":function:" + fn.logicalId() + ":live";
                try {
                    if (caller == null) {
                        throw new dev.xen2nitro.local.wire.AwsError("AccessDeniedException", "no principal of this account holds " + v.accessKeyId(), 403);
                    }
                    access.authorize(caller, List.of(
                            new dev.xen2nitro.local.cloud.Authorizations.Target("lambda:InvokeFunctionUrl", arn,
                                    Map.of("lambda:FunctionUrlAuthType", List.of("AWS_IAM"))),
                            new dev.xen2nitro.local.cloud.Authorizations.Target("lambda:InvokeFunction", arn,
                                    Map.of("lambda:InvokedViaFunctionUrl", List.of("true")))), "lambda");
                } catch (dev.xen2nitro.local.wire.AwsError denied) {
                    cloud.recordCall("lambda", fn.logicalId() + " URL", denied.code());
                    reply(ex, 403, Map.of("x-amzn-ErrorType", "AccessDeniedException"), JSON.writeValueAsBytes(Map.of("Message", "Forbidden")));
                    return;
                }
                iam = new LinkedHashMap<>();
                String id = principalId(caller);
                iam.put("accessKey", v.accessKeyId());
                iam.put("accountId", caller.accountId());
                iam.put("callerId", id);
                iam.put("cognitoIdentity", null);
                iam.put("principalOrgId", null);
                iam.put("userArn", caller.arn());
                iam.put("userId", id);
            }
            java.time.Instant now = java.time.Instant.now();
            String host = ex.getRequestHeaders().getFirst("Host");
            Map<String, Object> http = new LinkedHashMap<>();
            http.put("method", method);
            http.put("path", rawPath);
            http.put("protocol", ex.getProtocol());
            http.put("sourceIp", ex.getRemoteAddress().getAddress().getHostAddress());
            http.put("userAgent", ex.getRequestHeaders().getFirst("User-Agent"));
            Map<String, Object> context = new LinkedHashMap<>();
            context.put("accountId", cloud.accountId);
            context.put("apiId", "local" + fn.logicalId().toLowerCase(java.util.Locale.ROOT));
            context.put("authentication", null);
            context.put("authorizer", iam == null ? null : Map.of("iam", iam));
            context.put("domainName", host);
            context.put("domainPrefix", host == null ? null : host.split("[.:]")[0]);
            context.put("http", http);
            context.put("requestId", UUID.randomUUID().toString());
            context.put("routeKey", "$default");
            context.put("stage", "$default");
            context.put("time", URL_TIME.format(now));
            context.put("timeEpoch", now.toEpochMilli());
            Map<String, Object> event = new LinkedHashMap<>();
            event.put("version", "2.0");
            event.put("routeKey", "$default");
            event.put("rawPath", rawPath);
            event.put("rawQueryString", rawQuery == null ? "" : rawQuery);
            List<String> cookies = new java.util.ArrayList<>();
            headers.getOrDefault("cookie", List.of()).forEach(c -> java.util.Arrays.stream(c.split(";\\s*")).filter(x -> !x.isBlank()).forEach(cookies::add));
            if (!cookies.isEmpty()) event.put("cookies", cookies);
            Map<String, String> joined = new LinkedHashMap<>();
            headers.forEach((k, v) -> { if (!k.equals("cookie")) joined.put(k, String.join(",", v)); });
            event.put("headers", joined);
            if (rawQuery != null && !rawQuery.isEmpty()) {
                Map<String, String> query = new LinkedHashMap<>();
                for (String pair : rawQuery.split("&")) {
                    int eq = pair.indexOf('=');
                    String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                    String val = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                    query.merge(k, val, (a, b) -> a + "," + b);
                }
                event.put("queryStringParameters", query);
            }
            event.put("requestContext", context);
            // A text body is passed as it is; any other is base64-encoded (isBase64Encoded).
            String type = String.valueOf(ex.getRequestHeaders().getFirst("Content-Type")).toLowerCase(java.util.Locale.ROOT);
            boolean text = type.startsWith("text/") || type.contains("json") || type.contains("xml") || type.contains("javascript");
            if (body.length > 0) {
                event.put("body", text ? new String(body, StandardCharsets.UTF_8) : java.util.Base64.getEncoder().encodeToString(body));
            }
            event.put("pathParameters", null);
            event.put("isBase64Encoded", body.length > 0 && !text);
            event.put("stageVariables", null);
            long start = System.nanoTime();
            Result r = invoke(fn, JSON.writeValueAsBytes(event));
            invocations.add(new Invocation(fn.logicalId(), (System.nanoTime() - start) / 1_000_000, r.errorType));
            if (r.errorType != null) {
                reply(ex, 502, Map.of(), JSON.writeValueAsBytes(Map.of("Message", "Internal Server Error")));
                return;
            }
            com.fasterxml.jackson.databind.JsonNode out = JSON.readTree(r.body);
            if (out == null || !out.isObject() || !out.has("statusCode")) {
                reply(ex, 200, Map.of(), r.body);
                return;
            }
            Map<String, String> responseHeaders = new LinkedHashMap<>();
            out.path("headers").fields().forEachRemaining(h -> responseHeaders.put(h.getKey(), h.getValue().asText()));
            for (com.fasterxml.jackson.databind.JsonNode c : out.path("cookies")) {
                ex.getResponseHeaders().add("Set-Cookie", c.asText());
            }
            String responseBody = out.path("body").asText("");
            byte[] bytes = out.path("isBase64Encoded").asBoolean(false) ? java.util.Base64.getDecoder().decode(responseBody)
                    : responseBody.getBytes(StandardCharsets.UTF_8);
            if (!responseHeaders.keySet().stream().anyMatch(k -> k.equalsIgnoreCase("content-type"))) {
                responseHeaders.put("Content-Type", "application/json");
            }
            reply(ex, out.get("statusCode").asInt(), responseHeaders, bytes);
        }
    }

    /** IAM's unique ID of a caller: AIDA... for a user, AROA...:SESSION for a role's session (IAM User Guide, "Unique identifiers"). */
    private static String principalId(dev.xen2nitro.local.iam.Principal p) {
        String digest;
        try {
            digest = java.util.HexFormat.of().withUpperCase().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(p.roleArn().getBytes(StandardCharsets.UTF_8))).substring(0, 17);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return p.roleName() == null ? "AIDA" + digest : "AROA" + digest + ":" + p.arn().substring(p.arn().lastIndexOf('/') + 1);
    }

    private Result invoke(Template.Function fn, byte[] payload) {
        // A timeout here catches a handler that hangs; the floor keeps a cold JVM's first calls on a busy
        // machine from passing for one (injected Sandbox.Timedout faults do not depend on it).
        // A run bound by this machine's processor rather than by the scaled AWS durations (local/bench) gives each function its
        // whole Timeout: -Dxen2nitro.functionTimeoutFactor=1.
        double factor = Double.parseDouble(System.getProperty("xen2nitro.functionTimeoutFactor", String.valueOf(Math.max(timeFactor, 0.1))));
        long timeoutMs = Math.max(30_000, Math.round(fn.timeoutSeconds() * 1000 * factor));
        RequestStreamHandler h;
        try {
            // Lambda's init phase (the handler's construction) is not part of the function's timeout.
            h = handler(fn);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            Throwable t = e instanceof java.lang.reflect.InvocationTargetException ite ? ite.getCause() : e;
            String type = t.getClass().getName();
            return new Result(error(type, String.valueOf(t.getMessage()), t).getBytes(StandardCharsets.UTF_8), type);
        }
        Future<byte[]> f = workers.submit(() -> {
            EmulatorRouting.set(emulator, credentials.get(fn.logicalId()));
            FunctionEnvironment.enter(environments.getOrDefault(fn.logicalId(), Map.of()), hidden);
            try {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                h.handleRequest(new ByteArrayInputStream(payload), out, new LocalContext(fn, timeoutMs, logs));
                return out.toByteArray();
            } finally {
                EmulatorRouting.clear();
                FunctionEnvironment.leave();
            }
        });
        try {
            return new Result(f.get(timeoutMs, TimeUnit.MILLISECONDS), null);
        } catch (TimeoutException e) {
            f.cancel(true);
            // A timed-out function reaches Step Functions as Sandbox.Timedout.
            return new Result(error("Sandbox.Timedout", "Task timed out after " + fn.timeoutSeconds() + ".00 seconds")
                    .getBytes(StandardCharsets.UTF_8), "Sandbox.Timedout");
        } catch (ExecutionException e) {
            Throwable t = e.getCause();
            String type = t.getClass().getName();
            return new Result(error(type, String.valueOf(t.getMessage()), t).getBytes(StandardCharsets.UTF_8), type);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(error("Lambda.ServiceException", "interrupted").getBytes(StandardCharsets.UTF_8), "Lambda.ServiceException");
        }
    }

    private RequestStreamHandler handler(Template.Function fn) throws ReflectiveOperationException {
        RequestStreamHandler h = handlers.get(fn.logicalId());
        if (h == null) {
            synchronized (handlers) {
                h = handlers.get(fn.logicalId());
                if (h == null) {
                    h = (RequestStreamHandler) Class.forName(fn.handlerClass()).getDeclaredConstructor().newInstance();
                    handlers.put(fn.logicalId(), h);
                }
            }
        }
        return h;
    }

    private static String error(String type, String message) {
        return error(type, message, null);
    }

    private static String error(String type, String message, Throwable t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("errorMessage", message);
        m.put("errorType", type);
        if (t != null) {
            m.put("stackTrace", Arrays.stream(t.getStackTrace()).limit(20).map(String::valueOf).toList());
        }
        try {
            return JSON.writeValueAsString(m);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void reply(HttpExchange ex, int status, Map<String, String> headers, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.getResponseHeaders().set("X-Amzn-RequestId", UUID.randomUUID().toString());
        headers.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    /** The Lambda context the runtime would pass; aws-lambda-java-core ships none. */
    private static final class LocalContext implements Context {
        private final Template.Function fn;
        private final long deadline;
        private final String requestId = UUID.randomUUID().toString();
        private final List<String> logs;

        LocalContext(Template.Function fn, long timeoutMs, List<String> logs) {
            this.fn = fn;
            this.deadline = System.currentTimeMillis() + timeoutMs;
            this.logs = logs;
        }

        public String getAwsRequestId() { return requestId; }
        public String getLogGroupName() { return "/aws/lambda/" + fn.logicalId(); }
        public String getLogStreamName() { return "local"; }
        public String getFunctionName() { return fn.logicalId(); }
        public String getFunctionVersion() { return "$LATEST"; }
        public String getInvokedFunctionArn() { return "arn:aws:lambda:local:000000000000:function:" + fn.logicalId(); }
        public CognitoIdentity getIdentity() { return null; }
        public ClientContext getClientContext() { return null; }
        public int getRemainingTimeInMillis() { return (int) Math.max(0, deadline - System.currentTimeMillis()); }
        public int getMemoryLimitInMB() { return 1024; }
        public LambdaLogger getLogger() {
            return new LambdaLogger() {
                public void log(String message) { logs.add(message); }
                public void log(byte[] message) { log(new String(message, StandardCharsets.UTF_8)); }
            };
        }
    }
}
