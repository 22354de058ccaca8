package dev.xen2nitro.local.cloud;

import dev.xen2nitro.local.wire.AwsError;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.ec2.model.*;

/** The network around the instances: VPCs, subnets, route tables, security groups and VPC endpoints. */
public final class Ec2Network {
    private final Cloud cloud;

    Ec2Network(Cloud cloud) {
        this.cloud = cloud;
    }

    public DescribeVpcsResponse describeVpcs(DescribeVpcsRequest r) {
        List<software.amazon.awssdk.services.ec2.model.Vpc> out = new ArrayList<>();
        for (String id : r.hasVpcIds() ? r.vpcIds() : new ArrayList<>(cloud.vpcs.keySet())) {
            Cloud.Vpc v = cloud.vpcs.get(id);
            if (v == null) throw new AwsError("InvalidVpcID.NotFound", "The vpc ID '" + id + "' does not exist");
            if (!Filters.match(r.filters(), Set.of("vpc-id", "cidr"), v.tags, f -> "cidr".equals(f) ? List.of(v.cidrBlock) : List.of(v.id))) continue;
            out.add(NetworkShapes.vpc(cloud, v));
        }
        return DescribeVpcsResponse.builder().vpcs(out).build();
    }

    public DescribeVpcAttributeResponse describeVpcAttribute(DescribeVpcAttributeRequest r) {
        Cloud.Vpc v = cloud.vpcs.get(r.vpcId());
        if (v == null) throw new AwsError("InvalidVpcID.NotFound", "The vpc ID '" + r.vpcId() + "' does not exist");
        var b = DescribeVpcAttributeResponse.builder().vpcId(v.id);
        switch (r.attributeAsString()) {
            case "enableDnsSupport" -> b.enableDnsSupport(x -> x.value(v.enableDnsSupport));
            case "enableDnsHostnames" -> b.enableDnsHostnames(x -> x.value(v.enableDnsHostnames));
            default -> throw new AwsError("InvalidParameterValue", "Value (" + r.attributeAsString() + ") for parameter attribute is invalid.");
        }
        return b.build();
    }

    public DescribeSubnetsResponse describeSubnets(DescribeSubnetsRequest r) {
        List<software.amazon.awssdk.services.ec2.model.Subnet> out = new ArrayList<>();
        for (String id : r.hasSubnetIds() ? r.subnetIds() : new ArrayList<>(cloud.subnets.keySet())) {
            Cloud.Subnet s = cloud.subnets.get(id);
            if (s == null) throw new AwsError("InvalidSubnetID.NotFound", "The subnet ID '" + id + "' does not exist");
            if (!Filters.match(r.filters(), Set.of("vpc-id", "subnet-id", "availability-zone"), s.tags, f -> switch (f) {
                case "vpc-id" -> List.of(s.vpcId);
                case "availability-zone" -> List.of(s.availabilityZone);
                default -> List.of(s.id);
            })) continue;
            out.add(NetworkShapes.subnet(cloud, s));
        }
        return DescribeSubnetsResponse.builder().subnets(out).build();
    }

    public DescribeRouteTablesResponse describeRouteTables(DescribeRouteTablesRequest r) {
        List<software.amazon.awssdk.services.ec2.model.RouteTable> out = new ArrayList<>();
        for (String id : r.hasRouteTableIds() ? r.routeTableIds() : new ArrayList<>(cloud.routeTables.keySet())) {
            Cloud.RouteTable rt = cloud.routeTables.get(id);
            if (rt == null) throw new AwsError("InvalidRouteTableID.NotFound", "The routeTable ID '" + id + "' does not exist");
            List<String> subnets = cloud.subnets.values().stream().filter(s -> rt.id.equals(s.routeTableId)).map(s -> s.id).toList();
            if (!Filters.match(r.filters(), Set.of("vpc-id", "route-table-id", "association.subnet-id", "association.main"), rt.tags, f -> switch (f) {
                case "vpc-id" -> List.of(rt.vpcId);
                case "association.main" -> List.of("false");
                case "association.subnet-id" -> subnets;
                default -> List.of(rt.id);
            })) continue;
            out.add(NetworkShapes.routeTable(cloud, rt, subnets));
        }
        return DescribeRouteTablesResponse.builder().routeTables(out).build();
    }

    public CreateSecurityGroupResponse createSecurityGroup(CreateSecurityGroupRequest r) {
        if (r.vpcId() == null || !cloud.vpcs.containsKey(r.vpcId())) {
            throw new AwsError("InvalidVpcID.NotFound", "The vpc ID '" + r.vpcId() + "' does not exist");
        }
        if (cloud.securityGroups.values().stream().anyMatch(g -> g.vpcId.equals(r.vpcId()) && g.groupName.equals(r.groupName()))) {
            throw new AwsError("InvalidGroup.Duplicate", "The security group '" + r.groupName() + "' already exists for VPC '" + r.vpcId() + "'");
        }
        Cloud.SecurityGroup g = new Cloud.SecurityGroup();
        g.id = Cloud.newId("sg");
        g.vpcId = r.vpcId();
        g.groupName = r.groupName();
        g.description = r.description();
        r.tagSpecifications().forEach(s -> s.tags().forEach(t -> g.tags.put(t.key(), t.value())));
        cloud.securityGroups.put(g.id, g);
        return CreateSecurityGroupResponse.builder().groupId(g.id).build();
    }

    private Cloud.SecurityGroup group(String id) {
        Cloud.SecurityGroup g = id == null ? null : cloud.securityGroups.get(id);
        if (g == null) throw new AwsError("InvalidGroup.NotFound", "The security group '" + id + "' does not exist");
        return g;
    }

    public AuthorizeSecurityGroupIngressResponse authorizeSecurityGroupIngress(AuthorizeSecurityGroupIngressRequest r) {
        Cloud.SecurityGroup g = group(r.groupId());
        for (IpPermission p : r.ipPermissions()) {
            List<String> cidrs = p.ipRanges().stream().map(IpRange::cidrIp).toList();
            var rule = new dev.xen2nitro.local.world.WorldFile.IngressRule(p.ipProtocol(), p.fromPort(), p.toPort(), cidrs);
            if (g.ingress.contains(rule)) {
                throw new AwsError("InvalidPermission.Duplicate", "the specified rule \"peer: " + cidrs + ", "
                        + p.ipProtocol() + ", from port: " + p.fromPort() + ", to port: " + p.toPort() + ", ALLOW\" already exists");
            }
            g.ingress.add(rule);
        }
        return AuthorizeSecurityGroupIngressResponse.builder().returnValue(true).build();
    }

    /** RevokeSecurityGroupIngress: each rule named must be in the group (EC2 error reference, InvalidPermission.NotFound). */
    public RevokeSecurityGroupIngressResponse revokeSecurityGroupIngress(RevokeSecurityGroupIngressRequest r) {
        Cloud.SecurityGroup g = group(r.groupId());
        for (IpPermission p : r.ipPermissions()) {
            List<String> cidrs = p.ipRanges().stream().map(IpRange::cidrIp).toList();
            var rule = new dev.xen2nitro.local.world.WorldFile.IngressRule(p.ipProtocol(), p.fromPort(), p.toPort(), cidrs);
            if (!g.ingress.remove(rule)) {
                throw new AwsError("InvalidPermission.NotFound", "The specified rule does not exist in this security group.");
            }
        }
        return RevokeSecurityGroupIngressResponse.builder().returnValue(true).build();
    }

    /**
     * AuthorizeSecurityGroupEgress: IPv4 ranges and prefix lists; a rule the group has already is
     * InvalidPermission.Duplicate (EC2 error reference), as for ingress.
     */
    public AuthorizeSecurityGroupEgressResponse authorizeSecurityGroupEgress(AuthorizeSecurityGroupEgressRequest r) {
        Cloud.SecurityGroup g = group(r.groupId());
        for (IpPermission p : r.ipPermissions()) {
            for (var rule : egressRules(p)) {
                List<dev.xen2nitro.local.world.WorldFile.IngressRule> to = rule.cidrBlocks().get(0).startsWith("pl-") ? g.egressPrefixLists : g.egress;
                if (rule.cidrBlocks().get(0).startsWith("pl-") && !knownPrefixList(rule.cidrBlocks().get(0))) {
                    throw new AwsError("InvalidPrefixListId.NotFound", "The prefix list '" + rule.cidrBlocks().get(0) + "' does not exist");
                }
                if (to.contains(rule)) {
                    throw new AwsError("InvalidPermission.Duplicate", "the specified rule \"peer: " + rule.cidrBlocks().get(0) + ", "
                            + p.ipProtocol() + ", from port: " + p.fromPort() + ", to port: " + p.toPort() + ", ALLOW\" already exists");
                }
                to.add(rule);
            }
        }
        return AuthorizeSecurityGroupEgressResponse.builder().returnValue(true).build();
    }

    /** RevokeSecurityGroupEgress: each rule named must be in the group (InvalidPermission.NotFound). */
    public RevokeSecurityGroupEgressResponse revokeSecurityGroupEgress(RevokeSecurityGroupEgressRequest r) {
        Cloud.SecurityGroup g = group(r.groupId());
        for (IpPermission p : r.ipPermissions()) {
            for (var rule : egressRules(p)) {
                List<dev.xen2nitro.local.world.WorldFile.IngressRule> from = rule.cidrBlocks().get(0).startsWith("pl-") ? g.egressPrefixLists : g.egress;
                if (!from.remove(rule)) {
                    throw new AwsError("InvalidPermission.NotFound", "The specified rule does not exist in this security group.");
                }
            }
        }
        return RevokeSecurityGroupEgressResponse.builder().returnValue(true).build();
    }

    /** One rule per IPv4 range and per prefix list of a permission ("-1": all traffic, whatever ports it names). */
    private static List<dev.xen2nitro.local.world.WorldFile.IngressRule> egressRules(IpPermission p) {
        boolean all = "-1".equals(p.ipProtocol());
        Integer from = all ? null : p.fromPort(), to = all ? null : p.toPort();
        List<dev.xen2nitro.local.world.WorldFile.IngressRule> out = new ArrayList<>();
        p.ipRanges().forEach(x -> out.add(new dev.xen2nitro.local.world.WorldFile.IngressRule(p.ipProtocol(), from, to, List.of(x.cidrIp()))));
        p.prefixListIds().forEach(x -> out.add(new dev.xen2nitro.local.world.WorldFile.IngressRule(p.ipProtocol(), from, to, List.of(x.prefixListId()))));
        if (out.isEmpty()) {
            throw new AwsError("InvalidParameterValue", "The request must contain at least one IP range, prefix list or group");
        }
        return out;
    }

    private boolean knownPrefixList(String id) {
        return PREFIX_LIST_SERVICES.stream().anyMatch(s -> cloud.prefixListId(s).equals(id));
    }

    /** The AWS-managed prefix lists of the gateway endpoint services (VPC User Guide, "AWS-managed prefix lists"). */
    static final List<String> PREFIX_LIST_SERVICES = List.of("s3", "dynamodb");

    /** DescribePrefixLists: the AWS-managed prefix lists of this Region, by ID or by the filter prefix-list-name or prefix-list-id. */
    public DescribePrefixListsResponse describePrefixLists(DescribePrefixListsRequest r) {
        List<PrefixList> out = new ArrayList<>();
        for (String service : PREFIX_LIST_SERVICES) {
            String id = cloud.prefixListId(service), name = "com.amazonaws." + cloud.region + "." + service;
            if (r.hasPrefixListIds() && !r.prefixListIds().contains(id)) continue;
            if (!Filters.match(r.filters(), Set.of("prefix-list-name", "prefix-list-id"), Map.of(), f -> switch (f) {
                case "prefix-list-name" -> List.of(name);
                default -> List.of(id);
            })) continue;
            // The addresses are the service's public ranges; these stand for them (documentation ranges, RFC 5737).
            out.add(PrefixList.builder().prefixListId(id).prefixListName(name)
                    .cidrs(service.equals("s3") ? List.of("198.51.100.0/24") : List.of("203.0.113.0/24")).build());
        }
        return DescribePrefixListsResponse.builder().prefixLists(out).build();
    }

    public DescribeSecurityGroupsResponse describeSecurityGroups(DescribeSecurityGroupsRequest r) {
        List<software.amazon.awssdk.services.ec2.model.SecurityGroup> out = new ArrayList<>();
        for (String id : r.hasGroupIds() ? r.groupIds() : new ArrayList<>(cloud.securityGroups.keySet())) {
            Cloud.SecurityGroup g = group(id);
            if (!Filters.match(r.filters(), Set.of("vpc-id", "group-name", "group-id"), g.tags, f -> switch (f) {
                case "vpc-id" -> List.of(g.vpcId);
                case "group-name" -> List.of(g.groupName);
                default -> List.of(g.id);
            })) continue;
            out.add(NetworkShapes.securityGroup(cloud, g));
        }
        return DescribeSecurityGroupsResponse.builder().securityGroups(out).build();
    }

    public DeleteSecurityGroupResponse deleteSecurityGroup(DeleteSecurityGroupRequest r) {
        Cloud.SecurityGroup g = group(r.groupId());
        // EC2 error reference: DependencyViolation while an instance or an endpoint's interface uses the group.
        // A terminated instance holds no group (its interface is deleted with it); a shutting-down one still does.
        boolean used = cloud.instances.values().stream().anyMatch(i -> i.securityGroupIds.contains(g.id))
                || cloud.vpcEndpoints.values().stream().anyMatch(e -> !"deleted".equals(e.state) && e.securityGroupIds.contains(g.id));
        if (used) {
            throw new AwsError("DependencyViolation", "resource " + g.id + " has a dependent object");
        }
        cloud.securityGroups.remove(g.id);
        return DeleteSecurityGroupResponse.builder().groupId(g.id).returnValue(true).build();
    }

    public CreateVpcEndpointResponse createVpcEndpoint(CreateVpcEndpointRequest r) {
        Cloud.Vpc vpc = cloud.vpcs.get(r.vpcId());
        if (vpc == null) throw new AwsError("InvalidVpcId.NotFound", "The Vpc Id '" + r.vpcId() + "' does not exist");
        String service = r.serviceName();
        if (service == null || !service.matches("com\\.amazonaws\\." + Pattern.quote(cloud.region) + "\\.[a-z0-9.-]+")) {
            throw new AwsError("InvalidServiceName", "The Vpc Endpoint Service '" + service + "' does not exist");
        }
        String type = r.vpcEndpointTypeAsString() == null ? "Gateway" : r.vpcEndpointTypeAsString();
        // Idempotency: the same ClientToken returns the endpoint already created.
        if (r.clientToken() != null) {
            for (Cloud.VpcEndpoint e : cloud.vpcEndpoints.values()) {
                if (r.clientToken().equals(e.clientToken)) {
                    return CreateVpcEndpointResponse.builder().vpcEndpoint(NetworkShapes.endpoint(cloud, e)).clientToken(r.clientToken()).build();
                }
            }
        }
        boolean privateDns = "Interface".equals(type) && (r.privateDnsEnabled() == null || r.privateDnsEnabled());
        if (privateDns) {
            // Private DNS needs enableDnsSupport and enableDnsHostnames on the VPC (VPC User Guide).
            if (!vpc.enableDnsSupport || !vpc.enableDnsHostnames) {
                throw new AwsError("InvalidParameter", "Enabling private DNS requires both enableDnsSupport and enableDnsHostnames VPC attributes set to true for " + vpc.id);
            }
            // A second private-DNS endpoint for one service in one VPC, in any state but deleted: private DNS is a private
            // hosted zone for the service's regional name associated with the VPC (AWS whitepaper "Building a Scalable and
            // Secure Multi-VPC AWS Network Infrastructure", "Centralized access to VPC private endpoints"), which one endpoint
            // holds; the error is observed (RUNBOOK; hashicorp/terraform-provider-aws#17269, "Conflicting DNS domain").
            boolean conflict = cloud.vpcEndpoints.values().stream().anyMatch(e -> e.vpcId.equals(vpc.id)
                    && e.serviceName.equals(service) && e.privateDnsEnabled && !"deleted".equals(e.state));
            if (conflict) {
                String host = service.substring("com.amazonaws.".length());
                String svc = host.substring(host.indexOf('.') + 1);
                throw new AwsError("InvalidParameter", "private-dns-enabled cannot be set because there is already a conflicting DNS domain for "
                        + svc + "." + cloud.region + ".amazonaws.com in the VPC " + vpc.id);
            }
        }
        for (String s : r.subnetIds()) {
            Cloud.Subnet sn = cloud.subnets.get(s);
            if (sn == null || !sn.vpcId.equals(vpc.id)) throw new AwsError("InvalidSubnetId.NotFound", "The subnet ID '" + s + "' does not exist in " + vpc.id);
        }
        for (String rt : r.routeTableIds()) {
            if (!cloud.routeTables.containsKey(rt)) throw new AwsError("InvalidRouteTableId.NotFound", "The routeTable ID '" + rt + "' does not exist");
        }
        r.securityGroupIds().forEach(this::group);
        Cloud.VpcEndpoint e = new Cloud.VpcEndpoint();
        e.id = Cloud.newId("vpce");
        e.vpcId = vpc.id;
        e.serviceName = service;
        e.type = type;
        e.subnetIds.addAll(r.subnetIds());
        e.routeTableIds.addAll(r.routeTableIds());
        e.securityGroupIds.addAll(r.securityGroupIds());
        if ("Interface".equals(type) && e.securityGroupIds.isEmpty()) {
            // Without groups the VPC's default security group is used: it admits only its own members.
            e.securityGroupIds.add("sg-default");
        }
        e.privateDnsEnabled = privateDns;
        e.placeInterfaces();
        r.tagSpecifications().forEach(s -> s.tags().forEach(t -> e.tags.put(t.key(), t.value())));
        e.clientToken = r.clientToken();
        cloud.vpcEndpoints.put(e.id, e);
        return CreateVpcEndpointResponse.builder().vpcEndpoint(NetworkShapes.endpoint(cloud, e)).clientToken(r.clientToken()).build();
    }

    public DescribeVpcEndpointsResponse describeVpcEndpoints(DescribeVpcEndpointsRequest r) {
        List<software.amazon.awssdk.services.ec2.model.VpcEndpoint> out = new ArrayList<>();
        for (String id : r.hasVpcEndpointIds() ? r.vpcEndpointIds() : new ArrayList<>(cloud.vpcEndpoints.keySet())) {
            Cloud.VpcEndpoint e = cloud.vpcEndpoints.get(id);
            if (e == null) throw new AwsError("InvalidVpcEndpointId.NotFound", "The Vpc Endpoint Id '" + id + "' does not exist");
            if (!Filters.match(r.filters(), Set.of("vpc-id", "service-name", "vpc-endpoint-type", "vpc-endpoint-state", "vpc-endpoint-id"),
                    e.tags, f -> switch (f) {
                        case "vpc-id" -> List.of(e.vpcId);
                        case "service-name" -> List.of(e.serviceName);
                        case "vpc-endpoint-type" -> List.of(e.type);
                        case "vpc-endpoint-state" -> List.of(e.state);
                        default -> List.of(e.id);
                    })) continue;
            out.add(NetworkShapes.endpoint(cloud, e));
        }
        return DescribeVpcEndpointsResponse.builder().vpcEndpoints(out).build();
    }

    public DeleteVpcEndpointsResponse deleteVpcEndpoints(DeleteVpcEndpointsRequest r) {
        List<UnsuccessfulItem> failed = new ArrayList<>();
        for (String id : r.vpcEndpointIds()) {
            Cloud.VpcEndpoint e = cloud.vpcEndpoints.get(id);
            if (e == null) {
                // DeleteVpcEndpoints reports unknown IDs per item rather than failing the call.
                failed.add(UnsuccessfulItem.builder().resourceId(id).error(x -> x.code("InvalidVpcEndpoint.NotFound")
                        .message("The VPC endpoint '" + id + "' does not exist")).build());
                continue;
            }
            cloud.vpcEndpoints.remove(id);
        }
        return DeleteVpcEndpointsResponse.builder().unsuccessful(failed).build();
    }
}
