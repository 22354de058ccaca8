package dev.xen2nitro.local.cloud;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import software.amazon.awssdk.services.ec2.model.GroupIdentifier;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceBlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.InstanceNetworkInterface;
import software.amazon.awssdk.services.ec2.model.InstancePrivateIpAddress;

/**
 * An instance as DescribeInstances returns it (API reference, Instance data type:
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Instance.html). The world's instances
 * were launched by RunInstances with its defaults for everything the world file does not say, so
 * those defaults are what AWS reports for them
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RunInstances.html).
 *
 * <p>Left out because nothing in the world decides them: ClientToken (the launch's idempotency
 * token is not recorded), CpuOptions (the catalogue has default vCPUs but not cores and threads
 * per core), SriovNetSupport (an attribute of the AMI the world does not have), the interface's
 * MacAddress and Description, KeyName, BootMode (the AMI's boot-mode
 * parameter, which the world's AMIs do not set).
 */
final class InstanceShape {
    private InstanceShape() {}

    private static final DateTimeFormatter TRANSITION_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    static Instance of(Cloud cloud, Cloud.Instance i) {
        List<GroupIdentifier> groups = i.securityGroupIds.stream().filter(cloud.securityGroups::containsKey).map(id -> GroupIdentifier.builder().groupId(id)
                .groupName(cloud.securityGroups.get(id).groupName).build()).toList();
        String dnsName = cloud.privateDnsName(i.privateIpAddress);
        var b = Instance.builder()
                .instanceId(i.id).instanceType(i.instanceType).imageId(i.imageId)
                .state(Ec2Instances.state(i.state))
                // One instance per reservation in this world: each is the first of its launch.
                .amiLaunchIndex(0)
                // RunInstances defaults: no placement group, shared tenancy.
                .placement(p -> p.availabilityZone(i.availabilityZone).groupName("").tenancy("default"))
                .subnetId(i.subnetId).vpcId(i.vpcId).privateIpAddress(i.privateIpAddress).privateDnsName(dnsName)
                .architecture(i.architecture).launchTime(i.launchTime)
                // DescribeInstances omits enaSupport unless it is enabled (RUNBOOK step 4: "empty when not enabled").
                .enaSupport(i.enaSupport ? Boolean.TRUE : null)
                .rootDeviceType("ebs").rootDeviceName(i.volumes.isEmpty() ? "/dev/sda1" : i.volumes.get(0).deviceName)
                // API_Instance: the hypervisor "xen" is reported for both Xen and Nitro.
                .virtualizationType("hvm").hypervisor("xen")
                .securityGroups(groups)
                .blockDeviceMappings(i.volumes.stream().map(v -> InstanceBlockDeviceMapping.builder()
                        .deviceName(v.deviceName).ebs(e -> e.volumeId(v.volumeId).status("attached")
                                .attachTime(v.attachTime).deleteOnTermination(v.deleteOnTermination)).build()).toList())
                // A terminated instance's interface is deleted with it.
                .networkInterfaces("terminated".equals(i.state) ? List.of() : List.of(primaryInterface(cloud, i, groups, dnsName)))
                // Source/destination checking is on unless turned off (EC2 User Guide, network interface attributes).
                .sourceDestCheck(true)
                // RunInstances defaults: EbsOptimized false, basic monitoring, capacity reservation preference
                // "open", hibernation and Nitro Enclaves off.
                .ebsOptimized(false)
                .monitoring(m -> m.state("disabled"))
                .capacityReservationSpecification(c -> c.capacityReservationPreference("open"))
                .hibernationOptions(h -> h.configured(false))
                .enclaveOptions(e -> e.enabled(false))
                // InstanceMetadataOptionsRequest defaults for an AMI whose ImdsSupport is not v2.0: tokens
                // optional, hop limit 1, endpoint enabled, IPv6 endpoint and tags in metadata disabled.
                .metadataOptions(m -> m.state("applied").httpTokens("optional").httpPutResponseHopLimit(1)
                        .httpEndpoint("enabled").httpProtocolIpv6("disabled").instanceMetadataTags("disabled"))
                // InstanceMaintenanceOptions: simplified automatic recovery is "default" unless disabled.
                .maintenanceOptions(m -> m.autoRecovery("default"))
                // The subnet's PrivateDnsNameOptionsOnLaunch defaults (CreateSubnet): IP names, no resource-name records.
                .privateDnsNameOptions(d -> d.hostnameType("ip-name").enableResourceNameDnsARecord(false)
                        .enableResourceNameDnsAAAARecord(false))
                // The world's AMIs are not AWS Marketplace AMIs, which are the ones that carry product codes.
                .productCodes(List.of())
                .currentInstanceBootMode(bootMode(cloud, i))
                .usageOperationUpdateTime(i.launchTime)
                .tags(Ec2Tags.of(i.tags));
        if (i.clientToken != null) {
            // The launch's idempotency token, when RunInstances was given one (API_Instance, ClientToken).
            b.clientToken(i.clientToken);
        }
        if (i.iamInstanceProfile != null) {
            // IamInstanceProfile: the profile's ARN and ID (API_IamInstanceProfile).
            b.iamInstanceProfile(p -> p.arn(i.iamInstanceProfile).id("AIPA" + Integer.toHexString(i.iamInstanceProfile.hashCode()).toUpperCase()));
        }
        transition(b, i);
        if (i.isWindows()) {
            // DescribeInstances reports platform only for Windows ("windows"); PlatformDetails names the OS family,
            // UsageOperation its billing code (EC2 User Guide, "AMI billing information fields").
            b.platform("windows").platformDetails("Windows").usageOperation("RunInstances:0002");
        } else {
            b.platformDetails("Linux/UNIX").usageOperation("RunInstances");
        }
        if ("spot".equals(i.lifecycle)) {
            b.instanceLifecycle("spot").spotInstanceRequestId("sir-" + i.id.substring(2, 10));
        }
        return b.build();
    }

    /**
     * The primary network interface RunInstances creates: device index 0 on network card 0, the
     * instance's groups and address, deleted with the instance (InstanceNetworkInterfaceSpecification).
     */
    private static InstanceNetworkInterface primaryInterface(Cloud cloud, Cloud.Instance i, List<GroupIdentifier> groups, String dnsName) {
        return InstanceNetworkInterface.builder().networkInterfaceId(i.networkInterfaceId).interfaceType("interface")
                .status("in-use").subnetId(i.subnetId).vpcId(i.vpcId).ownerId(cloud.accountId)
                .privateIpAddress(i.privateIpAddress).privateDnsName(dnsName)
                .privateIpAddresses(InstancePrivateIpAddress.builder().primary(true).privateIpAddress(i.privateIpAddress)
                        .privateDnsName(dnsName).build())
                .groups(groups).sourceDestCheck(true).ipv6Addresses(List.of())
                .attachment(a -> a.attachmentId(i.networkAttachmentId).attachTime(i.launchTime).deleteOnTermination(true)
                        .deviceIndex(0).networkCardIndex(0).status("attached"))
                .build();
    }

    /**
     * EC2 User Guide, "Instance launch behavior with Amazon EC2 boot modes": an AMI without a boot-mode
     * parameter boots in the instance type's default mode, legacy-bios on Intel and AMD types that
     * support both and uefi on Graviton; a type with one mode boots in that one.
     */
    private static String bootMode(Cloud cloud, Cloud.Instance i) {
        Catalogue.InstanceType t = cloud.catalogue.type(i.instanceType);
        if (t.bootModes().size() == 1) return t.bootModes().get(0);
        return "arm64".equals(i.architecture) ? "uefi" : "legacy-bios";
    }

    /**
     * StateTransitionReason and StateReason (API_StateReason: Client.UserInitiatedShutdown, "the
     * instance was shut down using the Amazon EC2 API"), with the texts the API returns for a stop.
     * The reason is empty while running; for an instance the world starts stopped it is unknown, so
     * both are left out.
     */
    private static void transition(Instance.Builder b, Cloud.Instance i) {
        if (i.stoppedByUserAt != null) {
            b.stateTransitionReason("User initiated (" + TRANSITION_TIME.format(i.stoppedByUserAt) + " GMT)")
                    .stateReason(r -> r.code("Client.UserInitiatedShutdown").message("Client.UserInitiatedShutdown: User initiated shutdown"));
        } else if ("running".equals(i.state) || "pending".equals(i.state)) {
            b.stateTransitionReason("");
        }
    }
}
