package dev.xen2nitro.functions.core;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.http.SdkHttpRequest;

/**
 * What AWS answered a handler's calls on its events/ sample, in the local cloud, replayed while the handler primes
 * ({@link JsonHandler#prime()}), so that priming walks the path the sample walks instead of stopping at the first empty
 * answer (no reservation, no signature, no command). A resource {@code priming/HANDLER.json} of the package, written by
 * {@code dev.xen2nitro.local.PrimingRecorder} and checked against the code by the local cloud's tests: the sample's
 * input ({@code input}, what events/NAME.json holds) and the answers, in the order sent ({@code answers}, each
 * {@code {"call": "ec2 DescribeInstances", "status": 200, "contentType": ..., "headers": {...}, "body": ...}}).
 *
 * <p>Answers are kept per call (the signing scope's service and the operation), each call's in the order recorded, so
 * that calls made in another order or on several threads still find theirs; a call with none left is answered empty.
 * Nothing here reaches AWS: the answers are given in the process, as every answer while priming is.
 */
public final class PrimingAnswers {
    /** One recorded answer. */
    public record Answer(String call, int status, String contentType, Map<String, String> headers, String body) {}

    /** The file's content. */
    public record Recording(com.fasterxml.jackson.databind.JsonNode input, List<Answer> answers) {}

    private static final Pattern SCOPE = Pattern.compile("Credential=[^/]+/[0-9]+/[^/]+/([^/]+)/aws4_request");
    private static final Pattern ACTION = Pattern.compile("(?:^|&)Action=([A-Za-z0-9]+)");

    private final Map<String, Deque<Answer>> byCall = new HashMap<>();
    private final com.fasterxml.jackson.databind.JsonNode input;

    private PrimingAnswers(com.fasterxml.jackson.databind.JsonNode input, List<Answer> answers) {
        this.input = input;
        for (Answer a : answers) {
            byCall.computeIfAbsent(a.call(), k -> new ArrayDeque<>()).add(a);
        }
    }

    /** None: every call is answered empty. */
    public static PrimingAnswers none() {
        return new PrimingAnswers(null, List.of());
    }

    /** The answers recorded for {@code handler}'s sample, or none when the package has no {@code priming/NAME.json}. */
    public static PrimingAnswers of(Class<?> handler) throws IOException {
        try (InputStream in = handler.getResourceAsStream("/priming/" + handler.getSimpleName() + ".json")) {
            if (in == null) {
                return none();
            }
            Recording r = JsonHandler.JSON.readValue(in, Recording.class);
            return new PrimingAnswers(r.input(), r.answers() == null ? List.of() : r.answers());
        }
    }

    /** The sample's input the answers were recorded for, or null (none recorded). */
    public com.fasterxml.jackson.databind.JsonNode input() {
        return input;
    }

    /** The next answer recorded for this request's call, if one is left. */
    synchronized Optional<Answer> next(SdkHttpRequest request, byte[] body) {
        Deque<Answer> left = byCall.get(call(request, body));
        return Optional.ofNullable(left == null ? null : left.poll());
    }

    /** The calls whose answers were not all taken, with how many are left of each. */
    public synchronized Map<String, Integer> left() {
        Map<String, Integer> left = new java.util.TreeMap<>();
        byCall.forEach((call, answers) -> {
            if (!answers.isEmpty()) left.put(call, answers.size());
        });
        return left;
    }

    /**
     * A request's call as the recorder names it: the service of its SigV4 scope, and the operation of its
     * {@code X-Amz-Target} (JSON protocols), its {@code Action} (Query protocols) or, for S3, its HTTP method.
     */
    static String call(SdkHttpRequest request, byte[] body) {
        Matcher scope = SCOPE.matcher(request.firstMatchingHeader("Authorization").orElse(""));
        String service = scope.find() ? scope.group(1) : "";
        Optional<String> target = request.firstMatchingHeader("X-Amz-Target");
        if (target.isPresent()) {
            return service + " " + target.get().substring(target.get().lastIndexOf('.') + 1);
        }
        if (service.equals("s3")) {
            return "s3 " + request.method().name();
        }
        Matcher action = ACTION.matcher(new String(body, StandardCharsets.UTF_8));
        return service + " " + (action.find() ? action.group(1) : "");
    }
}
