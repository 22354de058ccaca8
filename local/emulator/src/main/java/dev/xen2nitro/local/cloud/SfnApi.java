package dev.xen2nitro.local.cloud;

import software.amazon.awssdk.services.sfn.model.*;

/**
 * The Step Functions API the local cloud serves: the task-token calls that approvers make (SendTaskSuccess,
 * SendTaskFailure, SendTaskHeartbeat), StartExecution of the stack's state machines (the runner carries the execution
 * out afterwards), and StopExecution and DescribeExecution for the executions the runner carries out.
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
                    .stopDate(e.stopDate == null ? null : java.time.Instant.ofEpochMilli(e.stopDate)).error(e.error).cause(e.cause).build();
        }
    }
}
