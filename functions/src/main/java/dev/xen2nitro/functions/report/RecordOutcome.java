package dev.xen2nitro.functions.report;

import dev.xen2nitro.functions.core.Executions;
import dev.xen2nitro.functions.core.Aws;
import dev.xen2nitro.functions.core.Ec2Calls;
import dev.xen2nitro.functions.core.InvalidInputException;
import dev.xen2nitro.functions.core.JsonHandler;
import dev.xen2nitro.functions.core.Tags;
import dev.xen2nitro.functions.core.Validatable;
import dev.xen2nitro.functions.rules.InstanceIds;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.ec2.model.Tag;

/**
 * Tags the instance with the outcome: xen2nitro:status, xen2nitro:execution and xen2nitro:backup-image, and, once an
 * approver's signed answer was verified, who approved or rejected, how and when (xen2nitro:approval, xen2nitro:approver,
 * xen2nitro:approval-via, xen2nitro:approval-at).
 */
public class RecordOutcome extends JsonHandler<RecordOutcome.Input, RecordOutcome.Result> {

    static final Set<String> STATUSES = Set.of("migrated", "refused", "rejected", "approval-timed-out", "failed", "restored", "needs-attention", "dry-run",
            "rehearsal-failed");

    /** @param document the migration document; its backup.imageId, when a backup was taken, is recorded too */
    public record Input(String instanceId, String execution, String status, com.fasterxml.jackson.databind.JsonNode document) implements Validatable {
        @Override
        public void validate() {
            InstanceIds.require("instanceId", instanceId);
            Executions.require("execution", execution);
            if (status == null || !STATUSES.contains(status)) {
                throw new InvalidInputException("'status' is \"" + status + "\"; one of " + STATUSES);
            }
        }
    }

    /** The tags written, and the instance as it is now: what the report tells the operator. */
    public record Result(String instanceId, String status, String state, String instanceType, boolean enaSupport, String rootVolumeId) {}

    public RecordOutcome() {
        super(Input.class);
    }

    @Override
    protected Result handle(Input in) {
        String holder = Ec2Calls.describeInstance(in.instanceId()).tags().stream().filter(t -> Tags.LOCK.equals(t.key()))
                .map(Tag::value).findFirst().orElse(null);
        if (!in.execution().equals(holder)) {
            // Only the execution that holds the instance records its outcome (it does so before it lets go of the lock).
            throw new dev.xen2nitro.functions.lock.InstanceLockedException("instance " + in.instanceId() + " is held by "
                    + (holder == null ? "no execution" : "execution " + holder) + ", not " + in.execution() + ": its outcome was not recorded");
        }
        List<Tag> tags = new ArrayList<>(List.of(Tag.builder().key(Tags.STATUS).value(in.status()).build(),
                Tag.builder().key(Tags.EXECUTION).value(in.execution()).build()));
        String image = in.document() == null ? null : in.document().path("backup").path("imageId").asText(null);
        if (image != null) {
            tags.add(Tag.builder().key(Tags.BACKUP_IMAGE).value(image).build());
        }
        com.fasterxml.jackson.databind.JsonNode check = in.document() == null ? null : in.document().path("approvalCheck");
        if (check != null && check.path("signed").asBoolean(false) && check.path("approver").isTextual()) {
            tags.add(Tag.builder().key(Tags.APPROVAL).value(check.path("approved").asBoolean() ? "approved" : "rejected").build());
            tags.add(Tag.builder().key(Tags.APPROVER).value(tagValue(check.path("approver").asText())).build());
            tags.add(Tag.builder().key(Tags.APPROVAL_VIA).value(tagValue(check.path("via").asText(""))).build());
            tags.add(Tag.builder().key(Tags.APPROVAL_AT).value(tagValue(check.path("at").asText(""))).build());
        }
        Ec2Calls.call("CreateTags " + Tags.STATUS + " on " + in.instanceId(), () -> Aws.ec2().createTags(r -> r.resources(in.instanceId()).tags(tags)));
        var i = Ec2Calls.describeInstance(in.instanceId());
        String root = i.blockDeviceMappings().stream().filter(b -> b.deviceName().equals(i.rootDeviceName())).map(b -> b.ebs().volumeId())
                .findFirst().orElse(null);
        return new Result(in.instanceId(), in.status(), i.state().nameAsString(), i.instanceTypeAsString(),
                Boolean.TRUE.equals(i.enaSupport()), root);
    }

    /** A tag value holds at most 256 characters (EC2 User Guide, "Tag restrictions"); the report has the whole text. */
    static String tagValue(String s) {
        return s.length() <= 256 ? s : s.substring(0, 253) + "...";
    }

    /**
     * NeedsAttention, 1, when the outcome is needs-attention: the stack's alarm on it tells the operator apart from the
     * report (template.yaml, NeedsAttentionAlarm). No metric otherwise.
     */
    @Override
    protected Map<String, Integer> metrics(Input in, Result out) {
        return NEEDS_ATTENTION.equals(out.status()) ? Map.of(NEEDS_ATTENTION_METRIC, 1) : Map.of();
    }

    static final String NEEDS_ATTENTION = "needs-attention";
    public static final String NEEDS_ATTENTION_METRIC = "NeedsAttention";

    @Override
    protected Input sampleInput() {
        return new Input("i-0123456789abcdef0", Executions.SAMPLE, "migrated", JSON.createObjectNode());
    }
}
