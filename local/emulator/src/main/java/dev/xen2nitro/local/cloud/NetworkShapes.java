package dev.xen2nitro.local.cloud;

import dev.xen2nitro.local.world.WorldFile;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.ec2.model.IpPermission;
import software.amazon.awssdk.services.ec2.model.IpRange;
import software.amazon.awssdk.services.ec2.model.Route;
import software.amazon.awssdk.services.ec2.model.RouteTable;
import software.amazon.awssdk.services.ec2.model.RouteTableAssociation;
import software.amazon.awssdk.services.ec2.model.SecurityGroup;
import software.amazon.awssdk.services.ec2.model.SecurityGroupIdentifier;
import software.amazon.awssdk.services.ec2.model.Subnet;
import software.amazon.awssdk.services.ec2.model.Vpc;
import software.amazon.awssdk.services.ec2.model.VpcCidrBlockAssociation;
import software.amazon.awssdk.services.ec2.model.VpcEndpoint;

/**
 * VPCs, subnets, route tables, security groups and VPC endpoints as the Describe actions return
 * them. The world's VPCs are ones the account created (CreateVpc), not the default VPC, and no
 * resource of it has IPv6; values that follow from that carry the API reference's defaults.
 */
final class NetworkShapes {
    private NetworkShapes() {}

    /**
     * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Vpc.html. DhcpOptionsId is left out:
     * the world does not model DHCP option sets.
     */
    static Vpc vpc(Cloud cloud, Cloud.Vpc v) {
        return Vpc.builder().vpcId(v.id).cidrBlock(v.cidrBlock).state("available").ownerId(cloud.accountId)
                // CreateVpc: InstanceTenancy defaults to "default"; a created VPC is not the default VPC.
                .instanceTenancy("default").isDefault(false)
                .cidrBlockAssociationSet(VpcCidrBlockAssociation.builder().associationId("vpc-cidr-assoc-" + v.id.substring(4))
                        .cidrBlock(v.cidrBlock).cidrBlockState(s -> s.state("associated")).build())
                .tags(Ec2Tags.of(v.tags)).build();
    }

    /**
     * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Subnet.html. AvailabilityZoneId is
     * left out: the mapping of zone names to zone IDs differs per account and the world does not have it.
     */
    static Subnet subnet(Cloud cloud, Cloud.Subnet s) {
        return Subnet.builder().subnetId(s.id).vpcId(s.vpcId).availabilityZone(s.availabilityZone).cidrBlock(s.cidrBlock)
                .state("available").ownerId(cloud.accountId).subnetArn(cloud.arn("subnet", s.id))
                .availableIpAddressCount(availableAddresses(cloud, s))
                // A subnet of a created VPC is no zone's default subnet, and assigns no public IPv4 address
                // unless told to (VPC User Guide, "IP addressing for your VPCs and subnets").
                .defaultForAz(false).mapPublicIpOnLaunch(false).mapCustomerOwnedIpOnLaunch(false)
                .assignIpv6AddressOnCreation(false).ipv6Native(false).enableDns64(false).ipv6CidrBlockAssociationSet(List.of())
                // CreateSubnet: PrivateDnsNameOptionsOnLaunch defaults to IP names without resource-name records.
                .privateDnsNameOptionsOnLaunch(d -> d.hostnameType("ip-name").enableResourceNameDnsARecord(false)
                        .enableResourceNameDnsAAAARecord(false))
                .tags(Ec2Tags.of(s.tags)).build();
    }

    /**
     * VPC User Guide, "Subnet CIDR blocks": the first four addresses and the last one of every subnet
     * are reserved. Each instance's primary network interface and each interface endpoint's network
     * interface in the subnet hold one more.
     */
    static int availableAddresses(Cloud cloud, Cloud.Subnet s) {
        long used = cloud.instances.values().stream().filter(i -> s.id.equals(i.subnetId)).count()
                + cloud.vpcEndpoints.values().stream().filter(e -> e.networkInterfaceIds.containsKey(s.id)).count();
        return (int) (Cidr.size(s.cidrBlock) - 5 - used);
    }

    /**
     * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Route.html: Origin is
     * CreateRouteTable for the local route, CreateRoute for routes added since (a gateway endpoint's
     * routes included).
     */
    static RouteTable routeTable(Cloud cloud, Cloud.RouteTable rt, List<String> subnets) {
        List<Route> routes = new ArrayList<>();
        Cloud.Vpc vpc = cloud.vpcs.get(rt.vpcId);
        routes.add(Route.builder().destinationCidrBlock(vpc.cidrBlock).gatewayId("local").state("active").origin("CreateRouteTable").build());
        rt.routes.forEach(x -> routes.add(Route.builder().destinationCidrBlock(x.destinationCidrBlock())
                .gatewayId(x.gatewayId()).natGatewayId(x.natGatewayId()).state("active").origin("CreateRoute").build()));
        // A gateway endpoint adds a route to its service's prefix list in each associated route table.
        cloud.vpcEndpoints.values().stream().filter(e -> "Gateway".equals(e.type) && e.routeTableIds.contains(rt.id))
                .forEach(e -> routes.add(Route.builder().destinationPrefixListId("pl-" + e.shortService() + "0000")
                        .gatewayId(e.id).state("active").origin("CreateRoute").build()));
        return RouteTable.builder().routeTableId(rt.id).vpcId(rt.vpcId)
                .routes(routes).ownerId(cloud.accountId).tags(Ec2Tags.of(rt.tags))
                .associations(subnets.stream().map(s -> RouteTableAssociation.builder().subnetId(s).routeTableId(rt.id)
                        .routeTableAssociationId("rtbassoc-" + s.substring(7)).main(false)
                        .associationState(a -> a.state("associated")).build()).toList())
                .build();
    }

    /** https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_SecurityGroup.html */
    static SecurityGroup securityGroup(Cloud cloud, Cloud.SecurityGroup g) {
        return SecurityGroup.builder().groupId(g.id).groupName(g.groupName).description(g.description).vpcId(g.vpcId)
                .ownerId(cloud.accountId).securityGroupArn(cloud.arn("security-group", g.id)).tags(Ec2Tags.of(g.tags))
                .ipPermissions(g.ingress.stream().map(NetworkShapes::permission).toList())
                .ipPermissionsEgress(java.util.stream.Stream.concat(g.egress.stream().map(NetworkShapes::permission),
                        g.egressPrefixLists.stream().map(NetworkShapes::prefixListPermission)).toList())
                .build();
    }

    /** An IPv4 rule: the world's rules name CIDR blocks only, so the IPv6, prefix-list and group lists are empty. */
    private static IpPermission permission(WorldFile.IngressRule x) {
        List<String> cidrs = x.cidrBlocks() == null ? List.of() : x.cidrBlocks();
        return IpPermission.builder().ipProtocol(x.ipProtocol()).fromPort(x.fromPort()).toPort(x.toPort())
                .ipRanges(cidrs.stream().map(c -> IpRange.builder().cidrIp(c).build()).toList())
                .ipv6Ranges(List.of()).prefixListIds(List.of()).userIdGroupPairs(List.of()).build();
    }

    /** A rule to prefix lists (the rule's cidrBlocks hold their IDs). */
    private static IpPermission prefixListPermission(WorldFile.IngressRule x) {
        return IpPermission.builder().ipProtocol(x.ipProtocol()).fromPort(x.fromPort()).toPort(x.toPort()).ipRanges(List.of())
                .ipv6Ranges(List.of()).userIdGroupPairs(List.of())
                .prefixListIds(x.cidrBlocks().stream().map(p -> software.amazon.awssdk.services.ec2.model.PrefixListId.builder().prefixListId(p).build()).toList())
                .build();
    }

    /** The default endpoint policy, full access, in the two texts describe-vpc-endpoints shows for gateway and interface endpoints. */
    private static final String GATEWAY_POLICY = "{\"Version\":\"2008-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"*\",\"Resource\":\"*\"}]}";
    private static final String INTERFACE_POLICY = "{\n  \"Statement\": [\n    {\n      \"Action\": \"*\", \n      \"Effect\": \"Allow\", \n"
            + "      \"Principal\": \"*\", \n      \"Resource\": \"*\"\n    }\n  ]\n}";

    /**
     * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_VpcEndpoint.html, with the default
     * policy (VPC endpoints are created with a full-access policy unless given one; the world gives none).
     */
    static VpcEndpoint endpoint(Cloud cloud, Cloud.VpcEndpoint e) {
        boolean isInterface = "Interface".equals(e.type);
        var b = VpcEndpoint.builder().vpcEndpointId(e.id).vpcId(e.vpcId)
                .serviceName(e.serviceName).vpcEndpointType(e.type).state(e.state).privateDnsEnabled(e.privateDnsEnabled)
                .subnetIds(e.subnetIds).routeTableIds(e.routeTableIds).ownerId(cloud.accountId).requesterManaged(false)
                .groups(e.securityGroupIds.stream().map(g -> SecurityGroupIdentifier.builder().groupId(g)
                        .groupName(cloud.securityGroups.containsKey(g) ? cloud.securityGroups.get(g).groupName : null).build()).toList())
                .networkInterfaceIds(new ArrayList<>(e.networkInterfaceIds.values()))
                .dnsEntries(dnsEntries(cloud, e).stream().map(n -> software.amazon.awssdk.services.ec2.model.DnsEntry.builder()
                        .dnsName(n).build()).toList())
                .policyDocument(isInterface ? INTERFACE_POLICY : GATEWAY_POLICY)
                .creationTimestamp(e.created).tags(Ec2Tags.of(e.tags));
        if (isInterface) {
            b.ipAddressType("ipv4").dnsOptions(d -> d.dnsRecordIpType("ipv4"));
        }
        return b.build();
    }

    /**
     * The DNS names of an interface endpoint (VPC User Guide, "DNS hostnames" of interface endpoints):
     * a regional name vpce-ID-LABEL.SERVICE.REGION.vpce.amazonaws.com, one zonal name per
     * Availability Zone with -ZONE after the label, and with private DNS the service's own name,
     * SERVICE.REGION.amazonaws.com. S3's names are wildcards (*.vpce-...), for bucket names in front;
     * its private DNS names are left out, as the world does not model them. A gateway endpoint has
     * none. HostedZoneId is left out: the hosted zones AWS answers these names from are not in the world.
     */
    static List<String> dnsEntries(Cloud cloud, Cloud.VpcEndpoint e) {
        List<String> out = new ArrayList<>();
        if (!"Interface".equals(e.type)) return out;
        String wildcard = "s3".equals(e.service()) ? "*." : "";
        String label = wildcard + e.id + "-" + e.dnsLabel;
        String domain = "." + e.service() + "." + cloud.region + ".vpce.amazonaws.com";
        out.add(label + domain);
        e.subnetIds.stream().map(s -> cloud.subnets.get(s).availabilityZone).distinct()
                .forEach(zone -> out.add(label + "-" + zone + domain));
        if (e.privateDnsEnabled && wildcard.isEmpty()) {
            out.add(e.service() + "." + cloud.region + ".amazonaws.com");
        }
        return out;
    }
}
