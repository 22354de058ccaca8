package dev.xen2nitro.local.cloud;

import software.amazon.awssdk.services.sfn.model.*;

/**
 * The Step Functions API the local cloud serves: the task-token calls that approvers make (SendTaskSuccess,
 * SendTaskFailure, SendTaskHeartbeat), and StopExecution and DescribeExecution for the executions the runner
 * carries out.
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
