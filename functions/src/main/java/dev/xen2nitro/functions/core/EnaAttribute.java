package dev.xen2nitro.functions.core;

import software.amazon.awssdk.services.ec2.model.InstanceAttributeName;

/** Sets the enaSupport attribute of a stopped instance and reads it back. */
public final class EnaAttribute {
    private EnaAttribute() {}

    public static boolean set(String instanceId, boolean value) {
        Ec2Calls.call("ModifyInstanceAttribute enaSupport=" + value + " on " + instanceId,
                () -> Aws.ec2().modifyInstanceAttribute(r -> r.instanceId(instanceId).enaSupport(v -> v.value(value))));
        Boolean now = Ec2Calls.call("DescribeInstanceAttribute enaSupport of " + instanceId, () -> Aws.ec2().describeInstanceAttribute(
                r -> r.instanceId(instanceId).attribute(InstanceAttributeName.ENA_SUPPORT))).enaSupport().value();
        return Boolean.TRUE.equals(now);
    }
}
