package dev.xen2nitro.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.xen2nitro.local.host.LocalPeople;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * The approvers' side of the local cloud: a person of the local account calls the approval function's URL as an approver
 * does with curl --aws-sigv4, the request signed with the person's own key (here by the SDK's SigV4 signer, which is
 * not the code that checks it), and the command line an approver would type.
 */
public final class Approvers {
    private Approvers() {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** What the URL answered. */
    public record Reply(int status, String body) {}

    /** Calls {@code url} as {@code person}: {@code GET} with {@code query}, or {@code POST} of {@code body} (JSON). */
    public static Reply call(URI url, String method, String query, String body, LocalPeople.Person person, String region)
            throws IOException, InterruptedException {
        URI target = query == null ? url : URI.create(url + "?" + query);
        SdkHttpRequest.Builder b = SdkHttpRequest.builder().uri(target).method(SdkHttpMethod.fromValue(method));
        if (body != null) {
            b.putHeader("content-type", "application/json");
        }
        SignedRequest signed = AwsV4HttpSigner.create().sign(r -> r
                .identity(AwsCredentialsIdentity.create(person.accessKeyId(), person.secretAccessKey()))
                .request(b.build())
                .payload(body == null ? null : ContentStreamProvider.fromUtf8String(body))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "lambda")
                .putProperty(AwsV4HttpSigner.REGION_NAME, region));
        HttpRequest.Builder request = HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        for (Map.Entry<String, java.util.List<String>> h : signed.request().headers().entrySet()) {
            // The client sets these itself, to the values signed.
            if (h.getKey().equalsIgnoreCase("host") || h.getKey().equalsIgnoreCase("content-length")) continue;
            h.getValue().forEach(v -> request.header(h.getKey(), v));
        }
        HttpResponse<String> r = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body());
    }

    /** An answer: {"execution", "decision", "planHash"} to approve, {"execution", "decision", "reason"} to reject. */
    public static String answer(String execution, boolean approve, String planHash, String reason) {
        var o = JSON.createObjectNode().put("execution", execution).put("decision", approve ? "approve" : "reject");
        if (approve) {
            o.put("planHash", planHash);
        } else {
            o.put("reason", reason);
        }
        return o.toString();
    }

    /** The command an approver types, with the person's local key in place of their AWS credentials. */
    public static String curl(URI url, String body, LocalPeople.Person person, String region) {
        return "curl --aws-sigv4 \"aws:amz:" + region + ":lambda\" --user \"" + person.accessKeyId() + ":" + person.secretAccessKey()
                + "\" -H 'content-type: application/json' --data '" + body + "' " + url;
    }
}
