package dev.xen2nitro.local.cloud;

import dev.xen2nitro.local.guest.WindowsGuest;
import dev.xen2nitro.local.world.WorldFile;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds the emulated account from a validated world file. */
public final class CloudFactory {
    private CloudFactory() {}

    /** Default time factor: one AWS minute takes 60 ms, so tests stay fast. */
    public static final double DEFAULT_TIME_FACTOR = 0.001;

    public static Cloud create(WorldFile w) {
        Cloud c = new Cloud(w.region(), w.accountId() == null ? "123456789012" : w.accountId(),
                w.timeFactor() == null ? DEFAULT_TIME_FACTOR : w.timeFactor());
        for (WorldFile.Vpc v : list(w.vpcs())) {
            Cloud.Vpc vpc = new Cloud.Vpc();
            vpc.id = v.id();
            vpc.cidrBlock = v.cidrBlock();
            vpc.enableDnsSupport = v.enableDnsSupport() == null || v.enableDnsSupport();
            vpc.enableDnsHostnames = v.enableDnsHostnames() == null || v.enableDnsHostnames();
            vpc.tags.putAll(map(v.tags()));
            c.vpcs.put(vpc.id, vpc);
        }
        for (WorldFile.RouteTable r : list(w.routeTables())) {
            Cloud.RouteTable rt = new Cloud.RouteTable();
            rt.id = r.id();
            rt.vpcId = r.vpcId();
            rt.routes.addAll(list(r.routes()));
            rt.tags.putAll(map(r.tags()));
            c.routeTables.put(rt.id, rt);
        }
        for (WorldFile.Subnet s : list(w.subnets())) {
            Cloud.Subnet sn = new Cloud.Subnet();
            sn.id = s.id();
            sn.vpcId = s.vpcId();
            sn.availabilityZone = s.availabilityZone();
            sn.cidrBlock = s.cidrBlock();
            sn.routeTableId = s.routeTableId();
            sn.tags.putAll(map(s.tags()));
            c.subnets.put(sn.id, sn);
        }
        for (WorldFile.SecurityGroup g : list(w.securityGroups())) {
            Cloud.SecurityGroup sg = new Cloud.SecurityGroup();
            sg.id = g.id();
            sg.vpcId = g.vpcId();
            sg.groupName = g.groupName();
            sg.description = g.description() == null ? g.groupName() : g.description();
            sg.ingress.addAll(list(g.ingress()));
            if (g.egress() != null) {
                sg.egress = new java.util.ArrayList<>(g.egress());
            }
            sg.tags.putAll(map(g.tags()));
            c.securityGroups.put(sg.id, sg);
        }
        for (WorldFile.VpcEndpoint e : list(w.vpcEndpoints())) {
            Cloud.VpcEndpoint ep = new Cloud.VpcEndpoint();
            ep.id = e.id();
            ep.vpcId = e.vpcId();
            ep.serviceName = e.serviceName();
            ep.type = e.vpcEndpointType() == null ? "Interface" : e.vpcEndpointType();
            ep.subnetIds.addAll(list(e.subnetIds()));
            ep.routeTableIds.addAll(list(e.routeTableIds()));
            ep.securityGroupIds.addAll(list(e.securityGroupIds()));
            ep.privateDnsEnabled = e.privateDnsEnabled() == null ? "Interface".equals(ep.type) : e.privateDnsEnabled();
            ep.placeInterfaces();
            ep.tags.putAll(map(e.tags()));
            c.vpcEndpoints.put(ep.id, ep);
        }
        for (WorldFile.Image im : list(w.images())) {
            Cloud.Image image = new Cloud.Image();
            image.id = im.id();
            image.name = im.name();
            image.architecture = im.architecture() == null ? "x86_64" : im.architecture();
            image.enaSupport = Boolean.TRUE.equals(im.enaSupport());
            image.platform = im.platform();
            image.tags.putAll(map(im.tags()));
            if (im.guest() != null) {
                image.guest = guest(im.guest(), null);
            }
            c.images.put(image.id, image);
        }
        int n = 10;
        for (WorldFile.Instance in : list(w.instances())) {
            Cloud.Instance i = new Cloud.Instance();
            Cloud.Subnet sn = c.subnets.get(in.subnetId());
            i.id = in.id();
            i.instanceType = in.instanceType();
            i.state = in.state() == null ? "running" : in.state();
            i.stateHistory.add(i.state);
            i.subnetId = sn.id;
            i.vpcId = sn.vpcId;
            i.availabilityZone = sn.availabilityZone;
            i.privateIpAddress = in.privateIpAddress() == null ? nextIp(sn.cidrBlock, n++) : in.privateIpAddress();
            i.platform = in.platform() == null ? "windows" : in.platform();
            i.architecture = in.architecture() == null ? "x86_64" : in.architecture();
            i.enaSupport = Boolean.TRUE.equals(in.enaSupport());
            i.lifecycle = in.lifecycle() == null ? "on-demand" : in.lifecycle();
            i.imageId = in.imageId() == null ? "ami-0" + in.id().substring(2, Math.min(in.id().length(), 18)) : in.imageId();
            i.securityGroupIds.addAll(list(in.securityGroupIds()));
            i.tags.putAll(map(in.tags()));
            if (in.autoScaling() != null) {
                i.autoScalingGroup = in.autoScaling().groupName();
                i.autoScalingLifecycle = in.autoScaling().lifecycleState() == null ? "InService" : in.autoScaling().lifecycleState();
                // EC2 Auto Scaling tags its instances with the group's name.
                i.tags.put("aws:autoscaling:groupName", i.autoScalingGroup);
            }
            i.launchTime = Instant.now().minusSeconds(86400L * 400);
            List<WorldFile.Volume> vols = in.volumes() == null || in.volumes().isEmpty()
                    ? List.of(new WorldFile.Volume("/dev/sda1", 50, null)) : in.volumes();
            for (WorldFile.Volume v : vols) {
                Cloud.Volume vol = new Cloud.Volume();
                vol.deviceName = v.deviceName();
                vol.sizeGiB = v.sizeGiB() == null ? 50 : v.sizeGiB();
                vol.volumeId = v.volumeId() == null ? Cloud.newId("vol") : v.volumeId();
                vol.attachTime = i.launchTime;
                i.volumes.add(vol);
            }
            if (in.guest() != null) {
                i.guest = guest(in.guest(), i.privateIpAddress);
            }
            if ("running".equals(i.state)) {
                // Running since long ago: status checks long done.
                Catalogue.InstanceType t = c.catalogue.type(i.instanceType);
                i.bootProblem = i.guest == null ? null : i.guest.bootProblem(t.nitro());
                i.statusReadyAt = 0;
            }
            c.instances.put(i.id, i);
        }
        c.reservedInstances.addAll(list(w.reservedInstances()));
        for (String topic : list(w.topics())) {
            c.topics.put(topic, new java.util.ArrayList<>());
        }
        for (WorldFile.Bucket b : list(w.buckets())) {
            Map<String, byte[]> objects = new LinkedHashMap<>();
            map(b.objects()).forEach((k, v) -> objects.put(k, v.getBytes(StandardCharsets.UTF_8)));
            c.buckets.put(b.name(), objects);
        }
        for (WorldFile.Fault f : list(w.faults())) {
            Cloud.Fault fault = new Cloud.Fault();
            fault.service = f.service();
            fault.operation = f.operation();
            fault.code = f.code();
            fault.instanceId = f.instanceId();
            fault.status = f.status() != null ? f.status() : defaultStatus(f.code());
            fault.message = f.message() != null ? f.message() : defaultMessage(f.code());
            fault.remaining = f.count() == null ? 1 : f.count();
            c.faults.add(fault);
        }
        return c;
    }

    private static WindowsGuest guest(WorldFile.Guest g, String ip) {
        WindowsGuest guest = new WindowsGuest();
        guest.os = g.os();
        if (g.drivers() != null) {
            guest.pvDriver = g.drivers().pv();
            guest.enaDriver = g.drivers().ena();
            guest.nvmeDriver = g.drivers().nvme();
        }
        if (g.launchAgent() != null) {
            guest.launchAgentName = g.launchAgent().name();
            guest.launchAgentVersion = g.launchAgent().version();
        }
        if (g.network() != null) {
            guest.dhcp = g.network().dhcp() == null || g.network().dhcp();
            guest.ipAddress = g.network().ipAddress() == null ? ip : g.network().ipAddress();
            guest.dnsServers.addAll(list(g.network().dnsServers()));
        } else {
            guest.ipAddress = ip;
        }
        guest.roles.addAll(list(g.roles()));
        guest.powerManagementSet = Boolean.TRUE.equals(g.powerManagementSet());
        guest.amiCreated = g.amiCreated();
        if (g.ssmAgentVersion() != null) guest.ssmAgentVersion = g.ssmAgentVersion();
        guest.failures.addAll(list(g.failures()));
        guest.pnpGeneralized = Boolean.TRUE.equals(g.pnpGeneralized());
        if (g.rebootSeconds() != null) guest.rebootSeconds = g.rebootSeconds();
        if (g.commandSeconds() != null) guest.commandSeconds = g.commandSeconds();
        return guest;
    }

    // EC2 API error reference: RequestLimitExceeded is reported as a server error (503).
    static int defaultStatus(String code) {
        return switch (code) {
            case "RequestLimitExceeded", "ServiceUnavailable", "Unavailable", "ThrottlingException" -> 503;
            case "InternalError", "InternalFailure", "InternalServerError" -> 500;
            default -> 400;
        };
    }

    static String defaultMessage(String code) {
        return switch (code) {
            case "RequestLimitExceeded" -> "Request limit exceeded.";
            case "InsufficientInstanceCapacity" -> "Insufficient capacity.";
            case "UnauthorizedOperation" -> "You are not authorized to perform this operation.";
            case "AccessDeniedException" -> "User is not authorized to perform this action.";
            case "InternalError" -> "An internal error has occurred.";
            default -> "Injected fault " + code + ".";
        };
    }

    private static String nextIp(String cidr, int host) {
        String[] parts = cidr.split("/")[0].split("\\.");
        return parts[0] + "." + parts[1] + "." + parts[2] + "." + host;
    }

    private static <T> List<T> list(List<T> l) {
        return l == null ? List.of() : l;
    }

    private static Map<String, String> map(Map<String, String> m) {
        return m == null ? Map.of() : m;
    }
}
