package dev.xen2nitro.local;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.*;

/** The emulator's EC2 rules, through the real SDK client: what is refused, with AWS's code and text, and what changes. */
class Ec2RulesTest {
    static final String ID = "i-0a1b2c3d4e5f60001";
    Emulator emulator;
    Ec2Client ec2;

    @BeforeEach
    void start() throws Exception {
        // Ten times the usual pace: a stop takes 0.9 s, so a Describe right after StopInstances still sees
        // "stopping" on a loaded machine.
        emulator = Worlds.start("seed-2012r2-private", s -> s.replaceFirst("\\{", "{\"timeFactor\": 0.01,"));
        ec2 = Worlds.ec2(emulator);
    }

    @AfterEach
    void stop() {
        ec2.close();
        emulator.close();
    }

    Instance describe() {
        return ec2.describeInstances(r -> r.instanceIds(ID)).reservations().get(0).instances().get(0);
    }

    void stopAndWait() throws InterruptedException {
        ec2.stopInstances(r -> r.instanceIds(ID));
        assertTrue(Worlds.eventually(5, () -> describe().state().name() == InstanceStateName.STOPPED), "instance never stopped");
    }

    static Ec2Exception refused(Runnable call) {
        return assertThrows(Ec2Exception.class, call::run);
    }

    @Test
    void describesTheSeedInstanceWithItsTagsAndPlatform() {
        Instance i = describe();
        assertEquals("m4.xlarge", i.instanceTypeAsString());
        assertEquals(InstanceStateName.RUNNING, i.state().name());
        assertEquals(16, i.state().code());
        // DescribeInstances reports "windows" in lower case, which the SDK keeps as a string.
        assertEquals("windows", i.platformAsString());
        assertNull(i.enaSupport(), "omitted while not enabled");
        assertEquals("us-east-1a", i.placement().availabilityZone());
        assertEquals("erp-app-01", i.tags().stream().filter(t -> t.key().equals("Name")).findFirst().orElseThrow().value());
        assertEquals(2, i.blockDeviceMappings().size());
    }

    @Test
    void filtersInstancesByTagStateVpcAndSubnet() {
        assertEquals(1, ec2.describeInstances(r -> r.filters(f -> f.name("tag:Name").values("erp-*"))).reservations().size());
        assertEquals(0, ec2.describeInstances(r -> r.filters(f -> f.name("instance-state-name").values("stopped"))).reservations().size());
        assertEquals(1, ec2.describeInstances(r -> r.filters(f -> f.name("vpc-id").values("vpc-0a1b2c3d4e5f60001"),
                f -> f.name("subnet-id").values("subnet-0a1b2c3d4e5f60001"))).reservations().size());
        assertEquals(1, ec2.describeInstances(r -> r.filters(f -> f.name("instance-id").values(ID))).reservations().size());
    }

    @Test
    void malformedAndUnknownInstanceIdsAreRefused() {
        Ec2Exception malformed = refused(() -> ec2.describeInstances(r -> r.instanceIds("i-xyz")));
        assertEquals("InvalidInstanceID.Malformed", malformed.awsErrorDetails().errorCode());
        assertEquals("Invalid id: \"i-xyz\"", malformed.awsErrorDetails().errorMessage());
        Ec2Exception unknown = refused(() -> ec2.stopInstances(r -> r.instanceIds("i-0123456789abcdef0")));
        assertEquals("InvalidInstanceID.NotFound", unknown.awsErrorDetails().errorCode());
        assertTrue(unknown.awsErrorDetails().errorMessage().contains("i-0123456789abcdef0"));
    }

    @Test
    void stopPassesThroughStoppingAndTakesTime() throws Exception {
        StopInstancesResponse r = ec2.stopInstances(x -> x.instanceIds(ID));
        assertEquals(InstanceStateName.RUNNING, r.stoppingInstances().get(0).previousState().name());
        assertEquals(InstanceStateName.STOPPING, r.stoppingInstances().get(0).currentState().name());
        assertEquals(InstanceStateName.STOPPING, describe().state().name());
        assertTrue(Worlds.eventually(5, () -> describe().state().name() == InstanceStateName.STOPPED));
    }

    @Test
    void changingTheTypeOfARunningInstanceIsRefused() {
        Ec2Exception e = refused(() -> ec2.modifyInstanceAttribute(r -> r.instanceId(ID).instanceType(v -> v.value("m5.xlarge"))));
        assertEquals("IncorrectInstanceState", e.awsErrorDetails().errorCode());
        assertEquals("The instance '" + ID + "' is not in the 'stopped' state.", e.awsErrorDetails().errorMessage());
        assertEquals("m4.xlarge", describe().instanceTypeAsString());
    }

    @Test
    void startingANitroTypeWithoutEnaSupportIsRefused() throws Exception {
        stopAndWait();
        ec2.modifyInstanceAttribute(r -> r.instanceId(ID).instanceType(v -> v.value("m5.xlarge")));
        Ec2Exception e = refused(() -> ec2.startInstances(r -> r.instanceIds(ID)));
        assertEquals("InvalidParameterCombination", e.awsErrorDetails().errorCode());
        assertTrue(e.awsErrorDetails().errorMessage().startsWith(
                "Enhanced networking with the Elastic Network Adapter (ENA) is required for the 'm5.xlarge' instance type."));
        assertEquals(InstanceStateName.STOPPED, describe().state().name());
    }

    @Test
    void aTypeNotOfferedInTheZoneIsRefusedAndNothingChanges() throws Exception {
        stopAndWait();
        // mac1.metal is offered in us-east-1 but not in us-east-1a, the seed instance's zone.
        Ec2Exception e = refused(() -> ec2.modifyInstanceAttribute(r -> r.instanceId(ID).instanceType(v -> v.value("mac1.metal"))));
        assertEquals("Unsupported", e.awsErrorDetails().errorCode());
        assertEquals("m4.xlarge", describe().instanceTypeAsString());
        Ec2Exception unknown = refused(() -> ec2.modifyInstanceAttribute(r -> r.instanceId(ID).instanceType(v -> v.value("m9.huge"))));
        assertEquals("InvalidParameterValue", unknown.awsErrorDetails().errorCode());
    }

    @Test
    void enaThenTypeThenStartReachesRunningWithStatusChecksOk() throws Exception {
        stopAndWait();
        ec2.modifyInstanceAttribute(r -> r.instanceId(ID).enaSupport(v -> v.value(true)));
        ec2.modifyInstanceAttribute(r -> r.instanceId(ID).instanceType(v -> v.value("m5.xlarge")));
        assertTrue(ec2.describeInstanceAttribute(r -> r.instanceId(ID).attribute(InstanceAttributeName.ENA_SUPPORT)).enaSupport().value());
        assertEquals("m5.xlarge", ec2.describeInstanceAttribute(r -> r.instanceId(ID).attribute(InstanceAttributeName.INSTANCE_TYPE)).instanceType().value());
        assertEquals(InstanceStateName.PENDING, ec2.startInstances(r -> r.instanceIds(ID)).startingInstances().get(0).currentState().name());
        assertTrue(Worlds.eventually(5, () -> describe().state().name() == InstanceStateName.RUNNING));
        // Seed guest has no NVMe driver: on Nitro the instance status check fails (INACCESSIBLE_BOOT_DEVICE).
        assertTrue(Worlds.eventually(5, () -> ec2.describeInstanceStatus(r -> r.instanceIds(ID)).instanceStatuses().get(0)
                .instanceStatus().status() == SummaryStatus.IMPAIRED));
        assertEquals(SummaryStatus.OK, ec2.describeInstanceStatus(r -> r.instanceIds(ID)).instanceStatuses().get(0).systemStatus().status());
    }

    @Test
    void anInstanceWhoseAmiSetsNoBootModeBootsInItsTypesDefaultAndStartingClearsTheStopReason() throws Exception {
        assertEquals(InstanceBootModeValues.LEGACY_BIOS, describe().currentInstanceBootMode(), "m4 knows only legacy BIOS");
        String primaryInterface = describe().networkInterfaces().get(0).networkInterfaceId();
        stopAndWait();
        assertEquals("Client.UserInitiatedShutdown", describe().stateReason().code());
        ec2.modifyInstanceAttribute(r -> r.instanceId(ID).enaSupport(v -> v.value(true)));
        ec2.modifyInstanceAttribute(r -> r.instanceId(ID).instanceType(v -> v.value("m5.xlarge")));
        ec2.startInstances(r -> r.instanceIds(ID));
        assertTrue(Worlds.eventually(5, () -> describe().state().name() == InstanceStateName.RUNNING));
        Instance i = describe();
        assertEquals(InstanceBootModeValues.LEGACY_BIOS, i.currentInstanceBootMode(), "m5 offers both; an x86 type's default is legacy BIOS");
        assertNull(i.stateReason());
        assertEquals("", i.stateTransitionReason());
        assertEquals(primaryInterface, i.networkInterfaces().get(0).networkInterfaceId(), "a stop and start keeps the primary interface");
    }

    @Test
    void describeInstanceStatusOmitsStoppedInstancesUnlessAskedForAll() throws Exception {
        stopAndWait();
        assertTrue(ec2.describeInstanceStatus(r -> r.instanceIds(ID)).instanceStatuses().isEmpty());
        InstanceStatus s = ec2.describeInstanceStatus(r -> r.instanceIds(ID).includeAllInstances(true)).instanceStatuses().get(0);
        assertEquals(InstanceStateName.STOPPED, s.instanceState().name());
    }

    @Test
    void deletingASecurityGroupInUseIsADependencyViolation() {
        Ec2Exception e = refused(() -> ec2.deleteSecurityGroup(r -> r.groupId("sg-0a1b2c3d4e5f60001")));
        assertEquals("DependencyViolation", e.awsErrorDetails().errorCode());
        assertEquals("resource sg-0a1b2c3d4e5f60001 has a dependent object", e.awsErrorDetails().errorMessage());
        assertEquals(1, ec2.describeSecurityGroups(r -> r.groupIds("sg-0a1b2c3d4e5f60001")).securityGroups().size());
    }

    @Test
    void aRuleIsRevokedOnlyWhenTheGroupHasIt() {
        String sg = ec2.createSecurityGroup(r -> r.vpcId("vpc-0a1b2c3d4e5f60001").groupName("xen2nitro-ssm-endpoints")
                .description("443 from the subnets")).groupId();
        for (String cidr : List.of("10.20.1.0/24", "10.20.2.0/24")) {
            ec2.authorizeSecurityGroupIngress(r -> r.groupId(sg).ipPermissions(p -> p.ipProtocol("tcp").fromPort(443).toPort(443)
                    .ipRanges(ip -> ip.cidrIp(cidr))));
        }
        ec2.revokeSecurityGroupIngress(r -> r.groupId(sg).ipPermissions(p -> p.ipProtocol("tcp").fromPort(443).toPort(443)
                .ipRanges(ip -> ip.cidrIp("10.20.1.0/24"))));
        assertEquals(List.of("10.20.2.0/24"), ec2.describeSecurityGroups(r -> r.groupIds(sg)).securityGroups().get(0).ipPermissions().stream()
                .flatMap(p -> p.ipRanges().stream()).map(IpRange::cidrIp).toList());
        Ec2Exception gone = refused(() -> ec2.revokeSecurityGroupIngress(r -> r.groupId(sg).ipPermissions(p -> p.ipProtocol("tcp")
                .fromPort(443).toPort(443).ipRanges(ip -> ip.cidrIp("10.20.1.0/24")))));
        assertEquals("InvalidPermission.NotFound", gone.awsErrorDetails().errorCode());
    }

    @Test
    void endpointsAndTheirSecurityGroupAreCreatedAndDeletedInOrder() {
        String sg = ec2.createSecurityGroup(r -> r.vpcId("vpc-0a1b2c3d4e5f60001").groupName("xen2nitro-endpoints")
                .description("443 from the subnet")).groupId();
        ec2.authorizeSecurityGroupIngress(r -> r.groupId(sg).ipPermissions(p -> p.ipProtocol("tcp").fromPort(443).toPort(443)
                .ipRanges(ip -> ip.cidrIp("10.20.1.0/24"))));
        VpcEndpoint ep = ec2.createVpcEndpoint(r -> r.vpcId("vpc-0a1b2c3d4e5f60001").vpcEndpointType(VpcEndpointType.INTERFACE)
                .serviceName("com.amazonaws.us-east-1.ssm").subnetIds("subnet-0a1b2c3d4e5f60001").securityGroupIds(sg)
                .privateDnsEnabled(true)
                .tagSpecifications(t -> t.resourceType(ResourceType.VPC_ENDPOINT).tags(Tag.builder().key("xen2nitro:execution").value("x1").build())))
                .vpcEndpoint();
        assertTrue(ep.privateDnsEnabled());
        Ec2Exception dup = refused(() -> ec2.createVpcEndpoint(r -> r.vpcId("vpc-0a1b2c3d4e5f60001").vpcEndpointType(VpcEndpointType.INTERFACE)
                .serviceName("com.amazonaws.us-east-1.ssm").subnetIds("subnet-0a1b2c3d4e5f60001").privateDnsEnabled(true)));
        assertEquals("InvalidParameter", dup.awsErrorDetails().errorCode());
        assertTrue(dup.awsErrorDetails().errorMessage().contains("conflicting DNS domain for ssm.us-east-1.amazonaws.com"));
        assertEquals("DependencyViolation", refused(() -> ec2.deleteSecurityGroup(r -> r.groupId(sg))).awsErrorDetails().errorCode());
        assertEquals(1, ec2.describeVpcEndpoints(r -> r.filters(f -> f.name("tag:xen2nitro:execution").values("x1"))).vpcEndpoints().size());
        assertTrue(ec2.deleteVpcEndpoints(r -> r.vpcEndpointIds(ep.vpcEndpointId())).unsuccessful().isEmpty());
        ec2.deleteSecurityGroup(r -> r.groupId(sg));
        assertTrue(ec2.describeVpcEndpoints(r -> r.filters(f -> f.name("vpc-id").values("vpc-0a1b2c3d4e5f60001"))).vpcEndpoints().isEmpty());
    }

    @Test
    void imagesArePendingThenAvailableAndCarryTheirTags() throws Exception {
        String ami = ec2.createImage(r -> r.instanceId(ID).name("xen2nitro-backup-test").noReboot(true)
                .tagSpecifications(t -> t.resourceType(ResourceType.IMAGE).tags(Tag.builder().key("xen2nitro:instance").value(ID).build()))).imageId();
        assertEquals(ImageState.PENDING, ec2.describeImages(r -> r.imageIds(ami)).images().get(0).state());
        assertTrue(Worlds.eventually(5, () -> ec2.describeImages(r -> r.imageIds(ami)).images().get(0).state() == ImageState.AVAILABLE));
        Image image = ec2.describeImages(r -> r.imageIds(ami)).images().get(0);
        assertEquals(ID, image.tags().get(0).value());
        assertEquals(2, image.blockDeviceMappings().size());
        String snapshot = image.blockDeviceMappings().get(0).ebs().snapshotId();
        assertEquals("InvalidSnapshot.InUse", refused(() -> ec2.deleteSnapshot(r -> r.snapshotId(snapshot))).awsErrorDetails().errorCode());
        ec2.deregisterImage(r -> r.imageId(ami));
        ec2.deleteSnapshot(r -> r.snapshotId(snapshot));
        assertEquals("InvalidAMIID.NotFound", refused(() -> ec2.describeImages(r -> r.imageIds(ami))).awsErrorDetails().errorCode());
    }

    @Test
    void catalogueAndOfferingsComeFromTheSharedData() {
        InstanceTypeInfo m4 = ec2.describeInstanceTypes(r -> r.instanceTypesWithStrings("m4.xlarge", "m5.xlarge")).instanceTypes().get(0);
        assertEquals(InstanceTypeHypervisor.XEN, m4.hypervisor());
        InstanceTypeInfo m5 = ec2.describeInstanceTypes(r -> r.instanceTypesWithStrings("m5.xlarge")).instanceTypes().get(0);
        assertEquals(InstanceTypeHypervisor.NITRO, m5.hypervisor());
        assertEquals(EnaSupport.REQUIRED, m5.networkInfo().enaSupport());
        assertEquals(4, m5.vCpuInfo().defaultVCpus());
        var offerings = ec2.describeInstanceTypeOfferings(r -> r.locationType(LocationType.AVAILABILITY_ZONE)
                .filters(f -> f.name("location").values("us-east-1e"), f -> f.name("instance-type").values("m5.xlarge", "m4.xlarge")));
        assertEquals(1, offerings.instanceTypeOfferings().size());
        assertEquals("m4.xlarge", offerings.instanceTypeOfferings().get(0).instanceTypeAsString());
        assertEquals("InvalidInstanceType", refused(() -> ec2.describeInstanceTypes(r -> r.instanceTypesWithStrings("m9.huge"))).awsErrorDetails().errorCode());
    }

    @Test
    void tagsAreCreatedAndDeleted() {
        ec2.createTags(r -> r.resources(ID).tags(Tag.builder().key("xen2nitro:status").value("migrating").build()));
        assertTrue(describe().tags().stream().anyMatch(t -> t.key().equals("xen2nitro:status") && t.value().equals("migrating")));
        ec2.deleteTags(r -> r.resources(ID).tags(Tag.builder().key("xen2nitro:status").build()));
        assertTrue(describe().tags().stream().noneMatch(t -> t.key().equals("xen2nitro:status")));
    }
}
