package dev.xen2nitro.functions.approval;

import dev.xen2nitro.functions.core.Executions;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.xen2nitro.functions.core.Aws;
import dev.xen2nitro.functions.core.AwsCalls;
import dev.xen2nitro.functions.core.InvalidInputException;
import dev.xen2nitro.functions.core.JsonHandler;
import dev.xen2nitro.functions.core.Validatable;
import dev.xen2nitro.functions.rules.InstanceIds;

/**
 * Publishes the preflight report and the plan to the stack's topic with the task token and the
 * exact commands that approve or reject; the state waits (.waitForTaskToken) until one is run or
 * its timeout passes. The token travels only in this message, never in a link a mail scanner could
 * follow (RUNBOOK, the AWS approval sample).
 */
public class RequestApproval extends JsonHandler<RequestApproval.Input, RequestApproval.Result> {

    public record Input(String taskToken, String instanceId, String execution, String targetType,
                        Integer approvalTimeoutSeconds, JsonNode report) implements Validatable {
        @Override
        public void validate() {
            InstanceIds.require("instanceId", instanceId);
            Executions.require("execution", execution);
            if (taskToken == null || taskToken.isBlank()) {
                throw new InvalidInputException("'taskToken' is required ($$.Task.Token of a .waitForTaskToken state)");
            }
        }
    }

    public record Result(String messageId) {}

    public RequestApproval() {
        super(Input.class);
    }

    static String message(Input in, String region) {
        String report;
        try {
            report = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(in.report());
        } catch (JsonProcessingException e) {
            report = String.valueOf(in.report());
        }
        int hours = in.approvalTimeoutSeconds() == null ? 24 : Math.max(1, in.approvalTimeoutSeconds() / 3600);
        return "xen2nitro asks for approval to move " + in.instanceId() + " to " + in.targetType() + " (execution " + in.execution() + ").\n\n"
                + "Approving stops the instance once, enables ENA, changes its type and starts it. The backup AMI is taken and the\n"
                + "PV and ENA drivers are installed; the NVMe driver and Sysprep_Generalize_Pnp run only after approval.\n"
                + "Without an answer within about " + hours + " h the migration is abandoned and the instance stays on its type.\n\n"
                + "Approve:\n  aws stepfunctions send-task-success --region " + region + " --task-token '" + in.taskToken()
                + "' --task-output '{\"approved\":true,\"approver\":\"YOUR NAME\"}'\n\n"
                + "Reject:\n  aws stepfunctions send-task-failure --region " + region + " --task-token '" + in.taskToken()
                + "' --error Xen2Nitro.ApprovalRejected --cause 'YOUR REASON'\n\n"
                + "Preflight report and plan:\n" + report + "\n";
    }

    @Override
    protected Result handle(Input in) {
        String topic = Aws.setting("TOPIC_ARN");
        String subject = ("xen2nitro: approve " + in.instanceId() + " -> " + in.targetType() + "?");
        String id = AwsCalls.call("Publish to " + topic, () -> Aws.sns().publish(r -> r.topicArn(topic)
                .subject(subject.length() > 100 ? subject.substring(0, 100) : subject)
                .message(message(in, Aws.region().id())))).messageId();
        return new Result(id);
    }

    @Override
    protected Input sampleInput() {
        return new Input("token", "i-0123456789abcdef0", Executions.SAMPLE, "m5.xlarge", 3600, JSON.createObjectNode());
    }
}
