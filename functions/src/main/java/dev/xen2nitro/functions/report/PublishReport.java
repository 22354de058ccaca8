package dev.xen2nitro.functions.report;

import dev.xen2nitro.functions.core.Executions;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.xen2nitro.functions.core.Aws;
import dev.xen2nitro.functions.core.AwsCalls;
import dev.xen2nitro.functions.core.InvalidInputException;
import dev.xen2nitro.functions.core.JsonHandler;
import dev.xen2nitro.functions.core.Validatable;

/** The final notification of every execution: its outcome, why, and the whole migration document. */
public class PublishReport extends JsonHandler<PublishReport.Input, PublishReport.Result> {

    /** @param document the migration document, whose instanceId may be absent when the input itself was wrong */
    public record Input(String execution, JsonNode outcome, JsonNode document) implements Validatable {
        @Override
        public void validate() {
            Executions.require("execution", execution);
            if (outcome == null || !outcome.hasNonNull("status")) {
                throw new InvalidInputException("'outcome' with a 'status' is required");
            }
        }
    }

    public record Result(String messageId) {}

    public PublishReport() {
        super(Input.class);
    }

    @Override
    protected Result handle(Input in) {
        String topic = Aws.setting("TOPIC_ARN");
        String status = in.outcome().get("status").asText();
        String instanceId = in.document() == null ? null : in.document().path("instanceId").asText(null);
        String instance = instanceId == null ? "(no instance ID in the input)" : instanceId;
        boolean act = "needs-attention".equals(status);
        // An instance the way back could not restore stands out in the inbox, and its report starts with what to do.
        String subject = (act ? "xen2nitro: ACTION REQUIRED: " : "xen2nitro: ") + instance + " " + status;
        String body;
        try {
            // What to do: the outcome's own advice where its state gives one, else what a failed rollback needs.
            String advice = in.outcome().hasNonNull("advice") ? in.outcome().get("advice").asText()
                    : "the rollback did not complete and stopped; nothing was deleted. Fix the cause, then roll the"
                    + " instance back by hand (README, \"Restoring by hand\"): its backup AMI is its xen2nitro:backup-image tag, and the"
                    + " original type, enaSupport and state are in the migration document below.";
            body = (act ? "ACTION REQUIRED: " + advice + "\n\n" : "")
                    + "Execution " + in.execution() + ": instance " + instance + " is " + status + ".\n"
                    + (in.outcome().hasNonNull("reason") ? in.outcome().get("reason").asText() + "\n" : "")
                    + (in.document() != null && in.document().hasNonNull("recorded") ? "Now: " + in.document().get("recorded") + "\n" : "")
                    + "\nOutcome:\n" + JSON.writerWithDefaultPrettyPrinter().writeValueAsString(in.outcome())
                    + "\n\nMigration document:\n" + JSON.writerWithDefaultPrettyPrinter().writeValueAsString(in.document()) + "\n";
        } catch (JsonProcessingException e) {
            body = String.valueOf(in.outcome());
        }
        String message = body;
        String id = AwsCalls.call("Publish to " + topic, () -> Aws.sns().publish(r -> r.topicArn(topic)
                .subject(subject.length() > 100 ? subject.substring(0, 100) : subject).message(message))).messageId();
        return new Result(id);
    }

    @Override
    protected Input sampleInput() {
        return new Input(Executions.SAMPLE, JSON.createObjectNode().put("status", "migrated"), JSON.createObjectNode().put("instanceId", "i-0123456789abcdef0"));
    }
}
