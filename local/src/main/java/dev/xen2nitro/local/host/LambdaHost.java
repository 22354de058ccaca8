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

    /**
     * @param timeFactor scales each function's Timeout, as the local cloud scales AWS durations (never below 30 s)
     * @param emulator   where the functions' AWS calls go while this host runs them ({@link EmulatorRouting})
     * @param credentials each function's role session credentials, which sign its calls
     */
    public LambdaHost(Template template, double timeFactor, java.util.function.Supplier<dev.xen2nitro.local.cloud.Cloud> faults,
                      URI emulator, Map<String, software.amazon.awssdk.auth.credentials.AwsCredentials> credentials,
                      dev.xen2nitro.local.iam.AccessControl access) throws IOException {
        this.emulator = emulator;
        this.access = access;
        this.credentials = Map.copyOf(credentials);
        this.template = template;
        this.timeFactor = timeFactor;
        this.faults = faults;
        server = new LocalServer(0, "lambda-host", "/2015-03-31/functions/", this::handle);
    }

    public URI endpoint() {
        return server.endpoint();
    }

    @Override
    public void close() {
        server.close();
        workers.shutdownNow();
    }

    /** "arn:aws:lambda:r:a:function:Name:alias", "Name:alias" or "Name" to "Name". */
    static String functionName(String ref) {
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

    private Result invoke(Template.Function fn, byte[] payload) {
        // A timeout here catches a handler that hangs; the floor keeps a cold JVM's first calls on a busy
        // machine from passing for one (injected Sandbox.Timedout faults do not depend on it).
        long timeoutMs = Math.max(30_000, Math.round(fn.timeoutSeconds() * 1000 * Math.max(timeFactor, 0.1)));
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
            try {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                h.handleRequest(new ByteArrayInputStream(payload), out, new LocalContext(fn, timeoutMs, logs));
                return out.toByteArray();
            } finally {
                EmulatorRouting.clear();
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
