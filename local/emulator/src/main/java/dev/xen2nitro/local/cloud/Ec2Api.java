package dev.xen2nitro.local.cloud;

import dev.xen2nitro.local.wire.AwsError;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.ec2.model.*;

/**
 * The slice of the EC2 API the functions use. One public method per action, named as the action,
 * taking and returning the SDK's own model classes. Rules and error texts follow the EC2 API
 * reference and error reference; "observed" texts are real error output quoted in public issues.
 */
public final class Ec2Api {
    private final Cloud cloud;

    public Ec2Api(Cloud cloud) {
        this.cloud = cloud;
    }

    private static final Pattern INSTANCE_ID = Pattern.compile("i-([0-9a-f]{8}|[0-9a-f]{17})");

    // ------------------------------------------------------------------ instances

    private Cloud.Instance instance(String id) {
        // EC2 error reference: InvalidInstanceID.Malformed, 'Invalid id: "..."' (observed text).
        if (id == null || !INSTANCE_ID.matcher(id).matches()) {
            throw new AwsError("InvalidInstanceID.Malformed", "Invalid id: \"" + id + "\"");
        }
        Cloud.Instance i = cloud.instances.get(id);
        if (i == null) {
            throw new AwsError("InvalidInstanceID.NotFound", "The instance ID '" + id + "' does not exist");
        }
        return i;
    }

    private List<Cloud.Instance> instances(List<String> ids) {
        return ids.stream().map(this::instance).toList();
    }

    public DescribeInstancesResponse describeInstances(DescribeInstancesRequest r) {
        Collection<Cloud.Instance> chosen = r.hasInstanceIds() ? instances(r.instanceIds()) : cloud.instances.values();
        List<Reservation> reservations = new ArrayList<>();
        for (Cloud.Instance i : chosen) {
            if (!Filters.match(r.filters(), Set.of("instance-id", "instance-state-name", "vpc-id", "subnet-id",
                    "instance-type", "availability-zone", "platform", "instance-lifecycle"), i.tags, name -> switch (name) {
                case "instance-id" -> List.of(i.id);
                case "instance-state-name" -> List.of(i.state);
                case "vpc-id" -> List.of(i.vpcId);
                case "subnet-id" -> List.of(i.subnetId);
                case "instance-type" -> List.of(i.instanceType);
                case "availability-zone" -> List.of(i.availabilityZone);
                case "platform" -> List.of(i.platform);
                default -> List.of(i.lifecycle);
            })) {
                continue;
            }
            reservations.add(Reservation.builder().reservationId("r-" + i.id.substring(2)).ownerId(cloud.accountId)
                    .instances(toSdk(i)).build());
        }
        return DescribeInstancesResponse.builder().reservations(reservations).build();
    }

    private software.amazon.awssdk.services.ec2.model.Instance toSdk(Cloud.Instance i) {
        var b = software.amazon.awssdk.services.ec2.model.Instance.builder()
                .instanceId(i.id).instanceType(i.instanceType).imageId(i.imageId)
                .state(state(i.state)).placement(p -> p.availabilityZone(i.availabilityZone))
                .subnetId(i.subnetId).vpcId(i.vpcId).privateIpAddress(i.privateIpAddress)
                .architecture(i.architecture).launchTime(i.launchTime)
                // DescribeInstances omits enaSupport unless it is enabled (RUNBOOK step 4: "empty when not enabled").
                .enaSupport(i.enaSupport ? Boolean.TRUE : null)
                .rootDeviceType("ebs").rootDeviceName(i.volumes.isEmpty() ? "/dev/sda1" : i.volumes.get(0).deviceName)
                .virtualizationType("hvm").hypervisor("xen")
                .securityGroups(i.securityGroupIds.stream().map(id -> GroupIdentifier.builder().groupId(id)
                        .groupName(cloud.securityGroups.get(id).groupName).build()).toList())
                .blockDeviceMappings(i.volumes.stream().map(v -> InstanceBlockDeviceMapping.builder()
                        .deviceName(v.deviceName).ebs(e -> e.volumeId(v.volumeId).status("attached")
                                .attachTime(v.attachTime).deleteOnTermination(true)).build()).toList())
                .tags(tags(i.tags));
        if (i.isWindows()) {
            // DescribeInstances reports platform only for Windows ("windows"); PlatformDetails names the OS family.
            b.platform("windows").platformDetails("Windows");
        } else {
            b.platformDetails("Linux/UNIX");
        }
        if ("spot".equals(i.lifecycle)) {
            b.instanceLifecycle("spot").spotInstanceRequestId("sir-" + i.id.substring(2, 10));
        }
        return b.build();
    }

    private static InstanceState state(String name) {
        int code = switch (name) {
            case "pending" -> 0;
            case "running" -> 16;
            case "shutting-down" -> 32;
            case "terminated" -> 48;
            case "stopping" -> 64;
            default -> 80;
        };
        return InstanceState.builder().code(code).name(name).build();
    }

    public StopInstancesResponse stopInstances(StopInstancesRequest r) {
        List<Cloud.Instance> list = instances(r.instanceIds());
        for (Cloud.Instance i : list) {
            // StopInstances on a pending instance (observed): "Instance '...' cannot be stopped as it has never
            // reached the 'running' state."
            if ("pending".equals(i.state)) {
                throw new AwsError("IncorrectInstanceState", "Instance '" + i.id
                        + "' cannot be stopped as it has never reached the 'running' state.");
            }
            if ("spot".equals(i.lifecycle)) {
                // Only persistent Spot requests can be stopped; the world models one-time requests.
                throw new AwsError("UnsupportedOperation", "You can't stop the Spot Instance '" + i.id
                        + "' because it is associated with a one-time Spot Instance request.");
            }
        }
        List<InstanceStateChange> changes = new ArrayList<>();
        for (Cloud.Instance i : list) {
            String previous = i.state;
            if ("running".equals(i.state)) {
                // "a few minutes" (EC2 User Guide, stop and start); instance-store data is lost on stop.
                i.moveTo("stopping");
                i.nextState = "stopped";
                i.transitionAt = cloud.after(Cloud.STOP_SECONDS);
                i.stopCount++;
            }
            changes.add(InstanceStateChange.builder().instanceId(i.id).previousState(state(previous))
                    .currentState(state(i.state)).build());
        }
        return StopInstancesResponse.builder().stoppingInstances(changes).build();
    }

    public StartInstancesResponse startInstances(StartInstancesRequest r) {
        List<Cloud.Instance> list = instances(r.instanceIds());
        for (Cloud.Instance i : list) {
            Catalogue.InstanceType t = cloud.catalogue.type(i.instanceType);
            if ("stopping".equals(i.state)) {
                throw new AwsError("IncorrectInstanceState", "The instance '" + i.id
                        + "' is not in a state from which it can be started.");
            }
            // A Nitro type requires the enaSupport attribute (observed on StartInstances of an existing instance).
            if ("stopped".equals(i.state) && t.enaRequired() && !i.enaSupport) {
                throw new AwsError("InvalidParameterCombination", "Enhanced networking with the Elastic Network Adapter (ENA) is required for the '"
                        + i.instanceType + "' instance type. Ensure that your instance '" + i.id + "' is enabled for ENA.");
            }
            if ("stopped".equals(i.state) && !cloud.catalogue.offered(i.instanceType, i.availabilityZone)) {
                throw new AwsError("Unsupported", "Your requested instance type (" + i.instanceType
                        + ") is not supported in your requested Availability Zone (" + i.availabilityZone + ").");
            }
        }
        List<InstanceStateChange> changes = new ArrayList<>();
        for (Cloud.Instance i : list) {
            String previous = i.state;
            if ("stopped".equals(i.state)) {
                i.moveTo("pending");
                i.nextState = "running";
                i.transitionAt = cloud.after(Cloud.START_SECONDS);
                i.startCount++;
            }
            changes.add(InstanceStateChange.builder().instanceId(i.id).previousState(state(previous))
                    .currentState(state(i.state)).build());
        }
        return StartInstancesResponse.builder().startingInstances(changes).build();
    }

    public DescribeInstanceStatusResponse describeInstanceStatus(DescribeInstanceStatusRequest r) {
        long now = System.currentTimeMillis();
        Collection<Cloud.Instance> chosen = r.hasInstanceIds() ? instances(r.instanceIds()) : cloud.instances.values();
        List<InstanceStatus> out = new ArrayList<>();
        for (Cloud.Instance i : chosen) {
            // Without IncludeAllInstances only running instances are returned (DescribeInstanceStatus reference).
            if (!"running".equals(i.state) && !Boolean.TRUE.equals(r.includeAllInstances())) {
                continue;
            }
            var b = InstanceStatus.builder().instanceId(i.id).availabilityZone(i.availabilityZone).instanceState(state(i.state));
            String inst = i.instanceStatus(now), sys = i.systemStatus(now);
            b.instanceStatus(s -> s.status(inst).details(InstanceStatusDetails.builder().name("reachability")
                    .status("ok".equals(inst) ? "passed" : "impaired".equals(inst) ? "failed" : "initializing").build()));
            b.systemStatus(s -> s.status(sys).details(InstanceStatusDetails.builder().name("reachability")
                    .status("ok".equals(sys) ? "passed" : "initializing").build()));
            out.add(b.build());
        }
        return DescribeInstanceStatusResponse.builder().instanceStatuses(out).build();
    }

    public DescribeInstanceAttributeResponse describeInstanceAttribute(DescribeInstanceAttributeRequest r) {
        Cloud.Instance i = instance(r.instanceId());
        var b = DescribeInstanceAttributeResponse.builder().instanceId(i.id);
        switch (r.attributeAsString()) {
            case "instanceType" -> b.instanceType(v -> v.value(i.instanceType));
            case "enaSupport" -> b.enaSupport(v -> v.value(i.enaSupport));
            default -> throw new AwsError("InvalidParameterValue", "Value (" + r.attributeAsString()
                    + ") for parameter attribute is invalid. This emulator models instanceType and enaSupport.");
        }
        return b.build();
    }

    public ModifyInstanceAttributeResponse modifyInstanceAttribute(ModifyInstanceAttributeRequest r) {
        Cloud.Instance i = instance(r.instanceId());
        if (r.instanceType() != null && r.instanceType().value() != null) {
            String type = r.instanceType().value();
            Catalogue.InstanceType t = cloud.catalogue.type(type);
            if (t == null) {
                throw new AwsError("InvalidParameterValue", "Value (" + type + ") for parameter instanceType is invalid.");
            }
            // Type change while running (observed): IncorrectInstanceState.
            if (!"stopped".equals(i.state)) {
                throw new AwsError("IncorrectInstanceState", "The instance '" + i.id + "' is not in the 'stopped' state.");
            }
            if (!cloud.catalogue.offered(type, i.availabilityZone)) {
                throw new AwsError("Unsupported", "The requested instance type (" + type
                        + ") is not supported in the Availability Zone " + i.availabilityZone + " of instance " + i.id + ".");
            }
            if (!t.architectures().contains(i.architecture)) {
                throw new AwsError("InvalidParameterValue", "The instance type '" + type
                        + "' does not support the architecture '" + i.architecture + "' of instance " + i.id + ".");
            }
            i.instanceType = type;
        }
        if (r.enaSupport() != null && r.enaSupport().value() != null) {
            // EC2 User Guide, enable ENA: the instance must be stopped to change enaSupport.
            if (!"stopped".equals(i.state)) {
                throw new AwsError("IncorrectInstanceState", "The instance '" + i.id + "' is not in the 'stopped' state.");
            }
            i.enaSupport = r.enaSupport().value();
        }
        return ModifyInstanceAttributeResponse.builder().build();
    }

    // ------------------------------------------------------------------ catalogue

    public DescribeInstanceTypesResponse describeInstanceTypes(DescribeInstanceTypesRequest r) {
        List<String> names = r.hasInstanceTypes() ? r.instanceTypesAsStrings() : new ArrayList<>(cloud.catalogue.types().keySet());
        List<InstanceTypeInfo> out = new ArrayList<>();
        for (String n : names) {
            Catalogue.InstanceType t = cloud.catalogue.type(n);
            if (t == null) {
                throw new AwsError("InvalidInstanceType", "The following supplied instance types do not exist: [" + n + "]");
            }
            InstanceTypeInfo info = InstanceTypeInfo.builder().instanceType(t.name()).hypervisor(t.hypervisor())
                    .currentGeneration(t.currentGeneration()).bareMetal(t.bareMetal())
                    .vCpuInfo(v -> v.defaultVCpus(t.vcpus())).memoryInfo(m -> m.sizeInMiB(t.memoryMib()))
                    .instanceStorageSupported(t.instanceStorage())
                    .processorInfo(p -> p.supportedArchitecturesWithStrings(t.architectures()))
                    .supportedBootModesWithStrings(t.bootModes())
                    .networkInfo(ni -> ni.enaSupport(t.enaSupport()).maximumNetworkInterfaces(t.maxNetworkInterfaces()))
                    .ebsInfo(e -> e.nvmeSupport(t.nvmeSupport()).maximumEbsAttachments(t.maxEbsAttachments()))
                    .build();
            if (t.instanceStorage()) {
                info = info.toBuilder().instanceStorageInfo(s -> s.totalSizeInGB(t.instanceStorageGb())).build();
            }
            if (Filters.match(r.filters(), Set.of("hypervisor", "current-generation", "instance-type"), Map.of(), f -> switch (f) {
                case "hypervisor" -> List.of(t.hypervisor());
                case "current-generation" -> List.of(String.valueOf(t.currentGeneration()));
                default -> List.of(t.name());
            })) {
                out.add(info);
            }
        }
        return DescribeInstanceTypesResponse.builder().instanceTypes(out).build();
    }

    public DescribeInstanceTypeOfferingsResponse describeInstanceTypeOfferings(DescribeInstanceTypeOfferingsRequest r) {
        String locationType = r.locationTypeAsString() == null ? "region" : r.locationTypeAsString();
        List<InstanceTypeOffering> out = new ArrayList<>();
        for (String zone : cloud.catalogue.zones()) {
            if (!zone.startsWith(cloud.region)) continue;
            for (String type : cloud.catalogue.offeredIn(zone)) {
                if (!Filters.match(r.filters(), Set.of("instance-type", "location"), Map.of(),
                        f -> "location".equals(f) ? List.of(zone) : List.of(type))) {
                    continue;
                }
                out.add(InstanceTypeOffering.builder().instanceType(type).locationType(locationType)
                        .location("availability-zone".equals(locationType) ? zone : cloud.region).build());
            }
        }
        if (!"availability-zone".equals(locationType)) {
            out = out.stream().collect(Collectors.toMap(InstanceTypeOffering::instanceTypeAsString, o -> o, (a, b) -> a,
                    LinkedHashMap::new)).values().stream().toList();
        }
        return DescribeInstanceTypeOfferingsResponse.builder().instanceTypeOfferings(out).build();
    }

    // ------------------------------------------------------------------ images

    public CreateImageResponse createImage(CreateImageRequest r) {
        Cloud.Instance i = instance(r.instanceId());
        if (r.name() == null || r.name().isBlank()) {
            throw new AwsError("MissingParameter", "The request must contain the parameter name");
        }
        if (cloud.images.values().stream().anyMatch(im -> im.name.equals(r.name()) && !"deregistered".equals(im.state))) {
            throw new AwsError("InvalidAMIName.Duplicate", "AMI name " + r.name() + " is already in use by AMI "
                    + cloud.images.values().stream().filter(im -> im.name.equals(r.name())).findFirst().get().id);
        }
        Cloud.Image image = new Cloud.Image();
        image.id = Cloud.newId("ami");
        image.name = r.name();
        image.description = r.description();
        image.state = "pending";
        image.architecture = i.architecture;
        image.enaSupport = i.enaSupport;
        image.platform = i.isWindows() ? "windows" : null;
        image.sourceInstanceId = i.id;
        // CreateImage: "several minutes (sometimes up to 24 hours)".
        image.availableAt = cloud.after(Cloud.IMAGE_SECONDS);
        // World fault "ImageStuckPending": the call succeeds but the image never becomes available.
        if (cloud.takeFault("ec2", "CreateImage:ImageStuckPending") != null) {
            image.availableAt = Long.MAX_VALUE;
        }
        image.guest = i.guest == null ? null : i.guest.copy();
        for (Cloud.Volume v : i.volumes) {
            Cloud.Snapshot s = new Cloud.Snapshot();
            s.id = Cloud.newId("snap");
            s.volumeId = v.volumeId;
            s.imageId = image.id;
            s.sizeGiB = v.sizeGiB;
            cloud.snapshots.put(s.id, s);
            image.blockDevices.add(new String[] {v.deviceName, s.id, String.valueOf(v.sizeGiB)});
        }
        for (TagSpecification spec : r.tagSpecifications()) {
            for (Tag t : spec.tags()) {
                if ("snapshot".equals(spec.resourceTypeAsString())) {
                    image.blockDevices.forEach(bd -> cloud.snapshots.get(bd[1]).tags.put(t.key(), t.value()));
                } else {
                    image.tags.put(t.key(), t.value());
                }
            }
        }
        cloud.images.put(image.id, image);
        // CreateImage reboots the instance unless NoReboot is set.
        if (!Boolean.TRUE.equals(r.noReboot()) && "running".equals(i.state)) {
            i.boot(cloud);
        }
        return CreateImageResponse.builder().imageId(image.id).build();
    }

    public DescribeImagesResponse describeImages(DescribeImagesRequest r) {
        List<software.amazon.awssdk.services.ec2.model.Image> out = new ArrayList<>();
        Collection<Cloud.Image> chosen;
        if (r.hasImageIds()) {
            chosen = new ArrayList<>();
            for (String id : r.imageIds()) {
                Cloud.Image im = cloud.images.get(id);
                if (im == null || "deregistered".equals(im.state)) {
                    throw new AwsError("InvalidAMIID.NotFound", "The image id '[" + id + "]' does not exist");
                }
                chosen.add(im);
            }
        } else {
            chosen = cloud.images.values();
        }
        for (Cloud.Image im : chosen) {
            if ("deregistered".equals(im.state)) continue;
            if (!Filters.match(r.filters(), Set.of("name", "state", "image-id"), im.tags, f -> switch (f) {
                case "name" -> List.of(im.name);
                case "state" -> List.of(im.state);
                default -> List.of(im.id);
            })) continue;
            out.add(software.amazon.awssdk.services.ec2.model.Image.builder().imageId(im.id).name(im.name)
                    .description(im.description).state(im.state).architecture(im.architecture).enaSupport(im.enaSupport)
                    .platform(im.platform).ownerId(cloud.accountId).creationDate(QueryIso.of(im.created))
                    .rootDeviceType("ebs").virtualizationType("hvm").rootDeviceName("/dev/sda1")
                    .blockDeviceMappings(im.blockDevices.stream().map(bd -> BlockDeviceMapping.builder().deviceName(bd[0])
                            .ebs(e -> e.snapshotId(bd[1]).volumeSize(Integer.parseInt(bd[2]))).build()).toList())
                    .tags(tags(im.tags)).build());
        }
        return DescribeImagesResponse.builder().images(out).build();
    }

    public DeregisterImageResponse deregisterImage(DeregisterImageRequest r) {
        Cloud.Image im = cloud.images.get(r.imageId());
        if (im == null || "deregistered".equals(im.state)) {
            throw new AwsError("InvalidAMIID.NotFound", "The image id '[" + r.imageId() + "]' does not exist");
        }
        im.state = "deregistered";
        return DeregisterImageResponse.builder().build();
    }

    public DeleteSnapshotResponse deleteSnapshot(DeleteSnapshotRequest r) {
        Cloud.Snapshot s = cloud.snapshots.get(r.snapshotId());
        if (s == null) {
            throw new AwsError("InvalidSnapshot.NotFound", "The snapshot '" + r.snapshotId() + "' does not exist.");
        }
        Cloud.Image im = s.imageId == null ? null : cloud.images.get(s.imageId);
        // A snapshot backing a registered AMI cannot be deleted (EC2 User Guide, delete a snapshot).
        if (im != null && !"deregistered".equals(im.state)) {
            throw new AwsError("InvalidSnapshot.InUse", "The snapshot " + s.id + " is currently in use by " + im.id);
        }
        cloud.snapshots.remove(s.id);
        return DeleteSnapshotResponse.builder().build();
    }

    // ------------------------------------------------------------------ tags

    private Map<String, String> taggable(String id) {
        if (id.startsWith("i-")) return instance(id).tags;
        Map<String, String> t = null;
        if (id.startsWith("ami-") && cloud.images.containsKey(id)) t = cloud.images.get(id).tags;
        if (id.startsWith("snap-") && cloud.snapshots.containsKey(id)) t = cloud.snapshots.get(id).tags;
        if (id.startsWith("vpce-") && cloud.vpcEndpoints.containsKey(id)) t = cloud.vpcEndpoints.get(id).tags;
        if (id.startsWith("sg-") && cloud.securityGroups.containsKey(id)) t = cloud.securityGroups.get(id).tags;
        if (id.startsWith("vpc-") && cloud.vpcs.containsKey(id)) t = cloud.vpcs.get(id).tags;
        if (id.startsWith("subnet-") && cloud.subnets.containsKey(id)) t = cloud.subnets.get(id).tags;
        if (t == null) {
            throw new AwsError("InvalidID", "The ID '" + id + "' is not valid");
        }
        return t;
    }

    public CreateTagsResponse createTags(CreateTagsRequest r) {
        List<Map<String, String>> targets = r.resources().stream().map(this::taggable).toList();
        for (Map<String, String> t : targets) {
            r.tags().forEach(tag -> t.put(tag.key(), tag.value() == null ? "" : tag.value()));
        }
        return CreateTagsResponse.builder().build();
    }

    public DeleteTagsResponse deleteTags(DeleteTagsRequest r) {
        List<Map<String, String>> targets = r.resources().stream().map(this::taggable).toList();
        for (Map<String, String> t : targets) {
            r.tags().forEach(tag -> {
                if (tag.value() == null || tag.value().equals(t.get(tag.key()))) t.remove(tag.key());
            });
        }
        return DeleteTagsResponse.builder().build();
    }

    static List<Tag> tags(Map<String, String> tags) {
        return tags.entrySet().stream().map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build()).toList();
    }

    // ------------------------------------------------------------------ network

    public DescribeVpcsResponse describeVpcs(DescribeVpcsRequest r) {
        List<software.amazon.awssdk.services.ec2.model.Vpc> out = new ArrayList<>();
        for (String id : r.hasVpcIds() ? r.vpcIds() : new ArrayList<>(cloud.vpcs.keySet())) {
            Cloud.Vpc v = cloud.vpcs.get(id);
            if (v == null) throw new AwsError("InvalidVpcID.NotFound", "The vpc ID '" + id + "' does not exist");
            if (!Filters.match(r.filters(), Set.of("vpc-id", "cidr"), v.tags, f -> "cidr".equals(f) ? List.of(v.cidrBlock) : List.of(v.id))) continue;
            out.add(software.amazon.awssdk.services.ec2.model.Vpc.builder().vpcId(v.id).cidrBlock(v.cidrBlock).state("available")
                    .ownerId(cloud.accountId).tags(tags(v.tags)).build());
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
            out.add(software.amazon.awssdk.services.ec2.model.Subnet.builder().subnetId(s.id).vpcId(s.vpcId)
                    .availabilityZone(s.availabilityZone).cidrBlock(s.cidrBlock).state("available")
                    .ownerId(cloud.accountId).tags(tags(s.tags)).build());
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
            List<Route> routes = new ArrayList<>();
            Cloud.Vpc vpc = cloud.vpcs.get(rt.vpcId);
            routes.add(Route.builder().destinationCidrBlock(vpc.cidrBlock).gatewayId("local").state("active").build());
            rt.routes.forEach(x -> routes.add(Route.builder().destinationCidrBlock(x.destinationCidrBlock())
                    .gatewayId(x.gatewayId()).natGatewayId(x.natGatewayId()).state("active").build()));
            // A gateway endpoint adds a route to its service's prefix list in each associated route table.
            cloud.vpcEndpoints.values().stream().filter(e -> "Gateway".equals(e.type) && e.routeTableIds.contains(rt.id))
                    .forEach(e -> routes.add(Route.builder().destinationPrefixListId("pl-" + e.shortService() + "0000")
                            .gatewayId(e.id).state("active").build()));
            out.add(software.amazon.awssdk.services.ec2.model.RouteTable.builder().routeTableId(rt.id).vpcId(rt.vpcId)
                    .routes(routes).ownerId(cloud.accountId).tags(tags(rt.tags))
                    .associations(subnets.stream().map(s -> RouteTableAssociation.builder().subnetId(s).routeTableId(rt.id)
                            .routeTableAssociationId("rtbassoc-" + s.substring(7)).main(false).build()).toList())
                    .build());
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

    public DescribeSecurityGroupsResponse describeSecurityGroups(DescribeSecurityGroupsRequest r) {
        List<software.amazon.awssdk.services.ec2.model.SecurityGroup> out = new ArrayList<>();
        for (String id : r.hasGroupIds() ? r.groupIds() : new ArrayList<>(cloud.securityGroups.keySet())) {
            Cloud.SecurityGroup g = group(id);
            if (!Filters.match(r.filters(), Set.of("vpc-id", "group-name", "group-id"), g.tags, f -> switch (f) {
                case "vpc-id" -> List.of(g.vpcId);
                case "group-name" -> List.of(g.groupName);
                default -> List.of(g.id);
            })) continue;
            out.add(software.amazon.awssdk.services.ec2.model.SecurityGroup.builder().groupId(g.id).groupName(g.groupName)
                    .description(g.description).vpcId(g.vpcId).ownerId(cloud.accountId).tags(tags(g.tags))
                    .ipPermissions(g.ingress.stream().map(x -> IpPermission.builder().ipProtocol(x.ipProtocol())
                            .fromPort(x.fromPort()).toPort(x.toPort())
                            .ipRanges(x.cidrBlocks().stream().map(c -> IpRange.builder().cidrIp(c).build()).toList()).build()).toList())
                    .build());
        }
        return DescribeSecurityGroupsResponse.builder().securityGroups(out).build();
    }

    public DeleteSecurityGroupResponse deleteSecurityGroup(DeleteSecurityGroupRequest r) {
        Cloud.SecurityGroup g = group(r.groupId());
        // EC2 error reference: DependencyViolation while an instance or an endpoint's interface uses the group.
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
                    return CreateVpcEndpointResponse.builder().vpcEndpoint(toSdk(e)).clientToken(r.clientToken()).build();
                }
            }
        }
        boolean privateDns = "Interface".equals(type) && (r.privateDnsEnabled() == null || r.privateDnsEnabled());
        if (privateDns) {
            // Private DNS needs enableDnsSupport and enableDnsHostnames on the VPC (VPC User Guide).
            if (!vpc.enableDnsSupport || !vpc.enableDnsHostnames) {
                throw new AwsError("InvalidParameter", "Enabling private DNS requires both enableDnsSupport and enableDnsHostnames VPC attributes set to true for " + vpc.id);
            }
            // A second private-DNS endpoint for one service in one VPC (observed).
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
        r.tagSpecifications().forEach(s -> s.tags().forEach(t -> e.tags.put(t.key(), t.value())));
        e.clientToken = r.clientToken();
        cloud.vpcEndpoints.put(e.id, e);
        return CreateVpcEndpointResponse.builder().vpcEndpoint(toSdk(e)).clientToken(r.clientToken()).build();
    }

    private software.amazon.awssdk.services.ec2.model.VpcEndpoint toSdk(Cloud.VpcEndpoint e) {
        return software.amazon.awssdk.services.ec2.model.VpcEndpoint.builder().vpcEndpointId(e.id).vpcId(e.vpcId)
                .serviceName(e.serviceName).vpcEndpointType(e.type).state(e.state).privateDnsEnabled(e.privateDnsEnabled)
                .subnetIds(e.subnetIds).routeTableIds(e.routeTableIds).ownerId(cloud.accountId)
                .groups(e.securityGroupIds.stream().map(g -> SecurityGroupIdentifier.builder().groupId(g).build()).toList())
                .creationTimestamp(e.created).tags(tags(e.tags)).build();
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
            out.add(toSdk(e));
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

    // ------------------------------------------------------------------ reservations and root volumes

    public DescribeReservedInstancesResponse describeReservedInstances(DescribeReservedInstancesRequest r) {
        List<ReservedInstances> out = new ArrayList<>();
        for (var ri : cloud.reservedInstances) {
            Instant end = Instant.parse(ri.end());
            String state = ri.state() != null ? ri.state() : end.isBefore(Instant.now()) ? "retired" : "active";
            if (!Filters.match(r.filters(), Set.of("state", "instance-type", "availability-zone", "end"), Map.of(), f -> switch (f) {
                case "state" -> List.of(state);
                case "instance-type" -> List.of(ri.instanceType());
                case "availability-zone" -> ri.availabilityZone() == null ? List.of() : List.of(ri.availabilityZone());
                default -> List.of(ri.end());
            })) continue;
            out.add(ReservedInstances.builder().reservedInstancesId(ri.id()).instanceType(ri.instanceType())
                    .availabilityZone(ri.availabilityZone()).instanceCount(ri.instanceCount() == null ? 1 : ri.instanceCount())
                    .start(ri.start() == null ? end.minusSeconds(365L * 86400) : Instant.parse(ri.start())).end(end)
                    .state(state).offeringClass(ri.offeringClass() == null ? "standard" : ri.offeringClass())
                    .productDescription("Windows").scope(ri.availabilityZone() == null ? "Region" : "Availability Zone").build());
        }
        return DescribeReservedInstancesResponse.builder().reservedInstances(out).build();
    }

    public CreateReplaceRootVolumeTaskResponse createReplaceRootVolumeTask(CreateReplaceRootVolumeTaskRequest r) {
        Cloud.Instance i = instance(r.instanceId());
        // replace-root.html: the instance must be running; EBS root only; the AMI must match architecture,
        // and support ENA when the instance is ENA-enabled.
        if (!"running".equals(i.state)) {
            throw new AwsError("IncorrectInstanceState", "The instance '" + i.id + "' must be in the 'running' state to replace its root volume.");
        }
        if (r.clientToken() != null) {
            for (Cloud.ReplaceRootTask t : cloud.replaceRootTasks.values()) {
                if (r.clientToken().equals(t.clientToken)) {
                    return CreateReplaceRootVolumeTaskResponse.builder().replaceRootVolumeTask(toSdk(t)).build();
                }
            }
        }
        if (r.imageId() != null) {
            Cloud.Image im = cloud.images.get(r.imageId());
            if (im == null || "deregistered".equals(im.state)) {
                throw new AwsError("InvalidAMIID.NotFound", "The image id '[" + r.imageId() + "]' does not exist");
            }
            if (!"available".equals(im.state)) {
                throw new AwsError("IncorrectState", "The image '" + im.id + "' is not in the 'available' state.");
            }
            if (!im.architecture.equals(i.architecture)) {
                throw new AwsError("InvalidParameterCombination", "The architecture of image " + im.id + " (" + im.architecture
                        + ") does not match instance " + i.id + " (" + i.architecture + ").");
            }
            if (i.enaSupport && !im.enaSupport) {
                throw new AwsError("InvalidParameterCombination", "Instance " + i.id + " is enabled for ENA, but image " + im.id + " does not support ENA.");
            }
        }
        if (cloud.replaceRootTasks.values().stream().anyMatch(t -> t.instanceId.equals(i.id)
                && ("pending".equals(t.state) || "in-progress".equals(t.state)))) {
            throw new AwsError("IncorrectState", "A root volume replacement task is already in progress for " + i.id);
        }
        Cloud.ReplaceRootTask t = new Cloud.ReplaceRootTask();
        t.id = Cloud.newId("replacevol");
        t.instanceId = i.id;
        t.imageId = r.imageId();
        t.deleteReplacedRootVolume = Boolean.TRUE.equals(r.deleteReplacedRootVolume());
        // The documentation's example took 20 s.
        t.doneAt = cloud.after(Cloud.REPLACE_ROOT_SECONDS);
        r.tagSpecifications().forEach(s -> s.tags().forEach(tag -> t.tags.put(tag.key(), tag.value())));
        t.clientToken = r.clientToken();
        cloud.replaceRootTasks.put(t.id, t);
        return CreateReplaceRootVolumeTaskResponse.builder().replaceRootVolumeTask(toSdk(t)).build();
    }

    private ReplaceRootVolumeTask toSdk(Cloud.ReplaceRootTask t) {
        return ReplaceRootVolumeTask.builder().replaceRootVolumeTaskId(t.id).instanceId(t.instanceId).imageId(t.imageId)
                .taskState(t.state).startTime(QueryIso.of(t.startTime))
                .completeTime(t.completeTime == null ? null : QueryIso.of(t.completeTime))
                .deleteReplacedRootVolume(t.deleteReplacedRootVolume).build();
    }

    public DescribeReplaceRootVolumeTasksResponse describeReplaceRootVolumeTasks(DescribeReplaceRootVolumeTasksRequest r) {
        List<ReplaceRootVolumeTask> out = new ArrayList<>();
        for (Cloud.ReplaceRootTask t : cloud.replaceRootTasks.values()) {
            if (r.hasReplaceRootVolumeTaskIds() && !r.replaceRootVolumeTaskIds().contains(t.id)) continue;
            if (!Filters.match(r.filters(), Set.of("instance-id"), Map.of(), f -> List.of(t.instanceId))) continue;
            out.add(toSdk(t));
        }
        return DescribeReplaceRootVolumeTasksResponse.builder().replaceRootVolumeTasks(out).build();
    }
}
