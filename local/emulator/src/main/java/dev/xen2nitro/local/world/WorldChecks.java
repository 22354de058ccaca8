package dev.xen2nitro.local.world;

import dev.xen2nitro.local.cloud.Catalogue;
import dev.xen2nitro.local.cloud.Commands;
import dev.xen2nitro.local.guest.WindowsGuest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The checks a world file must pass before anything runs, one method per check, run in the order
 * of the file's sections. Each problem names its field; {@link #run()} returns them all.
 */
final class WorldChecks {
    private static final Pattern ACCOUNT = Pattern.compile("[0-9]{12}");
    private static final Pattern CIDR = Pattern.compile("([0-9]{1,3}\\.){3}[0-9]{1,3}/[0-9]{1,2}");
    private static final Pattern IP = Pattern.compile("([0-9]{1,3}\\.){3}[0-9]{1,3}");
    private static final Pattern VERSION = Pattern.compile("[0-9]+(\\.[0-9]+){1,3}");
    /** A step's name fails that step's command; the others break the guest on Nitro. */
    private static final Set<String> GUEST_FAILURES = Stream.concat(Arrays.stream(Commands.Step.values()).map(Enum::name),
            Stream.of("EnaDriverBroken", "NvmeDriverBroken", "LosesStaticIpOnEna", "LosesStaticIpOnPv", "AgentStopped", "Ec2InstallFails", "Ec2InstallKillsAgent")).collect(Collectors.toUnmodifiableSet());
    private static final Set<String> SERVICES = Set.of("ec2", "ssm", "sns", "s3", "states", "lambda", "autoscaling");
    private static final Set<String> LIFECYCLE_STATES = Set.of("InService", "Standby", "Pending", "Terminating", "Detaching",
            "EnteringStandby");
    private static final Set<String> LAMBDA_FAULTS = Set.of("Lambda.ServiceException", "Lambda.TooManyRequestsException",
            "Sandbox.Timedout");

    private final WorldFile w;
    private final Catalogue cat = Catalogue.get();
    private final List<String> p = new ArrayList<>();
    private Set<String> vpcs, rtbs, subnets, sgs, instances, images;
    /** Private addresses already taken by an earlier instance. */
    private final Set<String> ips = new HashSet<>();

    WorldChecks(WorldFile w) {
        this.w = w;
    }

    /** Every problem found, each naming its field; empty when the world is sound. */
    List<String> run() {
        regionHasOfferings();
        accountIdHasTwelveDigits();
        timeFactorIsInRange();
        idsAreWellFormedAndUnique();
        each(w.vpcs(), this::vpcHasCidrBlock);
        each(w.routeTables(), this::routeTableIsInAVpc);
        each(w.subnets(), this::subnetIsPlaced);
        each(w.securityGroups(), this::securityGroupIsComplete);
        each(w.vpcEndpoints(), this::endpointIsOfTheRegion);
        each(w.instances(), this::instanceIsSound);
        each(w.reservedInstances(), this::reservationIsDated);
        each(w.buckets(), (i, b) -> require("buckets[" + i + "].name", b.name()));
        each(w.faults(), this::faultIsWellFormed);
        imagesAreNamed();
        return p;
    }

    private void regionHasOfferings() {
        require("region", w.region());
        if (w.region() != null && cat.zones().stream().noneMatch(z -> z.startsWith(w.region()))) {
            p.add("region: '" + w.region() + "' has no offerings in the catalogue; use one of "
                    + cat.zones().stream().map(z -> z.substring(0, z.length() - 1)).distinct().sorted().toList());
        }
    }

    private void accountIdHasTwelveDigits() {
        if (w.accountId() != null && !ACCOUNT.matcher(w.accountId()).matches()) {
            p.add("accountId: '" + w.accountId() + "' is not a 12-digit AWS account ID");
        }
    }

    private void timeFactorIsInRange() {
        if (w.timeFactor() != null && !(w.timeFactor() > 0 && w.timeFactor() <= 10)) {
            p.add("timeFactor: " + w.timeFactor() + " is out of range (0, 10]");
        }
    }

    private void idsAreWellFormedAndUnique() {
        vpcs = ids("vpcs", w.vpcs(), WorldFile.Vpc::id, "vpc-");
        rtbs = ids("routeTables", w.routeTables(), WorldFile.RouteTable::id, "rtb-");
        subnets = ids("subnets", w.subnets(), WorldFile.Subnet::id, "subnet-");
        sgs = ids("securityGroups", w.securityGroups(), WorldFile.SecurityGroup::id, "sg-");
        ids("vpcEndpoints", w.vpcEndpoints(), WorldFile.VpcEndpoint::id, "vpce-");
        instances = ids("instances", w.instances(), WorldFile.Instance::id, "i-");
        images = ids("images", w.images(), WorldFile.Image::id, "ami-");
    }

    private void vpcHasCidrBlock(int i, WorldFile.Vpc v) {
        cidr("vpcs[" + i + "].cidrBlock", v.cidrBlock());
    }

    private void routeTableIsInAVpc(int i, WorldFile.RouteTable r) {
        ref("routeTables[" + i + "].vpcId", r.vpcId(), vpcs);
        each(r.routes(), (j, route) -> cidr("routeTables[" + i + "].routes[" + j + "].destinationCidrBlock",
                route.destinationCidrBlock()));
    }

    private void subnetIsPlaced(int i, WorldFile.Subnet s) {
        String f = "subnets[" + i + "]";
        ref(f + ".vpcId", s.vpcId(), vpcs);
        ref(f + ".routeTableId", s.routeTableId(), rtbs);
        cidr(f + ".cidrBlock", s.cidrBlock());
        require(f + ".availabilityZone", s.availabilityZone());
        if (s.availabilityZone() != null && !cat.knowsZone(s.availabilityZone())) {
            p.add(f + ".availabilityZone: '" + s.availabilityZone() + "' is not a zone in the catalogue");
        } else if (s.availabilityZone() != null && w.region() != null && !s.availabilityZone().startsWith(w.region())) {
            p.add(f + ".availabilityZone: '" + s.availabilityZone() + "' is not in region " + w.region());
        }
    }

    private void securityGroupIsComplete(int i, WorldFile.SecurityGroup g) {
        String f = "securityGroups[" + i + "]";
        ref(f + ".vpcId", g.vpcId(), vpcs);
        require(f + ".groupName", g.groupName());
        each(g.ingress(), (j, r) -> each(r.cidrBlocks(), (k, c) -> cidr(f + ".ingress[" + j + "].cidrBlocks[" + k + "]", c)));
    }

    private void endpointIsOfTheRegion(int i, WorldFile.VpcEndpoint e) {
        String f = "vpcEndpoints[" + i + "]";
        ref(f + ".vpcId", e.vpcId(), vpcs);
        require(f + ".serviceName", e.serviceName());
        if (e.serviceName() != null && w.region() != null && !e.serviceName().startsWith("com.amazonaws." + w.region() + ".")) {
            p.add(f + ".serviceName: '" + e.serviceName() + "' is not a service of region " + w.region()
                    + " (expected com.amazonaws." + w.region() + ".NAME)");
        }
        if (e.vpcEndpointType() != null && !Set.of("Interface", "Gateway").contains(e.vpcEndpointType())) {
            p.add(f + ".vpcEndpointType: '" + e.vpcEndpointType() + "' must be Interface or Gateway");
        }
        each(e.subnetIds(), (j, s) -> ref(f + ".subnetIds[" + j + "]", s, subnets));
        each(e.routeTableIds(), (j, s) -> ref(f + ".routeTableIds[" + j + "]", s, rtbs));
        each(e.securityGroupIds(), (j, s) -> ref(f + ".securityGroupIds[" + j + "]", s, sgs));
    }

    private void instanceIsSound(int i, WorldFile.Instance in) {
        String f = "instances[" + i + "]";
        Catalogue.InstanceType type = instanceTypeIsInTheCatalogue(f, in);
        ref(f + ".subnetId", in.subnetId(), subnets);
        oneOf(f + ".state", in.state(), Set.of("running", "stopped"), "running or stopped");
        oneOf(f + ".platform", in.platform(), Set.of("windows", "linux"), "windows or linux");
        oneOf(f + ".lifecycle", in.lifecycle(), Set.of("on-demand", "spot"), "on-demand or spot");
        if (type != null && in.architecture() != null && !type.architectures().contains(in.architecture())) {
            p.add(f + ".architecture: '" + in.architecture() + "' is not supported by " + in.instanceType()
                    + " (" + type.architectures() + ")");
        }
        privateIpIsAnUnusedAddress(f, in.privateIpAddress());
        if (in.imageId() != null && !in.imageId().startsWith("ami-")) {
            p.add(f + ".imageId: '" + in.imageId() + "' is not an AMI ID (ami-...)");
        }
        each(in.securityGroupIds(), (j, s) -> ref(f + ".securityGroupIds[" + j + "]", s, sgs));
        autoScalingMembershipIsNamed(f, in.autoScaling());
        volumesFitTheType(f, in, type);
        if (in.guest() != null) {
            guestIsWindows(f + ".guest", in.guest(), in.platform());
        } else if (in.platform() == null || "windows".equals(in.platform())) {
            p.add(f + ".guest: a Windows instance needs a guest (os, drivers, launchAgent, network)");
        }
    }

    private Catalogue.InstanceType instanceTypeIsInTheCatalogue(String f, WorldFile.Instance in) {
        require(f + ".instanceType", in.instanceType());
        Catalogue.InstanceType type = in.instanceType() == null ? null : cat.type(in.instanceType());
        if (in.instanceType() != null && type == null) {
            p.add(f + ".instanceType: '" + in.instanceType() + "' is not an EC2 instance type in the catalogue");
        }
        return type;
    }

    private void privateIpIsAnUnusedAddress(String f, String ip) {
        if (ip == null) return;
        if (!IP.matcher(ip).matches()) {
            p.add(f + ".privateIpAddress: '" + ip + "' is not an IPv4 address");
        } else if (!ips.add(ip)) {
            p.add(f + ".privateIpAddress: '" + ip + "' is used by another instance");
        }
    }

    private void autoScalingMembershipIsNamed(String f, WorldFile.AutoScaling a) {
        if (a == null) return;
        require(f + ".autoScaling.groupName", a.groupName());
        if (a.lifecycleState() != null && !LIFECYCLE_STATES.contains(a.lifecycleState())) {
            p.add(f + ".autoScaling.lifecycleState: '" + a.lifecycleState()
                    + "' must be InService, Standby, Pending, Terminating, Detaching or EnteringStandby");
        }
    }

    private void volumesFitTheType(String f, WorldFile.Instance in, Catalogue.InstanceType type) {
        each(in.volumes(), (j, v) -> {
            require(f + ".volumes[" + j + "].deviceName", v.deviceName());
            if (v.sizeGiB() == null || v.sizeGiB() < 1 || v.sizeGiB() > 65536) {
                p.add(f + ".volumes[" + j + "].sizeGiB: must be between 1 and 65536");
            }
        });
        if (type != null && in.volumes() != null && in.volumes().size() > type.maxEbsAttachments()) {
            p.add(f + ".volumes: " + in.volumes().size() + " volumes exceed the " + type.maxEbsAttachments()
                    + " attachments of " + in.instanceType());
        }
    }

    private void guestIsWindows(String f, WorldFile.Guest g, String platform) {
        if ("linux".equals(platform)) {
            p.add(f + ": only Windows instances have a guest model; remove it or set platform to windows");
            return;
        }
        require(f + ".os", g.os());
        if (g.os() != null && !WindowsGuest.OS_VERSIONS.contains(g.os())) {
            p.add(f + ".os: '" + g.os() + "' must be one of " + new TreeSet<>(WindowsGuest.OS_VERSIONS));
        }
        if (g.drivers() != null) {
            version(f + ".drivers.pv", g.drivers().pv());
            version(f + ".drivers.ena", g.drivers().ena());
            version(f + ".drivers.nvme", g.drivers().nvme());
        }
        if (g.launchAgent() != null) {
            if (g.launchAgent().name() == null || !Set.of("EC2Config", "EC2Launch", "EC2LaunchV2").contains(g.launchAgent().name())) {
                p.add(f + ".launchAgent.name: '" + g.launchAgent().name() + "' must be EC2Config, EC2Launch or EC2LaunchV2");
            }
            version(f + ".launchAgent.version", g.launchAgent().version());
        }
        each(g.nics(), (i, n) -> guestNicHasAddresses(f + ".nics[" + i + "]", n));
        if (g.productType() != null && (g.productType() < 1 || g.productType() > 3)) {
            p.add(f + ".productType: " + g.productType() + " must be 1 (work station), 2 (domain controller) or 3 (server)");
        }
        if (g.powerShell() != null && !VERSION.matcher(g.powerShell()).matches()) {
            p.add(f + ".powerShell: '" + g.powerShell() + "' is not a version such as 2.0 or 5.1");
        }
        each(g.hotfixes(), (i, h) -> {
            if (h == null || !h.matches("KB[0-9]+")) p.add(f + ".hotfixes[" + i + "]: '" + h + "' is not a hotfix ID such as KB4474419");
        });
        if (g.power() != null) {
            each(g.power().absent(), (i, s) -> {
                if (!Set.of("balanced", "highPerformance", "powerSaver").contains(s)) {
                    p.add(f + ".power.absent[" + i + "]: '" + s + "' must be balanced, highPerformance or powerSaver");
                }
            });
        }
        if (g.rebootSeconds() != null && g.rebootSeconds() < 1) {
            p.add(f + ".rebootSeconds: " + g.rebootSeconds() + " must be a positive number of seconds");
        }
        if (g.commandSeconds() != null && g.commandSeconds() < 1) {
            p.add(f + ".commandSeconds: " + g.commandSeconds() + " must be a positive number of seconds");
        }
        each(g.failures(), (i, name) -> {
            // LosesStaticIpOnPv and LosesStaticIpOnEna may name one adapter: LosesStaticIpOnPv:0A:1B:2C:3D:4E:5F.
            String base = name != null && name.startsWith("LosesStaticIpOn") && name.contains(":") ? name.substring(0, name.indexOf(':')) : name;
            if (base != null && !base.equals(name) && g.nics() != null
                    && g.nics().stream().noneMatch(n -> name.substring(base.length() + 1).equalsIgnoreCase(n.macAddress()))) {
                p.add(f + ".failures[" + i + "]: '" + name + "' names no adapter of nics");
            }
            if (base == null || !GUEST_FAILURES.contains(base)) {
                p.add(f + ".failures[" + i + "]: '" + name + "' is not a guest failure; known: " + new TreeSet<>(GUEST_FAILURES));
            }
        });
    }

    private void guestNicHasAddresses(String f, WorldFile.Nic n) {
        if (n == null) return;
        if (n.macAddress() == null || !n.macAddress().matches("[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}")) {
            p.add(f + ".macAddress: '" + n.macAddress() + "' is not a MAC address such as 0A:1B:2C:3D:4E:5F");
        }
        each(n.addresses(), (i, a) -> {
            if (a == null || a.ipAddress() == null || !IP.matcher(a.ipAddress()).matches()) {
                p.add(f + ".addresses[" + i + "].ipAddress: '" + (a == null ? null : a.ipAddress()) + "' is not an IPv4 address");
            }
            if (a == null || a.subnetMask() == null || !IP.matcher(a.subnetMask()).matches()) {
                p.add(f + ".addresses[" + i + "].subnetMask: '" + (a == null ? null : a.subnetMask()) + "' is not an IPv4 mask");
            }
        });
        each(n.gateways(), (i, d) -> {
            if (d == null || !IP.matcher(d).matches()) p.add(f + ".gateways[" + i + "]: '" + d + "' is not an IPv4 address");
        });
        each(n.dnsServers(), (i, d) -> {
            if (d == null || !IP.matcher(d).matches()) p.add(f + ".dnsServers[" + i + "]: '" + d + "' is not an IPv4 address");
        });
    }

    private void reservationIsDated(int i, WorldFile.ReservedInstance r) {
        String f = "reservedInstances[" + i + "]";
        require(f + ".instanceType", r.instanceType());
        if (r.instanceType() != null && cat.type(r.instanceType()) == null) {
            p.add(f + ".instanceType: '" + r.instanceType() + "' is not an EC2 instance type in the catalogue");
        }
        require(f + ".end", r.end());
        try {
            if (r.end() != null) Instant.parse(r.end());
            if (r.start() != null) Instant.parse(r.start());
        } catch (RuntimeException e) {
            p.add(f + ".start/end: not an ISO-8601 instant such as 2026-12-31T00:00:00Z");
        }
    }

    private void faultIsWellFormed(int i, WorldFile.Fault fault) {
        String f = "faults[" + i + "]";
        require(f + ".service", fault.service());
        require(f + ".operation", fault.operation());
        require(f + ".code", fault.code());
        if (fault.service() != null && !SERVICES.contains(fault.service())) {
            p.add(f + ".service: '" + fault.service() + "' must be one of " + new TreeSet<>(SERVICES));
        }
        if (fault.status() != null && (fault.status() < 400 || fault.status() > 599)) {
            p.add(f + ".status: " + fault.status() + " is not an HTTP error status (400-599)");
        }
        if ("lambda".equals(fault.service()) && fault.code() != null && !LAMBDA_FAULTS.contains(fault.code())) {
            p.add(f + ".code: a lambda fault is Lambda.ServiceException, Lambda.TooManyRequestsException or Sandbox.Timedout (the function runs, then times out)");
        }
        if (fault.count() != null && fault.count() < -1) {
            p.add(f + ".count: must be -1 (always) or a number of calls");
        }
        if (fault.instanceId() != null) {
            ref(f + ".instanceId", fault.instanceId(), instances);
        }
    }

    private void imagesAreNamed() {
        each(w.images(), (i, im) -> {
            require("images[" + i + "].name", im.name());
            if (im.guest() != null) {
                guestIsWindows("images[" + i + "].guest", im.guest(), im.platform());
            }
        });
        if (images.isEmpty() && w.images() != null && !w.images().isEmpty()) {
            p.add("images: no valid image IDs");
        }
    }

    private void oneOf(String field, String v, Set<String> allowed, String said) {
        if (v != null && !allowed.contains(v)) {
            p.add(field + ": '" + v + "' must be " + said);
        }
    }

    private void version(String field, String v) {
        if (v != null && !VERSION.matcher(v).matches()) {
            p.add(field + ": '" + v + "' is not a version number such as 8.4.3");
        }
    }

    private void require(String field, Object v) {
        if (v == null || (v instanceof String s && s.isBlank())) {
            p.add(field + ": is required");
        }
    }

    private void cidr(String field, String v) {
        if (v == null) {
            p.add(field + ": is required");
        } else if (!CIDR.matcher(v).matches()) {
            p.add(field + ": '" + v + "' is not a CIDR block such as 10.0.0.0/16");
        }
    }

    private void ref(String field, String v, Set<String> known) {
        if (v == null) {
            p.add(field + ": is required");
        } else if (!known.contains(v)) {
            p.add(field + ": '" + v + "' refers to nothing in this world");
        }
    }

    private <T> Set<String> ids(String list, List<T> items, Function<T, String> id, String prefix) {
        Set<String> out = new HashSet<>();
        each(items, (i, item) -> {
            String v = id.apply(item);
            if (v == null) {
                p.add(list + "[" + i + "].id: is required");
            } else if (!v.startsWith(prefix)) {
                p.add(list + "[" + i + "].id: '" + v + "' must start with " + prefix);
            } else if (!out.add(v)) {
                p.add(list + "[" + i + "].id: '" + v + "' is used twice");
            }
        });
        return out;
    }

    interface IndexedConsumer<T> {
        void accept(int index, T item);
    }

    private static <T> void each(List<T> items, IndexedConsumer<T> consumer) {
        if (items == null) return;
        for (int i = 0; i < items.size(); i++) {
            consumer.accept(i, items.get(i));
        }
    }
}
