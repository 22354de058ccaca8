package dev.xen2nitro.functions.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The comment a step's command is found again by: within SSM's 100 characters, one per execution and send. */
class GuestCommandsTest {
    /** Step Functions allows state machine and execution names of up to 80 characters each. */
    static final String LONG_NAME = "migrate-erp-app-01-to-m5-after-the-reserved-instances-expire-in-december-2026-ok";
    static final String LONG = "arn:aws:states:eu-central-1:123456789012:execution:"
            + "xen2nitro-prod-MigrateInstanceStateMachine-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789ab:" + LONG_NAME;
    static final String ARN = "arn:aws:states:us-east-1:123456789012:execution:xen2nitro-MigrateInstance:3f6c2a9e-0d5b-4c1e-9a77-2b8e5d1c4f10";

    @Test
    void aLongExecutionArnKeepsEverySendApart() {
        assertEquals(80, LONG_NAME.length());
        Set<String> comments = new HashSet<>();
        for (String label : List.of("CaptureGuestFacts", "CaptureGuestFactsAfterPvDriver", "CaptureGuestFactsAfterPvRestore",
                "CaptureGuestFactsAfterMove", "CaptureGuestFactsAfterRestore")) {
            String c = GuestCommands.comment(GuestStep.CaptureGuestFacts, LONG, label);
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
        String a = GuestCommands.comment(GuestStep.InstallPvDriver, ARN, "");
        assertEquals(a, GuestCommands.comment(GuestStep.InstallPvDriver, ARN, ""));
        assertNotEquals(a, GuestCommands.comment(GuestStep.InstallPvDriver, ARN.replace("4f10", "4f11"), ""));
        assertTrue(a.startsWith("xen2nitro InstallPvDriver ") && a.endsWith(" 3f6c2a9e-0d5b-4c1e-9a77-2b8e5d1c4f10"), a);
    }

    @Test
    void executionsOfTheSameNameInTwoStateMachinesHaveCommentsOfTheirOwn() {
        String other = ARN.replace(":xen2nitro-MigrateInstance:", ":another-stack-MigrateInstance:");
        assertNotEquals(GuestCommands.comment(GuestStep.InstallPvDriver, ARN, ""), GuestCommands.comment(GuestStep.InstallPvDriver, other, ""));
    }

    @Test
    void theCleanupFindsWhatAnExecutionSentAndNothingOfAnother() {
        String other = ARN.replace(":xen2nitro-MigrateInstance:", ":another-stack-MigrateInstance:");
        for (String label : List.of("", "RestoreNetworkConfigAfterPvDriver", "#7")) {
            String c = GuestCommands.comment(GuestStep.RestoreNetworkConfig, LONG, label);
            assertTrue(GuestCommands.sentBy(c, LONG), c);
            assertFalse(GuestCommands.sentBy(c, ARN), c);
        }
        assertTrue(GuestCommands.sentBy(GuestCommands.comment(GuestStep.InstallPvDriver, ARN, ""), ARN));
        assertFalse(GuestCommands.sentBy(GuestCommands.comment(GuestStep.InstallPvDriver, other, ""), ARN));
        assertFalse(GuestCommands.sentBy("an operator's own command", ARN));
        assertFalse(GuestCommands.sentBy(null, ARN));
    }
}
