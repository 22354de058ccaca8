package dev.xen2nitro.local.cloud;

import software.amazon.awssdk.services.sfn.model.*;

/** The Step Functions task-token API that approvers call: SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat. */
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
}
