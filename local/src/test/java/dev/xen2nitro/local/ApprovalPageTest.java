package dev.xen2nitro.local;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.xen2nitro.local.host.LocalPeople;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * The mailed link in a browser (headless Chromium), against the local cloud: the page shows what waits and changes
 * nothing; approving takes the confirmation and answers once; a reused, tampered or expired link shows a refusal and
 * changes nothing. The page's screenshot is written to local/target/approval-page.png.
 */
@Execution(ExecutionMode.CONCURRENT)
class ApprovalPageTest {
    static final Pattern LINK = Pattern.compile("^  (http\\S+\\?approval=\\S+)$", Pattern.MULTILINE);

    static final String ALICE = LocalPeople.ALICE.arn("123456789012");

    /** The link as the approval request mailed it to alice: the message whose attribute "approver" her subscription filters on. */
    static String link(LocalCloud local) {
        return link(local, ALICE);
    }

    @SuppressWarnings("unchecked")
    static String link(LocalCloud local, String approver) {
        List<String> found = new ArrayList<>();
        for (Map<String, Object> n : (List<Map<String, Object>>) local.world().get("notifications")) {
            Matcher m = LINK.matcher(String.valueOf(n.get("message")));
            Map<String, Object> attributes = (Map<String, Object>) n.get("attributes");
            if (String.valueOf(n.get("subject")).startsWith("xen2nitro: approve") && m.find()) {
                assertNotNull(attributes.get("approver"), "a link is mailed only in an approver's own message, which the stack's address does not get");
                if (approver.equals(attributes.get("approver"))) found.add(m.group(1));
            }
        }
        assertEquals(1, found.size(), "one link for " + approver + ": " + found);
        return found.get(0);
    }

    @Test
    void theLinkShowsThePlanAndApprovesOnceWithItsConfirmation() throws Exception {
        List<String> seen = new ArrayList<>();
        ApprovalWorkflowTest.Outcome o = ApprovalWorkflowTest.run((local, pending) -> {
            String link = link(local);
            try (HeadlessChromium browser = HeadlessChromium.start()) {
                browser.open(link);
                String page = browser.text();
                seen.add(page);
                String token = pending.get("taskToken").asText();
                assertFalse(link.contains(token) || browser.evaluate("document.documentElement.outerHTML").contains(token),
                        "the task token is in neither the link nor the page");
                Files.createDirectories(Path.of("target"));
                Files.write(Path.of("target/approval-page.png"), browser.screenshot());
                assertEquals("waiting", local.emulator().cloud().taskTokens.get(pending.get("taskToken").asText()).status, "opening changes nothing");
                // The browser will not send the approval without its confirmation (the box is required).
                browser.evaluate("document.getElementById('approve').click()");
                assertEquals("true", browser.evaluate("document.getElementById('confirm').matches(':invalid')"));
                browser.submit("document.getElementById('confirm').click(); document.getElementById('approve').click()");
                seen.add(browser.text());
                browser.open(link);
                seen.add(browser.text());
            }
        });
        String page = seen.get(0);
        for (String shown : List.of(ApprovalWorkflowTest.SEED, "m5.xlarge", "Backup AMI\tami-", "Requested by\t" + LocalPeople.OPERATOR.arn("123456789012"),
                "Plan hash\t", "InstallNvmeDriver: NVMe absent -> 1.5.1", "Type: m4.xlarge -> m5.xlarge", "Approvals\t0 of 1", "You answer as\t" + ALICE)) {
            assertTrue(page.contains(shown), shown + " is not on the page:\n" + page);
        }
        assertTrue(seen.get(1).startsWith("Approved"), seen.get(1));
        assertTrue(seen.get(2).startsWith("Nothing waits"), "a used link: " + seen.get(2));
        assertEquals("SUCCEEDED", o.report().status(), o.progress());
        assertEquals("m5.xlarge", o.instance().get("instanceType"));
        assertEquals("approved", o.tags().get("xen2nitro:approval"));
        assertEquals(ALICE, o.tags().get("xen2nitro:approver"), "the approver the link was mailed to");
        assertEquals("link", o.tags().get("xen2nitro:approval-via"));
    }

    @Test
    void aTamperedLinkOrAnUnconfirmedApprovalChangesNothingAndThePageRejects() throws Exception {
        List<String> seen = new ArrayList<>();
        List<Integer> status = new ArrayList<>();
        ApprovalWorkflowTest.Outcome o = ApprovalWorkflowTest.run((local, pending) -> {
            String link = link(local);
            String tampered = link.substring(0, link.length() - 2) + (link.endsWith("AA") ? "BB" : "AA");
            try (HeadlessChromium browser = HeadlessChromium.start()) {
                browser.open(tampered);
                seen.add(browser.text());
                // Without the browser's check: the form posted without its confirmation.
                String query = URI.create(link).getRawQuery();
                HttpResponse<String> unconfirmed = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(link.substring(0, link.indexOf('?'))))
                        .header("content-type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(query + "&decision=approve&planHash=" + pending.get("planHash").asText())).build(),
                        HttpResponse.BodyHandlers.ofString());
                status.add(unconfirmed.statusCode());
                assertEquals("waiting", local.emulator().cloud().taskTokens.get(pending.get("taskToken").asText()).status, "nothing was sent");
                browser.open(link);
                browser.submit("document.getElementById('reason').value = 'not before the quarter closes';"
                        + " document.getElementById('reject').click()");
                seen.add(browser.text());
            }
        });
        assertTrue(seen.get(0).startsWith("Not the link that was mailed"), seen.get(0));
        assertEquals(List.of(400), status, "an approval needs its confirmation");
        assertTrue(seen.get(1).startsWith("Rejected"), seen.get(1));
        o.rejectedBecause("rejected by " + ALICE + " via link at ");
        assertTrue(o.report().cause().contains("not before the quarter closes"), o.report().cause());
        assertEquals("link", o.tags().get("xen2nitro:approval-via"));
    }

    @Test
    void anExpiredLinkShowsARefusal() throws Exception {
        String[] link = new String[1];
        String[] page = new String[1];
        try (LocalCloud local = LocalCloud.open(Worlds.root(), dev.xen2nitro.local.world.WorldLoader.load(Worlds.read("seed-2012r2-private"), "seed"))) {
            // The shortest wait there is: a minute, which the local cloud's time factor makes 60 ms.
            Runner.Report r = local.run("MigrateInstanceStateMachine", "{\"instanceId\":\"" + ApprovalWorkflowTest.SEED
                    + "\",\"approvalTimeoutSeconds\":60}", "manual", new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
            assertEquals("Xen2Nitro.ApprovalTimedOut", r.error());
            link[0] = link(local);
            try (HeadlessChromium browser = HeadlessChromium.start()) {
                browser.open(link[0]);
                page[0] = browser.text();
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> i = ((List<Map<String, Object>>) local.world().get("instances")).get(0);
            assertEquals("m4.xlarge", i.get("instanceType"));
            assertEquals("approval-timed-out", ((Map<?, ?>) i.get("tags")).get("xen2nitro:status"));
        }
        assertTrue(page[0].startsWith("Nothing waits"), page[0]);
    }
}
