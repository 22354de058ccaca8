package dev.xen2nitro.functions.approval;

import com.fasterxml.jackson.databind.JsonNode;
import dev.xen2nitro.functions.core.InvalidInputException;
import java.util.ArrayList;
import java.util.List;

/**
 * What a batch approval approves: a fleet's plan, as PlanFleet kept it in the stack's bucket, named in the approval by its
 * hash. The answer's instance and target type are this subject's, so that an answer for a fleet approves no single
 * migration by itself, and a single migration's answer no fleet.
 *
 * @param planKey  the plan's key in the stack's bucket (fleet-plans/...)
 * @param planHash the hash PlanFleet made it with, when the approval is asked: the plan in the bucket must still have it
 */
public record FleetPlan(String planKey, String planHash) {

    /** What the name of each of a fleet's migrations starts with: the fleet's execution, digested. */
    public static String childNamePrefix(String fleetExecution) {
        return dev.xen2nitro.functions.core.Executions.digest(fleetExecution);
    }

    /**
     * The name of the fleet's migration of {@code instanceId} (36 characters, within Step Functions' 80). Execution names are
     * unique per state machine, so the fleet's answer approves each instance's migration once.
     */
    public static String childName(String fleetExecution, String instanceId) {
        return childNamePrefix(fleetExecution) + "-" + instanceId;
    }

    /** What the answer to a batch approval says it moves, and to what. */
    public static String subject(int instances) {
        return "fleet of " + instances + " instance" + (instances == 1 ? "" : "s");
    }

    public static final String TARGET = "the types of the fleet plan";

    /**
     * Refuses a plan key that PlanFleet does not make (fleet-plans/, the plan's hexadecimal digest, .json), so that no
     * handler reads or writes any other key of the stack's bucket on the strength of its input.
     */
    public static void requireKey(String field, String planKey) {
        if (planKey == null || planKey.isBlank()) {
            throw new InvalidInputException("'" + field + "' is required: the plan's key PlanFleet returned (fleet-plans/DIGEST.json)");
        }
        if (!planKey.matches("fleet-plans/[0-9a-f]{1,64}\\.json")) {
            throw new InvalidInputException("'" + field + "' is \"" + planKey + "\", which is not a key PlanFleet returns: "
                    + "expected fleet-plans/ followed by the plan's hexadecimal digest and .json");
        }
    }

    /** The type the plan moves {@code instanceId} to, or null when the plan does not move it. */
    public static String targetOf(JsonNode plan, String instanceId) {
        for (JsonNode m : plan.path("migrate")) {
            if (instanceId.equals(m.path("instanceId").asText())) {
                return m.path("to").asText(null);
            }
        }
        return null;
    }

    /** The plan in lines for a mail: each move, each refusal; at most {@code max} lines, then how many more. */
    public static List<String> lines(JsonNode plan, int max) {
        List<String> all = new ArrayList<>();
        for (JsonNode m : plan.path("migrate")) {
            all.add(m.path("instanceId").asText() + ": " + m.path("from").asText() + " -> " + m.path("to").asText() + " (" + m.path("why").asText("") + ")");
        }
        for (JsonNode r : plan.path("refused")) {
            List<String> reasons = new ArrayList<>();
            r.path("reasons").forEach(x -> reasons.add(x.asText()));
            all.add(r.path("instanceId").asText() + ": refused, not migrated (" + String.join("; ", reasons) + ")");
        }
        if (all.size() <= max) {
            return all;
        }
        List<String> out = new ArrayList<>(all.subList(0, max));
        out.add("... and " + (all.size() - max) + " more, in the plan in the stack's bucket");
        return out;
    }
}
