package dev.xen2nitro.local.world;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * The world file: the account the local cloud starts from. Every field is documented in
 * local/README.md ("World files") and in local/worlds/world.schema.json; unknown fields are refused.
 * {@code $schema} only points editors at that schema.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WorldFile(
        @JsonProperty("$schema") String schema,
        String description,
        String region,
        String accountId,
        Double timeFactor,
        List<Vpc> vpcs,
        List<RouteTable> routeTables,
        List<Subnet> subnets,
        List<SecurityGroup> securityGroups,
        List<VpcEndpoint> vpcEndpoints,
        List<Instance> instances,
        List<Image> images,
        List<ReservedInstance> reservedInstances,
        List<String> topics,
        List<Bucket> buckets,
        List<Fault> faults) {

    public record Vpc(String id, String cidrBlock, Boolean enableDnsSupport, Boolean enableDnsHostnames, Map<String, String> tags) {}

    public record Route(String destinationCidrBlock, String gatewayId, String natGatewayId) {}

    public record RouteTable(String id, String vpcId, List<Route> routes, Map<String, String> tags) {}

    public record Subnet(String id, String vpcId, String availabilityZone, String cidrBlock, String routeTableId,
                         Map<String, String> tags) {}

    public record IngressRule(String ipProtocol, Integer fromPort, Integer toPort, List<String> cidrBlocks) {}

    /** {@code egress}: the outbound rules; absent, the one AWS gives a new group (all traffic to 0.0.0.0/0). */
    public record SecurityGroup(String id, String vpcId, String groupName, String description,
                                List<IngressRule> ingress, Map<String, String> tags, List<IngressRule> egress) {}

    public record VpcEndpoint(String id, String vpcId, String serviceName, String vpcEndpointType,
                              List<String> subnetIds, List<String> routeTableIds, List<String> securityGroupIds,
                              Boolean privateDnsEnabled, Map<String, String> tags) {}

    public record Volume(String deviceName, Integer sizeGiB, String volumeId) {}

    public record Instance(String id, String instanceType, String state, String subnetId, String privateIpAddress,
                           String platform, String architecture, Boolean enaSupport, String lifecycle,
                           String imageId, List<String> securityGroupIds, List<Volume> volumes,
                           Map<String, String> tags, AutoScaling autoScaling, Guest guest) {}

    /** Membership of an Auto Scaling group: its name and the instance's lifecycle state (InService, Standby...). */
    public record AutoScaling(String groupName, String lifecycleState) {}

    public record Drivers(String pv, String ena, String nvme) {}

    public record LaunchAgent(String name, String version) {}

    /** {@code ipAddress} and {@code subnetMask}: one IPv4 address of an adapter. */
    public record Address(String ipAddress, String subnetMask) {}

    /** One IP-enabled adapter: its MAC address, DHCP or static, its IPv4 addresses, gateways and DNS servers. */
    public record Nic(String macAddress, Boolean dhcp, List<Address> addresses, List<String> gateways, List<String> dnsServers) {}

    /** The AC value of the power setting of runbook step 7 per scheme; absent: 1; {@code null} in JSON is not allowed (omit it). */
    public record Power(Integer balanced, Integer highPerformance, Integer powerSaver, List<String> absent) {}

    /**
     * {@code productType}: Win32_OperatingSystem.ProductType (1 work station, 2 domain controller, 3 server; default 3);
     * {@code powerShell}, {@code dotNetRelease}: default what the release ships with; {@code hotfixes}: installed KB IDs;
     * {@code nics}: the adapters (default one, DHCP, with the instance's private IP); {@code power}: the power values;
     * {@code pnpGeneralized}: Sysprep_Generalize_Pnp has run (after the NVMe driver), as in mid-migration;
     * {@code rebootSeconds} and {@code commandSeconds}: how long this server takes to reboot after a driver
     * install and to run a command, in AWS seconds (defaults 120 and 10); {@code computerName} (default EC2AMAZ- and seven
     * characters of the instance ID) and {@code domain}, the Active Directory domain it is joined to (absent: a workgroup).
     */
    public record Guest(String os, Integer productType, String powerShell, Integer dotNetRelease, List<String> hotfixes,
                        Drivers drivers, LaunchAgent launchAgent, List<Nic> nics, List<String> roles, Power power,
                        String ssmAgentVersion, List<String> failures, Boolean pnpGeneralized, Integer rebootSeconds,
                        Integer commandSeconds, String computerName, String domain) {}

    /** {@code guest}: the Windows guest on the image's root snapshot, which a root volume restored from it brings back. */
    public record Image(String id, String name, String architecture, Boolean enaSupport, String platform,
                        Map<String, String> tags, Guest guest) {}

    public record ReservedInstance(String id, String instanceType, String availabilityZone, Integer instanceCount,
                                   String start, String end, String state, String offeringClass, String productDescription,
                                   String instanceTenancy) {}

    public record Bucket(String name, Map<String, String> objects) {}

    /**
     * Makes one operation fail: {@code service} (ec2, ssm, sns, s3, states), {@code operation} (the API
     * action, e.g. StopInstances), the error {@code code}, optional {@code message} and HTTP {@code status},
     * and {@code count}: how many calls fail before it clears (default 1; -1 for every call).
     */
    public record Fault(String service, String operation, String code, String message, Integer status, Integer count,
                        String instanceId) {}
}
