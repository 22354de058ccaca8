package dev.xen2nitro.functions.fleet;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.xen2nitro.functions.core.Aws;
import dev.xen2nitro.functions.core.AwsCalls;
import dev.xen2nitro.functions.core.Ec2Calls;
import dev.xen2nitro.functions.core.InvalidInputException;
import dev.xen2nitro.functions.core.JsonHandler;
import dev.xen2nitro.functions.core.Validatable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.ReservedInstances;
import software.amazon.awssdk.services.sfn.model.ExecutionAlreadyExistsException;
import software.amazon.awssdk.services.sfn.model.ExecutionDoesNotExistException;

/**
 * Starts a fleet plan (MigrateFleetStateMachine: plan, one batch approval, then the migrations) when reservations come up
 * for renewal, from two events:
 *
 * <ul>
 *   <li>the stack's EventBridge Scheduler schedule, whose input is {@code {"source": "xen2nitro.schedule",
 *   "reservationsEndingWithinDays": N, "scheduledTime": "<aws.scheduler.scheduled-time>"}}: the Windows instances the
 *   active reservations of Xen types ending within N days cover ({@link SelectInstances#renewals}), one execution per day;</li>
 *   <li>the CloudTrail record of PurchaseReservedInstancesOffering, as EventBridge delivers it (detail-type "AWS API Call
 *   via CloudTrail", source aws.ec2, detail the record: EventBridge User Guide, "AWS service events delivered via AWS
 *   CloudTrail"): the Xen instances a Nitro Windows reservation is bought to replace ({@link RenewalTriggers}), one
 *   execution per reservation.</li>
 * </ul>
 *
 * Read-only but for StartExecution: DescribeReservedInstances, DescribeInstances, DescribeInstanceTypes, DescribeExecution.
 * With nothing to plan it starts nothing and says why; a second delivery of the same schedule (the same day) or purchase
 * finds its execution already started, by its name, and says so.
 */
public class ReservationRenewal extends JsonHandler<ReservationRenewal.Input, ReservationRenewal.Outcome> {

    /** The source of the stack's schedule input; EventBridge events of AWS services have sources beginning with "aws." */
    public static final String SCHEDULE_SOURCE = "xen2nitro.schedule";

    /**
     * A CloudTrail record as EventBridge delivers it in {@code detail} (CloudTrail User Guide, "CloudTrail record contents").
     * Only what this handler reads is bound: CloudTrail adds fields in minor versions of the record and says applications
     * can ignore them, so other fields are ignored here.
     *
     * @param requestParameters for PurchaseReservedInstancesOffering: reservedInstancesOfferingId, instanceCount (and
     *                          limitPrice, purchaseTime when given)
     * @param responseElements  for it: requestId and reservedInstancesId (EC2 API Reference, PurchaseReservedInstancesOffering,
     *                          Response Elements); null when the call failed
     * @param errorCode         present when the call failed (a DryRun too: Client.DryRunOperation)
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ApiCall(String eventSource, String eventName, String eventTime, String awsRegion, JsonNode userIdentity,
                          JsonNode requestParameters, JsonNode responseElements, String errorCode, String errorMessage) {
        String reservedInstancesId() {
            return responseElements == null ? null : responseElements.path("reservedInstancesId").asText(null);
        }

        String buyer() {
            return userIdentity == null ? "an unknown caller" : userIdentity.path("arn").asText(userIdentity.path("type").asText("an unknown caller"));
        }
    }

    /**
     * Either the schedule's input ({@code source}, {@code reservationsEndingWithinDays}, {@code scheduledTime}) or an
     * EventBridge event ({@code version} ... {@code detail}).
     */
    public record Input(String source, Integer reservationsEndingWithinDays, String scheduledTime,
                        String version, String id, @JsonProperty("detail-type") String detailType, String account, String time,
                        String region, List<String> resources, ApiCall detail) implements Validatable {
        boolean scheduled() {
            return SCHEDULE_SOURCE.equals(source);
        }

        @Override
        public void validate() {
            if (SCHEDULE_SOURCE.equals(source)) {
                if (detail != null || detailType != null) {
                    throw new InvalidInputException("the schedule's input has no 'detail' or 'detail-type'; give {\"source\": \""
                            + SCHEDULE_SOURCE + "\", \"reservationsEndingWithinDays\": 30}");
                }
                if (reservationsEndingWithinDays == null || reservationsEndingWithinDays < 1 || reservationsEndingWithinDays > 365) {
                    throw new InvalidInputException("'reservationsEndingWithinDays' is " + reservationsEndingWithinDays
                            + "; the schedule's input gives 1 to 365 days (stack parameter RenewalWindowDays)");
                }
                if (scheduledTime != null) {
                    try {
                        Instant.parse(scheduledTime);
                    } catch (RuntimeException e) {
                        throw new InvalidInputException("'scheduledTime' is \"" + scheduledTime + "\"; expected an ISO-8601 time such as"
                                + " 2026-11-26T06:00:00Z (the schedule passes <aws.scheduler.scheduled-time>)");
                    }
                }
                return;
            }
            if ("aws.ec2".equals(source)) {
                if (reservationsEndingWithinDays != null || scheduledTime != null) {
                    throw new InvalidInputException("an EventBridge event has no 'reservationsEndingWithinDays' or 'scheduledTime'");
                }
                if (!"AWS API Call via CloudTrail".equals(detailType) || detail == null || !"ec2.amazonaws.com".equals(detail.eventSource())
                        || !"PurchaseReservedInstancesOffering".equals(detail.eventName())) {
                    throw new InvalidInputException("this event is not the CloudTrail record of PurchaseReservedInstancesOffering (detail-type"
                            + " \"AWS API Call via CloudTrail\", detail.eventSource ec2.amazonaws.com); it is " + detailType + " "
                            + (detail == null ? "without detail" : detail.eventSource() + " " + detail.eventName()));
                }
                if (detail.errorCode() == null && (detail.reservedInstancesId() == null || detail.reservedInstancesId().isBlank())) {
                    throw new InvalidInputException("the purchase's record has no detail.responseElements.reservedInstancesId;"
                            + " see events/ReservationRenewal-purchase.json for the record EventBridge delivers");
                }
                return;
            }
            throw new InvalidInputException("'source' is " + (source == null ? "missing" : "\"" + source + "\"") + "; this function takes the"
                    + " stack's schedule ({\"source\": \"" + SCHEDULE_SOURCE + "\", \"reservationsEndingWithinDays\": 30}) or the CloudTrail"
                    + " event of PurchaseReservedInstancesOffering (source aws.ec2)");
        }
    }

    /**
     * What the trigger did.
     *
     * @param trigger       schedule or purchase
     * @param executionArn  the fleet execution this trigger started, or had started before; null when none
     * @param started       true when this invocation started it; false when nothing was started or it was started before
     * @param instances     the instances given to the fleet, each with why
     * @param left          instances looked at and left, each with why
     * @param reservations  the reservations looked at, each with what it covers or why not
     * @param reason        what was done, or why nothing was started
     */
    public record Outcome(String trigger, String executionArn, String executionName, boolean started, List<FleetSelection.Taken> instances,
                          List<FleetSelection.Left> left, List<FleetSelection.Looked> reservations, String reason) {}

    public ReservationRenewal() {
        super(Input.class);
    }

    @Override
    protected Outcome handle(Input in) {
        return in.scheduled() ? scheduled(in) : purchased(in.detail());
    }

    private Outcome scheduled(Input in) {
        Instant at = in.scheduledTime() == null ? Instant.now() : Instant.parse(in.scheduledTime());
        FleetSelection.Selection s = SelectInstances.renewals(in.reservationsEndingWithinDays(), at);
        String why = "reservations ending within " + in.reservationsEndingWithinDays() + " days of " + at + ": " + describe(s.reservations());
        if (s.taken().isEmpty()) {
            return new Outcome("schedule", null, null, false, List.of(), s.left(), s.reservations(), "nothing started: no Windows instance"
                    + " on a Xen type is covered by an active reservation ending within " + in.reservationsEndingWithinDays() + " days of " + at
                    + (s.reservations().isEmpty() ? " (this account has no active reservation)" : ""));
        }
        return start("schedule", RenewalTriggers.scheduleExecutionName(at), why, s);
    }

    private Outcome purchased(ApiCall call) {
        if (call.errorCode() != null) {
            return new Outcome("purchase", null, null, false, List.of(), List.of(), List.of(), "nothing started: the purchase failed ("
                    + call.errorCode() + ": " + call.errorMessage() + "), so nothing was bought");
        }
        String id = call.reservedInstancesId();
        List<ReservedInstances> found = Ec2Calls.call("DescribeReservedInstances " + id, () -> {
            try {
                return Aws.ec2().describeReservedInstances(r -> r.reservedInstancesIds(id)).reservedInstances();
            } catch (Ec2Exception e) {
                if (e.awsErrorDetails() != null && "InvalidReservedInstancesId".equals(e.awsErrorDetails().errorCode())) {
                    return List.<ReservedInstances>of();
                }
                throw e;
            }
        });
        if (found.isEmpty()) {
            return new Outcome("purchase", null, null, false, List.of(), List.of(), List.of(), "nothing started: DescribeReservedInstances"
                    + " does not show reservation " + id + " in " + Aws.region() + "; it was bought in another account or Region");
        }
        FleetSelection.Reservation bought = SelectInstances.reservation(found.get(0));
        Map<String, String> boughtHypervisor = SelectInstances.hypervisors(Set.of(bought.instanceType()));
        String not = RenewalTriggers.whyNotPlanned(bought, boughtHypervisor.get(bought.instanceType()));
        if (not != null) {
            return new Outcome("purchase", null, null, false, List.of(), List.of(), List.of(), "nothing started: " + not);
        }
        List<Filter> filters = new ArrayList<>(List.of(Filter.builder().name("platform").values("windows").build(),
                Filter.builder().name("instance-state-name").values("running").build()));
        if (bought.availabilityZone() != null) {
            filters.add(Filter.builder().name("availability-zone").values(bought.availabilityZone()).build());
        }
        List<FleetSelection.Instance> candidates = SelectInstances.inGroups("instance-type", RenewalTriggers.predecessors(bought.instanceType()), filters);
        Set<String> types = new TreeSet<>();
        candidates.forEach(i -> types.add(i.instanceType()));
        FleetSelection.Selection s = RenewalTriggers.replacements(bought, candidates, SelectInstances.hypervisors(types));
        if (s.taken().isEmpty()) {
            return new Outcome("purchase", null, null, false, List.of(), s.left(), s.reservations(), "nothing started: reservation " + id
                    + " (" + bought.instanceType() + ") replaces nothing: " + s.reservations().get(0).reason());
        }
        String why = "reservation " + id + " bought by " + call.buyer() + (call.eventTime() == null ? "" : " at " + call.eventTime()) + ": "
                + describe(s.reservations());
        return start("purchase", RenewalTriggers.purchaseExecutionName(id), why, s);
    }

    private static String describe(List<FleetSelection.Looked> reservations) {
        List<String> out = new ArrayList<>();
        for (FleetSelection.Looked r : reservations) {
            if (r.covers().isEmpty()) continue;
            out.add(r.reservedInstancesId() + " (" + r.instanceCount() + " x " + r.instanceType() + ", " + r.scope()
                    + (r.availabilityZone() == null ? "" : " " + r.availabilityZone()) + (r.end() == null ? "" : ", ends " + r.end()) + ")");
        }
        return String.join("; ", out);
    }

    /** Starts the fleet's plan with these instances, or finds it started by an earlier delivery of the same event. */
    private Outcome start(String trigger, String name, String why, FleetSelection.Selection s) {
        List<FleetSelection.Taken> taken = s.taken();
        List<FleetSelection.Left> left = new ArrayList<>(s.left());
        if (taken.size() > SelectInstances.MAX_IDS) {
            taken.subList(SelectInstances.MAX_IDS, taken.size()).forEach(t -> left.add(new FleetSelection.Left(t.instanceId(),
                    "a fleet takes at most " + SelectInstances.MAX_IDS + " instances; start another for the rest")));
            taken = taken.subList(0, SelectInstances.MAX_IDS);
        }
        ObjectNode input = JSON.createObjectNode();
        input.putObject("selection").set("instanceIds", JSON.valueToTree(taken.stream().map(FleetSelection.Taken::instanceId).toList()));
        // Plan mode: the fleet plans, asks one approval for the batch, and changes nothing before it.
        input.put("dryRun", false);
        input.put("approval", "batch");
        input.putObject("trigger").put("source", trigger).put("detail", why);
        String stateMachine = Aws.setting("FLEET_STATE_MACHINE_ARN");
        String existing = stateMachine.replace(":stateMachine:", ":execution:") + ":" + name;
        // Looked for first: StartExecution with the name and input of a running execution succeeds again with its ARN
        // (StartExecution is idempotent then), which would read as a second start.
        String status = AwsCalls.call("DescribeExecution " + existing, () -> {
            try {
                return Aws.sfn().describeExecution(r -> r.executionArn(existing)).statusAsString();
            } catch (ExecutionDoesNotExistException e) {
                return null;
            }
        });
        String arn = status != null ? null : AwsCalls.call("StartExecution " + name, () -> {
            try {
                return Aws.sfn().startExecution(r -> r.stateMachineArn(stateMachine).name(name).input(input.toString())).executionArn();
            } catch (ExecutionAlreadyExistsException e) {
                // Started meanwhile by another delivery of the same event: names are unique per state machine for 90 days.
                return null;
            }
        });
        if (arn == null) {
            return new Outcome(trigger, existing, name, false, taken, left, s.reservations(), "already started: " + name + " was started for this "
                    + (trigger.equals("schedule") ? "day's scan" : "purchase") + " before" + (status == null ? "" : " (" + status + ")")
                    + "; nothing new started");
        }
        return new Outcome(trigger, arn, name, true, taken, left, s.reservations(), "started " + name + " to plan " + taken.size()
                + " instance(s) (batch approval): " + why);
    }

    @Override
    protected Map<String, Integer> metrics(Input input, Outcome output) {
        return Map.of("RenewalFleetsStarted", output.started() ? 1 : 0, "RenewalInstancesPlanned", output.started() ? output.instances().size() : 0);
    }

    @Override
    protected Input sampleInput() {
        return new Input(SCHEDULE_SOURCE, 30, "2026-11-26T06:00:00Z", null, null, null, null, null, null, null, null);
    }
}
