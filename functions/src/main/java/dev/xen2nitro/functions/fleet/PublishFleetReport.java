package dev.xen2nitro.functions.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.xen2nitro.functions.core.Aws;
import dev.xen2nitro.functions.core.AwsCalls;
import dev.xen2nitro.functions.core.Ec2Calls;
import dev.xen2nitro.functions.core.Executions;
import dev.xen2nitro.functions.core.InvalidInputException;
import dev.xen2nitro.functions.core.JsonHandler;
import dev.xen2nitro.functions.core.Tags;
import dev.xen2nitro.functions.core.Validatable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.Tag;

/**
 * The fleet's report, published like a single migration's on the stack's topic and kept beside its plan
 * ({@code fleet-plans/NAME-report.json}): how the fleet ended, the count of each outcome, and for every instance its
 * outcome (the xen2nitro:status its migration recorded, or why it did not run), its type now, its backup image and how
 * long its migration took. The plan's own report ({@code phase} {@code planned}) goes out for a dry run and when there
 * is nothing to migrate; an approval request carries it otherwise.
 */
public class PublishFleetReport extends JsonHandler<PublishFleetReport.Input, PublishFleetReport.Result> {

    /** The longest mail: SNS takes messages of up to 256 KiB (SNS Developer Guide, "Amazon SNS quotas"). */
    static final int MAX_MESSAGE_BYTES = 250_000;

    /**
     * @param phase    {@code planned} (a dry run, or nothing to migrate), {@code rejected} (the batch was not approved), or
     *                 {@code ended} (the migrations ran)
     * @param outcomes what became of each migration started (FleetProgress)
     * @param stopped  why no further wave started, or null
     * @param reason   for {@code rejected}, why
     * @param error    for {@code rejected}, what the fleet caught instead ({Error, Cause}, either may be absent), read into the reason
     */
    public record Input(String execution, String planKey, String phase, List<FleetProgress.Outcome> outcomes, String stopped, String reason,
                        JsonNode error) implements Validatable {
        @Override
        public void validate() {
            Executions.require("execution", execution);
            dev.xen2nitro.functions.approval.FleetPlan.requireKey("planKey", planKey);
            if (!List.of("planned", "rejected", "ended").contains(phase)) {
                throw new InvalidInputException("'phase' is \"" + phase + "\"; use planned, rejected or ended");
            }
        }
    }

    /** @param counts how many instances ended each way (outcome to count) */
    public record Result(String messageId, String reportKey, Map<String, Integer> counts, int instances) {}

    public PublishFleetReport() {
        super(Input.class);
    }

    @Override
    protected Result handle(Input given) {
        Input in = given;
        if (given.reason() == null && given.error() != null && given.error().isObject()) {
            String why = given.error().path("Error").asText("") + (given.error().path("Cause").isTextual() ? ": " + given.error().path("Cause").asText() : "");
            in = new Input(given.execution(), given.planKey(), given.phase(), given.outcomes(), given.stopped(), why, null);
        }
        JsonNode plan = FleetPlans.read(in.planKey());
        Map<String, FleetProgress.Outcome> started = new HashMap<>();
        if (in.outcomes() != null) in.outcomes().forEach(o -> started.put(o.instanceId(), o));
        List<String> ids = new ArrayList<>();
        plan.path("migrate").forEach(m -> ids.add(m.path("instanceId").asText()));
        Map<String, Instance> now = "ended".equals(in.phase()) ? instances(ids) : Map.of();
        ObjectNode report = JSON.createObjectNode();
        report.put("execution", in.execution());
        report.put("phase", in.phase());
        report.put("planKey", in.planKey());
        report.put("stopped", in.stopped());
        report.put("reason", in.reason());
        Map<String, Integer> counts = new TreeMap<>();
        ArrayNode rows = report.putArray("instances");
        StringBuilder lines = new StringBuilder();
        for (JsonNode m : plan.path("migrate")) {
            String id = m.path("instanceId").asText();
            FleetProgress.Outcome o = started.get(id);
            Instance i = now.get(id);
            String outcome;
            if (o == null) {
                outcome = switch (in.phase()) {
                    case "planned" -> "planned";
                    case "rejected" -> "not-approved";
                    default -> "not-started";
                };
            } else if ("SUCCEEDED".equals(o.status())) {
                // A migration that succeeded recorded its outcome on the instance just now (migrated, or migrated without the launch agent).
                String tag = i == null ? null : tag(i, Tags.STATUS);
                outcome = tag == null ? "migrated" : tag;
            } else {
                // One that did not ends with its outcome's error (Xen2Nitro.ApprovalRejected, Xen2Nitro.PreflightRefused, ...).
                outcome = o.error() != null ? o.error() : o.status().toLowerCase(java.util.Locale.ROOT);
            }
            counts.merge(outcome, 1, Integer::sum);
            ObjectNode row = rows.addObject();
            row.put("instanceId", id);
            row.put("outcome", outcome);
            row.put("from", m.path("from").asText());
            row.put("to", m.path("to").asText());
            row.put("typeNow", i == null ? null : i.instanceTypeAsString());
            row.put("backupImageId", i == null ? null : tag(i, Tags.BACKUP_IMAGE));
            row.put("error", o == null ? null : o.error());
            Long seconds = o == null ? null : o.seconds();
            row.put("durationSeconds", seconds);
            lines.append(String.format("  %-20s %-16s %s -> %s%s%s%s%n", id, outcome, m.path("from").asText(), m.path("to").asText(),
                    i == null ? "" : ", now " + i.instanceTypeAsString(), row.path("backupImageId").isNull() ? "" : ", backup " + row.path("backupImageId").asText(),
                    seconds == null ? "" : ", " + seconds + " s"));
        }
        for (JsonNode r : plan.path("refused")) {
            counts.merge("refused", 1, Integer::sum);
            ObjectNode row = rows.addObject();
            row.put("instanceId", r.path("instanceId").asText());
            row.put("outcome", "refused");
            row.set("reasons", r.path("reasons"));
            lines.append(String.format("  %-20s refused          %s%n", r.path("instanceId").asText(), String.join("; ", texts(r.path("reasons")))));
        }
        for (JsonNode l : plan.path("left")) {
            counts.merge("not-selected", 1, Integer::sum);
            ObjectNode row = rows.addObject();
            row.put("instanceId", l.path("instanceId").asText());
            row.put("outcome", "not-selected");
            row.put("reason", l.path("reason").asText());
            lines.append(String.format("  %-20s not selected     %s%n", l.path("instanceId").asText(), l.path("reason").asText()));
        }
        report.set("counts", JSON.valueToTree(counts));
        String reportKey = FleetPlans.reportKey(in.planKey());
        FleetPlans.write(reportKey, report.toString());
        String bucket = Aws.setting("DRIVER_BUCKET");
        String head = "xen2nitro fleet " + in.execution() + ": " + switch (in.phase()) {
            case "planned" -> "planned; nothing was changed.";
            case "rejected" -> "the batch was not approved; nothing was changed. " + (in.reason() == null ? "" : in.reason());
            default -> "ended." + (in.stopped() == null ? "" : " " + in.stopped() + ".");
        } + "\nCounts: " + counts + "\nThe whole report: s3://" + bucket + "/" + reportKey + " (the plan: s3://" + bucket + "/" + in.planKey() + ")\n"
                + (plan.path("trigger").isObject() ? "Started by " + plan.path("trigger").path("source").asText() + ": "
                + plan.path("trigger").path("detail").asText("") + "\n" : "")
                + "\nEach instance:\n";
        String text = head + lines;
        if (text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_MESSAGE_BYTES) {
            text = text.substring(0, MAX_MESSAGE_BYTES / 4) + "\n... (the rest is in the report in the bucket)\n";
        }
        String message = text;
        String topic = Aws.setting("TOPIC_ARN");
        String subject = "xen2nitro: fleet " + in.phase() + " " + counts;
        String id = AwsCalls.call("Publish to " + topic, () -> Aws.sns().publish(r -> r.topicArn(topic)
                .subject(subject.length() > 100 ? subject.substring(0, 100) : subject).message(message))).messageId();
        return new Result(id, reportKey, counts, rows.size());
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static String tag(Instance i, String key) {
        return i.tags().stream().filter(t -> key.equals(t.key())).map(Tag::value).findFirst().orElse(null);
    }

    /** The instances as they are now, asked in groups of 200 IDs (EC2's limit on a filter's values). */
    private static Map<String, Instance> instances(List<String> ids) {
        Map<String, Instance> out = new HashMap<>();
        for (int from = 0; from < ids.size(); from += SelectInstances.MAX_FILTER_VALUES) {
            List<String> group = ids.subList(from, Math.min(ids.size(), from + SelectInstances.MAX_FILTER_VALUES));
            Ec2Calls.call("DescribeInstances", () -> {
                Aws.ec2().describeInstancesPaginator(r -> r.filters(Filter.builder().name("instance-id").values(group).build()))
                        .reservations().forEach(res -> res.instances().forEach(i -> out.put(i.instanceId(), i)));
                return null;
            });
        }
        return out;
    }

    @Override
    protected Input sampleInput() {
        return new Input(Executions.SAMPLE, "fleet-plans/0123456789abcdef.json", "ended", List.of(), null, null, null);
    }
}
