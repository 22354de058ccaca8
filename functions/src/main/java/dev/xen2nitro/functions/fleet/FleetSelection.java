package dev.xen2nitro.functions.fleet;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which instances a fleet migration takes, and why the others are left: no SDK here. An instance is taken when it runs
 * Windows on a Xen type and is running or stopped. Reservations that come up for renewal select the Windows instances
 * they cover: a Windows Reserved Instance applies only to its own instance type, regional or not, because instance size
 * flexibility "is not supported" for "Reserved Instances for Windows Server" nor for zonal ones; a zonal one applies
 * only in its Availability Zone, and tenancy and platform must match (EC2 User Guide, "How Reserved Instances are
 * applied": "How zonal Reserved Instances are applied", "Instance size flexibility", Limitations). The platform is the
 * AMI's platform details, which must be the reservation's ("Choosing a platform": "otherwise the Reserved Instance will
 * not be applied"): Windows, or Windows with SQL Server Standard, Web or Enterprise, told apart by the instance's usage
 * operation (EC2 User Guide, "AMI billing information fields"); a Windows BYOL instance matches none. A reservation is a
 * discount on On-Demand usage, so a Spot instance or one in a Capacity Block is never covered. With consolidated billing,
 * reservations of other accounts of the organization may cover these instances too, and these reservations theirs;
 * DescribeReservedInstances shows only this account's.
 */
public final class FleetSelection {
    private FleetSelection() {}

    /**
     * An instance as DescribeInstances shows it; {@code platform} is "windows" or null (Linux/UNIX); {@code usageOperation}
     * its billing code (RunInstances:0002 for Windows); {@code lifecycle} "spot", "capacity-block" or null (On-Demand).
     */
    public record Instance(String instanceId, String instanceType, String availabilityZone, String vpcId, String platform, String state,
                           String tenancy, String usageOperation, String lifecycle) {}

    /**
     * The usage operation of each Windows platform a Reserved Instance is sold for, by its product description without
     * " (Amazon VPC)" (EC2 User Guide, "AMI billing information fields": Windows RunInstances:0002, Windows with SQL Server
     * Standard RunInstances:0006, Web RunInstances:0202, Enterprise RunInstances:0102).
     */
    static final Map<String, String> WINDOWS_PLATFORMS = Map.of("Windows", "RunInstances:0002",
            "Windows with SQL Server Standard", "RunInstances:0006", "Windows with SQL Server Web", "RunInstances:0202",
            "Windows with SQL Server Enterprise", "RunInstances:0102");

    static String usageOperation(String productDescription) {
        return productDescription == null ? null : WINDOWS_PLATFORMS.get(productDescription.replace(" (Amazon VPC)", "").strip());
    }

    /**
     * A Reserved Instance as DescribeReservedInstances shows it.
     *
     * @param availabilityZone its zone when zonal (scope "Availability Zone"), null when regional
     */
    public record Reservation(String reservedInstancesId, String instanceType, String availabilityZone, int instanceCount, Instant end,
                              String productDescription, String instanceTenancy, String state) {}

    /** An instance taken, with why. */
    public record Taken(String instanceId, String instanceType, String availabilityZone, String vpcId, String reason) {}

    /** An instance left, with why. */
    public record Left(String instanceId, String reason) {}

    /**
     * A reservation looked at: the instances it covers that the fleet takes, or why none.
     *
     * @param covers the On-Demand instances of its platform, type, tenancy (and zone) that it may cover, taken or not; more
     *               than {@code instanceCount} when some run without its discount, and EC2 does not say which
     */
    public record Looked(String reservedInstancesId, String instanceType, String scope, String availabilityZone, int instanceCount,
                         String end, List<String> covers, String reason) {}

    public record Selection(List<Taken> taken, List<Left> left, List<Looked> reservations) {}

    /** Why {@code i} is not to be migrated, or null when it is. */
    static String whyNot(Instance i, Map<String, String> hypervisors) {
        if (!"windows".equals(i.platform())) {
            return "not Windows (" + (i.platform() == null ? "Linux/UNIX" : i.platform()) + "): this tool moves Windows instances";
        }
        String hypervisor = hypervisors.get(i.instanceType());
        if (!"xen".equals(hypervisor)) {
            return i.instanceType() + " runs on " + (hypervisor == null ? "an unknown hypervisor" : "the " + hypervisor + " hypervisor") + ", not Xen";
        }
        if (!Set.of("running", "stopped").contains(i.state())) {
            return "it is " + i.state() + "; only a running or stopped instance is migrated";
        }
        return null;
    }

    /** The instances named or found by tag: each taken or left with its reason, in the order given. */
    public static Selection of(List<Instance> instances, Map<String, String> hypervisors, String why) {
        List<Taken> taken = new ArrayList<>();
        List<Left> left = new ArrayList<>();
        for (Instance i : instances) {
            String not = whyNot(i, hypervisors);
            if (not == null) {
                taken.add(new Taken(i.instanceId(), i.instanceType(), i.availabilityZone(), i.vpcId(), why));
            } else {
                left.add(new Left(i.instanceId(), not));
            }
        }
        return new Selection(taken, left, List.of());
    }

    /**
     * The instances covered by active reservations that end within {@code days} of {@code asOf}: Windows, of a Xen type,
     * matched by type, tenancy and, for a zonal one, zone. An instance covered by two is taken once.
     */
    public static Selection renewals(List<Reservation> reservations, List<Instance> instances, Map<String, String> hypervisors, Instant asOf,
                                     int days) {
        Instant until = asOf.plus(Duration.ofDays(days));
        List<Taken> taken = new ArrayList<>();
        List<Left> left = new ArrayList<>();
        List<Looked> looked = new ArrayList<>();
        java.util.Set<String> seen = new java.util.LinkedHashSet<>();
        for (Reservation r : reservations) {
            String scope = r.availabilityZone() == null ? "Region" : "Availability Zone";
            String end = r.end().toString();
            String reason = !"active".equals(r.state()) ? "it is " + r.state()
                    : r.end().isAfter(until) ? "it ends " + end + ", after " + until
                    : r.end().isBefore(asOf) ? "it ended " + end
                    : usageOperation(r.productDescription()) == null ? "it is for " + r.productDescription() + ", not a Windows platform"
                    : !"xen".equals(hypervisors.get(r.instanceType())) ? r.instanceType() + " is not a Xen type"
                    : null;
            List<String> covers = new ArrayList<>();
            if (reason == null) {
                for (Instance i : instances) {
                    boolean matches = i.instanceType().equals(r.instanceType()) && "windows".equals(i.platform())
                            && usageOperation(r.productDescription()).equals(i.usageOperation()) && i.lifecycle() == null
                            && (r.availabilityZone() == null || r.availabilityZone().equals(i.availabilityZone()))
                            && tenancy(r.instanceTenancy()).equals(tenancy(i.tenancy()));
                    if (!matches) continue;
                    covers.add(i.instanceId());
                    if (!seen.add(i.instanceId())) continue;
                    String not = whyNot(i, hypervisors);
                    if (not == null) {
                        taken.add(new Taken(i.instanceId(), i.instanceType(), i.availabilityZone(), i.vpcId(), "may be covered by reservation "
                                + r.reservedInstancesId() + " (" + r.instanceCount() + " x " + r.instanceType() + ", " + scope
                                + (r.availabilityZone() == null ? "" : " " + r.availabilityZone()) + "), which ends " + end));
                    } else {
                        left.add(new Left(i.instanceId(), not));
                    }
                }
                if (covers.isEmpty()) {
                    reason = "no On-Demand " + r.productDescription().replace(" (Amazon VPC)", "") + " " + r.instanceType() + " instance"
                            + (r.availabilityZone() == null ? "" : " in " + r.availabilityZone()) + " with " + tenancy(r.instanceTenancy()) + " tenancy";
                }
            }
            looked.add(new Looked(r.reservedInstancesId(), r.instanceType(), scope, r.availabilityZone(), r.instanceCount(), end, covers,
                    reason == null ? "comes up for renewal within " + days + " days" : reason));
        }
        return new Selection(taken, left, looked);
    }

    /** A reservation's "default" tenancy is an instance's "default" (shared); "dedicated" matches "dedicated". */
    private static String tenancy(String t) {
        return t == null || t.isBlank() ? "default" : t;
    }
}
