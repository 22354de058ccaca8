package dev.xen2nitro.local;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.xen2nitro.local.host.LocalPeople;
import dev.xen2nitro.local.host.RequestSignature;
import dev.xen2nitro.local.world.WorldLoader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The local Lambda host serves function URLs as Lambda does for AuthType AWS_IAM: a request runs the function only when
 * its SigV4 signature is good and IAM allows the signer, and the function learns who signed from the request context,
 * never from the body.
 */
class FunctionUrlTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static LocalCloud local;
    static URI url;
    static final String EXECUTION = "arn:aws:states:us-east-1:123456789012:execution:MigrateInstanceStateMachine:nothing-waits";

    @BeforeAll
    static void open() throws Exception {
        local = LocalCloud.open(Worlds.root(), WorldLoader.load(Worlds.read("seed-2012r2-private"), "seed"));
        url = local.host().functionUrl(Runner.ANSWER_APPROVAL);
    }

    @AfterAll
    static void close() {
        local.close();
    }

    static Approvers.Reply get(LocalPeople.Person who) throws Exception {
        return Approvers.call(url, "GET", "execution=" + EXECUTION, null, who, "us-east-1");
    }

    static long invocations() {
        return local.host().invocations.stream().filter(i -> i.function().equals(Runner.ANSWER_APPROVAL)).count();
    }

    @Test
    void anApproverReachesTheFunctionWhichNamesTheSignerNotTheBody() throws Exception {
        Approvers.Reply alice = get(LocalPeople.ALICE);
        assertEquals(404, alice.status(), alice.body());
        assertTrue(alice.body().contains("No approval of " + EXECUTION + " is waiting"), alice.body());
        // Signed by operator, whom IAM lets call the URL but the stack does not name; the body's claim is ignored.
        Approvers.Reply operator = Approvers.call(url, "POST", null, "{\"execution\":\"" + EXECUTION + "\",\"decision\":\"approve\","
                + "\"approver\":\"" + LocalPeople.ALICE.arn("123456789012") + "\"}", LocalPeople.OPERATOR, "us-east-1");
        assertEquals(403, operator.status());
        assertTrue(JSON.readTree(operator.body()).get("message").asText().startsWith(LocalPeople.OPERATOR.arn("123456789012")
                + " is not an approver of this stack"), operator.body());
    }

    @Test
    void unsignedBadlySignedAndUnauthorizedRequestsNeverReachTheFunction() throws Exception {
        long before = invocations();
        HttpResponse<String> unsigned = HttpClient.newHttpClient().send(HttpRequest.newBuilder(url).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, unsigned.statusCode());
        assertTrue(unsigned.body().contains("Missing Authentication Token"), unsigned.body());
        LocalPeople.Person impostor = new LocalPeople.Person("alice", LocalPeople.ALICE.accessKeyId(), "not-alices-secret", true);
        Approvers.Reply wrong = get(impostor);
        assertEquals(403, wrong.status());
        assertTrue(wrong.body().contains("signature we calculated does not match"), wrong.body());
        Approvers.Reply nobody = get(LocalPeople.NOBODY);
        assertEquals(403, nobody.status());
        assertEquals("{\"Message\":\"Forbidden\"}", nobody.body());
        assertEquals(before, invocations(), "the function never ran");
    }

    @Test
    void aSignatureCoversTheMethodPathQueryHeadersBodyAndTime() {
        Map<String, List<String>> headers = Map.of("host", List.of("127.0.0.1:9"), "x-amz-date", List.of("20261127T093000Z"),
                "authorization", List.of("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261127/us-east-1/lambda/aws4_request, SignedHeaders=host;x-amz-date,"
                        + " Signature=" + "0".repeat(64)));
        Instant at = Instant.parse("2026-11-27T09:30:00Z");
        RequestSignature.Verdict v = RequestSignature.verify("POST", "/", "", headers, new byte[0], "us-east-1", "lambda", k -> "secret", at);
        assertFalse(v.valid());
        assertTrue(v.refusal().contains("does not match"), v.refusal());
        assertTrue(RequestSignature.verify("POST", "/", "", headers, new byte[0], "us-east-1", "lambda", k -> "secret", at.plusSeconds(301))
                .refusal().startsWith("Signature expired"));
        assertTrue(RequestSignature.verify("POST", "/", "", headers, new byte[0], "eu-west-1", "lambda", k -> "secret", at)
                .refusal().startsWith("Credential should be scoped"));
        assertTrue(RequestSignature.verify("POST", "/", "", headers, new byte[0], "us-east-1", "lambda", k -> null, at)
                .refusal().contains("security token included in the request is invalid"));
        // The query's names and values sorted, each encoded once; the path's segments encoded twice.
        assertEquals("a=1&b=&b=2&e=arn%3Aaws", RequestSignature.canonicalQuery("b=2&e=arn:aws&a=1&b"));
        assertEquals("/a%2520b/", RequestSignature.canonicalPath("/a%20b/"));
    }

    @Test
    void aPublicUrlAnswersOnlyWhenTheFunctionsPolicyGrantsEveryoneBothActions() throws Exception {
        dev.xen2nitro.local.host.Template t = new dev.xen2nitro.local.host.Template(Worlds.root());
        // The link's URL (AuthType NONE): the template's two permissions, without which the local cloud answers 403.
        assertEquals(java.util.Set.of("lambda:InvokeFunction", "lambda:InvokeFunctionUrl"), t.publicGrants("AnswerApprovalFunction"));
        assertEquals(java.util.Set.of(), t.publicGrants("PreflightFunction"), "no other function is public");
    }
}
