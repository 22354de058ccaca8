package dev.xen2nitro.functions.core;

import software.amazon.awssdk.services.ec2.model.InstanceAttributeName;

/** Sets the type of a stopped instance and reads it back (EC2 refuses while it runs: IncorrectInstanceState). */
public final class InstanceTypeAttribute {
    private InstanceTypeAttribute() {}

    public static String set(String instanceId, String type) {
        Ec2Calls.call("ModifyInstanceAttribute instanceType=" + type + " on " + instanceId,
                () -> Aws.ec2().modifyInstanceAttribute(r -> r.instanceId(instanceId).instanceType(v -> v.value(type))));
        return Ec2Calls.call("DescribeInstanceAttribute instanceType of " + instanceId,
                () -> Aws.ec2().describeInstanceAttribute(r -> r.instanceId(instanceId).attribute(InstanceAttributeName.INSTANCE_TYPE)))
                .instanceType().value();
    }
}
