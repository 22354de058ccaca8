package dev.xen2nitro.local;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.xen2nitro.local.host.LocalPeople;
import dev.xen2nitro.local.host.Template;
import dev.xen2nitro.local.world.WorldLoader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionDoesNotExistException;
import software.amazon.awssdk.services.sfn.model.GetExecutionHistoryResponse;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;
import software.amazon.awssdk.services.sfn.model.HistoryEventType;
import software.amazon.awssdk.services.sfn.model.InvalidArnException;
import software.amazon.awssdk.services.sfn.model.InvalidTokenException;
import software.amazon.awssdk.services.sfn.model.SfnException;

/**
 * GetExecutionHistory through the real SDK, for an execution the runner carried out: the events Step Functions records
 * for each kind of state (a Lambda function invoked directly, the lambda:invoke integration, a .sync:2 child, Wait, Map,
 * Choice, Succeed), failures caught, the child's own history under its own ARN, pagination, reverse order, execution
 * data left out, the API's errors, an execution stopped, and IAM.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExecutionHistoryTest {
    static final String FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:CheckInstanceStateFunction:live";
    static final String INSTANCE = "i-0a1b2c3d4e5f60001", MISSING = "i-0000000000000dead";
    static final ObjectMapper JSON = new ObjectMapper();

    LocalCloud local;
    SfnClient sfn;
    Runner.Report report;
    String progress;
    List<HistoryEvent> events;

    static String asl(String rollbackArn) {
        return """
                {
                  "StartAt": "Begin",
                  "States": {
                    "Begin": { "Type": "Pass", "Result": ["a", "b"], "ResultPath": "$.items", "Next": "Check" },
                    "Check": {
                      "Type": "Task", "Resource": "FUNCTION",
                      "Parameters": { "instanceId.$": "$.instanceId" }, "ResultPath": "$.instance", "Next": "CheckMissing"
                    },
                    "CheckMissing": {
                      "Type": "Task", "Resource": "FUNCTION", "Parameters": { "instanceId": "MISSING" },
                      "Catch": [ { "ErrorEquals": ["States.ALL"], "ResultPath": "$.missing", "Next": "InvokeMissing" } ],
                      "Next": "InvokeMissing"
                    },
                    "InvokeMissing": {
                      "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                      "Parameters": { "FunctionName": "FUNCTION", "Payload": { "instanceId": "MISSING" } },
                      "Catch": [ { "ErrorEquals": ["States.ALL"], "ResultPath": "$.invoked", "Next": "Rollback" } ],
                      "Next": "Rollback"
                    },
                    "Rollback": {
                      "Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2",
                      "Parameters": { "StateMachineArn": "ROLLBACK", "Input": { "instanceId.$": "$.instanceId" } },
                      "Catch": [ { "ErrorEquals": ["States.ALL"], "ResultPath": "$.rollback", "Next": "Pause" } ],
                      "Next": "Pause"
                    },
                    "Pause": { "Type": "Wait", "Seconds": 1, "Next": "Items" },
                    "Items": {
                      "Type": "Map", "ItemsPath": "$.items", "ResultPath": "$.mapped", "Next": "Decide",
                      "ItemProcessor": { "StartAt": "Item", "States": { "Item": { "Type": "Pass", "End": true } } }
                    },
                    "Decide": {
                      "Type": "Choice", "Choices": [ { "Variable": "$.instance.state", "IsPresent": true, "Next": "Done" } ],
                      "Default": "Done"
                    },
                    "Done": { "Type": "Succeed" }
                  }
                }
                """.replace("FUNCTION", FUNCTION).replace("MISSING", MISSING).replace("ROLLBACK", rollbackArn);
    }

    @BeforeAll
    void run() throws Exception {
        local = LocalCloud.open(Worlds.root(), WorldLoader.load(Worlds.read("seed-2012r2-private"), "seed"));
        sfn = Worlds.sfn(local.emulator());
        var cloud = local.emulator().cloud();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        report = local.runDefinition(asl(Template.stateMachineArn("RollbackInstanceStateMachine", cloud.region, cloud.accountId)),
                "{\"instanceId\":\"" + INSTANCE + "\"}", "auto", "MigrateInstanceStateMachine", new PrintStream(out, true, StandardCharsets.UTF_8));
        progress = out.toString(StandardCharsets.UTF_8);
        assertEquals("SUCCEEDED", report.status(), progress);
        events = all(report.executionArn(), 1000, false, true);
    }

    @AfterAll
    void close() {
        sfn.close();
        local.close();
    }

    /** Every event of {@code arn}'s history, page by page. */
    List<HistoryEvent> all(String arn, int maxResults, boolean reverse, boolean data) {
        List<HistoryEvent> out = new ArrayList<>();
        String token = null;
        do {
            String t = token;
            GetExecutionHistoryResponse page = sfn.getExecutionHistory(r -> r.executionArn(arn).maxResults(maxResults).reverseOrder(reverse)
                    .includeExecutionData(data).nextToken(t));
            assertTrue(page.events().size() <= maxResults);
            out.addAll(page.events());
            token = page.nextToken();
        } while (token != null);
        return out;
    }

    /** Each event as "Type" or "Type:state name". */
    static List<String> shape(List<HistoryEvent> events) {
        return events.stream().map(e -> e.typeAsString() + (name(e) == null ? "" : ":" + name(e))).toList();
    }

    static String name(HistoryEvent e) {
        if (e.stateEnteredEventDetails() != null) return e.stateEnteredEventDetails().name();
        if (e.stateExitedEventDetails() != null) return e.stateExitedEventDetails().name();
        if (e.mapIterationStartedEventDetails() != null) return e.mapIterationStartedEventDetails().name() + "#" + e.mapIterationStartedEventDetails().index();
        if (e.mapIterationSucceededEventDetails() != null) return e.mapIterationSucceededEventDetails().name() + "#" + e.mapIterationSucceededEventDetails().index();
        return null;
    }

    HistoryEvent only(HistoryEventType type) {
        List<HistoryEvent> of = events.stream().filter(e -> e.type() == type).toList();
        assertEquals(1, of.size(), type + " in " + shape(events));
        return of.get(0);
    }

    @Test
    void eachStateKindRecordsTheEventsStepFunctionsRecords() {
        List<String> shape = new ArrayList<>(shape(events));
        // A Map's iterations run side by side: their events are compared as a set.
        int from = shape.indexOf("MapStateStarted") + 1, to = shape.indexOf("MapStateSucceeded");
        assertTrue(from > 0 && to > from, shape.toString());
        List<String> iterations = shape.subList(from, to);
        assertEquals(List.of("MapIterationStarted:Items#0", "MapIterationStarted:Items#1", "MapIterationSucceeded:Items#0",
                "MapIterationSucceeded:Items#1", "PassStateEntered:Item", "PassStateEntered:Item", "PassStateExited:Item", "PassStateExited:Item"),
                iterations.stream().sorted().toList());
        iterations.clear();
        assertEquals(List.of(
                "ExecutionStarted",
                "PassStateEntered:Begin", "PassStateExited:Begin",
                "TaskStateEntered:Check", "LambdaFunctionScheduled", "LambdaFunctionStarted", "LambdaFunctionSucceeded", "TaskStateExited:Check",
                "TaskStateEntered:CheckMissing", "LambdaFunctionScheduled", "LambdaFunctionStarted", "LambdaFunctionFailed", "TaskStateExited:CheckMissing",
                "TaskStateEntered:InvokeMissing", "TaskScheduled", "TaskStarted", "TaskFailed", "TaskStateExited:InvokeMissing",
                "TaskStateEntered:Rollback", "TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskFailed", "TaskStateExited:Rollback",
                "WaitStateEntered:Pause", "WaitStateExited:Pause",
                "MapStateEntered:Items", "MapStateStarted", "MapStateSucceeded", "MapStateExited:Items",
                "ChoiceStateEntered:Decide", "ChoiceStateExited:Decide",
                "SucceedStateEntered:Done", "SucceedStateExited:Done",
                "ExecutionSucceeded"), shape, progress);
    }

    @Test
    void idsTimesAndPreviousEvents() {
        double last = 0;
        for (int i = 0; i < events.size(); i++) {
            HistoryEvent e = events.get(i);
            assertEquals(i + 1L, e.id());
            assertTrue(e.previousEventId() < e.id(), e.toString());
            long t = e.timestamp().toEpochMilli();
            assertTrue(t >= last, "timestamps never go back: " + e);
            last = t;
        }
        // Step Functions' numbering: the start and the first state follow nothing, each state's events follow each other.
        assertEquals(0, events.get(0).previousEventId());
        assertEquals(0, events.get(1).previousEventId());
        assertEquals(2, events.get(2).previousEventId());
        assertEquals(events.get(events.size() - 2).id(), events.get(events.size() - 1).previousEventId());
    }

    @Test
    void detailsCarryNamesInputsOutputsAndFailures() throws Exception {
        var cloud = local.emulator().cloud();
        HistoryEvent started = events.get(0);
        assertEquals("{\"instanceId\":\"" + INSTANCE + "\"}", started.executionStartedEventDetails().input());
        String role = started.executionStartedEventDetails().roleArn();
        assertTrue(role.startsWith("arn:aws:iam::123456789012:role/") && role.contains("MigrateInstanceStateMachine"), role);
        HistoryEvent check = events.stream().filter(e -> "Check".equals(name(e)) && e.type() == HistoryEventType.TASK_STATE_ENTERED).findFirst().orElseThrow();
        assertEquals(INSTANCE, JSON.readTree(check.stateEnteredEventDetails().input()).path("instanceId").asText());
        assertFalse(check.stateEnteredEventDetails().inputDetails().truncated());
        HistoryEvent scheduled = events.get(check.id().intValue());
        assertEquals(FUNCTION, scheduled.lambdaFunctionScheduledEventDetails().resource());
        assertEquals("{\"instanceId\":\"" + INSTANCE + "\"}", scheduled.lambdaFunctionScheduledEventDetails().input());
        assertEquals(check.id(), scheduled.previousEventId());
        JsonNode succeeded = JSON.readTree(only(HistoryEventType.LAMBDA_FUNCTION_SUCCEEDED).lambdaFunctionSucceededEventDetails().output());
        assertEquals("running", succeeded.path("state").asText());

        // A failure caught: the function's error and cause, as the Catch's ResultPath got them.
        JsonNode output = report.output();
        var failed = only(HistoryEventType.LAMBDA_FUNCTION_FAILED).lambdaFunctionFailedEventDetails();
        assertEquals(output.path("missing").path("Error").asText(), failed.error());
        assertEquals(output.path("missing").path("Cause").asText(), failed.cause());
        assertFalse(failed.error().isBlank());
        assertTrue(failed.cause().contains(MISSING), failed.cause());

        List<HistoryEvent> taskFailures = events.stream().filter(e -> e.type() == HistoryEventType.TASK_FAILED).toList();
        var invoke = taskFailures.get(0).taskFailedEventDetails();
        assertEquals("lambda", invoke.resourceType());
        assertEquals("invoke", invoke.resource());
        assertEquals(output.path("invoked").path("Error").asText(), invoke.error());
        assertEquals(output.path("invoked").path("Cause").asText(), invoke.cause());
        var invokeScheduled = events.stream().filter(e -> e.type() == HistoryEventType.TASK_SCHEDULED).findFirst().orElseThrow().taskScheduledEventDetails();
        assertEquals(cloud.region, invokeScheduled.region());
        assertEquals(FUNCTION, JSON.readTree(invokeScheduled.parameters()).path("FunctionName").asText());

        var child = taskFailures.get(1).taskFailedEventDetails();
        assertEquals("states", child.resourceType());
        assertEquals("startExecution.sync:2", child.resource());
        assertEquals("States.TaskFailed", child.error());
        JsonNode description = JSON.readTree(child.cause());
        assertEquals("FAILED", description.path("Status").asText());
        assertEquals("Xen2Nitro.InvalidRollbackInput", description.path("Error").asText());

        HistoryEvent exited = events.get(events.size() - 2);
        assertEquals(JSON.readTree(exited.stateExitedEventDetails().output()),
                JSON.readTree(events.get(events.size() - 1).executionSucceededEventDetails().output()));
        assertEquals(output, JSON.readTree(events.get(events.size() - 1).executionSucceededEventDetails().output()));
        assertEquals(2, only(HistoryEventType.MAP_STATE_STARTED).mapStateStartedEventDetails().length().intValue());
        // DescribeExecution gives the output too.
        assertEquals(output, JSON.readTree(sfn.describeExecution(r -> r.executionArn(report.executionArn())).output()));
    }

    @Test
    void theChildHasItsOwnHistoryUnderItsOwnArn() throws Exception {
        JsonNode submitted = JSON.readTree(only(HistoryEventType.TASK_SUBMITTED).taskSubmittedEventDetails().output());
        String childArn = submitted.path("ExecutionArn").asText();
        var cloud = local.emulator().cloud();
        assertTrue(childArn.startsWith(Template.stateMachineArn("RollbackInstanceStateMachine", cloud.region, cloud.accountId)
                .replace(":stateMachine:", ":execution:") + ":"), childArn);
        assertNotEquals(report.executionArn(), childArn);
        List<HistoryEvent> child = all(childArn, 100, false, true);
        assertEquals(List.of("ExecutionStarted", "ChoiceStateEntered:IsInputComplete", "ChoiceStateExited:IsInputComplete",
                "FailStateEntered:InvalidRollbackInput", "ExecutionFailed"), shape(child));
        assertEquals("{\"instanceId\":\"" + INSTANCE + "\"}", child.get(0).executionStartedEventDetails().input());
        assertTrue(child.get(0).executionStartedEventDetails().roleArn().contains(":role/")
                && child.get(0).executionStartedEventDetails().roleArn().contains("RollbackInstanceStateMachine"),
                child.get(0).executionStartedEventDetails().roleArn());
        var end = child.get(child.size() - 1).executionFailedEventDetails();
        assertEquals("Xen2Nitro.InvalidRollbackInput", end.error());
        assertTrue(end.cause().startsWith("The rollback needs instanceId"), end.cause());
        // None of the child's states are in the parent's history.
        assertTrue(events.stream().noneMatch(e -> "IsInputComplete".equals(name(e))));
    }

    @Test
    void pagesGiveEveryEventOnceInEitherOrder() {
        for (int size : new int[] {1, 5, 7, 100}) {
            List<HistoryEvent> paged = all(report.executionArn(), size, false, true);
            assertEquals(events, paged, "pages of " + size);
        }
        List<HistoryEvent> reversed = new ArrayList<>(events);
        java.util.Collections.reverse(reversed);
        assertEquals(reversed, all(report.executionArn(), 4, true, true));
        assertTrue(events.size() < 100);
        assertEquals(reversed, sfn.getExecutionHistory(r -> r.executionArn(report.executionArn()).reverseOrder(true)).events());
        // The SDK's paginator, with the default page of 100.
        List<HistoryEvent> viaPaginator = sfn.getExecutionHistoryPaginator(r -> r.executionArn(report.executionArn())).events().stream().toList();
        assertEquals(events, viaPaginator);
        GetExecutionHistoryResponse first = sfn.getExecutionHistory(r -> r.executionArn(report.executionArn()).maxResults(3));
        assertEquals(3, first.events().size());
        assertNotNull(first.nextToken());
        assertNull(sfn.getExecutionHistory(r -> r.executionArn(report.executionArn()).maxResults(1000)).nextToken());
    }

    @Test
    void withoutExecutionDataNoInputOrOutput() {
        List<HistoryEvent> bare = all(report.executionArn(), 1000, false, false);
        assertEquals(shape(events), shape(bare));
        for (HistoryEvent e : bare) {
            if (e.stateEnteredEventDetails() != null) assertNull(e.stateEnteredEventDetails().input(), e.toString());
            if (e.stateExitedEventDetails() != null) assertNull(e.stateExitedEventDetails().output(), e.toString());
            if (e.executionStartedEventDetails() != null) assertNull(e.executionStartedEventDetails().input(), e.toString());
            if (e.executionSucceededEventDetails() != null) assertNull(e.executionSucceededEventDetails().output(), e.toString());
            if (e.lambdaFunctionScheduledEventDetails() != null) assertNull(e.lambdaFunctionScheduledEventDetails().input(), e.toString());
            if (e.lambdaFunctionSucceededEventDetails() != null) assertNull(e.lambdaFunctionSucceededEventDetails().output(), e.toString());
            if (e.taskSubmittedEventDetails() != null) assertNull(e.taskSubmittedEventDetails().output(), e.toString());
        }
        // What is not execution data stays: names, errors.
        assertEquals("Check", bare.get(3).stateEnteredEventDetails().name());
        assertNotNull(bare.stream().filter(e -> e.type() == HistoryEventType.LAMBDA_FUNCTION_FAILED).findFirst().orElseThrow()
                .lambdaFunctionFailedEventDetails().error());
    }

    @Test
    void errorsAsTheApiReferenceListsThem() {
        String arn = report.executionArn();
        ExecutionDoesNotExistException missing = assertThrows(ExecutionDoesNotExistException.class,
                () -> sfn.getExecutionHistory(r -> r.executionArn(arn + "x")));
        assertEquals("Execution Does Not Exist: '" + arn + "x'", missing.awsErrorDetails().errorMessage());
        InvalidArnException invalid = assertThrows(InvalidArnException.class, () -> sfn.getExecutionHistory(r -> r.executionArn("not-an-arn")));
        assertEquals("Invalid Arn: 'Invalid ARN prefix: not-an-arn'", invalid.awsErrorDetails().errorMessage());
        String machine = arn.substring(0, arn.lastIndexOf(':')).replace(":execution:", ":stateMachine:");
        assertThrows(InvalidArnException.class, () -> sfn.getExecutionHistory(r -> r.executionArn(machine)));
        assertThrows(InvalidTokenException.class, () -> sfn.getExecutionHistory(r -> r.executionArn(arn).nextToken("not-a-token")));
        String token = sfn.getExecutionHistory(r -> r.executionArn(arn).maxResults(2)).nextToken();
        // A token is for the arguments it was given with.
        assertThrows(InvalidTokenException.class, () -> sfn.getExecutionHistory(r -> r.executionArn(arn).reverseOrder(true).nextToken(token)));
        SfnException tooMany = assertThrows(SfnException.class, () -> sfn.getExecutionHistory(r -> r.executionArn(arn).maxResults(1001)));
        assertEquals("ValidationException", tooMany.awsErrorDetails().errorCode());
    }

    @Test
    void iamRefusesACallerWithoutStatesGetExecutionHistory() {
        LocalPeople.Person nobody = LocalPeople.NOBODY;
        try (SfnClient denied = SfnClient.builder().endpointOverride(local.emulator().endpoint()).region(Region.of(local.emulator().cloud().region))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(nobody.accessKeyId(), nobody.secretAccessKey())))
                .httpClient(UrlConnectionHttpClient.create()).build()) {
            SfnException e = assertThrows(SfnException.class, () -> denied.getExecutionHistory(r -> r.executionArn(report.executionArn())));
            assertEquals("AccessDeniedException", e.awsErrorDetails().errorCode());
            assertTrue(e.awsErrorDetails().errorMessage().contains("states:GetExecutionHistory on resource: " + report.executionArn()),
                    e.awsErrorDetails().errorMessage());
        }
    }

    @Test
    void aStoppedExecutionEndsWithExecutionAborted() throws Exception {
        String waits = """
                { "StartAt": "Hold", "States": { "Hold": { "Type": "Wait", "Seconds": 600000, "End": true } } }
                """;
        Runner.Report stopped = local.runner(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))
                .onStateEntered((arn, state) -> sfn.stopExecution(r -> r.executionArn(arn).error("Operator.Stop").cause("held too long")))
                .runDefinition(waits, "{}", "auto", "RollbackInstanceStateMachine");
        assertEquals("ABORTED", stopped.status());
        List<HistoryEvent> h = all(stopped.executionArn(), 100, false, true);
        assertEquals(List.of("ExecutionStarted", "WaitStateEntered:Hold", "ExecutionAborted"), shape(h));
        var aborted = h.get(2);
        assertEquals(0, aborted.previousEventId());
        assertEquals("Operator.Stop", aborted.executionAbortedEventDetails().error());
        assertEquals("held too long", aborted.executionAbortedEventDetails().cause());
    }

    @Test
    void everyExecutionTheRunnerCarriedOutHasAHistory() {
        Map<String, Long> counts = new TreeMap<>();
        for (var e : local.emulator().cloud().executions.all()) {
            counts.put(e.arn, (long) local.emulator().cloud().executions.history(e.arn).size());
        }
        assertTrue(counts.values().stream().allMatch(n -> n >= 2), counts.toString());
        assertTrue(counts.size() >= 2, counts.keySet().stream().collect(Collectors.joining("\n")));
    }
}
