package dev.xen2nitro.functions.preflight;

import dev.xen2nitro.functions.rules.NitroTargets;
import dev.xen2nitro.functions.rules.TargetTypes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decides from EC2's facts whether the instance may be migrated, and to which type. No SDK here:
 * every rule is a plain method with a unit test. Rules and their sources: RUNBOOK.md, "Facts from
 * AWS documentation that the automation must respect".
 */
public final class PreflightRules {
    private PreflightRules() {}

    /** The EC2 side of the report: the checks, the target type and why, and which endpoints are missing. */
    public record Verdict(boolean ready, String targetType, String targetReason, List<Check> checks,
                          List<String> missingEndpoints) {}

    static final List<String> INTERFACE_SERVICES = List.of("ssm", "ec2messages", "ssmmessages");

    public static Verdict assess(InstanceFacts f, boolean allowInstanceStoreLoss) {
        List<Check> checks = new ArrayList<>();
        if (!f.found()) {
            checks.add(Check.fail("instance-exists", "instance " + f.instanceId() + " was not found in this account and region;"
                    + " check the ID and that the stack is deployed in the instance's region"));
            return new Verdict(false, null, null, checks, List.of());
        }
        checks.add(Check.pass("instance-exists", f.instanceId() + " in " + f.availabilityZone() + ", subnet " + f.subnetId()));
        checks.add("windows".equals(f.platform())
                ? Check.pass("platform-windows", "the platform is Windows")
                : Check.fail("platform-windows", "the instance is not Windows (platform " + f.platform()
                        + "); this workflow migrates Windows Server only"));
        // Every guest step runs through SSM Run Command, which needs the agent in a running Windows: a stopped
        // instance would pass here, get its endpoints, and fail at CheckSsmOnline with nothing to show for it.
        checks.add("running".equals(f.state())
                ? Check.pass("state-running", "the instance is running")
                : Check.fail("state-running", "the instance is " + f.state() + "; the drivers are installed inside Windows through"
                        + " SSM Run Command, which needs the instance running and its SSM agent online: start it (aws ec2 start-instances"
                        + " --instance-ids " + f.instanceId() + "), wait until it is running, then start the migration again"
                        + " (stop it afterwards if it should stay stopped)"));
        checks.add(f.currentType().nitro()
                ? Check.fail("current-type-xen", f.currentType().name() + " is already a Nitro type; there is nothing to migrate")
                : Check.pass("current-type-xen", f.currentType().name() + " runs on the Xen hypervisor"));
        checks.add("spot".equals(f.lifecycle())
                ? Check.fail("not-spot", "the instance is a Spot Instance; Spot Instances cannot be changed in place (relaunch it as On-Demand)")
                : Check.pass("not-spot", "On-Demand or Reserved"));
        String asg = f.autoScalingGroup();
        if (asg == null) {
            checks.add(Check.pass("auto-scaling-standby", "not in an Auto Scaling group"));
        } else if ("Standby".equals(f.autoScalingLifecycle())) {
            checks.add(Check.pass("auto-scaling-standby", "in Standby in Auto Scaling group " + asg + ": the group leaves it alone while it is stopped"));
        } else {
            // A stopped InService instance fails its health check and the group replaces it (EC2 Auto Scaling, Standby).
            checks.add(Check.fail("auto-scaling-standby", "the instance is " + f.autoScalingLifecycle() + " in Auto Scaling group " + asg
                    + ", which would replace it while it is stopped: put it in Standby first (aws autoscaling enter-standby --instance-ids "
                    + f.instanceId() + " --auto-scaling-group-name " + asg + " --should-decrement-desired-capacity) and start again"));
        }
        if (f.currentType().instanceStorage()) {
            checks.add(allowInstanceStoreLoss
                    ? Check.pass("instance-store", f.currentType().name() + " has instance-store volumes; their data is lost at the stop (allowInstanceStoreLoss is true)")
                    : Check.fail("instance-store", f.currentType().name() + " has instance-store volumes whose data is erased when the instance stops;"
                            + " copy what you need and start again with \"allowInstanceStoreLoss\": true"));
        } else {
            checks.add(Check.pass("instance-store", "no instance-store volumes"));
        }

        String target = null;
        String reason = null;
        if (f.requestedTarget() != null) {
            InstanceFacts.TypeFacts t = f.requestedTargetType();
            if (t == null) {
                checks.add(Check.fail("target-type", "target type " + f.requestedTarget() + " does not exist in this region; give a Nitro type such as "
                        + TargetTypes.nextFamily(f.currentType().info().family()).map(fam -> fam + "." + f.currentType().info().size()).orElse("m5.xlarge")));
            } else if (!t.nitro()) {
                checks.add(Check.fail("target-type", "target type " + t.name() + " runs on the Xen hypervisor; choose a Nitro type"));
            } else if (!f.requestedTargetOffered()) {
                checks.add(Check.fail("target-type", "target type " + t.name() + " is not offered in " + f.availabilityZone()
                        + "; choose a type offered there (aws ec2 describe-instance-type-offerings --location-type availability-zone)"));
            } else if (!t.architectures().contains(f.architecture())) {
                checks.add(Check.fail("target-type", "target type " + t.name() + " supports " + t.architectures()
                        + ", not the instance's architecture " + f.architecture()));
            } else if (!NitroTargets.allows(t.name())) {
                checks.add(Check.fail("target-type", "target type " + t.name() + " is not of a Nitro family this stack changes instances to"
                        + " (its ChangeInstanceType role may set " + String.join(", ", NitroTargets.PATTERNS) + "); choose one of them"));
            } else {
                target = t.name();
                reason = "requested by the operator";
                checks.add(Check.pass("target-type", target + " (" + reason + ")"));
            }
        } else if (!f.currentType().nitro()) {
            Optional<TargetTypes.Choice> choice = TargetTypes.choose(f.currentType().info(),
                    f.offeredNitroTypes().stream().map(InstanceFacts.TypeFacts::info).toList(), f.architecture());
            if (choice.isPresent()) {
                target = choice.get().type();
                reason = choice.get().reason();
                checks.add(Check.pass("target-type", reason));
            } else {
                checks.add(Check.fail("target-type", "no Nitro successor of " + f.currentType().name() + " is offered in "
                        + f.availabilityZone() + "; give \"targetType\" explicitly"));
            }
        }
        InstanceFacts.TypeFacts chosen = target == null ? null
                : target.equals(f.requestedTarget()) ? f.requestedTargetType() : facts(f, target);
        if (chosen != null) {
            checks.add(f.volumes() <= chosen.maxEbsAttachments()
                    ? Check.pass("volume-limit", f.volumes() + " EBS volumes; " + chosen.name() + " attaches up to " + chosen.maxEbsAttachments())
                    : Check.fail("volume-limit", f.volumes() + " EBS volumes exceed the " + chosen.maxEbsAttachments() + " that " + chosen.name()
                            + " can attach; detach volumes or choose a larger type"));
            checks.add(f.networkInterfaces() <= chosen.maxNetworkInterfaces()
                    ? Check.pass("network-interface-limit", f.networkInterfaces() + " network interfaces; " + chosen.name() + " allows " + chosen.maxNetworkInterfaces())
                    : Check.fail("network-interface-limit", f.networkInterfaces() + " network interfaces exceed the " + chosen.maxNetworkInterfaces()
                            + " of " + chosen.name()));
        }

        List<String> missing = new ArrayList<>();
        if (!f.internetRoute()) {
            for (String s : INTERFACE_SERVICES) {
                if (!f.endpointServices().contains(s)) missing.add(s);
            }
            if (!f.s3GatewayOnRouteTable()) missing.add("s3");
        }
        if (missing.stream().anyMatch(INTERFACE_SERVICES::contains) && !(f.vpcDnsSupport() && f.vpcDnsHostnames())) {
            // Private DNS on interface endpoints needs both VPC attributes (VPC User Guide, "DNS attributes").
            checks.add(Check.fail("vpc-dns", "VPC " + f.vpcId() + " has enableDnsSupport=" + f.vpcDnsSupport() + " and enableDnsHostnames="
                    + f.vpcDnsHostnames() + "; the SSM endpoints this migration must create need both true:"
                    + " aws ec2 modify-vpc-attribute --vpc-id " + f.vpcId() + " --enable-dns-hostnames"));
        }
        checks.add(Check.pass("ssm-reachable", f.ssmOnline() ? "the SSM agent is online"
                : f.internetRoute() ? "the subnet routes to the internet; the agent is not online yet"
                : "the subnet has no internet route; SSM becomes reachable once endpoints exist (missing: "
                        + (missing.isEmpty() ? "none" : String.join(", ", missing)) + ")"));
        boolean ready = checks.stream().allMatch(Check::passed);
        return new Verdict(ready, target, reason, checks, missing);
    }

    private static InstanceFacts.TypeFacts facts(InstanceFacts f, String name) {
        return f.offeredNitroTypes().stream().filter(t -> t.name().equals(name)).findFirst().orElse(null);
    }
}
