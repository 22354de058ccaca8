package dev.xen2nitro.local.cloud;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.ec2.model.*;

/** Reserved Instances: DescribeReservedInstances over the world's reservations. */
public final class Ec2Reservations {
    private final Cloud cloud;

    Ec2Reservations(Cloud cloud) {
        this.cloud = cloud;
    }

    public DescribeReservedInstancesResponse describeReservedInstances(DescribeReservedInstancesRequest r) {
        List<ReservedInstances> out = new ArrayList<>();
        // Reservations named by ID must all exist (EC2 API error reference: InvalidReservedInstancesId, "The specified
        // Reserved Instance does not exist").
        for (String id : r.reservedInstancesIds()) {
            if (cloud.reservedInstances.stream().noneMatch(ri -> id.equals(ri.id()))) {
                throw new dev.xen2nitro.local.wire.AwsError("InvalidReservedInstancesId", "The specified Reserved Instance does not exist: " + id);
            }
        }
        for (var ri : cloud.reservedInstances) {
            if (!r.reservedInstancesIds().isEmpty() && !r.reservedInstancesIds().contains(ri.id())) continue;
            Instant end = Instant.parse(ri.end());
            String state = ri.state() != null ? ri.state() : end.isBefore(Instant.now()) ? "retired" : "active";
            if (!Filters.match(r.filters(), Set.of("state", "instance-type", "availability-zone", "end", "reserved-instances-id"), Map.of(), f -> switch (f) {
                case "state" -> List.of(state);
                case "reserved-instances-id" -> List.of(ri.id());
                case "instance-type" -> List.of(ri.instanceType());
                case "availability-zone" -> ri.availabilityZone() == null ? List.of() : List.of(ri.availabilityZone());
                default -> List.of(ri.end());
            })) continue;
            out.add(ReservedInstances.builder().reservedInstancesId(ri.id()).instanceType(ri.instanceType())
                    .availabilityZone(ri.availabilityZone()).instanceCount(ri.instanceCount() == null ? 1 : ri.instanceCount())
                    .start(ri.start() == null ? end.minusSeconds(365L * 86400) : Instant.parse(ri.start())).end(end)
                    .state(state).offeringClass(ri.offeringClass() == null ? "standard" : ri.offeringClass())
                    .productDescription(ri.productDescription() == null ? "Windows" : ri.productDescription())
                    .instanceTenancy(ri.instanceTenancy() == null ? "default" : ri.instanceTenancy()).scope(ri.availabilityZone() == null ? "Region" : "Availability Zone").build());
        }
        return DescribeReservedInstancesResponse.builder().reservedInstances(out).build();
    }
}
