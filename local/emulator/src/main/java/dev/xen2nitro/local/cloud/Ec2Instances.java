package dev.xen2nitro.local.cloud;

import dev.xen2nitro.local.wire.AwsError;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.ec2.model.*;

/**
 * EC2 instances: DescribeInstances, their state changes (stop, start), status checks and the two
 * attributes the migration changes (instance type, ENA support).
 */
public final class Ec2Instances {
    private final Cloud cloud;

    Ec2Instances(Cloud cloud) {
        this.cloud = cloud;
    }

    private static final Pattern INSTANCE_ID = Pattern.compile("i-([0-9a-f]{8}|[0-9a-f]{17})");

    static Cloud.Instance instance(Cloud cloud, String id) {
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
        return ids.stream().map(id -> instance(cloud, id)).toList();
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
            // API_Reservation: Groups is not supported outside EC2-Classic and comes back empty.
            reservations.add(Reservation.builder().reservationId("r-" + i.id.substring(2)).ownerId(cloud.accountId)
                    .groups(List.of()).instances(InstanceShape.of(cloud, i)).build());
        }
        return DescribeInstancesResponse.builder().reservations(reservations).build();
    }

    static InstanceState state(String name) {
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
                i.goingDown("stop/start");
                i.stoppedByUserAt = Instant.now();
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
                i.stoppedByUserAt = null;
                i.nextState = "running";
                i.transitionAt = cloud.after(Cloud.START_SECONDS);
                i.startCount++;
            }
            changes.add(InstanceStateChange.builder().instanceId(i.id).previousState(state(previous))
                    .currentState(state(i.state)).build());
        }
        return StartInstancesResponse.builder().startingInstances(changes).build();
    }

    /**
     * RunInstances of one instance from an image of this account (API reference, RunInstances): into a subnet with its
     * groups, given either at the top or as the primary network interface (not both: InvalidParameterCombination), with a
     * new private address of the subnet, the image's volumes (DeleteOnTermination as the request's block device mappings
     * say, else the image's), the tags of its TagSpecifications, and an instance profile. It starts pending and runs
     * {@link Cloud#START_SECONDS} later with the image's guest: the Windows that was on the root snapshot when the image
     * was taken. The same ClientToken again returns the same instance ("Ensuring idempotency", EC2 API reference).
     */
    public RunInstancesResponse runInstances(RunInstancesRequest r) {
        if (r.clientToken() != null) {
            for (Cloud.Instance i : cloud.instances.values()) {
                if (r.clientToken().equals(i.clientToken)) {
                    return RunInstancesResponse.builder().reservationId("r-" + i.id.substring(2)).ownerId(cloud.accountId)
                            .groups(List.of()).instances(InstanceShape.of(cloud, i)).build();
                }
            }
        }
        if (r.minCount() == null || r.maxCount() == null || r.minCount() < 1 || r.maxCount() < r.minCount()) {
            throw new AwsError("InvalidParameterValue", "MinCount and MaxCount must be at least 1, and MaxCount at least MinCount");
        }
        if (r.maxCount() > 1) {
            throw new AwsError("InvalidParameterValue", "This emulator launches one instance per request (MaxCount 1)");
        }
        Cloud.Image image = r.imageId() == null ? null : cloud.images.get(r.imageId());
        if (image == null || "deregistered".equals(image.state)) {
            throw new AwsError("InvalidAMIID.NotFound", "The image id '[" + r.imageId() + "]' does not exist");
        }
        if (!"available".equals(image.state)) {
            // EC2 error reference: InvalidAMIID.Unavailable, "The specified AMI has been deregistered or is in a state
            // that prevents its use."
            throw new AwsError("InvalidAMIID.Unavailable", "The image " + image.id + " is " + image.state + " and cannot be launched yet.");
        }
        boolean nics = r.hasNetworkInterfaces() && !r.networkInterfaces().isEmpty();
        if (nics && (r.subnetId() != null || r.hasSecurityGroupIds() && !r.securityGroupIds().isEmpty())) {
            throw new AwsError("InvalidParameterCombination", "Network interfaces and an instance-level subnet ID or security groups may not be specified on the same request");
        }
        var nic = nics ? r.networkInterfaces().get(0) : null;
        String subnetId = nics ? nic.subnetId() : r.subnetId();
        Cloud.Subnet subnet = subnetId == null ? null : cloud.subnets.get(subnetId);
        if (subnet == null) {
            throw new AwsError("InvalidSubnetID.NotFound", "The subnet ID '" + subnetId + "' does not exist");
        }
        List<String> groups = nics ? nic.groups() : r.securityGroupIds();
        for (String g : groups) {
            Cloud.SecurityGroup sg = cloud.securityGroups.get(g);
            if (sg == null) throw new AwsError("InvalidGroup.NotFound", "The security group '" + g + "' does not exist");
            if (!sg.vpcId.equals(subnet.vpcId)) {
                throw new AwsError("InvalidParameter", "Security group " + g + " and subnet " + subnetId + " belong to different networks.");
            }
        }
        String type = r.instanceTypeAsString();
        Catalogue.InstanceType t = type == null ? null : cloud.catalogue.type(type);
        if (t == null) {
            throw new AwsError("InvalidParameterValue", "Value (" + type + ") for parameter instanceType is invalid.");
        }
        if (!cloud.catalogue.offered(type, subnet.availabilityZone)) {
            throw new AwsError("Unsupported", "Your requested instance type (" + type + ") is not supported in your requested Availability Zone ("
                    + subnet.availabilityZone + ").");
        }
        if (t.enaRequired() && !image.enaSupport) {
            throw new AwsError("InvalidParameterCombination", "Enhanced networking with the Elastic Network Adapter (ENA) is required for the '"
                    + type + "' instance type. Ensure that your AMI is enabled for ENA.");
        }
        String profile = null;
        if (r.iamInstanceProfile() != null) {
            String arn = r.iamInstanceProfile().arn(), name = r.iamInstanceProfile().name();
            profile = arn != null ? arn : cloud.instanceProfiles.keySet().stream().filter(p -> p.endsWith("/" + name)).findFirst().orElse(null);
            if (profile == null || !cloud.instanceProfiles.containsKey(profile)) {
                throw new AwsError("InvalidParameterValue", "Value (" + (arn != null ? arn : name)
                        + ") for parameter iamInstanceProfile." + (arn != null ? "arn" : "name") + " is invalid. Invalid IAM Instance Profile "
                        + (arn != null ? "ARN" : "name"));
            }
        }
        Cloud.Instance i = new Cloud.Instance();
        i.id = Cloud.newId("i");
        i.clientToken = r.clientToken();
        i.instanceType = type;
        i.subnetId = subnet.id;
        i.vpcId = subnet.vpcId;
        i.availabilityZone = subnet.availabilityZone;
        i.privateIpAddress = freeAddress(subnet);
        i.platform = image.platform;
        i.architecture = image.architecture;
        i.enaSupport = image.enaSupport;
        i.lifecycle = "on-demand";
        i.imageId = image.id;
        i.iamInstanceProfile = profile;
        i.securityGroupIds.addAll(groups);
        i.launchTime = Instant.now();
        for (String[] bd : image.blockDevices) {
            Cloud.Volume v = new Cloud.Volume();
            v.volumeId = Cloud.newId("vol");
            v.deviceName = bd[0];
            v.sizeGiB = Integer.parseInt(bd[2]);
            v.attachTime = i.launchTime;
            r.blockDeviceMappings().stream().filter(m -> bd[0].equals(m.deviceName()) && m.ebs() != null && m.ebs().deleteOnTermination() != null)
                    .findFirst().ifPresent(m -> v.deleteOnTermination = m.ebs().deleteOnTermination());
            i.volumes.add(v);
        }
        for (TagSpecification spec : r.tagSpecifications()) {
            if ("instance".equals(spec.resourceTypeAsString())) spec.tags().forEach(tag -> i.tags.put(tag.key(), tag.value()));
        }
        i.guest = image.guest == null ? null : image.guest.copy();
        if (i.guest != null) {
            // Its own adapter, with the address it was given (the guest's DHCP lease).
            i.guest.nics.forEach(n -> { if (n.dhcp && !n.addresses.isEmpty()) n.addresses.get(0)[0] = i.privateIpAddress; });
        }
        i.moveTo("pending");
        i.nextState = "running";
        i.transitionAt = cloud.after(Cloud.START_SECONDS);
        cloud.instances.put(i.id, i);
        return RunInstancesResponse.builder().reservationId("r-" + i.id.substring(2)).ownerId(cloud.accountId).groups(List.of())
                .instances(InstanceShape.of(cloud, i)).build();
    }

    /** The lowest address of the subnet no instance has: AWS reserves the first four and the last (VPC User Guide, "Subnet CIDR blocks"). */
    private String freeAddress(Cloud.Subnet subnet) {
        String[] cidr = subnet.cidrBlock.split("/");
        long base = 0;
        for (String part : cidr[0].split("\\.")) base = base * 256 + Long.parseLong(part);
        long size = 1L << (32 - Integer.parseInt(cidr[1]));
        java.util.Set<String> used = new java.util.HashSet<>();
        cloud.instances.values().forEach(x -> used.add(x.privateIpAddress));
        for (long n = 4; n < size - 1; n++) {
            long a = base + n;
            String ip = (a >> 24 & 255) + "." + (a >> 16 & 255) + "." + (a >> 8 & 255) + "." + (a & 255);
            if (!used.contains(ip)) return ip;
        }
        throw new AwsError("InsufficientFreeAddressesInSubnet", "There are not enough free addresses in subnet '" + subnet.id + "' to satisfy the requested number of instances.");
    }

    /**
     * TerminateInstances: the instance shuts down and is terminated {@link Cloud#TERMINATE_SECONDS} later; its
     * DeleteOnTermination volumes and its interface go with it (see {@link Cloud.Instance}). Terminating an instance that
     * is shutting down or terminated changes nothing.
     */
    public TerminateInstancesResponse terminateInstances(TerminateInstancesRequest r) {
        List<Cloud.Instance> list = instances(r.instanceIds());
        List<InstanceStateChange> changes = new ArrayList<>();
        for (Cloud.Instance i : list) {
            String previous = i.state;
            if (!"shutting-down".equals(i.state) && !"terminated".equals(i.state)) {
                i.moveTo("shutting-down");
                i.nextState = "terminated";
                i.transitionAt = cloud.after(Cloud.TERMINATE_SECONDS);
            }
            changes.add(InstanceStateChange.builder().instanceId(i.id).previousState(state(previous)).currentState(state(i.state)).build());
        }
        return TerminateInstancesResponse.builder().terminatingInstances(changes).build();
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
        Cloud.Instance i = instance(cloud, r.instanceId());
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
        Cloud.Instance i = instance(cloud, r.instanceId());
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
}
