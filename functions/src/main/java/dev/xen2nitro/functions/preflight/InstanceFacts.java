package dev.xen2nitro.functions.preflight;

import dev.xen2nitro.functions.rules.TargetTypes;
import java.util.List;
import java.util.Map;

/**
 * What EC2 says about the instance and its place, gathered by {@link Preflight} with read-only
 * calls; the input of {@link PreflightRules}.
 */
public record InstanceFacts(
        String instanceId, boolean found, String state, String platform, String architecture, String lifecycle,
        Map<String, String> tags, String availabilityZone, String subnetId, String vpcId, String subnetCidr,
        int volumes, int networkInterfaces, boolean enaSupport,
        TypeFacts currentType, String requestedTarget, TypeFacts requestedTargetType, boolean requestedTargetOffered,
        List<TypeFacts> offeredNitroTypes,
        boolean internetRoute, List<String> routeTableIds, List<String> endpointServices, boolean s3GatewayOnRouteTable, boolean ssmOnline,
        boolean vpcDnsSupport, boolean vpcDnsHostnames, String autoScalingGroup, String autoScalingLifecycle) {

    /** An instance type's facts, from DescribeInstanceTypes. */
    public record TypeFacts(String name, String hypervisor, int vcpus, long memoryMib, List<String> architectures,
                            boolean instanceStorage, int maxEbsAttachments, int maxNetworkInterfaces, String enaSupport) {
        public boolean nitro() {
            return "nitro".equals(hypervisor);
        }

        public TargetTypes.TypeInfo info() {
            return new TargetTypes.TypeInfo(name, nitro(), vcpus, memoryMib, architectures);
        }
    }

    public static InstanceFacts notFound(String instanceId) {
        return new InstanceFacts(instanceId, false, null, null, null, null, Map.of(), null, null, null, null, 0, 0, false,
                null, null, null, false, List.of(), false, List.of(), List.of(), false, false, false, false, null, null);
    }
}
