package dev.xen2nitro.local;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.xen2nitro.local.cloud.Cloud;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.*;

/**
 * The calls a rehearsal makes, through the real SDK client against the emulator: RunInstances from an image (the image's
 * guest, a new address, the request's tags), TerminateInstances (volumes and group released), a group's outbound rules
 * with the S3 prefix list, and what a copy of a domain-joined server does on the network when its group lets it reach a
 * domain controller, and when it does not.
 */
class CloneLaunchTest {
    static final String SEED = "i-0a1b2c3d4e5f60001", DC = "i-0a1b2c3d4e5f6dc01", SUBNET = "subnet-0a1b2c3d4e5f60001",
            VPC = "vpc-0a1b2c3d4e5f60001", DOMAIN = "corp.example.com";
    static final ObjectMapper JSON = new ObjectMapper();
    Emulator emulator;
    Ec2Client ec2;

    /** The seed joined to corp.example.com, and a controller of that domain in its subnet that admits the VPC. */
    static final UnaryOperator<String> DOMAIN_JOINED = w -> {
        try {
            ObjectNode root = (ObjectNode) JSON.readTree(w);
            ObjectNode seed = (ObjectNode) root.get("instances").get(0);
            ((ObjectNode) seed.get("guest")).put("domain", DOMAIN).put("computerName", "ERP-APP-01");
            ObjectNode dc = root.withArray("instances").addObject().put("id", DC).put("instanceType", "m4.large").put("subnetId", SUBNET)
                    .put("privateIpAddress", "10.20.1.10");
            dc.putArray("securityGroupIds").add("sg-0a1b2c3d4e5f6dc01");
            ObjectNode g = ((ObjectNode) seed.get("guest").deepCopy()).put("productType", 2).put("computerName", "DC01");
            g.remove("nics");
            dc.set("guest", g);
            ObjectNode sg = root.withArray("securityGroups").addObject().put("id", "sg-0a1b2c3d4e5f6dc01").put("vpcId", VPC)
                    .put("groupName", "domain-controllers");
            sg.putArray("ingress").addObject().put("ipProtocol", "-1").putArray("cidrBlocks").add("10.20.0.0/16");
            return JSON.writeValueAsString(root.put("timeFactor", 0.01));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    };

    void start(UnaryOperator<String> edit) throws Exception {
        emulator = Worlds.start("seed-2012r2-private", edit);
        ec2 = Worlds.ec2(emulator);
    }

    @AfterEach
    void stop() {
        if (ec2 != null) ec2.close();
        if (emulator != null) emulator.close();
    }

    Instance describe(String id) {
        return ec2.describeInstances(r -> r.instanceIds(id)).reservations().get(0).instances().get(0);
    }

    /** The seed's AMI, available. */
    String image() throws InterruptedException {
        String id = ec2.createImage(r -> r.instanceId(SEED).name("backup").tagSpecifications(TagSpecification.builder()
                .resourceType(ResourceType.IMAGE).tags(Tag.builder().key("xen2nitro:instance").value(SEED).build()).build())).imageId();
        assertTrue(Worlds.eventually(10, () -> ec2.describeImages(r -> r.imageIds(id)).images().get(0).state() == ImageState.AVAILABLE));
        return id;
    }

    /** A group of the seed's VPC that lets out only HTTPS to the seed's subnet and the S3 prefix list. */
    String closedGroup() {
        String g = ec2.createSecurityGroup(r -> r.vpcId(VPC).groupName("rehearsal").description("closed")).groupId();
        ec2.revokeSecurityGroupEgress(r -> r.groupId(g).ipPermissions(p -> p.ipProtocol("-1").ipRanges(x -> x.cidrIp("0.0.0.0/0"))));
        String s3 = ec2.describePrefixLists(r -> r.filters(f -> f.name("prefix-list-name").values("com.amazonaws.us-east-1.s3")))
                .prefixLists().get(0).prefixListId();
        ec2.authorizeSecurityGroupEgress(r -> r.groupId(g).ipPermissions(p -> p.ipProtocol("tcp").fromPort(443).toPort(443)
                .ipRanges(x -> x.cidrIp("10.20.1.0/24")).prefixListIds(x -> x.prefixListId(s3))));
        return g;
    }

    Instance launch(String image, String group, String token) {
        return ec2.runInstances(r -> r.imageId(image).instanceType("m4.xlarge").minCount(1).maxCount(1).clientToken(token)
                .networkInterfaces(n -> n.deviceIndex(0).subnetId(SUBNET).groups(group).associatePublicIpAddress(false).deleteOnTermination(true))
                .iamInstanceProfile(p -> p.arn("arn:aws:iam::123456789012:instance-profile/SSMInstanceProfile"))
                .tagSpecifications(TagSpecification.builder().resourceType(ResourceType.INSTANCE)
                        .tags(Tag.builder().key("xen2nitro:rehearsal-of").value(SEED).build()).build())).instances().get(0);
    }

    Cloud.Instance model(String id) {
        return emulator.cloud().instances.get(id);
    }

    @Test
    void aCloneRunsTheImagesGuestAtANewAddressWithTheRequestsTagsAndProfile() throws Exception {
        start(s -> s.replaceFirst("\\{", "{\"timeFactor\": 0.01,"));
        String image = image();
        // The original changes after its image was taken: the clone has the image's Windows, not today's.
        emulator.cloud().instances.get(SEED).guest.pvDriver = "8.4.3";
        String group = closedGroup();
        Instance clone = launch(image, group, "token-1");
        assertEquals(InstanceStateName.PENDING, clone.state().name());
        assertNotEquals(describe(SEED).privateIpAddress(), clone.privateIpAddress());
        assertTrue(clone.privateIpAddress().startsWith("10.20.1."), clone.privateIpAddress());
        assertEquals(image, clone.imageId());
        assertEquals(List.of(group), clone.securityGroups().stream().map(GroupIdentifier::groupId).toList());
        assertEquals("arn:aws:iam::123456789012:instance-profile/SSMInstanceProfile", clone.iamInstanceProfile().arn());
        assertEquals(SEED, clone.tags().get(0).value());
        assertEquals(2, clone.blockDeviceMappings().size(), "the image's two volumes");
        assertNotEquals("8.4.3", model(clone.instanceId()).guest.pvDriver, "the clone has the image's guest");
        assertTrue(Worlds.eventually(10, () -> describe(clone.instanceId()).state().name() == InstanceStateName.RUNNING));
        // The same token again: the same instance, no second launch.
        assertEquals(clone.instanceId(), launch(image, group, "token-1").instanceId());
        assertEquals(2, emulator.cloud().instances.size(), "the seed and its one clone");
    }

    @Test
    void launchesAreRefusedAsEc2RefusesThem() throws Exception {
        start(s -> s.replaceFirst("\\{", "{\"timeFactor\": 0.01,"));
        String image = image();
        Ec2Exception both = assertThrows(Ec2Exception.class, () -> ec2.runInstances(r -> r.imageId(image).instanceType("m4.xlarge").minCount(1)
                .maxCount(1).subnetId(SUBNET).networkInterfaces(n -> n.deviceIndex(0).subnetId(SUBNET))));
        assertEquals("InvalidParameterCombination", both.awsErrorDetails().errorCode());
        Ec2Exception unknown = assertThrows(Ec2Exception.class, () -> ec2.runInstances(r -> r.imageId("ami-0123456789abcdef0")
                .instanceType("m4.xlarge").minCount(1).maxCount(1).subnetId(SUBNET)));
        assertEquals("InvalidAMIID.NotFound", unknown.awsErrorDetails().errorCode());
        Ec2Exception profile = assertThrows(Ec2Exception.class, () -> ec2.runInstances(r -> r.imageId(image).instanceType("m4.xlarge")
                .minCount(1).maxCount(1).subnetId(SUBNET).iamInstanceProfile(p -> p.arn("arn:aws:iam::123456789012:instance-profile/none"))));
        assertEquals("InvalidParameterValue", profile.awsErrorDetails().errorCode());
        Ec2Exception ena = assertThrows(Ec2Exception.class, () -> ec2.runInstances(r -> r.imageId(image).instanceType("m5.xlarge")
                .minCount(1).maxCount(1).subnetId(SUBNET)));
        assertEquals("InvalidParameterCombination", ena.awsErrorDetails().errorCode(), "a Nitro type needs an ENA image");
        assertEquals(List.of(SEED), List.copyOf(emulator.cloud().instances.keySet()), "nothing was launched");
    }

    @Test
    void aTerminatedCloneTakesItsVolumesAndReleasesItsGroup() throws Exception {
        start(s -> s.replaceFirst("\\{", "{\"timeFactor\": 0.01,"));
        String group = closedGroup();
        Instance clone = launch(image(), group, "token-2");
        ec2.terminateInstances(r -> r.instanceIds(clone.instanceId()));
        assertEquals(InstanceStateName.SHUTTING_DOWN, describe(clone.instanceId()).state().name());
        Ec2Exception inUse = assertThrows(Ec2Exception.class, () -> ec2.deleteSecurityGroup(r -> r.groupId(group)));
        assertEquals("DependencyViolation", inUse.awsErrorDetails().errorCode());
        assertTrue(Worlds.eventually(10, () -> describe(clone.instanceId()).state().name() == InstanceStateName.TERMINATED));
        assertEquals(List.of(), model(clone.instanceId()).volumes, "DeleteOnTermination volumes go with it");
        assertTrue(emulator.cloud().detachedVolumes.isEmpty());
        ec2.deleteSecurityGroup(r -> r.groupId(group));
        assertFalse(emulator.cloud().securityGroups.containsKey(group));
    }

    @Test
    void aGroupsOutboundRulesToASubnetAndTheS3PrefixListAreAuthorizedDescribedAndRevoked() throws Exception {
        start(s -> s.replaceFirst("\\{", "{\"timeFactor\": 0.01,"));
        String group = closedGroup();
        SecurityGroup g = ec2.describeSecurityGroups(r -> r.groupIds(group)).securityGroups().get(0);
        assertEquals(1, g.ipPermissionsEgress().stream().filter(p -> !p.ipRanges().isEmpty()).count());
        assertEquals(1, g.ipPermissionsEgress().stream().filter(p -> !p.prefixListIds().isEmpty()).count());
        assertTrue(g.ipPermissionsEgress().stream().noneMatch(p -> "-1".equals(p.ipProtocol())), "the allow-all rule is gone");
        Ec2Exception dup = assertThrows(Ec2Exception.class, () -> ec2.authorizeSecurityGroupEgress(r -> r.groupId(group).ipPermissions(p -> p
                .ipProtocol("tcp").fromPort(443).toPort(443).ipRanges(x -> x.cidrIp("10.20.1.0/24")))));
        assertEquals("InvalidPermission.Duplicate", dup.awsErrorDetails().errorCode());
        // Revoked, the prefix list rule is gone.
        ec2.revokeSecurityGroupEgress(r -> r.groupId(group).ipPermissions(p -> p.ipProtocol("tcp").fromPort(443).toPort(443)
                .prefixListIds(x -> x.prefixListId(g.ipPermissionsEgress().stream().flatMap(q -> q.prefixListIds().stream()).findFirst().orElseThrow().prefixListId()))));
        assertTrue(ec2.describeSecurityGroups(r -> r.groupIds(group)).securityGroups().get(0).ipPermissionsEgress().stream()
                .allMatch(p -> p.prefixListIds().isEmpty()));
    }

    @Test
    void aCopyThatReachesTheDomainControllerBreaksTheOriginalsTrustAndAClosedOneDoesNot() throws Exception {
        start(DOMAIN_JOINED);
        String image = image();
        // In a group that lets it reach the controller (the seed's own, which lets everything out), the copy logs on as
        // ERP-APP-01 and the original's secure channel breaks.
        Instance open = launch(image, "sg-0a1b2c3d4e5f60001", "open");
        assertTrue(Worlds.eventually(10, () -> describe(open.instanceId()).state().name() == InstanceStateName.RUNNING
                        && emulator.cloud().domainLogons.stream().anyMatch(l -> open.instanceId().equals(l.get("instanceId")))),
                "the copy logged on: " + emulator.cloud().domainLogons);
        Map<String, String> logon = emulator.cloud().domainLogons.stream().filter(l -> open.instanceId().equals(l.get("instanceId")))
                .findFirst().orElseThrow();
        assertEquals(List.of("ERP-APP-01", DOMAIN, DC), List.of(logon.get("computerName"), logon.get("domain"), logon.get("controllerId")));
        assertTrue(model(SEED).guest.trustBroken, "the original lost its trust relationship");
    }

    @Test
    void aCopyInAClosedGroupNeverReachesTheDomainController() throws Exception {
        start(DOMAIN_JOINED);
        Instance closed = launch(image(), closedGroup(), "closed");
        assertTrue(Worlds.eventually(10, () -> describe(closed.instanceId()).state().name() == InstanceStateName.RUNNING));
        Thread.sleep(200);
        assertTrue(emulator.cloud().domainLogons.stream().noneMatch(l -> closed.instanceId().equals(l.get("instanceId"))),
                emulator.cloud().domainLogons.toString());
        assertFalse(model(SEED).guest.trustBroken);
        assertTrue(model(closed.instanceId()).guest.domain.equals(DOMAIN), "the copy is joined to the domain all the same");
    }
}
