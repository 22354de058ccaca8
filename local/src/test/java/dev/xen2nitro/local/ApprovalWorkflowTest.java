package dev.xen2nitro.local;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.xen2nitro.functions.approval.Answer;
import dev.xen2nitro.local.cloud.Cloud;
import dev.xen2nitro.local.host.LocalPeople;
import dev.xen2nitro.local.world.WorldLoader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.sfn.SfnClient;

/**
 * The approval through the real state machine: only the approval function's signed answer, for this execution, instance
 * and plan, by an approver the stack names, lets the migration go on to the stop; anything else sent with the task token
 * ends it as a rejection with the reason, the instance on its original type. Each test answers while the execution waits
 * (--approval manual), as an approver or as whoever holds the token, and checks the world afterwards.
 */
@Execution(ExecutionMode.CONCURRENT)
class ApprovalWorkflowTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String SEED = "i-0a1b2c3d4e5f60001";
    static final String INPUT = "{\"instanceId\":\"" + SEED + "\",\"targetType\":\"m5.xlarge\"}";

    /** What a test does while the execution waits for its approval. */
    @FunctionalInterface
    interface Answering {
        void answer(LocalCloud local, JsonNode pending) throws Exception;
    }

    record Outcome(Runner.Report report, Map<String, Object> world, String progress, List<String> logs) implements WorldView {
        Map<String, Object> instance() {
            return instance(SEED);
        }

        Map<String, String> tags() {
            return tags(SEED);
        }

        /** A rejection: the type unchanged, the instance running, never stopped, no NVMe driver or Sysprep, the reason given. */
        void rejectedBecause(String why) {
            assertEquals("FAILED", report.status(), progress);
            assertEquals("Xen2Nitro.ApprovalRejected", report.error(), progress);
            assertTrue(report.cause().contains(why), report.cause());
            assertEquals("m4.xlarge", instance().get("instanceType"));
            assertEquals("running", instance().get("state"));
            assertEquals(0, instance().get("stopCount"), "nothing irreversible happened");
            @SuppressWarnings("unchecked")
            Map<String, Object> drivers = (Map<String, Object>) ((Map<String, Object>) instance().get("guest")).get("drivers");
            assertNull(drivers.get("nvme"), "the NVMe driver and Sysprep run only after an approval");
            assertEquals("rejected", tags().get("xen2nitro:status"));
            assertFalse(report.visited().contains("PreflightBeforeStop"), report.visited().toString());
            assertTrue(list("parameters").isEmpty(), "the pending approval is forgotten: " + list("parameters"));
        }
    }

    static Outcome run(Map<String, String> parameters, Answering answering) throws Exception {
        return run(parameters, LocalPeople.OPERATOR, answering);
    }

    static Outcome run(Map<String, String> parameters, LocalPeople.Person starter, Answering answering) throws Exception {
        return run(parameters, starter, cloud -> {}, answering);
    }

    /** As {@link #run(Map, LocalPeople.Person, Answering)}, with {@code before} done to the cloud before the execution starts. */
    static Outcome run(Map<String, String> parameters, LocalPeople.Person starter, java.util.function.Consumer<Cloud> before, Answering answering)
            throws Exception {
        try (LocalCloud local = LocalCloud.open(Worlds.root(), WorldLoader.load(Worlds.read("seed-2012r2-private"), "seed"), parameters)) {
            before.accept(local.emulator().cloud());
            ByteArrayOutputStream progress = new ByteArrayOutputStream();
            CompletableFuture<Runner.Report> execution = CompletableFuture.supplyAsync(() -> {
                try {
                    return local.run("MigrateInstanceStateMachine", INPUT, "manual", new PrintStream(progress, true, StandardCharsets.UTF_8), starter);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            answering.answer(local, pending(local));
            Runner.Report report = execution.get();
            return new Outcome(report, local.world(), progress.toString(StandardCharsets.UTF_8), List.copyOf(local.host().logs));
        }
    }

    static Outcome run(Answering answering) throws Exception {
        return run(Map.of(), answering);
    }

    /** The approval the execution waits for, as RequestApproval kept it, once it has been mailed to everyone. */
    static JsonNode pending(LocalCloud local) throws Exception {
        Cloud cloud = local.emulator().cloud();
        Map<String, String> env = local.host().environment(Runner.ANSWER_APPROVAL);
        // The message to everyone, then one for each approver with their own link unless the stack mails none.
        int mails = 1 + ("false".equals(env.get("APPROVAL_LINKS")) ? 0 : env.get("APPROVER_ARNS").split(",").length);
        assertTrue(Worlds.eventually(120, () -> {
            synchronized (cloud) {
                // Kept, then mailed: the request is complete once the mail is out.
                return cloud.parameters.keySet().stream().anyMatch(n -> n.contains("/approvals/")) && cloud.taskTokens.all().values().stream().anyMatch(t -> t.status.equals("waiting"))
                        && cloud.topics.values().stream().flatMap(List::stream).filter(n -> n.subject().startsWith("xen2nitro: approve")).count() >= mails;
            }
        }), "the execution never asked for approval");
        synchronized (cloud) {
            // The pending approval, not the registrations of the VPC's endpoint users kept beside it.
            return JSON.readTree(cloud.parameters.values().stream().filter(p -> p.name.contains("/approvals/")).findFirst().orElseThrow().value)
                    .get("pending");
        }
    }

    static Approvers.Reply call(LocalCloud local, String method, String query, String body, LocalPeople.Person who) throws Exception {
        return Approvers.call(local.host().functionUrl(Runner.ANSWER_APPROVAL), method, query, body, who, local.emulator().cloud().region);
    }

    /** What an approver does: reads what waits (GET), then approves the plan it shows (POST). */
    static Approvers.Reply approve(LocalCloud local, LocalPeople.Person who) throws Exception {
        String execution = pending(local).get("execution").asText();
        Approvers.Reply shown = call(local, "GET", "execution=" + URLEncoder.encode(execution, StandardCharsets.UTF_8), null, who);
        assertEquals(200, shown.status(), shown.body());
        String planHash = JSON.readTree(shown.body()).get("planHash").asText();
        return call(local, "POST", null, Approvers.answer(execution, true, planHash, null), who);
    }

    /** SendTaskSuccess with the task token, as anyone allowed states:SendTaskSuccess on "*" can send it. */
    static void sendWithTheToken(LocalCloud local, JsonNode pending, String output) {
        try (SfnClient sfn = Worlds.sfn(local.emulator())) {
            sfn.sendTaskSuccess(r -> r.taskToken(pending.get("taskToken").asText()).output(output));
        }
    }

    /**
     * What changed while the approval waited ends the migration after the approval, before anything irreversible, and its
     * cause says what: a check the preflight now refuses, a type changed by someone else, or a preflight that could not run.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"stopped meanwhile", "type changed meanwhile", "type changed to Nitro meanwhile", "preflight failing"})
    void whatChangedWhileTheApprovalWaitedEndsItBeforeTheStopAndTheCauseSaysWhat(String what) throws Exception {
        Outcome o = run((local, pending) -> {
            Cloud cloud = local.emulator().cloud();
            switch (what) {
                case "stopped meanwhile" -> {
                    try (var ec2 = Worlds.ec2(local.emulator())) {
                        ec2.stopInstances(r -> r.instanceIds(SEED));
                    }
                }
                case "type changed meanwhile", "type changed to Nitro meanwhile" -> {
                    synchronized (cloud) {
                        cloud.instances.get(SEED).instanceType = what.contains("Nitro") ? "m5.2xlarge" : "m4.2xlarge";
                    }
                }
                default -> {
                    Cloud.Fault denied = new Cloud.Fault();
                    denied.service = "ec2";
                    denied.operation = "DescribeInstances";
                    denied.code = "UnauthorizedOperation";
                    denied.message = "You are not authorized to perform this operation.";
                    denied.status = 403;
                    denied.remaining = 1;
                    synchronized (cloud) {
                        cloud.faults.add(denied);
                    }
                }
            }
            assertEquals(200, approve(local, LocalPeople.ALICE).status());
        });
        assertEquals("Xen2Nitro.PreflightRefused", o.report().error(), o.progress());
        String cause = o.report().cause();
        switch (what) {
            case "stopped meanwhile" -> assertTrue(cause.startsWith("After the approval the preflight ran again and refused: state-running: the instance is "),
                    cause);
            case "type changed meanwhile", "type changed to Nitro meanwhile" -> {
                String now = what.contains("Nitro") ? "m5.2xlarge" : "m4.2xlarge";
                assertTrue(cause.startsWith("After the approval the instance is " + now + ", not the m4.xlarge the plan was approved for"), cause);
                assertEquals(now, o.instance().get("instanceType"));
            }
            default -> assertTrue(cause.startsWith("After the approval the preflight could not run again (") && cause.contains("UnauthorizedOperation"),
                    cause);
        }
        assertFalse(cause.contains("null"), cause);
        assertTrue(o.report().visited().contains("PreflightBeforeStop"), o.report().visited().toString());
        if (!what.equals("stopped meanwhile")) {
            assertEquals(0, ((Number) o.instance().get("stopCount")).intValue(), "the migration stopped nothing");
        }
        assertFalse(o.report().visited().contains("StopInstance"), o.report().visited().toString());
        assertFalse(o.report().visited().contains("InstallNvmeDriver"), o.report().visited().toString());
        assertEquals("refused", o.tags().get("xen2nitro:status"));
    }

    @Test
    void anApproverApprovesWithCurlAndTheInstanceAndReportSayWhoHowAndWhen() throws Exception {
        List<String> replies = new ArrayList<>();
        Outcome o = run((local, pending) -> {
            // The command the mail gives, with alice's key for her AWS credentials, run by curl.
            String mail = String.valueOf(((List<Map<String, Object>>) local.world().get("notifications")).get(0).get("message"));
            String planHash = pending.get("planHash").asText();
            assertTrue(mail.contains("Plan hash: " + planHash), mail);
            // What is waiting, at the URL the mail gives (the ARN in its query URL-encoded: curl signs the query as written).
            java.util.regex.Matcher waiting = java.util.regex.Pattern.compile("What is waiting \\(read only\\): curl --aws-sigv4 \\.\\.\\. '([^']+)'")
                    .matcher(mail);
            assertTrue(waiting.find(), mail);
            Process read = new ProcessBuilder("curl", "-sS", "--aws-sigv4", "aws:amz:" + local.emulator().cloud().region + ":lambda",
                    "--user", LocalPeople.ALICE.accessKeyId() + ":" + LocalPeople.ALICE.secretAccessKey(), waiting.group(1))
                    .redirectErrorStream(true).start();
            String shown = new String(read.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, read.waitFor());
            assertTrue(shown.contains("\"planHash\":\"" + planHash + "\""), waiting.group(1) + " -> " + shown);
            String body = Approvers.answer(pending.get("execution").asText(), true, planHash, null);
            Process curl = new ProcessBuilder("curl", "-sS", "--aws-sigv4", "aws:amz:" + local.emulator().cloud().region + ":lambda",
                    "--user", LocalPeople.ALICE.accessKeyId() + ":" + LocalPeople.ALICE.secretAccessKey(),
                    "-H", "content-type: application/json", "--data", body, local.host().functionUrl(Runner.ANSWER_APPROVAL).toString())
                    .redirectErrorStream(true).start();
            replies.add(new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            assertEquals(0, curl.waitFor());
            // Answered once: the same answer again finds nothing waiting.
            replies.add(String.valueOf(call(local, "POST", null, body, LocalPeople.ALICE).status()));
        });
        assertEquals("SUCCEEDED", o.report().status(), o.progress() + replies);
        assertTrue(replies.get(0).contains("\"answer\":\"approved\""), replies.get(0));
        assertEquals("404", replies.get(1));
        assertEquals("m5.xlarge", o.instance().get("instanceType"));
        Map<String, String> tags = o.tags();
        assertEquals("approved", tags.get("xen2nitro:approval"));
        assertEquals(LocalPeople.ALICE.arn("123456789012"), tags.get("xen2nitro:approver"));
        assertEquals("cli", tags.get("xen2nitro:approval-via"));
        assertTrue(tags.get("xen2nitro:approval-at").matches("[0-9-]{10}T[0-9:]{8}Z"), tags.toString());
        JsonNode check = o.report().output().get("approvalCheck");
        assertTrue(check.get("signed").asBoolean() && check.get("approved").asBoolean(), check.toString());
        String report = String.valueOf(o.list("notifications").get(o.list("notifications").size() - 1).get("message"));
        assertTrue(report.contains("approved by " + LocalPeople.ALICE.arn("123456789012") + " via cli"), report);
        List<String> v = o.report().visited();
        assertTrue(v.indexOf("VerifyApproval") < v.indexOf("PreflightBeforeStop") && v.indexOf("PreflightBeforeStop") < v.indexOf("StopInstance"),
                v.toString());
        assertTrue(o.list("parameters").isEmpty(), "the pending approval is gone: " + o.list("parameters"));
    }

    /** Whatever else anyone holding the token sends: a rejection, naming why. */
    @ParameterizedTest
    @ValueSource(strings = {"{\"approved\":false}", "{\"approved\":true,\"approver\":\"ops@example.com\"}", "{}", "\"approved\""})
    void aRawAnswerWithTheTaskTokenIsARejection(String output) throws Exception {
        Outcome o = run((local, pending) -> sendWithTheToken(local, pending, output));
        o.rejectedBecause("is not the approval function's (it carries no signature); a task token alone approves nothing");
        assertNull(o.tags().get("xen2nitro:approval"), "nobody approved or rejected");
    }

    @Test
    void anAnswerInTheApprovalFunctionsShapeWithAForgedSignatureIsARejection() throws Exception {
        Outcome o = run((local, pending) -> {
            byte[] guess = new byte[32];
            new java.security.SecureRandom().nextBytes(guess);
            Answer forged = new Answer(true, LocalPeople.ALICE.arn("123456789012"), "cli", "2026-11-27T09:30:00Z", SEED, "m5.xlarge",
                    pending.get("planHash").asText(), "", java.util.Base64.getEncoder().encodeToString(guess));
            sendWithTheToken(local, pending, forged.toJson().toString());
        });
        o.rejectedBecause("the answer's signature does not verify");
    }

    /**
     * Signed with the approval key (taken here from the local cloud, as whoever held the key could) but for something else
     * than what this execution waits for: the checks after the signature's refuse it.
     */
    @ParameterizedTest
    @CsvSource({"plan,approves plan 0000", "instance,approves instance i-0f1e2d3c4b5a60009", "execution,signature does not verify"})
    void aSignedAnswerForAnotherPlanInstanceOrExecutionIsARejection(String other, String why) throws Exception {
        Outcome o = run((local, pending) -> {
            String execution = pending.get("execution").asText();
            Answer a = new Answer(true, LocalPeople.ALICE.arn("123456789012"), "cli", "2026-11-27T09:30:00Z",
                    other.equals("instance") ? "i-0f1e2d3c4b5a60009" : SEED, "m5.xlarge",
                    other.equals("plan") ? "0".repeat(64) : pending.get("planHash").asText(), "", null);
            byte[] key = local.emulator().cloud().kmsKeys.values().stream().filter(k -> "HMAC_256".equals(k.keySpec)).findFirst().orElseThrow().material;
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            byte[] signature = mac.doFinal(a.message(other.equals("execution") ? execution + "-another" : execution));
            sendWithTheToken(local, pending, a.signed(java.util.Base64.getEncoder().encodeToString(signature)).toJson().toString());
        });
        o.rejectedBecause(why);
    }

    @Test
    void onlyNamedApproversAnswerWhoTheyAreComesFromTheSignedRequestAndARejectionIsRecorded() throws Exception {
        Map<String, Integer> status = new java.util.LinkedHashMap<>();
        Outcome o = run((local, pending) -> {
            String execution = pending.get("execution").asText();
            String planHash = pending.get("planHash").asText();
            // Claiming to be bob in the body changes nothing: the caller is the signer.
            String approve = "{\"execution\":\"" + execution + "\",\"decision\":\"approve\",\"planHash\":\"" + planHash + "\",\"approver\":\"bob\"}";
            status.put("nobody (IAM refuses)", call(local, "POST", null, approve, LocalPeople.NOBODY).status());
            status.put("operator (not an approver)", call(local, "POST", null, approve, LocalPeople.OPERATOR).status());
            status.put("alice, another plan", call(local, "POST", null, Approvers.answer(execution, true, "0".repeat(64), null), LocalPeople.ALICE).status());
            // The state machine's role may not invoke the approval function at all, let alone with a made-up caller.
            var invoke = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(local.host().endpoint()
                            .resolve("/2015-03-31/functions/AnswerApprovalFunction/invocations"))
                    .header("Authorization", "AWS4-HMAC-SHA256 Credential=" + LocalCloud.credentials("MigrateInstanceStateMachine").accessKeyId()
                            + "/20260101/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=0")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            status.put("the state machine invoking it", invoke.statusCode());
            assertEquals("waiting", local.emulator().cloud().taskTokens.get(pending.get("taskToken").asText()).status, "nothing was sent yet");
            status.put("bob rejects", call(local, "POST", null, Approvers.answer(execution, false, null, "the application team is not ready"),
                    LocalPeople.BOB).status());
        });
        assertEquals(Map.of("nobody (IAM refuses)", 403, "operator (not an approver)", 403, "alice, another plan", 409,
                "the state machine invoking it", 403, "bob rejects", 200), status);
        o.rejectedBecause("rejected by " + LocalPeople.BOB.arn("123456789012") + " via cli at ");
        assertTrue(o.report().cause().contains("the application team is not ready"), o.report().cause());
        assertEquals("rejected", o.tags().get("xen2nitro:approval"));
        assertEquals(LocalPeople.BOB.arn("123456789012"), o.tags().get("xen2nitro:approver"));
        assertEquals("cli", o.tags().get("xen2nitro:approval-via"));
    }

    @Test
    void twoApprovalsAreNeededWhenTheStackSaysSoAndOneApproverCannotGiveBoth() throws Exception {
        List<Integer> status = new ArrayList<>();
        Outcome o = run(Map.of("MinimumApprovals", "2"), (local, pending) -> {
            status.add(approve(local, LocalPeople.ALICE).status());
            status.add(approve(local, LocalPeople.ALICE).status());
            assertEquals("waiting", local.emulator().cloud().taskTokens.get(pending.get("taskToken").asText()).status, "one approval of two");
            status.add(approve(local, LocalPeople.BOB).status());
        });
        assertEquals(List.of(202, 409, 200), status);
        assertEquals("SUCCEEDED", o.report().status(), o.progress());
        assertEquals("m5.xlarge", o.instance().get("instanceType"));
        assertEquals(LocalPeople.ALICE.arn("123456789012") + "," + LocalPeople.BOB.arn("123456789012"), o.tags().get("xen2nitro:approver"));
    }

    @Test
    void whoeverStartedTheExecutionCannotApproveItButMayReject() throws Exception {
        List<String> replies = new ArrayList<>();
        Outcome o = run(Map.of(), LocalPeople.ALICE, (local, pending) -> {
            assertEquals(LocalPeople.ALICE.arn("123456789012"), pending.get("requestedBy").asText(), "CloudTrail knows who started it");
            Approvers.Reply own = approve(local, LocalPeople.ALICE);
            replies.add(own.status() + " " + JSON.readTree(own.body()).get("message").asText());
            replies.add(String.valueOf(approve(local, LocalPeople.BOB).status()));
        });
        assertTrue(replies.get(0).startsWith("403 " + LocalPeople.ALICE.arn("123456789012") + " started "), replies.toString());
        assertEquals("200", replies.get(1));
        assertEquals("SUCCEEDED", o.report().status(), o.progress());
        assertEquals(LocalPeople.BOB.arn("123456789012"), o.tags().get("xen2nitro:approver"));
        String mail = String.valueOf(o.list("notifications").get(0).get("message"));
        assertTrue(mail.contains("Started by " + LocalPeople.ALICE.arn("123456789012") + " (CloudTrail), who cannot approve it."), mail);
    }

    @Test
    void aPendingApprovalRewrittenByAnyoneButXen2nitroAnswersNothing() throws Exception {
        List<String> replies = new ArrayList<>();
        Outcome o = run((local, pending) -> {
            Cloud cloud = local.emulator().cloud();
            // Whoever may put parameters on the path (and use aws/ssm, as the whole account may) rewrites the record: the
            // starter cleared, and alice's link hash replaced by one whose secret they hold; the MAC cannot follow.
            String secret = "a-secret-of-the-one-who-rewrote-it-0000000";
            synchronized (cloud) {
                Cloud.Parameter p = cloud.parameters.values().stream().filter(x -> x.name.contains("/approvals/")).findFirst().orElseThrow();
                com.fasterxml.jackson.databind.node.ObjectNode kept = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(p.value);
                com.fasterxml.jackson.databind.node.ObjectNode forged = (com.fasterxml.jackson.databind.node.ObjectNode) kept.get("pending");
                forged.putNull("requestedBy");
                ((com.fasterxml.jackson.databind.node.ObjectNode) forged.get("links")).put(LocalPeople.ALICE.arn("123456789012"),
                        java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8))));
                p.value = kept.toString();
            }
            String link = ApprovalPageTest.link(local);
            String forgedLink = link.substring(0, link.indexOf("&key=") + 5) + secret;
            HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(forgedLink)).build(),
                    HttpResponse.BodyHandlers.ofString());
            replies.add(page.statusCode() + " " + (page.body().contains("does not carry xen2nitro&#39;s MAC") ? "refused" : page.body()));
            Approvers.Reply byBob = call(local, "POST", null, Approvers.answer(pending.get("execution").asText(), true,
                    pending.get("planHash").asText(), null), LocalPeople.BOB);
            replies.add(byBob.status() + " " + JSON.readTree(byBob.body()).get("message").asText());
            assertEquals("waiting", cloud.taskTokens.get(pending.get("taskToken").asText()).status, "nothing was sent");
            sendWithTheToken(local, pending, "{}");
        });
        assertEquals("403 refused", replies.get(0));
        assertTrue(replies.get(1).startsWith("403 Not accepted: the pending approval "), replies.get(1));
        assertTrue(replies.get(1).contains("does not carry xen2nitro's MAC"), replies.get(1));
        o.rejectedBecause("is not the approval function");
    }

    @Test
    void whileCloudTrailHasNotDeliveredTheStartNoApprovalCountsThenTheStarterIsLookedUpAgain() throws Exception {
        List<String> replies = new ArrayList<>();
        Outcome o = run(Map.of(), LocalPeople.ALICE, cloud -> cloud.trailDeliverySeconds = 1e9, (local, pending) -> {
            Cloud cloud = local.emulator().cloud();
            assertFalse(pending.get("starterSettled").asBoolean(), pending.toString());
            assertTrue(pending.get("requestedBy").isNull());
            Approvers.Reply early = approve(local, LocalPeople.ALICE);
            replies.add(early.status() + " " + JSON.readTree(early.body()).get("message").asText());
            cloud.trailDeliverySeconds = 0;
            replies.add(String.valueOf(approve(local, LocalPeople.ALICE).status()));
            replies.add(String.valueOf(approve(local, LocalPeople.BOB).status()));
        });
        assertTrue(replies.get(0).startsWith("503 Who started ") && replies.get(0).contains("approve again in a few minutes"), replies.get(0));
        assertEquals(List.of("403", "200"), replies.subList(1, 3), "once CloudTrail has it, the starter (alice) is refused and bob approves");
        assertEquals("SUCCEEDED", o.report().status(), o.progress());
        assertEquals(LocalPeople.BOB.arn("123456789012"), o.tags().get("xen2nitro:approver"));
        String mail = String.valueOf(o.list("notifications").get(0).get("message"));
        assertTrue(mail.contains("It is looked for again before an approval counts."), mail);
    }
}
