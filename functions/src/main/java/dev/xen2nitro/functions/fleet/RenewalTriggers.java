package dev.xen2nitro.functions.fleet;

import dev.xen2nitro.functions.rules.NitroTargets;
import dev.xen2nitro.functions.rules.TargetTypes;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a reservation renewal trigger plans, and under which execution name: no SDK here.
 *
 * <p>A purchase of a Nitro Windows reservation is meant to replace Xen instances: the running Windows instances of a Xen
 * type whose successor ({@link TargetTypes}: the next generation of the family, same size) is the bought type. A Windows
 * reservation applies only to its own instance type, so only an instance that will run on exactly that type after its
 * migration can use it; a zonal one only in its Availability Zone; tenancy and platform (by usage operation) must match
 * (EC2 User Guide, "How Reserved Instances are applied", as {@link FleetSelection} cites). At most the reservation's
 * instance count are taken, in the order of their IDs, so that the same purchase always plans the same instances.
 */
public final class RenewalTriggers {
    private RenewalTriggers() {}

    /**
     * States of a bought reservation worth planning for. Right after PurchaseReservedInstancesOffering a reservation is
     * {@code payment-pending}, then {@code active}; a purchase with a PurchaseTime is {@code queued} until then
     * (EC2 API Reference, ReservedInstances: State). {@code payment-failed}, {@code retired} and {@code queued-deleted}
     * reserve nothing.
     */
    static final Set<String> PLANNED_STATES = Set.of("payment-pending", "active", "queued");

    /**
     * The execution name of the scheduled scan of {@code scheduledTime}'s day (UTC): EventBridge Scheduler passes the
     * same scheduled time to every attempt of one invocation ({@code <aws.scheduler.scheduled-time>}, EventBridge
     * Scheduler User Guide, "Adding context attributes"), and Step Functions refuses a second execution of one name
     * (StartExecution: ExecutionAlreadyExists), so a re-delivered schedule starts nothing twice.
     */
    public static String scheduleExecutionName(Instant scheduledTime) {
        return "renewal-schedule-" + scheduledTime.atZone(ZoneOffset.UTC).toLocalDate();
    }

    /** The execution name of the plan for a purchased reservation: one per reservation, however often the event comes. */
    public static String purchaseExecutionName(String reservedInstancesId) {
        // Execution names: 1 to 80 characters, no whitespace, brackets, wildcards or punctuation such as : / # (StartExecution, name).
        String id = reservedInstancesId.replaceAll("[^A-Za-z0-9_-]", "-");
        return ("renewal-purchase-" + id).substring(0, Math.min(80, 17 + id.length()));
    }

    /**
     * Why a bought reservation plans no instances, or null when it may: its state, a platform other than Windows, a Xen
     * type (it renews the Xen fleet), or a type this stack does not migrate to ({@link NitroTargets}).
     *
     * @param hypervisor the bought type's hypervisor (DescribeInstanceTypes), xen or nitro, null when unknown
     */
    static String whyNotPlanned(FleetSelection.Reservation bought, String hypervisor) {
        if (!PLANNED_STATES.contains(bought.state())) {
            return "reservation " + bought.reservedInstancesId() + " is " + bought.state() + ": it reserves nothing to plan for";
        }
        if (FleetSelection.usageOperation(bought.productDescription()) == null) {
            return "reservation " + bought.reservedInstancesId() + " is for " + bought.productDescription()
                    + ", not a Windows platform: this tool moves Windows instances";
        }
        if ("xen".equals(hypervisor)) {
            return "reservation " + bought.reservedInstancesId() + " is for " + bought.instanceType()
                    + ", a Xen type: it renews instances where they are, none is to move";
        }
        if (!"nitro".equals(hypervisor) || !NitroTargets.allows(bought.instanceType())) {
            return "reservation " + bought.reservedInstancesId() + " is for " + bought.instanceType()
                    + ", not a Nitro type this stack migrates to (rules/NitroTargets)";
        }
        if (predecessors(bought.instanceType()).isEmpty()) {
            return "no Xen family is succeeded by " + family(bought.instanceType()) + " (rules/TargetTypes): no instance migrates to "
                    + bought.instanceType();
        }
        return null;
    }

    /** The Xen types whose successor is {@code nitroType}: the previous families of its family, same size (m5.large: m1.large, m3.large, m4.large). */
    public static List<String> predecessors(String nitroType) {
        int dot = nitroType.indexOf('.');
        if (dot < 1) {
            return List.of();
        }
        String size = nitroType.substring(dot + 1);
        return TargetTypes.previousFamilies(family(nitroType)).stream().map(f -> f + "." + size).toList();
    }

    private static String family(String type) {
        int dot = type.indexOf('.');
        return dot < 0 ? type : type.substring(0, dot);
    }

    /**
     * The instances the bought reservation is meant to replace: running On-Demand Windows instances of a Xen predecessor
     * type, of the reservation's platform and tenancy, in its zone when zonal; at most its instance count, by instance ID.
     * Every other instance looked at is left with its reason.
     */
    static FleetSelection.Selection replacements(FleetSelection.Reservation bought, List<FleetSelection.Instance> instances,
                                                 Map<String, String> hypervisors) {
        List<String> from = predecessors(bought.instanceType());
        String usage = FleetSelection.usageOperation(bought.productDescription());
        String scope = bought.availabilityZone() == null ? "Region" : "Availability Zone " + bought.availabilityZone();
        List<FleetSelection.Taken> taken = new ArrayList<>();
        List<FleetSelection.Left> left = new ArrayList<>();
        List<String> covers = new ArrayList<>();
        List<FleetSelection.Instance> sorted = new ArrayList<>(instances);
        sorted.sort(Comparator.comparing(FleetSelection.Instance::instanceId));
        for (FleetSelection.Instance i : sorted) {
            String not = !from.contains(i.instanceType()) ? i.instanceType() + " does not become " + bought.instanceType()
                    : FleetSelection.whyNot(i, hypervisors) != null ? FleetSelection.whyNot(i, hypervisors)
                    : !"running".equals(i.state()) ? "it is " + i.state() + "; a reservation pays for running instances"
                    : i.lifecycle() != null ? "it is a " + i.lifecycle() + " instance, which no reservation covers"
                    : !usage.equals(i.usageOperation()) ? "its platform (" + i.usageOperation() + ") is not the reservation's ("
                            + bought.productDescription() + ")"
                    : !tenancy(bought.instanceTenancy()).equals(tenancy(i.tenancy())) ? "its tenancy is " + tenancy(i.tenancy())
                            + ", the reservation's " + tenancy(bought.instanceTenancy())
                    : bought.availabilityZone() != null && !bought.availabilityZone().equals(i.availabilityZone())
                            ? "it is in " + i.availabilityZone() + ", the reservation in " + bought.availabilityZone()
                    : null;
            if (not != null) {
                left.add(new FleetSelection.Left(i.instanceId(), not));
                continue;
            }
            covers.add(i.instanceId());
            if (taken.size() >= bought.instanceCount()) {
                left.add(new FleetSelection.Left(i.instanceId(), "reservation " + bought.reservedInstancesId() + " covers "
                        + bought.instanceCount() + " instance(s); as many were taken before it, by instance ID"));
                continue;
            }
            taken.add(new FleetSelection.Taken(i.instanceId(), i.instanceType(), i.availabilityZone(), i.vpcId(), i.instanceType() + " -> "
                    + bought.instanceType() + ", which reservation " + bought.reservedInstancesId() + " (" + bought.instanceCount() + " x "
                    + bought.instanceType() + ", " + scope + ") is bought for"));
        }
        String reason = taken.isEmpty()
                ? "no running On-Demand " + bought.productDescription().replace(" (Amazon VPC)", "") + " instance of " + String.join(", ", from)
                        + (bought.availabilityZone() == null ? "" : " in " + bought.availabilityZone()) + " with "
                        + tenancy(bought.instanceTenancy()) + " tenancy"
                : "bought for " + bought.instanceType() + ": replaces " + taken.size() + " Xen instance(s)";
        FleetSelection.Looked looked = new FleetSelection.Looked(bought.reservedInstancesId(), bought.instanceType(),
                bought.availabilityZone() == null ? "Region" : "Availability Zone", bought.availabilityZone(), bought.instanceCount(),
                bought.end() == null ? null : bought.end().toString(), covers, reason);
        return new FleetSelection.Selection(taken, left, List.of(looked));
    }

    private static String tenancy(String t) {
        return t == null || t.isBlank() ? "default" : t;
    }
}
