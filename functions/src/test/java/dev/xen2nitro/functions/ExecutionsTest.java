package dev.xen2nitro.functions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xen2nitro.functions.core.Executions;
import dev.xen2nitro.functions.core.InvalidInputException;
import dev.xen2nitro.functions.lock.AcquireLock;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Executions are keyed by their ARN; names and tokens AWS limits more tightly derive from it. */
class ExecutionsTest {
    static final String ARN = "arn:aws:states:us-east-1:123456789012:execution:xen2nitro-MigrateInstance:run-1";
    static final String SAME_NAME_OTHER_MACHINE = "arn:aws:states:us-east-1:123456789012:execution:other-MigrateInstance:run-1";
    static final String LONGEST = "arn:aws-us-gov:states:us-gov-west-1:123456789012:execution:" + "m".repeat(80) + ":" + "(n+1)=".repeat(13) + "ab";

    @Test
    void anExecutionNameAloneIsRefusedWithWhatToPass() {
        for (String bad : new String[] {"run-1", "arn:aws:states:us-east-1:123456789012:stateMachine:m", "arn:aws:states:us-east-1:1234:execution:m:n",
                "arn:aws:states:us-east-1:123456789012:execution:m:n m", "arn:aws:states:us-east-1:123456789012:execution:m:n{1}",
                "arn:aws:states:us-east-1:123456789012:execution:m:a/b", "arn:aws:states:us-east-1:123456789012:execution:m*:n", ""}) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> Executions.require("execution", bad), bad);
            assertTrue(e.getMessage().contains("$$.Execution.Id"), e.getMessage());
        }
        Executions.require("execution", ARN);
        Executions.require("execution", LONGEST);
    }

    @Test
    void aHandlerGivenANameChangesNothingAndSaysWhy() {
        String in = "{\"instanceId\":\"i-0a1b2c3d4e5f60001\",\"execution\":\"run-1\"}";
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> new AcquireLock()
                .handleRequest(new ByteArrayInputStream(in.getBytes(StandardCharsets.UTF_8)), new ByteArrayOutputStream(), null));
        assertTrue(e.getMessage().contains("not an execution's ARN"), e.getMessage());
    }

    @Test
    void theSameNameInAnotherStateMachineIsAnotherExecution() {
        assertEquals(Executions.name(ARN), Executions.name(SAME_NAME_OTHER_MACHINE));
        assertNotEquals(Executions.digest(ARN), Executions.digest(SAME_NAME_OTHER_MACHINE));
        assertNotEquals(Executions.clientToken(ARN, "ssm"), Executions.clientToken(SAME_NAME_OTHER_MACHINE, "ssm"));
        assertNotEquals(Executions.resourceName("xen2nitro-i-0a1b2c3d4e5f60001-", ARN, 128),
                Executions.resourceName("xen2nitro-i-0a1b2c3d4e5f60001-", SAME_NAME_OTHER_MACHINE, 128));
    }

    @Test
    void namesAndTokensStayWithinWhatAwsAccepts() {
        // AMI names: 3 to 128 characters of letters, digits, ( ) [ ] space . / - ' @ _ (EC2 API reference, CreateImage).
        String ami = Executions.resourceName("xen2nitro-i-0a1b2c3d4e5f60001-", LONGEST, 128);
        assertTrue(ami.length() <= 128 && ami.matches("[A-Za-z0-9()\\[\\] ./'@_-]+"), ami);
        assertTrue(ami.startsWith("xen2nitro-i-0a1b2c3d4e5f60001--n-1--") && ami.endsWith("-" + Executions.digest(LONGEST)), ami);
        assertEquals("xen2nitro-i-0a1b2c3d4e5f60001-run-1-" + Executions.digest(ARN), Executions.resourceName("xen2nitro-i-0a1b2c3d4e5f60001-", ARN, 128));
        // Client tokens: at most 64 ASCII characters (EC2 API reference, "Ensuring idempotency").
        String token = Executions.clientToken(LONGEST, "com.amazonaws.us-gov-west-1.ssmmessages-and-more-than-fits-here");
        assertTrue(token.length() <= 64, token);
        assertEquals(token, Executions.clientToken(LONGEST, "com.amazonaws.us-gov-west-1.ssmmessages-and-more-than-fits-here"));
    }
}
