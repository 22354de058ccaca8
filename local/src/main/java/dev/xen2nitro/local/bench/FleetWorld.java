package dev.xen2nitro.local.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * The world of the fleet benchmark: {@code vpcs} VPCs, each with one private subnet (its route table has no route
 * to the internet) and its share of {@code instances} running Windows instances on Xen types whose Nitro successors
 * the catalogue offers in the subnet's zone, with healthy guests like mixed-fleet's migratable ones (2016 with
 * EC2Launch, 2012 R2 with EC2Config). Every {@link #ENDPOINTS_EVERY}th VPC already has the SSM interface endpoints
 * and the S3 gateway endpoint; the others get the fleet's temporary ones. The driver bucket holds the packages the
 * worlds stage. Every instance is tagged {@code Renewal=2026-12}, the benchmark's selection.
 */
public final class FleetWorld {
    private FleetWorld() {}

    static final String REGION = "us-east-1", ACCOUNT = "123456789012", ZONE = "us-east-1b";
    public static final String TAG = "Renewal", TAG_VALUE = "2026-12";
    /** Every fifth VPC (the first, the sixth...) already has its endpoints. */
    static final int ENDPOINTS_EVERY = 5;
    static final List<String> TYPES = List.of("m4.large", "m4.xlarge", "c4.large", "c4.xlarge", "t2.medium", "t2.large");
    static final List<String> PACKAGES = List.of("AWSPVDriver/8.3.5", "AWSPVDriver/8.4.3", "AWSPVDriver/8.6.1",
            "AwsEnaNetworkDriver/2.2.3", "AwsEnaNetworkDriver/2.6.0", "AwsEnaNetworkDriver/2.11.0",
            "AWSNVMe/1.3.2", "AWSNVMe/1.5.1", "AWSNVMe/1.8.2", "EC2Install/4.9.5777");

    /** An ID of 17 hexadecimal digits after {@code prefix}: a kind digit, then the number. */
    static String id(String prefix, int kind, long n) {
        return String.format("%s-0b%x%014x", prefix, kind, n);
    }

    public static String instanceId(int n) {
        return id("i", 1, n);
    }

    /** The world, as a world file holds it; the instances are spread over the VPCs in turn. */
    public static ObjectNode world(int instances, int vpcs) {
        if (vpcs < 1 || vpcs > 250) throw new IllegalArgumentException("vpcs: 1 to 250, not " + vpcs);
        if (instances < 1 || instances > vpcs * 250) throw new IllegalArgumentException("instances: 1 to 250 per VPC, not " + instances);
        ObjectMapper json = new ObjectMapper();
        ObjectNode w = json.createObjectNode();
        w.put("$schema", "./world.schema.json");
        w.put("description", "The fleet benchmark (dev.xen2nitro.local.bench.FleetWorld): " + instances + " Windows instances on Xen types in "
                + vpcs + " VPCs, each with one private subnet; every " + ENDPOINTS_EVERY + "th VPC already has its SSM and S3 endpoints.");
        w.put("region", REGION);
        w.put("accountId", ACCOUNT);
        ArrayNode vpcList = w.putArray("vpcs"), routeTables = w.putArray("routeTables"), subnets = w.putArray("subnets"),
                groups = w.putArray("securityGroups"), endpoints = w.putArray("vpcEndpoints"), list = w.putArray("instances");
        for (int v = 0; v < vpcs; v++) {
            String vpc = id("vpc", 2, v), rtb = id("rtb", 3, v), subnet = id("subnet", 4, v), servers = id("sg", 5, v);
            String cidr = "10." + v + ".0.0/16", subnetCidr = "10." + v + ".1.0/24";
            vpcList.addObject().put("id", vpc).put("cidrBlock", cidr).putObject("tags").put("Name", "bench-" + v);
            ObjectNode rt = routeTables.addObject().put("id", rtb).put("vpcId", vpc);
            rt.putArray("routes");
            subnets.addObject().put("id", subnet).put("vpcId", vpc).put("availabilityZone", ZONE).put("cidrBlock", subnetCidr)
                    .put("routeTableId", rtb);
            groups.addObject().put("id", servers).put("vpcId", vpc).put("groupName", "servers").putArray("ingress");
            if (v % ENDPOINTS_EVERY == 0) {
                String https = id("sg", 6, v);
                ObjectNode g = groups.addObject().put("id", https).put("vpcId", vpc).put("groupName", "endpoints-https");
                g.putArray("ingress").addObject().put("ipProtocol", "tcp").put("fromPort", 443).put("toPort", 443).putArray("cidrBlocks").add(subnetCidr);
                int e = 0;
                for (String service : List.of("ssm", "ec2messages", "ssmmessages")) {
                    ObjectNode ep = endpoints.addObject().put("id", id("vpce", 7, v * 4L + e++)).put("vpcId", vpc)
                            .put("serviceName", "com.amazonaws." + REGION + "." + service).put("vpcEndpointType", "Interface");
                    ep.putArray("subnetIds").add(subnet);
                    ep.putArray("securityGroupIds").add(https);
                }
                ObjectNode s3 = endpoints.addObject().put("id", id("vpce", 7, v * 4L + e)).put("vpcId", vpc)
                        .put("serviceName", "com.amazonaws." + REGION + ".s3").put("vpcEndpointType", "Gateway");
                s3.putArray("routeTableIds").add(rtb);
            }
        }
        for (int n = 0; n < instances; n++) {
            int v = n % vpcs, k = n / vpcs;
            ObjectNode i = list.addObject().put("id", instanceId(n)).put("instanceType", TYPES.get(n % TYPES.size()))
                    .put("subnetId", id("subnet", 4, v)).put("privateIpAddress", "10." + v + ".1." + (10 + k));
            i.putArray("securityGroupIds").add(id("sg", 5, v));
            ObjectNode tags = i.putObject("tags");
            ObjectNode guest = i.putObject("guest");
            if (n % 4 == 3) {
                // As mixed-fleet's batch-2012r2.
                tags.put("Name", String.format("batch-2012r2-%04d", n));
                guest.put("os", "2012R2");
                guest.putObject("drivers").put("pv", "8.4.3");
                guest.putObject("launchAgent").put("name", "EC2Config").put("version", "4.9.5777");
                guest.putObject("power").put("balanced", 0).put("highPerformance", 0).put("powerSaver", 0);
            } else {
                // As mixed-fleet's web-2016.
                tags.put("Name", String.format("web-2016-%04d", n));
                guest.put("os", "2016");
                guest.putObject("drivers").put("pv", "8.3.4");
                guest.putObject("launchAgent").put("name", "EC2Launch").put("version", "1.3.2003411");
            }
            tags.put(TAG, TAG_VALUE);
        }
        w.putArray("topics").add("arn:aws:sns:" + REGION + ":" + ACCOUNT + ":xen2nitro-notifications");
        ObjectNode objects = w.putArray("buckets").addObject().put("name", "xen2nitro-drivers-" + ACCOUNT).putObject("objects");
        for (String p : PACKAGES) {
            String name = p.substring(0, p.indexOf('/')), version = p.substring(p.indexOf('/') + 1);
            objects.put("drivers/" + p + "/" + name + ".zip", name + " " + version + " (stand-in for the zip AWS publishes)");
        }
        return w;
    }
}
