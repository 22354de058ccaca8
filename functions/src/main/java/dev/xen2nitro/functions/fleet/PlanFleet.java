package dev.xen2nitro.functions.fleet;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.xen2nitro.functions.approval.PlanHash;
import dev.xen2nitro.functions.core.Executions;
import dev.xen2nitro.functions.core.JsonHandler;
import dev.xen2nitro.functions.core.Validatable;
import dev.xen2nitro.functions.preflight.MigrationRequest;
import dev.xen2nitro.functions.preflight.Preflight;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The plan of a fleet, before anything changes: the selection ({@link SelectInstances}), then the read-only preflight of
 * every instance taken ({@link Preflight}, the same reads and rules as a single migration's), and one fleet report: for
 * each instance its target type and why, or the refusals with their reasons, and its estimated downtime
 * ({@link DowntimeEstimate}).
 *
 * <p>The whole plan is written to the stack's bucket ({@code fleet-plans/NAME.json}, NAME the execution's name): a fleet of
 * 1,000 instances would not fit in a state's 256 KiB of data (Step Functions Developer Guide, "Step Functions service
 * quotas"). The state gets its key, its hash (what a batch approval approves; {@link PlanHash}) and the instances to
 * migrate with their target types. The preflights run a few at a time: EC2 meters each account's Describe calls in a
 * shared bucket (EC2 API Reference, "Request throttling"), and the SDK's retries absorb what is throttled.
 */
public class PlanFleet extends JsonHandler<PlanFleet.Input, PlanFleet.Result> {

    /** Preflights at once: each makes about ten Describe calls. */
    static final int PARALLEL_PREFLIGHTS = 4;

    public record Input(FleetRequest request, String execution) implements Validatable {
        @Override
        public void validate() {
            if (request == null) {
                throw new dev.xen2nitro.functions.core.InvalidInputException("'request' is required: the fleet execution's input");
            }
            request.validate();
            Executions.require("execution", execution);
        }
    }

    /** One instance to migrate, as the fleet starts its migration. */
    public record Move(String instanceId, String targetType) {}

    /**
     * @param planKey  the plan's object key in the stack's bucket
     * @param planHash the SHA-256 of the plan's canonical JSON, which a batch approval names
     * @param migrate  the instances the fleet migrates, each with the type the plan gives it
     * The request's settings follow, their defaults filled in, for the states that use them.
     */
    public record Result(String planKey, String planHash, int taken, int ready, int refused, int left, List<Move> migrate,
                         DowntimeEstimate downtimePerInstance, String summary, boolean dryRun, int maxConcurrency, int toleratedFailurePercentage,
                         int approvalTimeoutSeconds, boolean allowInstanceStoreLoss, String childNamePrefix,
                         boolean rehearse) {}

    /** At most this many instances in one fleet, whatever the selection: the plan's list of moves stays well within a state's data. */
    static final int MAX_INSTANCES = SelectInstances.MAX_IDS;

    public PlanFleet() {
        super(Input.class);
    }

    @Override
    protected Result handle(Input in) {
        FleetRequest req = in.request();
        FleetSelection.Selection selection = new SelectInstances().handle(req.selection());
        if (selection.taken().size() > MAX_INSTANCES) {
            throw new dev.xen2nitro.functions.core.InvalidInputException("the selection takes " + selection.taken().size()
                    + " instances; a fleet migrates at most " + MAX_INSTANCES + ": narrow it (more tags or values, fewer days) and start"
                    + " several fleets");
        }
        java.util.Map<String, String> failures = new java.util.concurrent.ConcurrentHashMap<>();
        List<Preflight.Result> results = preflights(selection.taken(), req, in.execution(), failures);
        DowntimeEstimate downtime = DowntimeEstimate.estimate();
        ObjectNode plan = JSON.createObjectNode();
        plan.put("execution", in.execution());
        plan.set("trigger", JSON.valueToTree(req.trigger()));
        plan.put("approval", req.approvalOrDefault());
        plan.put("maxConcurrency", req.concurrency());
        plan.put("toleratedFailurePercentage", req.tolerance());
        ArrayNode migrate = plan.putArray("migrate");
        ArrayNode refused = plan.putArray("refused");
        List<Move> moves = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            FleetSelection.Taken t = selection.taken().get(i);
            Preflight.Result r = results.get(i);
            if (r != null && r.ready()) {
                ObjectNode m = migrate.addObject();
                m.put("instanceId", t.instanceId());
                m.put("vpcId", t.vpcId());
                m.put("availabilityZone", t.availabilityZone());
                m.put("from", t.instanceType());
                m.put("to", r.targetType());
                m.put("why", r.targetReason());
                m.put("selected", t.reason());
                m.set("missingEndpoints", JSON.valueToTree(r.missingEndpoints()));
                m.set("downtime", JSON.valueToTree(downtime));
                moves.add(new Move(t.instanceId(), r.targetType()));
            } else {
                ObjectNode x = refused.addObject();
                x.put("instanceId", t.instanceId());
                x.put("from", t.instanceType());
                ArrayNode reasons = x.putArray("reasons");
                if (r == null) {
                    reasons.add("the preflight could not run: " + failures.get(t.instanceId()));
                } else {
                    r.checks().stream().filter(c -> !c.passed()).map(c -> c.name() + ": " + c.detail()).forEach(reasons::add);
                }
            }
        }
        plan.set("left", JSON.valueToTree(selection.left()));
        plan.set("reservations", JSON.valueToTree(selection.reservations()));
        plan.set("downtimePerInstance", JSON.valueToTree(downtime));
        // Each migration rehearses on a clone first: the approvers see it in the plan they approve.
        plan.put("rehearse", Boolean.TRUE.equals(req.rehearse()));
        String key = FleetPlans.planKey(in.execution());
        FleetPlans.write(key, PlanHash.canonical(plan));
        String summary = moves.size() + " of " + selection.taken().size() + " selected instances to migrate, " + refused.size()
                + " refused by the preflight, " + selection.left().size() + " not selected; each migration keeps its server unavailable"
                + " for about " + downtime.minSeconds() / 60 + " to " + downtime.maxSeconds() / 60 + " minutes";
        return new Result(key, PlanHash.of(plan), selection.taken().size(), moves.size(), refused.size(), selection.left().size(), moves,
                downtime, summary, req.isDryRun(), req.concurrency(), req.tolerance(), req.approvalTimeout(),
                Boolean.TRUE.equals(req.allowInstanceStoreLoss()), dev.xen2nitro.functions.approval.FleetPlan.childNamePrefix(in.execution()),
                Boolean.TRUE.equals(req.rehearse()));
    }

    /** Each taken instance's preflight, in order; null where it could not run (its reason in {@code failures}). */
    private static List<Preflight.Result> preflights(List<FleetSelection.Taken> taken, FleetRequest req, String execution,
                                                     java.util.Map<String, String> failures) {
        Preflight preflight = new Preflight();
        ExecutorService pool = Executors.newFixedThreadPool(PARALLEL_PREFLIGHTS);
        try {
            List<Future<Preflight.Result>> futures = new ArrayList<>();
            for (FleetSelection.Taken t : taken) {
                MigrationRequest one = new MigrationRequest(t.instanceId(), null, true, req.allowInstanceStoreLoss(), null,
                        req.approvalTimeoutSeconds(), null, null, null, null);
                futures.add(pool.submit(() -> {
                    try {
                        return preflight.check(new Preflight.Input(one, execution));
                    } catch (RuntimeException e) {
                        failures.put(t.instanceId(), e.getMessage());
                        return null;
                    }
                }));
            }
            List<Preflight.Result> out = new ArrayList<>();
            for (Future<Preflight.Result> f : futures) {
                out.add(f.get());
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while planning", e);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof Error error) {
                throw error; // a class missing from the package: priming must not hide it
            }
            throw new IllegalStateException(e.getCause());
        } finally {
            // No preflight should outlive the plan, calling AWS after the invocation (or the priming) that started it has ended.
            pool.shutdownNow();
            // Waits rather than throws: a throw here would replace the exception under way, if any.
            try {
                if (!pool.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS)) {
                    // A preflight stuck in a read the interrupt does not end (the SDK's own timeout ends it): say so in
                    // the function's log.
                    System.err.println("PlanFleet: a preflight still runs 30 s after the plan ended");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    protected Input sampleInput() {
        return new Input(new FleetRequest(new SelectInstances.Input(List.of("i-0123456789abcdef0"), null, null, null), true, null, null, null,
                null, null, null, null), Executions.SAMPLE);
    }
}
