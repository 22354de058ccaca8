package dev.xen2nitro.functions.preflight;

import dev.xen2nitro.functions.core.Executions;
import dev.xen2nitro.functions.core.Aws;
import dev.xen2nitro.functions.core.AwsCalls;
import dev.xen2nitro.functions.core.Ec2Calls;
import dev.xen2nitro.functions.core.InstanceNotFoundException;
import dev.xen2nitro.functions.core.InvalidInputException;
import dev.xen2nitro.functions.core.JsonHandler;
import dev.xen2nitro.functions.core.Validatable;
import dev.xen2nitro.functions.rules.TargetTypes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceTypeInfo;
import software.amazon.awssdk.services.ec2.model.LocationType;
import software.amazon.awssdk.services.ec2.model.RouteTable;
import software.amazon.awssdk.services.ec2.model.VpcAttributeName;
import software.amazon.awssdk.services.ec2.model.VpcEndpoint;

/**
 * Reads, and only reads, what EC2 and SSM say about the instance; {@link PreflightRules} decides.
 * Returns the EC2 part of the report: facts, checks, target type and the endpoints that are missing.
 */
public class Preflight extends JsonHandler<Preflight.Input, Preflight.Result> {

    public record Input(MigrationRequest request, String execution) implements Validatable {
        @Override
        public void validate() {
            if (request == null) {
                throw new InvalidInputException("'request' is required: the execution input ({\"instanceId\": \"i-...\"})");
            }
            request.validate();
        }
    }

    public record Result(String instanceId, boolean ready, boolean dryRun, String targetType, String targetReason,
                         List<Check> checks, String refusal, List<String> missingEndpoints, Map<String, Object> facts,
                         boolean allowInstanceStoreLoss, String driverSource, int approvalTimeoutSeconds, boolean rehearse) {}

    public Preflight() {
        super(Input.class);
    }

    /** The preflight of one instance, for a fleet's plan ({@code PlanFleet}): the same reads and rules. */
    public Result check(Input input) {
        input.validate();
        return handle(input);
    }

    @Override
    protected Result handle(Input input) {
        MigrationRequest req = input.request();
        InstanceFacts facts = gather(req);
        PreflightRules.Verdict v = PreflightRules.assess(facts, req.instanceStoreLossAllowed());
        return new Result(req.instanceId(), v.ready(), req.isDryRun(), v.targetType(), v.targetReason(), v.checks(),
                Check.refusal(v.checks()), v.missingEndpoints(), summary(facts), req.instanceStoreLossAllowed(), req.driverSourceOrDefault(), req.approvalTimeout(),
                req.rehearses());
    }

    static Map<String, Object> summary(InstanceFacts f) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("found", f.found());
        if (!f.found()) return m;
        m.put("state", f.state());
        m.put("instanceType", f.currentType().name());
        m.put("hypervisor", f.currentType().hypervisor());
        m.put("platform", f.platform());
        m.put("architecture", f.architecture());
        m.put("availabilityZone", f.availabilityZone());
        m.put("vpcId", f.vpcId());
        m.put("subnetId", f.subnetId());
        m.put("subnetCidr", f.subnetCidr());
        m.put("routeTableIds", f.routeTableIds());
        m.put("enaSupport", f.enaSupport());
        m.put("volumes", f.volumes());
        m.put("internetRoute", f.internetRoute());
        m.put("endpointServices", f.endpointServices());
        m.put("s3GatewayOnRouteTable", f.s3GatewayOnRouteTable());
        m.put("ssmOnline", f.ssmOnline());
        m.put("vpcDnsSupport", f.vpcDnsSupport());
        m.put("vpcDnsHostnames", f.vpcDnsHostnames());
        m.put("autoScalingGroup", f.autoScalingGroup());
        m.put("autoScalingLifecycle", f.autoScalingLifecycle());
        return m;
    }

    private InstanceFacts gather(MigrationRequest req) {
        String id = req.instanceId();
        Instance i;
        try {
            i = Ec2Calls.describeInstance(id);
        } catch (InstanceNotFoundException e) {
            i = null;
        }
        if (i == null) {
            return InstanceFacts.notFound(id);
        }
        Instance inst = i;
        String az = inst.placement().availabilityZone();
        InstanceFacts.TypeFacts current = types(List.of(inst.instanceTypeAsString())).get(0);
        InstanceFacts.TypeFacts requested = null;
        boolean requestedOffered = false;
        if (req.targetType() != null) {
            requested = typeIfExists(req.targetType());
            requestedOffered = requested != null && offeredIn(az, req.targetType()).contains(req.targetType());
        }
        List<InstanceFacts.TypeFacts> successors = new ArrayList<>();
        Optional<String> family = TargetTypes.nextFamily(current.name().substring(0, current.name().indexOf('.')));
        if (req.targetType() == null && family.isPresent()) {
            List<String> offered = offeredIn(az, family.get() + ".*");
            if (!offered.isEmpty()) {
                successors.addAll(types(offered).stream().filter(InstanceFacts.TypeFacts::nitro).toList());
            }
        }
        String subnetCidr = Ec2Calls.call("DescribeSubnets " + inst.subnetId(),
                () -> Aws.ec2().describeSubnets(r -> r.subnetIds(inst.subnetId()))).subnets().get(0).cidrBlock();
        List<RouteTable> tables = Ec2Calls.call("DescribeRouteTables for " + inst.subnetId(),
                () -> Aws.ec2().describeRouteTables(r -> r.filters(f -> f.name("association.subnet-id").values(inst.subnetId())))).routeTables();
        if (tables.isEmpty()) {
            // A subnet without an explicit association uses its VPC's main route table.
            tables = Ec2Calls.call("DescribeRouteTables main of " + inst.vpcId(), () -> Aws.ec2().describeRouteTables(r -> r.filters(
                    f -> f.name("vpc-id").values(inst.vpcId()), f -> f.name("association.main").values("true")))).routeTables();
        }
        boolean internet = tables.stream().flatMap(t -> t.routes().stream()).anyMatch(r -> "0.0.0.0/0".equals(r.destinationCidrBlock())
                && ((r.gatewayId() != null && r.gatewayId().startsWith("igw-")) || r.natGatewayId() != null));
        List<String> tableIds = tables.stream().map(RouteTable::routeTableId).toList();
        List<VpcEndpoint> endpoints = Ec2Calls.call("DescribeVpcEndpoints in " + inst.vpcId(),
                () -> Aws.ec2().describeVpcEndpoints(r -> r.filters(f -> f.name("vpc-id").values(inst.vpcId())))).vpcEndpoints();
        List<String> services = endpoints.stream().filter(e -> "available".equals(e.stateAsString()) && "Interface".equals(e.vpcEndpointTypeAsString()))
                .map(e -> e.serviceName().substring(e.serviceName().lastIndexOf('.') + 1)).distinct().toList();
        boolean s3Gateway = endpoints.stream().anyMatch(e -> "Gateway".equals(e.vpcEndpointTypeAsString())
                && e.serviceName().endsWith(".s3") && e.routeTableIds().stream().anyMatch(tableIds::contains));
        boolean online = AwsCalls.call("DescribeInstanceInformation " + id, () -> Aws.ssm().describeInstanceInformation(
                r -> r.filters(f -> f.key("InstanceIds").values(id)))).instanceInformationList().stream()
                .anyMatch(x -> "Online".equals(x.pingStatusAsString()));
        boolean dnsSupport = Boolean.TRUE.equals(Ec2Calls.call("DescribeVpcAttribute enableDnsSupport of " + inst.vpcId(), () -> Aws.ec2()
                .describeVpcAttribute(r -> r.vpcId(inst.vpcId()).attribute(VpcAttributeName.ENABLE_DNS_SUPPORT))).enableDnsSupport().value());
        boolean dnsHostnames = Boolean.TRUE.equals(Ec2Calls.call("DescribeVpcAttribute enableDnsHostnames of " + inst.vpcId(), () -> Aws.ec2()
                .describeVpcAttribute(r -> r.vpcId(inst.vpcId()).attribute(VpcAttributeName.ENABLE_DNS_HOSTNAMES))).enableDnsHostnames().value());
        var asg = AwsCalls.call("DescribeAutoScalingInstances " + id, () -> Aws.autoScaling().describeAutoScalingInstances(
                r -> r.instanceIds(id))).autoScalingInstances().stream().findFirst().orElse(null);
        Map<String, String> tags = new LinkedHashMap<>();
        inst.tags().forEach(t -> tags.put(t.key(), t.value()));
        return new InstanceFacts(id, true, inst.state().nameAsString(), inst.platformAsString() == null ? "linux" : inst.platformAsString().toLowerCase(),
                inst.architectureAsString(), inst.instanceLifecycleAsString() == null ? "on-demand" : inst.instanceLifecycleAsString(),
                tags, az, inst.subnetId(), inst.vpcId(), subnetCidr, inst.blockDeviceMappings().size(),
                Math.max(1, inst.networkInterfaces().size()), Boolean.TRUE.equals(inst.enaSupport()),
                current, req.targetType(), requested, requestedOffered, successors, internet, tableIds, services, s3Gateway, online,
                dnsSupport, dnsHostnames, asg == null ? null : asg.autoScalingGroupName(), asg == null ? null : asg.lifecycleState());
    }

    private static List<String> offeredIn(String az, String typePattern) {
        // The paginator calls EC2 as it is read: read it inside the call so failures are named.
        return Ec2Calls.call("DescribeInstanceTypeOfferings in " + az, () -> Aws.ec2().describeInstanceTypeOfferingsPaginator(r -> r
                        .locationType(LocationType.AVAILABILITY_ZONE)
                        .filters(f -> f.name("location").values(az), f -> f.name("instance-type").values(typePattern)))
                .instanceTypeOfferings().stream().map(o -> o.instanceTypeAsString()).toList());
    }

    private static InstanceFacts.TypeFacts typeIfExists(String type) {
        try {
            List<InstanceFacts.TypeFacts> t = types(List.of(type));
            return t.isEmpty() ? null : t.get(0);
        } catch (RuntimeException e) {
            if (e.getCause() instanceof Ec2Exception ec2 && ec2.awsErrorDetails() != null
                    && "InvalidInstanceType".equals(ec2.awsErrorDetails().errorCode())) {
                return null;
            }
            throw e;
        }
    }

    private static List<InstanceFacts.TypeFacts> types(List<String> names) {
        List<InstanceTypeInfo> infos = Ec2Calls.call("DescribeInstanceTypes " + names,
                () -> Aws.ec2().describeInstanceTypesPaginator(r -> r.instanceTypesWithStrings(names)).instanceTypes().stream().toList());
        return infos.stream().map(t -> new InstanceFacts.TypeFacts(t.instanceTypeAsString(), t.hypervisorAsString(),
                t.vCpuInfo().defaultVCpus(), t.memoryInfo().sizeInMiB(), t.processorInfo().supportedArchitecturesAsStrings(),
                Boolean.TRUE.equals(t.instanceStorageSupported()),
                t.ebsInfo() == null || t.ebsInfo().maximumEbsAttachments() == null ? 28 : t.ebsInfo().maximumEbsAttachments(),
                t.networkInfo().maximumNetworkInterfaces(), t.networkInfo().enaSupportAsString())).toList();
    }

    @Override
    protected Input sampleInput() {
        return new Input(new MigrationRequest("i-0123456789abcdef0", "m5.xlarge", true, false, "bucket", 3600, null, null, null, null), Executions.SAMPLE);
    }
}
