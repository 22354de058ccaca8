package dev.xen2nitro.functions.approval;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The plan in a few lines, for the approval link's page: the move, each step of the guest's plan in the order it runs
 * (what it does, or that it is skipped, and why), and the preflight's checks. The mail has the whole plan; its hash
 * names both.
 */
public final class PlanSummary {
    private PlanSummary() {}

    /** The guest's steps, in the order the migration runs them. */
    static final List<String> STEPS = List.of("pv", "ena", "powerManagement", "nvme", "launchAgent");

    /** The longest line kept: the page shows a summary, and the pending approval must stay within a parameter's 8 KB. */
    static final int MAX_LINE = 300;

    /** A fleet's plan for the page: its first moves and refusals, as many as keep the pending approval within 8 KB. */
    public static List<String> fleet(JsonNode plan) {
        return FleetPlan.lines(plan, 12).stream().map(l -> l.length() <= MAX_LINE / 2 ? l : l.substring(0, MAX_LINE / 2 - 3) + "...").toList();
    }

    public static List<String> of(JsonNode report, String targetType) {
        return summary(report, targetType).stream().map(l -> l.length() <= MAX_LINE ? l : l.substring(0, MAX_LINE - 3) + "...").toList();
    }

    private static List<String> summary(JsonNode report, String targetType) {
        List<String> out = new ArrayList<>();
        if (report == null) {
            return out;
        }
        String from = report.at("/facts/instanceType").asText(null);
        out.add("Type: " + (from == null ? "" : from + " -> ") + targetType + " (" + report.path("target").asText("requested") + ")");
        JsonNode plan = report.path("plan");
        for (String step : STEPS) {
            JsonNode s = plan.path(step);
            if (s.isObject()) {
                out.add(s.path("name").asText(step) + ": " + s.path("reason").asText("") + (s.path("run").asBoolean(false) ? "" : " (skipped)"));
            }
        }
        int checks = 0, passed = 0;
        for (JsonNode c : report.path("checks")) {
            checks++;
            if (c.path("passed").asBoolean(false)) passed++;
        }
        if (checks > 0) {
            out.add("Preflight: " + passed + " of " + checks + " checks passed");
        }
        JsonNode rehearsal = report.path("rehearsal");
        if (rehearsal.path("rehearsed").asBoolean(false)) {
            out.add("Rehearsal on a clone: " + rehearsal.path("status").asText() + ", unavailable " + Math.round(rehearsal.path("unavailableSeconds").asDouble())
                    + " s (" + rehearsal.path("cloneId").asText() + ", " + rehearsal.path("steps").size() + " steps)");
        }
        return out;
    }
}
