package dev.xen2nitro.functions.rehearsal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.xen2nitro.functions.core.Aws;
import dev.xen2nitro.functions.core.AwsCalls;
import dev.xen2nitro.functions.core.Ec2Calls;
import dev.xen2nitro.functions.core.Executions;
import dev.xen2nitro.functions.core.InvalidInputException;
import dev.xen2nitro.functions.core.JsonHandler;
import dev.xen2nitro.functions.core.Tags;
import dev.xen2nitro.functions.core.Validatable;
import dev.xen2nitro.functions.rules.InstanceIds;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;

/**
 * Takes the place of the human approval in the migration of a rehearsal's clone, which is disposable: it approves only when the
 * instance is a clone launched for that rehearsal, and nothing else. The instance must carry {@value Tags#REHEARSAL_OF} = the
 * original and {@value Tags#REHEARSAL_EXECUTION} = the execution that started this one, have been launched by that execution's
 * LaunchRehearsal (the launch's client token, which nothing can change afterwards), from a backup AMI of the original (tag
 * {@value Tags#INSTANCE}), and the rehearsing execution must be running and migrating that original with {@code rehearse}. The
 * migration checks this right after its preflight, before it takes the lock: an execution given {@code rehearsalOf} for a real
 * server ends as an invalid input, having changed nothing.
 */
public class VerifyRehearsal extends JsonHandler<VerifyRehearsal.Input, VerifyRehearsal.Result> {

    /** @param startedBy the execution that started this one (AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID) */
    public record Input(String instanceId, String rehearsalOf, String startedBy) implements Validatable {
        @Override
        public void validate() {
            InstanceIds.require("instanceId", instanceId);
            InstanceIds.require("rehearsalOf", rehearsalOf);
            if (startedBy == null) {
                throw new InvalidInputException("'startedBy' is required: the rehearsing execution (AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID)");
            }
            Executions.require("startedBy", startedBy);
        }
    }

    /** The shape of VerifyApproval's result, which the state machine's IsApproved reads. */
    public record Result(boolean approved, boolean signed, String approver, String via, String at, String planHash, String reason) {}

    public VerifyRehearsal() {
        super(Input.class);
    }

    private static Result refused(String reason) {
        return new Result(false, false, null, "rehearsal", Instant.now().toString(), null, "not a rehearsal's clone: " + reason);
    }

    @Override
    protected Result handle(Input in) {
        Instance clone = Ec2Calls.describeInstance(in.instanceId());
        Map<String, String> tags = clone.tags().stream().collect(Collectors.toMap(t -> t.key(), t -> t.value(), (a, b) -> a));
        if (!in.rehearsalOf().equals(tags.get(Tags.REHEARSAL_OF))) {
            return refused(in.instanceId() + "'s tag " + Tags.REHEARSAL_OF + " is " + tags.get(Tags.REHEARSAL_OF) + ", not " + in.rehearsalOf());
        }
        if (!in.startedBy().equals(tags.get(Tags.REHEARSAL_EXECUTION))) {
            return refused(in.instanceId() + " was launched for the rehearsal of " + tags.get(Tags.REHEARSAL_EXECUTION) + ", not of " + in.startedBy());
        }
        // Tags can be written by anyone allowed ec2:CreateTags; the launch's client token cannot be changed after it
        // (DescribeInstances, ClientToken): the rehearsing execution's LaunchRehearsal launched this instance.
        if (!Executions.clientToken(in.startedBy(), "rehearsal").equals(clone.clientToken())) {
            return refused(in.instanceId() + " was not launched by the rehearsal of " + in.startedBy() + " (its launch's client token differs)");
        }
        boolean fromBackup = Ec2Calls.call("DescribeImages " + clone.imageId(), () -> Aws.ec2().describeImages(r -> r.imageIds(clone.imageId())))
                .images().stream().anyMatch(im -> im.tags().stream().anyMatch(t -> t.key().equals(Tags.INSTANCE) && t.value().equals(in.rehearsalOf())));
        if (!fromBackup) {
            return refused(in.instanceId() + " was not launched from a backup AMI of " + in.rehearsalOf() + " (" + clone.imageId() + ")");
        }
        DescribeExecutionResponse parent = AwsCalls.call("DescribeExecution " + in.startedBy(),
                () -> Aws.sfn().describeExecution(r -> r.executionArn(in.startedBy())));
        if (!"RUNNING".equals(parent.statusAsString())) {
            return refused("the rehearsing execution " + in.startedBy() + " is " + parent.statusAsString());
        }
        JsonNode input;
        try {
            input = JSON.readTree(parent.input() == null ? "{}" : parent.input());
        } catch (java.io.IOException e) {
            return refused("the rehearsing execution's input cannot be read");
        }
        if (!in.rehearsalOf().equals(input.path("instanceId").asText(null)) || !input.path("rehearse").asBoolean(false)) {
            return refused("the execution " + in.startedBy() + " is not a rehearsing migration of " + in.rehearsalOf());
        }
        return new Result(true, false, null, "rehearsal", Instant.now().toString(), null,
                "the rehearsal's clone of " + in.rehearsalOf() + ", launched from its backup AMI by " + Executions.name(in.startedBy())
                        + ": no human approval (the original is approved after the rehearsal)");
    }

    @Override
    protected Input sampleInput() {
        return new Input("i-0fedcba9876543210", "i-0123456789abcdef0", Executions.SAMPLE);
    }
}
