package dev.xen2nitro.functions.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The comment a step's command is found again by: within SSM's 100 characters, one per execution and send. */
class GuestCommandsTest {
    /** Step Functions allows execution names of up to 80 characters. */
    static final String LONG = "migrate-erp-app-01-to-m5-after-the-reserved-instances-expire-in-december-2026-ok";

    @Test
    void aLongExecutionNameKeepsEverySendApart() {
        assertEquals(80, LONG.length());
        Set<String> comments = new HashSet<>();
        for (String label : List.of("CaptureGuestFacts", "CaptureGuestFactsAfterPvDriver", "CaptureGuestFactsAfterPvRestore",
                "CaptureGuestFactsAfterMove", "CaptureGuestFactsAfterRestore")) {
            // CaptureGuestFacts names its sends through the execution argument, as its handler does.
            String c = GuestCommands.comment(GuestStep.CaptureGuestFacts, LONG + " " + label, "");
            assertTrue(c.length() <= GuestCommands.COMMENT_LIMIT, c);
            comments.add(c);
        }
        assertEquals(5, comments.size(), "each capture of one execution has a comment of its own: " + comments);
        for (int attempt = 1; attempt <= 60; attempt++) {
            assertTrue(comments.add(GuestCommands.comment(GuestStep.CheckLaunchAgentUpdate, LONG, "#" + attempt)));
        }
    }

    @Test
    void theSameSendHasTheSameCommentAndAnotherExecutionAnother() {
        String a = GuestCommands.comment(GuestStep.InstallPvDriver, "3f6c2a9e-0d5b-4c1e-9a77-2b8e5d1c4f10", "");
        assertEquals(a, GuestCommands.comment(GuestStep.InstallPvDriver, "3f6c2a9e-0d5b-4c1e-9a77-2b8e5d1c4f10", ""));
        assertNotEquals(a, GuestCommands.comment(GuestStep.InstallPvDriver, "3f6c2a9e-0d5b-4c1e-9a77-2b8e5d1c4f11", ""));
        assertTrue(a.startsWith("xen2nitro InstallPvDriver ") && a.endsWith(" 3f6c2a9e-0d5b-4c1e-9a77-2b8e5d1c4f10"), a);
    }
}
