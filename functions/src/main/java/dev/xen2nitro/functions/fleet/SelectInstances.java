package dev.xen2nitro.functions.fleet;

import dev.xen2nitro.functions.core.Aws;
import dev.xen2nitro.functions.core.Ec2Calls;
import dev.xen2nitro.functions.core.InvalidInputException;
import dev.xen2nitro.functions.core.JsonHandler;
import dev.xen2nitro.functions.core.Validatable;
import dev.xen2nitro.functions.rules.InstanceIds;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.ReservedInstances;

/**
 * The first step of a fleet migration: which instances it takes, from exactly one selection, and why it leaves the
 * others ({@link FleetSelection}). Read-only: DescribeInstances, DescribeInstanceTypes (the hypervisor of each type) and
 * DescribeReservedInstances.
 *
 * <ul>
 *   <li>{@code instanceIds}: these instances;</li>
 *   <li>{@code tags}: the instances with each of these tags, one of the values given for each key;</li>
 *   <li>{@code reservationsEndingWithinDays}: the Windows instances covered by active reservations of Xen types that end
 *   within that many days of {@code asOf} (default now), so that they are on Nitro before the reservations are renewed.</li>
 * </ul>
 */
public class SelectInstances extends JsonHandler<SelectInstances.Input, FleetSelection.Selection> {

    /** At most this many instances by ID in one fleet. */
    static final int MAX_IDS = 1000;
    /**
     * EC2 takes at most 200 values in one filter ("FilterLimitExceeded: The maximum number of filter values specified on a
     * single call is 200"), so IDs and types are asked for in groups, and a tag takes at most 200 values.
     */
    static final int MAX_FILTER_VALUES = 200;
    /** DescribeInstanceTypes names at most 100 types per request (the EC2 API model: RequestInstanceTypeList, max 100). */
    static final int MAX_TYPES = 100;

    /**
     * @param asOf the moment the renewal window starts from (ISO-8601), to plan ahead; default now
     */
    public record Input(List<String> instanceIds, Map<String, List<String>> tags, Integer reservationsEndingWithinDays, String asOf)
            implements Validatable {
        @Override
        public void validate() {
            int given = (instanceIds != null ? 1 : 0) + (tags != null ? 1 : 0) + (reservationsEndingWithinDays != null ? 1 : 0);
            if (given != 1) {
                throw new InvalidInputException("give exactly one selection: 'instanceIds' (a list), 'tags' ({\"KEY\": [\"VALUE\", ...]}) or"
                        + " 'reservationsEndingWithinDays' (a number of days); this input gives " + given);
            }
            if (instanceIds != null) {
                if (instanceIds.isEmpty() || instanceIds.size() > MAX_IDS) {
                    throw new InvalidInputException("'instanceIds' holds 1 to " + MAX_IDS + " instance IDs, not " + instanceIds.size());
                }
                for (int i = 0; i < instanceIds.size(); i++) {
                    InstanceIds.require("instanceIds[" + i + "]", instanceIds.get(i));
                }
            }
            if (tags != null) {
                if (tags.isEmpty()) {
                    throw new InvalidInputException("'tags' names at least one tag key, with the values to match: {\"KEY\": [\"VALUE\", ...]}");
                }
                tags.forEach((k, v) -> {
                    // Tag keys: 1 to 128 characters, values up to 256 (EC2 User Guide, "Tag restrictions").
                    if (k.isBlank() || k.length() > 128) {
                        throw new InvalidInputException("the tag key \"" + k + "\" is not a tag key (1 to 128 characters)");
                    }
                    if (v == null || v.isEmpty() || v.size() > MAX_FILTER_VALUES || v.stream().anyMatch(x -> x == null || x.length() > 256)) {
                        throw new InvalidInputException("give the tag " + k + " 1 to " + MAX_FILTER_VALUES + " values of up to 256 characters");
                    }
                });
            }
            if (reservationsEndingWithinDays != null && (reservationsEndingWithinDays < 1 || reservationsEndingWithinDays > 365)) {
                throw new InvalidInputException("'reservationsEndingWithinDays' is " + reservationsEndingWithinDays + "; give 1 to 365 days");
            }
            if (asOf != null) {
                try {
                    Instant.parse(asOf);
                } catch (RuntimeException e) {
                    throw new InvalidInputException("'asOf' is \"" + asOf + "\"; expected an ISO-8601 time such as 2026-12-01T00:00:00Z");
                }
            }
        }
    }

    public SelectInstances() {
        super(Input.class);
    }

    @Override
    protected FleetSelection.Selection handle(Input in) {
        if (in.instanceIds() != null) {
            List<FleetSelection.Instance> found = inGroups("instance-id", new ArrayList<>(new java.util.LinkedHashSet<>(in.instanceIds())), List.of());
            List<FleetSelection.Instance> ordered = new ArrayList<>();
            List<FleetSelection.Left> missing = new ArrayList<>();
            for (String id : new java.util.LinkedHashSet<>(in.instanceIds())) {
                found.stream().filter(i -> i.instanceId().equals(id)).findFirst().ifPresentOrElse(ordered::add,
                        () -> missing.add(new FleetSelection.Left(id, "no such instance in this account and Region")));
            }
            FleetSelection.Selection s = FleetSelection.of(ordered, hypervisors(ordered), "named in the input");
            List<FleetSelection.Left> left = new ArrayList<>(s.left());
            left.addAll(missing);
            return new FleetSelection.Selection(s.taken(), left, List.of());
        }
        if (in.tags() != null) {
            List<Filter> filters = new ArrayList<>();
            in.tags().forEach((k, v) -> filters.add(Filter.builder().name("tag:" + k).values(v).build()));
            List<FleetSelection.Instance> found = instances(filters);
            return FleetSelection.of(found, hypervisors(found), "tagged " + in.tags());
        }
        return renewals(in.reservationsEndingWithinDays(), in.asOf() == null ? Instant.now() : Instant.parse(in.asOf()));
    }

    /** The instances covered by this account's active reservations that end within {@code days} of {@code asOf} ({@link FleetSelection#renewals}). */
    static FleetSelection.Selection renewals(int days, Instant asOf) {
        List<ReservedInstances> active = Ec2Calls.call("DescribeReservedInstances", () -> Aws.ec2().describeReservedInstances(r -> r
                .filters(Filter.builder().name("state").values("active").build()))).reservedInstances();
        List<FleetSelection.Reservation> reservations = new ArrayList<>();
        for (ReservedInstances ri : active) {
            reservations.add(reservation(ri));
        }
        Set<String> types = new TreeSet<>();
        reservations.forEach(r -> types.add(r.instanceType()));
        List<FleetSelection.Instance> found = types.isEmpty() ? List.of()
                : inGroups("instance-type", new ArrayList<>(types), List.of(Filter.builder().name("platform").values("windows").build()));
        Map<String, String> hypervisors = hypervisors(types);
        return FleetSelection.renewals(reservations, found, hypervisors, asOf, days);
    }

    /** A reservation as DescribeReservedInstances shows it; its zone only when it is zonal. */
    static FleetSelection.Reservation reservation(ReservedInstances ri) {
        return new FleetSelection.Reservation(ri.reservedInstancesId(), ri.instanceTypeAsString(),
                "Availability Zone".equals(ri.scopeAsString()) ? ri.availabilityZone() : null, ri.instanceCount() == null ? 1 : ri.instanceCount(),
                ri.end(), ri.productDescriptionAsString(), ri.instanceTenancyAsString(), ri.stateAsString());
    }

    /** The instances whose {@code name} is one of {@code values}, asked in groups of {@link #MAX_FILTER_VALUES}, with {@code more} filters. */
    static List<FleetSelection.Instance> inGroups(String name, List<String> values, List<Filter> more) {
        List<FleetSelection.Instance> out = new ArrayList<>();
        for (int from = 0; from < values.size(); from += MAX_FILTER_VALUES) {
            List<Filter> filters = new ArrayList<>(more);
            filters.add(Filter.builder().name(name).values(values.subList(from, Math.min(values.size(), from + MAX_FILTER_VALUES))).build());
            out.addAll(instances(filters));
        }
        return out;
    }

    static List<FleetSelection.Instance> instances(List<Filter> filters) {
        List<FleetSelection.Instance> out = new ArrayList<>();
        Ec2Calls.call("DescribeInstances", () -> {
            Aws.ec2().describeInstancesPaginator(r -> r.filters(filters)).reservations().forEach(res -> res.instances().forEach(i -> out.add(
                    new FleetSelection.Instance(i.instanceId(), i.instanceTypeAsString(), i.placement() == null ? null : i.placement().availabilityZone(),
                            i.vpcId(), i.platformAsString(), i.state() == null ? null : i.state().nameAsString(),
                            i.placement() == null ? null : i.placement().tenancyAsString(), i.usageOperation(), i.instanceLifecycleAsString()))));
            return null;
        });
        return out;
    }

    private static Map<String, String> hypervisors(List<FleetSelection.Instance> instances) {
        Set<String> types = new TreeSet<>();
        instances.forEach(i -> types.add(i.instanceType()));
        return hypervisors(types);
    }

    /** Each type's hypervisor, xen or nitro, from DescribeInstanceTypes. */
    static Map<String, String> hypervisors(Set<String> types) {
        Map<String, String> out = new LinkedHashMap<>();
        if (types.isEmpty()) {
            return out;
        }
        List<String> all = new ArrayList<>(types);
        for (int from = 0; from < all.size(); from += MAX_TYPES) {
            List<String> group = all.subList(from, Math.min(all.size(), from + MAX_TYPES));
            Ec2Calls.call("DescribeInstanceTypes", () -> {
                Aws.ec2().describeInstanceTypesPaginator(r -> r.instanceTypesWithStrings(group)).instanceTypes()
                        .forEach(t -> out.put(t.instanceTypeAsString(), t.hypervisorAsString()));
                return null;
            });
        }
        return out;
    }

    @Override
    protected Input sampleInput() {
        return new Input(null, null, 30, "2026-11-26T00:00:00Z");
    }
}
