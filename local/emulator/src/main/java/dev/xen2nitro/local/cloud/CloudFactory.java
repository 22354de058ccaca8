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
                image.guest = guest(im.guest(), null, null, null);
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
            i.iamInstanceProfile = c.defaultInstanceProfile();
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
                Cloud.Subnet subnet = c.subnets.get(i.subnetId);
                i.guest = guest(in.guest(), i.privateIpAddress, subnet == null ? null : subnet.cidrBlock, i.id);
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

    private static WindowsGuest guest(WorldFile.Guest g, String ip, String subnetCidr, String instanceId) {
        WindowsGuest guest = new WindowsGuest();
        guest.os = g.os();
        guest.productType = g.productType() == null ? 3 : g.productType();
        guest.powerShell = g.powerShell() == null ? WindowsGuest.shippedPowerShell(g.os()) : g.powerShell();
        guest.dotNetRelease = g.dotNetRelease() == null ? WindowsGuest.shippedDotNetRelease(g.os()) : g.dotNetRelease();
        guest.hotfixes.addAll(list(g.hotfixes()));
        if (g.drivers() != null) {
            guest.pvDriver = g.drivers().pv();
            guest.enaDriver = g.drivers().ena();
            guest.nvmeDriver = g.drivers().nvme();
        }
        if (g.launchAgent() != null) {
            guest.launchAgentName = g.launchAgent().name();
            guest.launchAgentVersion = g.launchAgent().version();
        }
        if (g.nics() != null) {
            for (WorldFile.Nic n : g.nics()) {
                WindowsGuest.Nic nic = new WindowsGuest.Nic();
                nic.macAddress = n.macAddress();
                nic.dhcp = n.dhcp() == null || n.dhcp();
                list(n.addresses()).forEach(a -> nic.addresses.add(new String[] {a.ipAddress(), a.subnetMask()}));
                nic.gateways.addAll(list(n.gateways()));
                nic.dnsServers.addAll(list(n.dnsServers()));
                guest.nics.add(nic);
            }
        } else {
            // One adapter by DHCP with the instance's private IP; its MAC address made from the instance ID.
            WindowsGuest.Nic nic = new WindowsGuest.Nic();
            nic.macAddress = instanceId == null ? null : defaultMac(instanceId);
            if (ip != null) nic.addresses.add(new String[] {ip, subnetCidr == null ? "255.255.255.0" : mask(subnetCidr)});
            guest.nics.add(nic);
        }
        guest.roles.addAll(list(g.roles()));
        if (g.power() != null) {
            List<String> absent = list(g.power().absent());
            guest.powerBalanced = absent.contains("balanced") ? null : g.power().balanced() == null ? 1 : g.power().balanced();
            guest.powerHighPerformance = absent.contains("highPerformance") ? null
                    : g.power().highPerformance() == null ? 1 : g.power().highPerformance();
            guest.powerSaver = absent.contains("powerSaver") ? null : g.power().powerSaver() == null ? 1 : g.power().powerSaver();
        }
        if (g.ssmAgentVersion() != null) guest.ssmAgentVersion = g.ssmAgentVersion();
        guest.failures.addAll(list(g.failures()));
        guest.pnpGeneralized = Boolean.TRUE.equals(g.pnpGeneralized());
        if (g.rebootSeconds() != null) guest.rebootSeconds = g.rebootSeconds();
        if (g.commandSeconds() != null) guest.commandSeconds = g.commandSeconds();
        guest.computerName = g.computerName() != null ? g.computerName()
                : instanceId == null ? null : ("EC2AMAZ-" + instanceId.substring(instanceId.length() - 7)).toUpperCase();
        guest.domain = g.domain();
        return guest;
    }

    /** 0A: and the last ten hex digits of the instance ID, as Windows prints a MAC address. */
    static String defaultMac(String instanceId) {
        String hex = instanceId.replaceAll("[^0-9a-fA-F]", "");
        hex = ("0000000000" + hex).substring(hex.length()).toUpperCase(java.util.Locale.ROOT);
        StringBuilder b = new StringBuilder("0A");
        for (int i = 0; i < 10; i += 2) b.append(':').append(hex, i, i + 2);
        return b.toString();
    }

    static String mask(String cidr) {
        int prefix = Integer.parseInt(cidr.substring(cidr.indexOf('/') + 1));
        long m = prefix == 0 ? 0 : 0xFFFFFFFFL << (32 - prefix) & 0xFFFFFFFFL;
        return (m >> 24 & 255) + "." + (m >> 16 & 255) + "." + (m >> 8 & 255) + "." + (m & 255);
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
