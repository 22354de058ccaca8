package dev.xen2nitro.functions.approval;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The approval's decisions, without AWS: the plan's hash, who is an approver, and what an answer does. */
class ApprovalRulesTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String EXECUTION = "arn:aws:states:us-east-1:123456789012:execution:xen2nitro-MigrateInstance:run-1";
    static final String ALICE = "arn:aws:iam::123456789012:user/alice";
    static final String BOB = "arn:aws:iam::123456789012:user/bob";
    static final Instant NOW = Instant.parse("2026-11-27T09:30:00Z");

    static final String APPROVERS_ROLE = "arn:aws:iam::123456789012:role/ops/Approver";

    static PendingApproval pending(String requestedBy) {
        return new PendingApproval(EXECUTION, "token", "i-0a1b2c3d4e5f60001", "m5.xlarge", "h1", "ami-0a1b2c3d4e5f60001", "2026-11-27T08:40:00Z",
                requestedBy, true, "2026-11-27T09:00:00Z", "2026-11-28T09:00:00Z", List.of(), List.of(),
                java.util.Map.of(ALICE, "hash-of-alices-link-key", BOB, "hash-of-bobs-link-key"));
    }

    @Test
    void thePlanHashIsTheSameForTheSamePlanWrittenInAnyOrderAndChangesWithAnyValue() throws Exception {
        JsonNode a = JSON.readTree("{\"target\":\"t\",\"checks\":[{\"name\":\"x\",\"passed\":true}],\"backupImageId\":\"ami-1\"}");
        JsonNode b = JSON.readTree("{ \"backupImageId\": \"ami-1\", \"checks\": [ {\"passed\": true, \"name\": \"x\"} ], \"target\": \"t\" }");
        assertEquals(PlanHash.of(a), PlanHash.of(b));
        assertEquals("{\"backupImageId\":\"ami-1\",\"checks\":[{\"name\":\"x\",\"passed\":true}],\"target\":\"t\"}", PlanHash.canonical(b));
        assertNotEquals(PlanHash.of(a), PlanHash.of(JSON.readTree("{\"target\":\"t\",\"checks\":[{\"name\":\"x\",\"passed\":false}],\"backupImageId\":\"ami-1\"}")));
        assertNotEquals(PlanHash.of(a), PlanHash.of(JSON.readTree("{\"target\":\"t\",\"checks\":[],\"backupImageId\":\"ami-1\"}")),
                "the order of a list is part of the plan");
        assertEquals(64, PlanHash.of(a).length());
    }

    @Test
    void aUserIsNamedByItsArnAndARoleNamesEverySessionOfItButNoOtherRole() {
        Approvers a = Approvers.of(ALICE + ",arn:aws:iam::123456789012:role/ops/Approver,arn:aws:sts::123456789012:assumed-role/Admin/carol", "1");
        assertTrue(a.names(ALICE));
        assertFalse(a.names(BOB));
        assertTrue(a.names("arn:aws:sts::123456789012:assumed-role/Approver/dave"), "a role's path is not in its sessions' ARNs");
        assertFalse(a.names("arn:aws:sts::123456789012:assumed-role/Approver2/dave"));
        assertFalse(a.names("arn:aws:sts::210987654321:assumed-role/Approver/dave"), "another account's role of the same name");
        assertTrue(a.names("arn:aws:sts::123456789012:assumed-role/Admin/carol"));
        assertFalse(a.names("arn:aws:sts::123456789012:assumed-role/Admin/mallory"), "a named session names that session only");
        assertFalse(a.names(null));
        assertFalse(Approvers.of("", "1").names(ALICE), "no approvers: nobody approves");
        assertEquals("arn:aws:iam::123456789012:role/ops/Approver", a.entryOf("arn:aws:sts::123456789012:assumed-role/Approver/dave"));
        assertTrue(a.same("arn:aws:sts::123456789012:assumed-role/Approver/dave", "arn:aws:sts::123456789012:assumed-role/Approver/erin"),
                "two sessions of one role entry are one approver");
        assertFalse(a.same(ALICE, "arn:aws:sts::123456789012:assumed-role/Approver/dave"));
        assertFalse(a.same(ALICE, null));
    }

    @Test
    void oneApprovalOfThePlanMailedAnswersWhenOneIsRequired() {
        AnswerRules.Outcome o = AnswerRules.decide(pending(null), ALICE, AnswerRules.Decision.APPROVE, "h1", null, "cli", NOW, Approvers.of(ALICE, "1"));
        assertEquals(200, o.status());
        Answer a = o.answer();
        assertTrue(a.approved());
        assertEquals(ALICE, a.approver());
        assertEquals("cli", a.via());
        assertEquals("2026-11-27T09:30:00Z", a.at());
        assertEquals("h1", a.planHash());
        assertNull(a.signature(), "signed by the handler with KMS");
    }

    @Test
    void approvalsAreRefusedForAnotherPlanAfterTheExpiryToTheStarterAndToStrangers() {
        Approvers approvers = Approvers.of(ALICE + "," + BOB, "1");
        assertEquals(409, AnswerRules.decide(pending(null), ALICE, AnswerRules.Decision.APPROVE, "h2", null, "cli", NOW, approvers).status());
        assertEquals(400, AnswerRules.decide(pending(null), ALICE, AnswerRules.Decision.APPROVE, null, null, "cli", NOW, approvers).status());
        assertEquals(410, AnswerRules.decide(pending(null), ALICE, AnswerRules.Decision.APPROVE, "h1", null, "cli",
                Instant.parse("2026-11-28T09:00:01Z"), approvers).status());
        AnswerRules.Outcome starter = AnswerRules.decide(pending(ALICE), ALICE, AnswerRules.Decision.APPROVE, "h1", null, "cli", NOW, approvers);
        assertEquals(403, starter.status());
        assertTrue(starter.message().contains("started"), starter.message());
        assertEquals(200, AnswerRules.decide(pending(ALICE), BOB, AnswerRules.Decision.APPROVE, "h1", null, "cli", NOW, approvers).status());
        assertEquals(403, AnswerRules.decide(pending(null), "arn:aws:iam::123456789012:user/mallory", AnswerRules.Decision.REJECT, null, "no", "cli",
                NOW, approvers).status(), "only approvers answer, rejections too");
    }

    @Test
    void theStarterIsRefusedUnderAnotherSessionOfTheSameRoleAndNoApprovalCountsWhileTheStarterIsNotKnown() {
        Approvers approvers = Approvers.of(APPROVERS_ROLE + "," + BOB, "1");
        String dave = "arn:aws:sts::123456789012:assumed-role/Approver/dave";
        String daveAgain = "arn:aws:sts::123456789012:assumed-role/Approver/not-dave";
        AnswerRules.Outcome again = AnswerRules.decide(pending(dave), daveAgain, AnswerRules.Decision.APPROVE, "h1", null, "cli", NOW, approvers);
        assertEquals(403, again.status(), "a session name is the caller's choice");
        assertTrue(again.message().contains("(as " + dave + ")"), again.message());
        PendingApproval unknown = new PendingApproval(EXECUTION, "token", "i-0a1b2c3d4e5f60001", "m5.xlarge", "h1", "ami-1", "2026-11-27T08:40:00Z",
                null, false, "2026-11-27T09:00:00Z", "2026-11-28T09:00:00Z", List.of(), List.of(), java.util.Map.of());
        AnswerRules.Outcome early = AnswerRules.decide(unknown, BOB, AnswerRules.Decision.APPROVE, "h1", null, "cli", NOW, approvers);
        assertEquals(503, early.status());
        assertTrue(early.message().contains("approve again in a few minutes"), early.message());
        assertNull(early.recorded(), "nothing kept");
        assertEquals(200, AnswerRules.decide(unknown, BOB, AnswerRules.Decision.REJECT, null, "no", "cli", NOW, approvers).status(),
                "a rejection needs no starter");
        assertEquals(200, AnswerRules.decide(unknown.startedBy(null), BOB, AnswerRules.Decision.APPROVE, "h1", null, "cli", NOW, approvers).status(),
                "a start by a service (no ARN in CloudTrail) is known: nobody is the starter");
    }

    @Test
    void anIdentityCenterUserIsOneApproverAndTheStarterWhateverThePermissionSet() {
        String adminAlice = "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/alice@example.com";
        String approverAlice = "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Approvers_fedcba9876543210/alice@example.com";
        String approverBob = "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Approvers_fedcba9876543210/bob@example.com";
        Approvers approvers = Approvers.of("arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Approvers_fedcba9876543210,"
                + approverAlice.replace("AWSReservedSSO_Approvers_fedcba9876543210", "AWSReservedSSO_Other_1111111111111111"), "2");
        assertTrue(approvers.same(adminAlice, approverAlice));
        assertFalse(approvers.same(approverAlice, approverBob), "Identity Center names each session after its user");
        assertEquals(403, AnswerRules.decide(pending(adminAlice), approverAlice, AnswerRules.Decision.APPROVE, "h1", null, "cli", NOW, approvers)
                .status(), "alice started it under another permission set");
        AnswerRules.Outcome first = AnswerRules.decide(pending(null), approverAlice, AnswerRules.Decision.APPROVE, "h1", null, "cli", NOW, approvers);
        assertEquals(202, first.status());
        String otherAlice = approverAlice.replace("AWSReservedSSO_Approvers_fedcba9876543210", "AWSReservedSSO_Other_1111111111111111");
        assertEquals(409, AnswerRules.decide(first.recorded(), otherAlice, AnswerRules.Decision.APPROVE, "h1", null, "cli", NOW, approvers).status(),
                "alice through two entries is one approver");
        assertEquals(200, AnswerRules.decide(first.recorded(), approverBob, AnswerRules.Decision.APPROVE, "h1", null, "cli", NOW, approvers).status(),
                "two people of one permission set are two approvers");
    }

    @Test
    void sessionsOfOneRoleEntryCountAsOneApprover() {
        Approvers two = Approvers.of(APPROVERS_ROLE + "," + BOB, "2");
        AnswerRules.Outcome first = AnswerRules.decide(pending(null), "arn:aws:sts::123456789012:assumed-role/Approver/dave",
                AnswerRules.Decision.APPROVE, "h1", null, "cli", NOW, two);
        assertEquals(202, first.status());
        assertEquals(APPROVERS_ROLE, first.recorded().approvals().get(0).entry());
        AnswerRules.Outcome second = AnswerRules.decide(first.recorded(), "arn:aws:sts::123456789012:assumed-role/Approver/dave-2",
                AnswerRules.Decision.APPROVE, "h1", null, "cli", NOW, two);
        assertEquals(409, second.status(), second.message());
        assertEquals(1, first.recorded().approvals().size());
    }

    @Test
    void theStarterMayRejectAndARejectionNeedsNoPlanHash() {
        AnswerRules.Outcome o = AnswerRules.decide(pending(ALICE), ALICE, AnswerRules.Decision.REJECT, null, "not tonight", "cli", NOW,
                Approvers.of(ALICE, "2"));
        assertEquals(200, o.status());
        assertFalse(o.answer().approved());
        assertEquals("not tonight", o.answer().reason());
        assertEquals("h1", o.answer().planHash(), "a rejection names the plan it rejects");
    }

    @Test
    void twoApprovalsAreTwoApproversAndTheFirstIsKeptUntilTheSecond() {
        Approvers two = Approvers.of(ALICE + "," + BOB, "2");
        AnswerRules.Outcome first = AnswerRules.decide(pending(null), ALICE, AnswerRules.Decision.APPROVE, "h1", null, "cli", NOW, two);
        assertEquals(202, first.status());
        assertNull(first.answer());
        assertEquals(List.of(ALICE), first.recorded().approvals().stream().map(PendingApproval.Approval::approver).toList());
        assertEquals(409, AnswerRules.decide(first.recorded(), ALICE, AnswerRules.Decision.APPROVE, "h1", null, "cli", NOW, two).status(),
                "the same approver twice is one approval");
        AnswerRules.Outcome second = AnswerRules.decide(first.recorded(), BOB, AnswerRules.Decision.APPROVE, "h1", null, "cli", NOW, two);
        assertEquals(200, second.status());
        assertEquals(ALICE + "," + BOB, second.answer().approver());
    }

    @Test
    void theSignedMessageNamesTheExecutionAndEveryFieldSoThatAnyChangeChangesIt() {
        Answer a = new Answer(true, ALICE, "cli", "2026-11-27T09:30:00Z", "i-0a1b2c3d4e5f60001", "m5.xlarge", "h1", "", null);
        String m = new String(a.message(EXECUTION), StandardCharsets.UTF_8);
        assertEquals("{\"approved\":true,\"approver\":\"" + ALICE + "\",\"at\":\"2026-11-27T09:30:00Z\",\"execution\":\"" + EXECUTION
                + "\",\"instanceId\":\"i-0a1b2c3d4e5f60001\",\"planHash\":\"h1\",\"purpose\":\"xen2nitro approval\",\"reason\":\"\","
                + "\"targetType\":\"m5.xlarge\",\"via\":\"cli\"}", m);
        assertNotEquals(m, new String(a.message(EXECUTION + "x"), StandardCharsets.UTF_8));
        assertNotEquals(m, new String(new Answer(false, ALICE, "cli", a.at(), a.instanceId(), a.targetType(), "h1", "", null).message(EXECUTION),
                StandardCharsets.UTF_8));
    }

    @Test
    void anythingButTheApprovalFunctionsShapeIsNoAnswer() throws Exception {
        assertNull(Answer.read(JSON.readTree("{\"approved\":true}")));
        assertNull(Answer.read(JSON.readTree("{}")));
        assertNull(Answer.read(JSON.readTree("\"yes\"")));
        assertNull(Answer.read(JSON.readTree("{\"approved\":\"true\",\"approver\":\"a\",\"via\":\"cli\",\"at\":\"t\",\"instanceId\":\"i\","
                + "\"targetType\":\"m5.xlarge\",\"planHash\":\"h\",\"reason\":\"\",\"signature\":\"s\"}")), "approved is a boolean");
        Answer a = new Answer(true, ALICE, "cli", "t", "i", "m5.xlarge", "h", "", "s");
        assertEquals(a, Answer.read(a.toJson()));
    }

    @Test
    void aLinkAnswersOnceAsTheApproverItWasMailedToAndThatApproverOnlyOnce() {
        Approvers two = Approvers.of(ALICE + "," + BOB, "2");
        assertEquals(ALICE, pending(null).linkEntry("hash-of-alices-link-key"));
        assertNull(pending(null).linkEntry("hash-of-another-key"));
        AnswerRules.Outcome byLink = AnswerRules.decide(pending(null), ALICE, AnswerRules.Decision.APPROVE, "h1", null, "link", NOW, two);
        assertEquals(202, byLink.status(), byLink.message());
        assertEquals(List.of(new PendingApproval.Approval(ALICE, ALICE, "link", NOW.toString())), byLink.recorded().approvals());
        assertEquals(409, AnswerRules.decide(byLink.recorded(), ALICE, AnswerRules.Decision.REJECT, null, "no", "link", NOW, two).status(),
                "the link works once");
        assertEquals(409, AnswerRules.decide(byLink.recorded(), ALICE, AnswerRules.Decision.APPROVE, "h1", null, "cli", NOW, two).status(),
                "alice's link and alice's credentials are one approver");
        AnswerRules.Outcome bob = AnswerRules.decide(byLink.recorded(), BOB, AnswerRules.Decision.APPROVE, "h1", null, "cli", NOW, two);
        assertEquals(ALICE + "," + BOB, bob.answer().approver());
        assertEquals("link,cli", bob.answer().via());
        assertEquals(403, AnswerRules.decide(pending(ALICE), ALICE, AnswerRules.Decision.APPROVE, "h1", null, "link", NOW, two).status(),
                "the starter's own link does not approve");
    }

    @Test
    void thePlanInLinesNamesTheMoveEachStepInOrderAndTheChecks() throws Exception {
        JsonNode report = JSON.readTree("{\"target\":\"the next generation\",\"facts\":{\"instanceType\":\"m4.xlarge\"},"
                + "\"checks\":[{\"passed\":true},{\"passed\":true}],\"plan\":{"
                + "\"nvme\":{\"name\":\"InstallNvmeDriver\",\"run\":true,\"reason\":\"NVMe absent -> 1.5.1\"},"
                + "\"pv\":{\"name\":\"InstallPvDriver\",\"run\":false,\"reason\":\"AWS PV 8.4.3 is current\"}}}");
        assertEquals(List.of("Type: m4.xlarge -> m5.xlarge (the next generation)", "InstallPvDriver: AWS PV 8.4.3 is current (skipped)",
                "InstallNvmeDriver: NVMe absent -> 1.5.1", "Preflight: 2 of 2 checks passed"), PlanSummary.of(report, "m5.xlarge"));
    }

    @Test
    void thePageEscapesWhatItShowsAndAsksForTheConfirmation() {
        PendingApproval p = new PendingApproval(EXECUTION, "token", "i-0a1b2c3d4e5f60001", "m5.xlarge", "h1", "ami-1", "t", null, true, "t0", "t1",
                List.of(), List.of("<script>alert(1)</script>"), java.util.Map.of(ALICE, "k"));
        String html = ApprovalPage.review(p, Approvers.of(ALICE, "1"), ALICE, "0123456789abcdef", "secret\"x");
        assertFalse(html.contains("<script>"), html);
        assertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), html);
        assertTrue(html.contains("value=\"secret&quot;x\""), html);
        assertTrue(html.contains("name=\"confirm\" value=\"yes\" required"), html);
        assertTrue(html.contains("<th>You answer as</th><td>" + ALICE + "</td>"), html);
        assertFalse(html.contains("token"), "the task token is not on the page");
        assertTrue(ApprovalPage.HEADERS.get("content-security-policy").startsWith("default-src 'none'"));
        assertEquals("no-referrer", ApprovalPage.HEADERS.get("referrer-policy"));
    }

    /** The execution a GET names is the same whether the query's value comes decoded or still percent-encoded. */
    @Test
    void theExecutionOfAGetIsReadDecodedOrEncoded() {
        String named = "arn:aws:states:us-east-1:123456789012:execution:xen2nitro-MigrateInstance:a+b(c)@d";
        String encoded = "arn%3Aaws%3Astates%3Aus-east-1%3A123456789012%3Aexecution%3Axen2nitro-MigrateInstance%3Aa%2Bb%28c%29%40d";
        assertEquals(named, AnswerApproval.executionOf(java.util.Map.of("execution", named)));
        assertEquals(named, AnswerApproval.executionOf(java.util.Map.of("execution", encoded)));
        assertNull(AnswerApproval.executionOf(null));
        assertNull(AnswerApproval.executionOf(java.util.Map.of()));
    }
}
