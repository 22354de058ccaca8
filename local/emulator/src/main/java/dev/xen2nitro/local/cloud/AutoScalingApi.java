package dev.xen2nitro.local.cloud;

import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingInstanceDetails;
import software.amazon.awssdk.services.autoscaling.model.DescribeAutoScalingInstancesRequest;
import software.amazon.awssdk.services.autoscaling.model.DescribeAutoScalingInstancesResponse;

/** EC2 Auto Scaling as preflight sees it: which group an instance belongs to, and whether it is in Standby. */
public final class AutoScalingApi {
    private final Cloud cloud;

    public AutoScalingApi(Cloud cloud) {
        this.cloud = cloud;
    }

    public DescribeAutoScalingInstancesResponse describeAutoScalingInstances(DescribeAutoScalingInstancesRequest r) {
        List<AutoScalingInstanceDetails> out = new ArrayList<>();
        for (Cloud.Instance i : cloud.instances.values()) {
            if (i.autoScalingGroup == null || (r.hasInstanceIds() && !r.instanceIds().contains(i.id))) continue;
            out.add(AutoScalingInstanceDetails.builder().instanceId(i.id).autoScalingGroupName(i.autoScalingGroup)
                    .lifecycleState(i.autoScalingLifecycle).availabilityZone(i.availabilityZone).healthStatus("HEALTHY")
                    .instanceType(i.instanceType).protectedFromScaleIn(false).build());
        }
        return DescribeAutoScalingInstancesResponse.builder().autoScalingInstances(out).build();
    }
}
