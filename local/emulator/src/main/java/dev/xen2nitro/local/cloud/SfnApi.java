package dev.xen2nitro.local.cloud;

import software.amazon.awssdk.services.sfn.model.*;

/**
 * The Step Functions API the local cloud serves: the task-token calls that approvers make (SendTaskSuccess,
 * SendTaskFailure, SendTaskHeartbeat), StartExecution of the stack's state machines (the runner carries the execution
 * out afterwards), and StopExecution, DescribeExecution and GetExecutionHistory for the executions the runner carries out.
 */
public final class SfnApi {
    private final Cloud cloud;

    public SfnApi(Cloud cloud) {
        this.cloud = cloud;
    }

    public SendTaskSuccessResponse sendTaskSuccess(SendTaskSuccessRequest r) {
        cloud.taskTokens.succeed(r.taskToken(), r.output());
        return SendTaskSuccessResponse.builder().build();
    }

    public SendTaskFailureResponse sendTaskFailure(SendTaskFailureRequest r) {
        cloud.taskTokens.fail(r.taskToken(), r.error(), r.cause());
        return SendTaskFailureResponse.builder().build();
    }

    public SendTaskHeartbeatResponse sendTaskHeartbeat(SendTaskHeartbeatRequest r) {
        cloud.taskTokens.heartbeat(r.taskToken());
        return SendTaskHeartbeatResponse.builder().build();
    }

    public StartExecutionResponse startExecution(StartExecutionRequest r) {
        String input = r.input() == null ? "{}" : r.input();
        try {
            com.fasterxml.jackson.databind.JsonNode parsed = new com.fasterxml.jackson.databind.ObjectMapper().readTree(input);
            if (parsed == null) throw new java.io.IOException("empty");
        } catch (java.io.IOException e) {
            throw new dev.xen2nitro.local.wire.AwsError("InvalidExecutionInput", "Invalid State Machine Execution Input: '" + e.getMessage() + "'");
        }
        Executions.Execution e = cloud.executions.startExecution(r.stateMachineArn(), r.name() == null ? java.util.UUID.randomUUID().toString() : r.name(), input);
        return StartExecutionResponse.builder().executionArn(e.arn).startDate(java.time.Instant.ofEpochMilli(e.startDate)).build();
    }

    public StopExecutionResponse stopExecution(StopExecutionRequest r) {
        Executions.Execution e = cloud.executions.stop(r.executionArn(), r.error(), r.cause());
        return StopExecutionResponse.builder().stopDate(java.time.Instant.ofEpochMilli(e.stopDate == null ? System.currentTimeMillis() : e.stopDate)).build();
    }

    public DescribeExecutionResponse describeExecution(DescribeExecutionRequest r) {
        Executions.Execution e = cloud.executions.get(r.executionArn());
        synchronized (cloud.executions) {
            return DescribeExecutionResponse.builder().executionArn(e.arn).stateMachineArn(e.stateMachineArn).name(e.name)
                    .status(e.status).input(e.input).startDate(java.time.Instant.ofEpochMilli(e.startDate))
                    .stopDate(e.stopDate == null ? null : java.time.Instant.ofEpochMilli(e.stopDate)).error(e.error).cause(e.cause)
                    .output(e.output).build();
        }
    }

    /** GetExecutionHistory's page size: 100 unless maxResults says otherwise, at most 1000 (API Reference, GetExecutionHistory). */
    static final int DEFAULT_PAGE = 100, MAX_PAGE = 1000;
    /** A pagination token expires after 24 hours (API Reference, GetExecutionHistory: nextToken), AWS time. */
    static final long TOKEN_LIFETIME_SECONDS = 24 * 3600;

    /**
     * GetExecutionHistory (Step Functions API Reference): the execution's events in ascending order of their time, or
     * descending with {@code reverseOrder}; at most {@code maxResults} (0 or absent: 100) per page, {@code nextToken} when
     * more remain, to be called again with the other arguments unchanged; with {@code includeExecutionData} false (default
     * true), without the events' input and output. Errors, as the reference lists them: InvalidArn for an ARN that is not
     * an execution's, ExecutionDoesNotExist, InvalidToken for a token this call did not give (or one older than 24 hours).
     */
    public GetExecutionHistoryResponse getExecutionHistory(GetExecutionHistoryRequest r) {
        String arn = executionArn(r.executionArn());
        int max = r.maxResults() == null ? 0 : r.maxResults();
        if (max < 0 || max > MAX_PAGE) {
            // PageSize: valid range 0 to 1000 (API Reference, GetExecutionHistory: maxResults); a value outside a modelled
            // constraint is a ValidationException (API Reference, Common Errors), in AWS's wording for constraint violations.
            throw new dev.xen2nitro.local.wire.AwsError("ValidationException", "1 validation error detected: Value '" + max
                    + "' at 'maxResults' failed to satisfy constraint: Member must have value "
                    + (max < 0 ? "greater than or equal to 0" : "less than or equal to " + MAX_PAGE));
        }
        int page = max == 0 ? DEFAULT_PAGE : max;
        boolean reverse = Boolean.TRUE.equals(r.reverseOrder());
        boolean data = r.includeExecutionData() == null || r.includeExecutionData();
        Executions.Execution execution = cloud.executions.get(arn);
        java.util.List<ExecutionHistory.Event> events = cloud.executions.history(execution.arn);
        long from = r.nextToken() == null ? (reverse ? events.size() : 1) : HistoryToken.read(r.nextToken(), arn, reverse, cloud.timeFactor);
        com.fasterxml.jackson.databind.node.ObjectNode out = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        com.fasterxml.jackson.databind.node.ArrayNode list = out.putArray("events");
        long id = from;
        for (; id >= 1 && id <= events.size() && list.size() < page; id += reverse ? -1 : 1) {
            list.add(events.get((int) id - 1).toJson(data));
        }
        if (id >= 1 && id <= events.size()) {
            out.put("nextToken", HistoryToken.write(arn, reverse, id));
        }
        return dev.xen2nitro.local.wire.JsonCodec.read(GetExecutionHistoryResponse.class, out);
    }

    /**
     * An execution ARN, or InvalidArn in the words Step Functions answers with: "Invalid Arn: 'Invalid ARN prefix: X'" for
     * what is not an ARN, "Invalid Arn: 'Resource type not valid in this context: TYPE'" for another resource's ARN
     * (observed errors; API Reference, GetExecutionHistory: InvalidArn). A missing one is a ValidationException (the
     * member is required).
     */
    static String executionArn(String arn) {
        if (arn == null) {
            throw new dev.xen2nitro.local.wire.AwsError("ValidationException",
                    "1 validation error detected: Value null at 'executionArn' failed to satisfy constraint: Member must not be null");
        }
        String[] parts = arn.split(":", 8);
        if (!arn.startsWith("arn:") || parts.length < 6) {
            throw new dev.xen2nitro.local.wire.AwsError("InvalidArn", "Invalid Arn: 'Invalid ARN prefix: " + arn + "'");
        }
        if (!parts[2].equals("states") || !parts[5].equals("execution") || parts.length < 8) {
            throw new dev.xen2nitro.local.wire.AwsError("InvalidArn", "Invalid Arn: 'Resource type not valid in this context: " + parts[5] + "'");
        }
        return arn;
    }

    /**
     * GetExecutionHistory's opaque nextToken: the execution, the order and the id of the next event, and when it was given.
     * Anything else, or a token given for another execution or order, is InvalidToken, "Invalid Token: 'Invalid token'"
     * (observed error), as is one older than 24 hours of AWS time (the local cloud's time factor applies).
     */
    static final class HistoryToken {
        private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

        static String write(String arn, boolean reverse, long next) {
            com.fasterxml.jackson.databind.node.ObjectNode t = JSON.createObjectNode();
            t.put("e", arn).put("r", reverse).put("n", next).put("t", System.currentTimeMillis());
            return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(t.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }

        static long read(String token, String arn, boolean reverse, double timeFactor) {
            com.fasterxml.jackson.databind.JsonNode t;
            try {
                t = JSON.readTree(java.util.Base64.getUrlDecoder().decode(token));
            } catch (IllegalArgumentException | java.io.IOException e) {
                t = null;
            }
            boolean valid = t != null && t.path("e").asText().equals(arn) && t.path("r").isBoolean() && t.path("r").asBoolean() == reverse
                    && t.path("n").canConvertToLong() && t.path("n").asLong() >= 1 && t.path("t").canConvertToLong()
                    && System.currentTimeMillis() - t.path("t").asLong() <= TOKEN_LIFETIME_SECONDS * 1000 * timeFactor;
            if (!valid) {
                throw new dev.xen2nitro.local.wire.AwsError("InvalidToken", "Invalid Token: 'Invalid token'");
            }
            return t.path("n").asLong();
        }
    }
}
