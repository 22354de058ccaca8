package dev.xen2nitro.local.world;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.xen2nitro.local.cloud.Catalogue;
import dev.xen2nitro.local.cloud.Cloud;
import dev.xen2nitro.local.cloud.CloudFactory;
import dev.xen2nitro.local.cloud.Commands;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Reads a world file and refuses it, naming the field, when a field is unknown or wrong, an instance
 * type is not in the catalogue, or a reference points at nothing. Nothing runs on a refused world.
 */
public final class WorldLoader {
    private WorldLoader() {}

    static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
            .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true)
            .configure(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, true);

    public static Cloud load(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new WorldException("world file " + file + " does not exist");
        }
        return load(Files.readString(file), file.toString());
    }

    public static Cloud load(String json, String name) {
        WorldFile world = parse(json, name);
        List<String> problems = validate(world);
        if (!problems.isEmpty()) {
            throw new WorldException("world " + name + " is refused:\n  - " + String.join("\n  - ", problems));
        }
        return CloudFactory.create(world);
    }

    public static WorldFile parse(String json, String name) {
        try {
            return MAPPER.readValue(json, WorldFile.class);
        } catch (UnrecognizedPropertyException e) {
            throw new WorldException("world " + name + " is refused: unknown field '" + path(e) + "'; known fields there: "
                    + e.getKnownPropertyIds().stream().map(String::valueOf).sorted().collect(Collectors.joining(", ")));
        } catch (JsonMappingException e) {
            throw new WorldException("world " + name + " is refused: field '" + path(e) + "' is wrong: " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw new WorldException("world " + name + " is refused: not valid JSON: " + e.getOriginalMessage()
                    + " at line " + e.getLocation().getLineNr());
        }
    }

    private static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                if (sb.length() > 0) sb.append('.');
                sb.append(r.getFieldName());
            } else {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    private static final Pattern ACCOUNT = Pattern.compile("[0-9]{12}");
    private static final Pattern CIDR = Pattern.compile("([0-9]{1,3}\\.){3}[0-9]{1,3}/[0-9]{1,2}");
    private static final Pattern IP = Pattern.compile("([0-9]{1,3}\\.){3}[0-9]{1,3}");
    private static final Pattern DATE = Pattern.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}");
    private static final Pattern VERSION = Pattern.compile("[0-9]+(\\.[0-9]+){1,3}");
    /** A step's name fails that step's command; the others break the guest on Nitro. */
    private static final Set<String> GUEST_FAILURES = Stream.concat(Arrays.stream(Commands.Step.values()).map(Enum::name),
            Stream.of("EnaDriverBroken", "NvmeDriverBroken", "LosesStaticIpOnEna")).collect(Collectors.toUnmodifiableSet());
    private static final Set<String> SERVICES = Set.of("ec2", "ssm", "sns", "s3", "states", "lambda", "autoscaling");

    /** Every problem found, each naming its field; empty when the world is sound. */
    public static List<String> validate(WorldFile w) {
        List<String> p = new ArrayList<>();
        Catalogue cat = Catalogue.get();
        require(p, "region", w.region());
        if (w.region() != null && cat.zones().stream().noneMatch(z -> z.startsWith(w.region()))) {
            p.add("region: '" + w.region() + "' has no offerings in the catalogue; use one of "
                    + cat.zones().stream().map(z -> z.substring(0, z.length() - 1)).distinct().sorted().toList());
        }
        if (w.accountId() != null && !ACCOUNT.matcher(w.accountId()).matches()) {
            p.add("accountId: '" + w.accountId() + "' is not a 12-digit AWS account ID");
        }
        if (w.timeFactor() != null && !(w.timeFactor() > 0 && w.timeFactor() <= 10)) {
            p.add("timeFactor: " + w.timeFactor() + " is out of range (0, 10]");
        }
        Set<String> vpcs = ids(p, "vpcs", w.vpcs(), WorldFile.Vpc::id, "vpc-");
        Set<String> rtbs = ids(p, "routeTables", w.routeTables(), WorldFile.RouteTable::id, "rtb-");
        Set<String> subnets = ids(p, "subnets", w.subnets(), WorldFile.Subnet::id, "subnet-");
        Set<String> sgs = ids(p, "securityGroups", w.securityGroups(), WorldFile.SecurityGroup::id, "sg-");
        ids(p, "vpcEndpoints", w.vpcEndpoints(), WorldFile.VpcEndpoint::id, "vpce-");
        ids(p, "instances", w.instances(), WorldFile.Instance::id, "i-");
        Set<String> images = ids(p, "images", w.images(), WorldFile.Image::id, "ami-");

        each(w.vpcs(), (i, v) -> cidr(p, "vpcs[" + i + "].cidrBlock", v.cidrBlock()));
        each(w.routeTables(), (i, r) -> {
            ref(p, "routeTables[" + i + "].vpcId", r.vpcId(), vpcs);
            each(r.routes(), (j, route) -> cidr(p, "routeTables[" + i + "].routes[" + j + "].destinationCidrBlock",
                    route.destinationCidrBlock()));
        });
        Map<String, String> subnetZone = new java.util.HashMap<>();
        each(w.subnets(), (i, s) -> {
            String f = "subnets[" + i + "]";
            ref(p, f + ".vpcId", s.vpcId(), vpcs);
            ref(p, f + ".routeTableId", s.routeTableId(), rtbs);
            cidr(p, f + ".cidrBlock", s.cidrBlock());
            require(p, f + ".availabilityZone", s.availabilityZone());
            if (s.availabilityZone() != null && !cat.knowsZone(s.availabilityZone())) {
                p.add(f + ".availabilityZone: '" + s.availabilityZone() + "' is not a zone in the catalogue");
            } else if (s.availabilityZone() != null && w.region() != null && !s.availabilityZone().startsWith(w.region())) {
                p.add(f + ".availabilityZone: '" + s.availabilityZone() + "' is not in region " + w.region());
            }
            subnetZone.put(s.id(), s.availabilityZone());
        });
        each(w.securityGroups(), (i, g) -> {
            String f = "securityGroups[" + i + "]";
            ref(p, f + ".vpcId", g.vpcId(), vpcs);
            require(p, f + ".groupName", g.groupName());
            each(g.ingress(), (j, r) -> each(r.cidrBlocks(), (k, c) -> cidr(p, f + ".ingress[" + j + "].cidrBlocks[" + k + "]", c)));
        });
        each(w.vpcEndpoints(), (i, e) -> {
            String f = "vpcEndpoints[" + i + "]";
            ref(p, f + ".vpcId", e.vpcId(), vpcs);
            require(p, f + ".serviceName", e.serviceName());
            if (e.serviceName() != null && w.region() != null && !e.serviceName().startsWith("com.amazonaws." + w.region() + ".")) {
                p.add(f + ".serviceName: '" + e.serviceName() + "' is not a service of region " + w.region()
                        + " (expected com.amazonaws." + w.region() + ".NAME)");
            }
            if (e.vpcEndpointType() != null && !Set.of("Interface", "Gateway").contains(e.vpcEndpointType())) {
                p.add(f + ".vpcEndpointType: '" + e.vpcEndpointType() + "' must be Interface or Gateway");
            }
            each(e.subnetIds(), (j, s) -> ref(p, f + ".subnetIds[" + j + "]", s, subnets));
            each(e.routeTableIds(), (j, s) -> ref(p, f + ".routeTableIds[" + j + "]", s, rtbs));
            each(e.securityGroupIds(), (j, s) -> ref(p, f + ".securityGroupIds[" + j + "]", s, sgs));
        });
        Set<String> ips = new HashSet<>();
        each(w.instances(), (i, in) -> {
            String f = "instances[" + i + "]";
            require(p, f + ".instanceType", in.instanceType());
            Catalogue.InstanceType type = in.instanceType() == null ? null : cat.type(in.instanceType());
            if (in.instanceType() != null && type == null) {
                p.add(f + ".instanceType: '" + in.instanceType() + "' is not an EC2 instance type in the catalogue");
            }
            ref(p, f + ".subnetId", in.subnetId(), subnets);
            if (in.state() != null && !Set.of("running", "stopped").contains(in.state())) {
                p.add(f + ".state: '" + in.state() + "' must be running or stopped");
            }
            if (in.platform() != null && !Set.of("windows", "linux").contains(in.platform())) {
                p.add(f + ".platform: '" + in.platform() + "' must be windows or linux");
            }
            if (in.lifecycle() != null && !Set.of("on-demand", "spot").contains(in.lifecycle())) {
                p.add(f + ".lifecycle: '" + in.lifecycle() + "' must be on-demand or spot");
            }
            if (type != null && in.architecture() != null && !type.architectures().contains(in.architecture())) {
                p.add(f + ".architecture: '" + in.architecture() + "' is not supported by " + in.instanceType()
                        + " (" + type.architectures() + ")");
            }
            if (in.privateIpAddress() != null) {
                if (!IP.matcher(in.privateIpAddress()).matches()) {
                    p.add(f + ".privateIpAddress: '" + in.privateIpAddress() + "' is not an IPv4 address");
                } else if (!ips.add(in.privateIpAddress())) {
                    p.add(f + ".privateIpAddress: '" + in.privateIpAddress() + "' is used by another instance");
                }
            }
            if (in.imageId() != null && !in.imageId().startsWith("ami-")) {
                p.add(f + ".imageId: '" + in.imageId() + "' is not an AMI ID (ami-...)");
            }
            each(in.securityGroupIds(), (j, s) -> ref(p, f + ".securityGroupIds[" + j + "]", s, sgs));
            if (in.autoScaling() != null) {
                require(p, f + ".autoScaling.groupName", in.autoScaling().groupName());
                if (in.autoScaling().lifecycleState() != null && !Set.of("InService", "Standby", "Pending", "Terminating", "Detaching",
                        "EnteringStandby").contains(in.autoScaling().lifecycleState())) {
                    p.add(f + ".autoScaling.lifecycleState: '" + in.autoScaling().lifecycleState()
                            + "' must be InService, Standby, Pending, Terminating, Detaching or EnteringStandby");
                }
            }
            each(in.volumes(), (j, v) -> {
                require(p, f + ".volumes[" + j + "].deviceName", v.deviceName());
                if (v.sizeGiB() == null || v.sizeGiB() < 1 || v.sizeGiB() > 65536) {
                    p.add(f + ".volumes[" + j + "].sizeGiB: must be between 1 and 65536");
                }
            });
            if (type != null && in.volumes() != null && in.volumes().size() > type.maxEbsAttachments()) {
                p.add(f + ".volumes: " + in.volumes().size() + " volumes exceed the " + type.maxEbsAttachments()
                        + " attachments of " + in.instanceType());
            }
            if (in.guest() != null) {
                guest(p, f + ".guest", in.guest(), in.platform());
            } else if (in.platform() == null || "windows".equals(in.platform())) {
                p.add(f + ".guest: a Windows instance needs a guest (os, drivers, launchAgent, network)");
            }
        });
        each(w.reservedInstances(), (i, r) -> {
            String f = "reservedInstances[" + i + "]";
            require(p, f + ".instanceType", r.instanceType());
            if (r.instanceType() != null && cat.type(r.instanceType()) == null) {
                p.add(f + ".instanceType: '" + r.instanceType() + "' is not an EC2 instance type in the catalogue");
            }
            require(p, f + ".end", r.end());
            try {
                if (r.end() != null) java.time.Instant.parse(r.end());
                if (r.start() != null) java.time.Instant.parse(r.start());
            } catch (RuntimeException e) {
                p.add(f + ".start/end: not an ISO-8601 instant such as 2026-12-31T00:00:00Z");
            }
        });
        each(w.buckets(), (i, b) -> require(p, "buckets[" + i + "].name", b.name()));
        each(w.faults(), (i, fault) -> {
            String f = "faults[" + i + "]";
            require(p, f + ".service", fault.service());
            require(p, f + ".operation", fault.operation());
            require(p, f + ".code", fault.code());
            if (fault.service() != null && !SERVICES.contains(fault.service())) {
                p.add(f + ".service: '" + fault.service() + "' must be one of " + new java.util.TreeSet<>(SERVICES));
            }
            if (fault.status() != null && (fault.status() < 400 || fault.status() > 599)) {
                p.add(f + ".status: " + fault.status() + " is not an HTTP error status (400-599)");
            }
            if ("lambda".equals(fault.service()) && fault.code() != null
                    && !Set.of("Lambda.ServiceException", "Lambda.TooManyRequestsException", "Sandbox.Timedout").contains(fault.code())) {
                p.add(f + ".code: a lambda fault is Lambda.ServiceException, Lambda.TooManyRequestsException or Sandbox.Timedout (the function runs, then times out)");
            }
            if (fault.count() != null && fault.count() < -1) {
                p.add(f + ".count: must be -1 (always) or a number of calls");
            }
            if (fault.instanceId() != null) {
                ref(p, f + ".instanceId", fault.instanceId(), ids(new ArrayList<>(), "instances", w.instances(), WorldFile.Instance::id, "i-"));
            }
        });
        each(w.images(), (i, im) -> require(p, "images[" + i + "].name", im.name()));
        if (images.isEmpty() && w.images() != null && !w.images().isEmpty()) {
            p.add("images: no valid image IDs");
        }
        return p;
    }

    private static void guest(List<String> p, String f, WorldFile.Guest g, String platform) {
        if ("linux".equals(platform)) {
            p.add(f + ": only Windows instances have a guest model; remove it or set platform to windows");
            return;
        }
        require(p, f + ".os", g.os());
        if (g.os() != null && !dev.xen2nitro.local.guest.WindowsGuest.OS_VERSIONS.contains(g.os())) {
            p.add(f + ".os: '" + g.os() + "' must be one of " + new java.util.TreeSet<>(dev.xen2nitro.local.guest.WindowsGuest.OS_VERSIONS));
        }
        if (g.drivers() != null) {
            version(p, f + ".drivers.pv", g.drivers().pv());
            version(p, f + ".drivers.ena", g.drivers().ena());
            version(p, f + ".drivers.nvme", g.drivers().nvme());
        }
        if (g.launchAgent() != null) {
            if (!Set.of("EC2Config", "EC2Launch", "EC2LaunchV2").contains(g.launchAgent().name())) {
                p.add(f + ".launchAgent.name: '" + g.launchAgent().name() + "' must be EC2Config, EC2Launch or EC2LaunchV2");
            }
            version(p, f + ".launchAgent.version", g.launchAgent().version());
        }
        if (g.network() != null) {
            if (g.network().ipAddress() != null && !IP.matcher(g.network().ipAddress()).matches()) {
                p.add(f + ".network.ipAddress: '" + g.network().ipAddress() + "' is not an IPv4 address");
            }
            each(g.network().dnsServers(), (i, d) -> {
                if (!IP.matcher(d).matches()) p.add(f + ".network.dnsServers[" + i + "]: '" + d + "' is not an IPv4 address");
            });
        }
        if (g.amiCreated() != null && !DATE.matcher(g.amiCreated()).matches()) {
            p.add(f + ".amiCreated: '" + g.amiCreated() + "' is not a date (YYYY-MM-DD)");
        }
        each(g.failures(), (i, name) -> {
            if (!GUEST_FAILURES.contains(name)) {
                p.add(f + ".failures[" + i + "]: '" + name + "' is not a guest failure; known: " + new java.util.TreeSet<>(GUEST_FAILURES));
            }
        });
    }

    private static void version(List<String> p, String field, String v) {
        if (v != null && !VERSION.matcher(v).matches()) {
            p.add(field + ": '" + v + "' is not a version number such as 8.4.3");
        }
    }

    private static void require(List<String> p, String field, Object v) {
        if (v == null || (v instanceof String s && s.isBlank())) {
            p.add(field + ": is required");
        }
    }

    private static void cidr(List<String> p, String field, String v) {
        if (v == null) {
            p.add(field + ": is required");
        } else if (!CIDR.matcher(v).matches()) {
            p.add(field + ": '" + v + "' is not a CIDR block such as 10.0.0.0/16");
        }
    }

    private static void ref(List<String> p, String field, String v, Set<String> known) {
        if (v == null) {
            p.add(field + ": is required");
        } else if (!known.contains(v)) {
            p.add(field + ": '" + v + "' refers to nothing in this world");
        }
    }

    private static <T> Set<String> ids(List<String> p, String list, List<T> items, java.util.function.Function<T, String> id, String prefix) {
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
