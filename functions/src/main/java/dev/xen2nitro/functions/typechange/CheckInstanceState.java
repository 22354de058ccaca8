package dev.xen2nitro.functions.typechange;

import dev.xen2nitro.functions.core.Aws;
import dev.xen2nitro.functions.core.Ec2Calls;
import dev.xen2nitro.functions.core.JsonHandler;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceStatus;

/**
 * Reads the instance's state, type, enaSupport and status checks in one look, for the state
 * machine's poll loops (it never waits itself).
 */
public class CheckInstanceState extends JsonHandler<InstanceRef, CheckInstanceState.Result> {

    /**
     * @param instanceStatus {@code ok}, {@code initializing}, {@code impaired}, ... or {@code not-applicable}
     *                       when the instance is not running
     * @param healthy        running and both status checks {@code ok}
     */
    public record Result(String instanceId, String state, String instanceType, boolean enaSupport,
                         String instanceStatus, String systemStatus, boolean healthy) {}

    public CheckInstanceState() {
        super(InstanceRef.class);
    }

    @Override
    protected Result handle(InstanceRef input) {
        String id = input.instanceId();
        Instance instance = Ec2Calls.describeInstance(id);
        // DescribeInstanceStatus omits instances that are not running unless IncludeAllInstances is set.
        InstanceStatus status = Ec2Calls.call("DescribeInstanceStatus " + id,
                        () -> Aws.ec2().describeInstanceStatus(r -> r.instanceIds(id).includeAllInstances(true)))
                .instanceStatuses().stream().findFirst().orElse(null);
        String instanceStatus = status == null || status.instanceStatus() == null
                ? "not-applicable" : status.instanceStatus().statusAsString();
        String systemStatus = status == null || status.systemStatus() == null
                ? "not-applicable" : status.systemStatus().statusAsString();
        String state = instance.state().nameAsString();
        boolean healthy = "running".equals(state) && "ok".equals(instanceStatus) && "ok".equals(systemStatus);
        return new Result(id, state, instance.instanceTypeAsString(), Boolean.TRUE.equals(instance.enaSupport()),
                instanceStatus, systemStatus, healthy);
    }

    @Override
    protected InstanceRef sampleInput() {
        return new InstanceRef("i-0123456789abcdef0");
    }
}
