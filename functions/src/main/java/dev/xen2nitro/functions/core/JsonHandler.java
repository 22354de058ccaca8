package dev.xen2nitro.functions.core;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.stream.Collectors;
import org.crac.Core;
import org.crac.Resource;

/**
 * Base of every handler: JSON in, one action, JSON out.
 *
 * <p>Input is bound strictly to a record: an unknown or missing field is an {@link InvalidInputException}
 * raised before the action runs, so nothing is changed on bad input. The Java runtime reports an
 * uncaught exception with its fully-qualified class name as the error type, which is what the
 * state machine's Retry and Catch match on.
 *
 * <p>Each handler registers itself as an org.crac {@link Resource}: before the SnapStart snapshot it
 * runs {@link #prime()}, which builds the SDK clients and runs its own code on its sample without calling AWS.
 */
public abstract class JsonHandler<I, O> implements RequestStreamHandler, Resource {

    public static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
            .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true)
            .configure(SerializationFeature.FAIL_ON_EMPTY_BEANS, false)
            // Nulls are written: the state machine's JSONPaths must find every field, even an empty one.
            .setSerializationInclusion(JsonInclude.Include.ALWAYS)
            .findAndRegisterModules();

    private final Class<I> inputType;

    protected JsonHandler(Class<I> inputType) {
        this.inputType = inputType;
        Core.getGlobalContext().register(this);
    }

    /** The one action of this handler. */
    protected abstract O handle(I input);

    /** A representative input, used for priming; never sent to AWS. */
    protected abstract I sampleInput();

    /** The CloudWatch namespace of the metrics handlers report in their log line. */
    public static final String METRIC_NAMESPACE = "xen2nitro";

    /**
     * The CloudWatch metrics of a successful invocation, by name (unit Count), none by default. They are written into the
     * invocation's log line in the embedded metric format, in {@value #METRIC_NAMESPACE} with the function's name as the
     * dimension {@code function}, and CloudWatch Logs makes them metrics (CloudWatch User Guide, "Specification: Embedded
     * metric format").
     */
    protected java.util.Map<String, Integer> metrics(I input, O output) {
        return java.util.Map.of();
    }

    /**
     * Runs the action and writes one log line for the invocation: the function, the instance and
     * execution it acted for, how long it took, and its outcome or error type. Only those fields are
     * written, never the input or output (a task token must not reach a log).
     */
    @Override
    public final void handleRequest(InputStream in, OutputStream out, Context context) throws IOException {
        long started = System.nanoTime();
        I input = null;
        String errorType = null;
        java.util.Map<String, Integer> metrics = java.util.Map.of();
        try {
            input = parse(in.readAllBytes());
            O output = handle(input);
            JSON.writeValue(out, output);
            metrics = metrics(input, output);
        } catch (RuntimeException | IOException | Error e) {
            errorType = e.getClass().getName();
            throw e;
        } finally {
            log(context, input, (System.nanoTime() - started) / 1_000_000, errorType, metrics);
        }
    }

    private static void log(Context context, Object input, long millis, String errorType, java.util.Map<String, Integer> metrics) {
        if (context == null || context.getLogger() == null) {
            return;
        }
        com.fasterxml.jackson.databind.node.ObjectNode line = JSON.createObjectNode();
        line.put("function", context.getFunctionName());
        com.fasterxml.jackson.databind.JsonNode fields = input == null ? JSON.nullNode() : JSON.valueToTree(input);
        line.put("instanceId", fields.path("instanceId").isTextual() ? fields.path("instanceId").asText() : null);
        line.put("execution", fields.path("execution").isTextual() ? fields.path("execution").asText() : null);
        line.put("ms", millis);
        line.put("outcome", errorType == null ? "succeeded" : "failed");
        line.put("errorType", errorType);
        try {
            if (metrics.isEmpty()) {
                context.getLogger().log(JSON.writeValueAsString(line) + "\n");
                return;
            }
            // The embedded metric format: the metrics' values at the top level, described under _aws.
            com.fasterxml.jackson.databind.node.ObjectNode emf = line.putObject("_aws").put("Timestamp", System.currentTimeMillis())
                    .putArray("CloudWatchMetrics").addObject().put("Namespace", METRIC_NAMESPACE);
            emf.putArray("Dimensions").addArray().add("function");
            com.fasterxml.jackson.databind.node.ArrayNode defs = emf.putArray("Metrics");
            metrics.forEach((name, value) -> {
                defs.addObject().put("Name", name).put("Unit", "Count");
                line.put(name, value);
            });
            // As bytes: with the functions' JSON log format, Lambda's Java runtime nests a String message in its own JSON
            // object (as "message"), where CloudWatch Logs would find no _aws; it writes a byte[] message as it is
            // (aws-lambda-java-runtime-interface-client, AbstractLambdaLogger: "there is no formatting for byte[] messages").
            context.getLogger().log((JSON.writeValueAsString(line) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException e) {
            context.getLogger().log("{\"function\":\"" + context.getFunctionName() + "\",\"outcome\":\"unlogged\"}\n");
        }
    }

    /** Binds and validates an input as the handler would, without acting on it. */
    public I parse(byte[] bytes) {
        try {
            I input = JSON.readValue(bytes, inputType);
            if (input == null) {
                throw new InvalidInputException("the input is empty; expected a JSON object with the fields of "
                        + inputType.getSimpleName());
            }
            if (input instanceof Validatable v) {
                v.validate();
            }
            return input;
        } catch (UnrecognizedPropertyException e) {
            throw new InvalidInputException("unknown field '" + e.getPropertyName() + "' in the input; known fields: "
                    + e.getKnownPropertyIds().stream().map(String::valueOf).sorted().collect(Collectors.joining(", ")));
        } catch (MismatchedInputException e) {
            throw new InvalidInputException("input field '" + path(e) + "' is missing or has the wrong type: "
                    + e.getOriginalMessage());
        } catch (JsonMappingException e) {
            throw new InvalidInputException("input field '" + path(e) + "' is invalid: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new InvalidInputException("the input is not valid JSON: " + e.getMessage());
        }
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining("."));
    }

    /** True for a handler that makes no AWS call: priming then runs it whole on its sample. */
    protected boolean callsNoAws() {
        return false;
    }

    /**
     * Primes for the SnapStart snapshot without calling AWS: parses the recorded sample (or else {@link #sampleInput()}) as
     * an input, builds every SDK client
     * ({@link Aws#prime()}), then runs the action on the sample with the clients' calls answered within the execution
     * environment, through the HTTP client from a loopback server open only meanwhile ({@link Aws#priming}) with what AWS answered that sample in the local cloud ({@link PrimingAnswers}, recorded per
     * handler), so that the marshalling, endpoint, signing and response paths of the calls the sample makes are loaded and
     * run once. A call with no recorded answer left gets an empty one; the action may then end in an error, which is
     * expected and dropped, as is one from the sample's settings not being those of the deployment; an {@link Error} (a
     * class missing from the package) is not. A handler that calls no AWS runs whole on its sample.
     */
    public void prime() throws IOException {
        prime(PrimingAnswers.of(getClass()));
    }

    /** {@link #prime()} with these answers, on their input if they have one; returns them, with the calls that left some ({@link PrimingAnswers#left()}). */
    public PrimingAnswers prime(PrimingAnswers answers) throws IOException {
        I parsed = parse(JSON.writeValueAsBytes(answers.input() != null ? answers.input() : sampleInput()));
        if (callsNoAws()) {
            JSON.writeValueAsBytes(handle(parsed));
            return answers;
        }
        Aws.prime();
        Aws.priming(answers, () -> {
            try {
                JSON.writeValueAsBytes(handle(parsed));
            } catch (RuntimeException | IOException expected) {
                // An empty answer, or one of other settings, is not what AWS would say here; the paths ran all the same.
            }
        });
        return answers;
    }

    @Override
    public void beforeCheckpoint(org.crac.Context<? extends Resource> context) throws Exception {
        prime();
    }

    @Override
    public void afterRestore(org.crac.Context<? extends Resource> context) {
        // Nothing to renew: priming makes no AWS call, so no connection or credential predates the snapshot.
    }
}
