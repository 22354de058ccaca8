package dev.xen2nitro.local;

import static org.junit.jupiter.api.Assertions.*;

import dev.xen2nitro.local.cloud.TaskTokens;
import dev.xen2nitro.local.world.WorldLoader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sfn.SfnClient;

/**
 * The runner's .waitForTaskToken: the token is opened on the emulator, the function invoked with the
 * token in its payload, and the state ends as the approver answers through the task-token API.
 */
class TaskTokenRunnerTest {
    static final String ASL = """
            {
              "StartAt": "WaitForApproval",
              "States": {
                "WaitForApproval": {
                  "Type": "Task",
                  "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                  "Parameters": {
                    "FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:CheckInstanceStateFunction:live",
                    "Payload": { "instanceId.$": "$.instanceId" }
                  },
                  "TimeoutSeconds": 3600,
                  "ResultPath": "$.approval",
                  "End": true
                }
              }
            }
            """;
    static final String INPUT = "{\"instanceId\":\"i-0a1b2c3d4e5f60001\"}";

    record Run(Runner.Report report, String progress) {}

    static LocalCloud cloud() throws Exception {
        return LocalCloud.start(Worlds.root(), WorldLoader.load(Worlds.read("seed-2012r2-private"), "seed"));
    }

    static Run run(LocalCloud local, String asl, String approval) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Runner.Report r = local.runDefinition(asl, INPUT, approval, "MigrateInstanceStateMachine", new PrintStream(out, true, StandardCharsets.UTF_8));
        return new Run(r, out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void autoApprovalAnswersWithSendTaskSuccess() throws Exception {
        LocalCloud local = cloud();
        Run r = run(local, ASL, "auto");
        assertEquals("SUCCEEDED", r.report().status(), r.progress());
        assertTrue(r.report().output().get("approval").get("approved").asBoolean());
        assertTrue(local.emulator().cloud().taskTokens.all().values().stream().allMatch(t -> t.status.equals("succeeded")));
    }

    @Test
    void rejectionFailsTheStateWithTheApproversError() throws Exception {
        Run r = run(cloud(), ASL, "reject");
        assertEquals("FAILED", r.report().status());
        assertEquals("Xen2Nitro.ApprovalRejected", r.report().error());
    }

    @Test
    void manualApprovalWaitsForSendTaskSuccessFromAnSdkClient() throws Exception {
        LocalCloud local = cloud();
        var tokens = local.emulator().cloud().taskTokens;
        CompletableFuture<Void> approver = CompletableFuture.runAsync(() -> {
            try (SfnClient sfn = Worlds.sfn(local.emulator())) {
                assertTrue(Worlds.eventually(20, () -> tokens.all().values().stream().anyMatch(t -> t.status.equals("waiting"))));
                TaskTokens.Task waiting = tokens.all().values().stream().filter(t -> t.status.equals("waiting")).findFirst().orElseThrow();
                sfn.sendTaskSuccess(x -> x.taskToken(waiting.token).output("{\"approved\":true,\"approver\":\"ops@example.com\"}"));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Run r = run(local, ASL, "manual");
        approver.get();
        assertEquals("SUCCEEDED", r.report().status(), r.progress());
        assertEquals("ops@example.com", r.report().output().get("approval").get("approver").asText());
        assertTrue(r.progress().contains("aws stepfunctions send-task-success --task-token"), r.progress());
    }

    @Test
    void anUnansweredTokenTimesOutAndLaterAnswersAreRefused() throws Exception {
        LocalCloud local = cloud();
        // 3600 s of AWS time at the default factor 0.001 is 3.6 s.
        Run r = run(local, ASL, "manual");
        assertEquals("FAILED", r.report().status());
        assertEquals("States.Timeout", r.report().error());
        TaskTokens.Task task = local.emulator().cloud().taskTokens.all().values().iterator().next();
        assertEquals("timed-out", task.status);
        try (SfnClient sfn = Worlds.sfn(local.emulator())) {
            assertThrows(software.amazon.awssdk.services.sfn.model.TaskTimedOutException.class,
                    () -> sfn.sendTaskSuccess(x -> x.taskToken(task.token).output("{}")));
        }
    }
}
