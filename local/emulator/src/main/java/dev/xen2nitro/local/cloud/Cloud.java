package dev.xen2nitro.local.cloud;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.xen2nitro.local.guest.WindowsGuest;
import dev.xen2nitro.local.wire.AwsError;
import dev.xen2nitro.local.world.WorldFile;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The state of the emulated account: every resource the functions can see, and the clock that
 * moves them through their transitional states. All access is synchronised on the instance.
 */
public final class Cloud {

    /** AWS durations in seconds, before the time factor. Sources in the comments of each use. */
    public static final double STOP_SECONDS = 90, START_SECONDS = 30, STATUS_INIT_SECONDS = 120,
            IMAGE_SECONDS = 300, REPLACE_ROOT_SECONDS = 20, COMMAND_SECONDS = 10;
    /**
     * Windows shutting down before a reboot (CreateImage "attempts to shut down and reboot the instance", API reference; a
     * script's exit 3010, SSM "Rebooting managed nodes from scripts"; a root volume replacement). AWS gives no figure; a stop
     * shuts Windows down too, so the model takes the stop's {@link #STOP_SECONDS}.
     */
    public static final double SHUTDOWN_SECONDS = STOP_SECONDS;
    /** A reboot, down from the shutdown until the status checks pass after the boot. */
    public static final double REBOOT_SECONDS = SHUTDOWN_SECONDS + STATUS_INIT_SECONDS;
    /**
     * shutting-down to terminated: AWS gives no figure ("Terminate Amazon EC2 instances", EC2 User Guide: the instance
     * "shuts down" and then is terminated); a minute is this model's assumption.
     */
    public static final double TERMINATE_SECONDS = 60;

    public final String region;
    public final String accountId;
    public final double timeFactor;
    /**
     * Seconds of AWS time before an event shows in CloudTrail's event history: "an average of about 5 minutes" (CloudTrail
     * User Guide, "Working with CloudTrail event history"), which is not guaranteed; a test may make it longer.
     */
    public volatile double trailDeliverySeconds = 300;
    public final Catalogue catalogue = Catalogue.get();
    public final long startedAt = System.currentTimeMillis();

    public final Map<String, Vpc> vpcs = new LinkedHashMap<>();
    public final Map<String, RouteTable> routeTables = new LinkedHashMap<>();
    public final Map<String, Subnet> subnets = new LinkedHashMap<>();
    public final Map<String, SecurityGroup> securityGroups = new LinkedHashMap<>();
    public final Map<String, VpcEndpoint> vpcEndpoints = new LinkedHashMap<>();
    public final Map<String, Instance> instances = new LinkedHashMap<>();
    public final Map<String, Image> images = new LinkedHashMap<>();
    public final Map<String, Snapshot> snapshots = new LinkedHashMap<>();
    public final List<WorldFile.ReservedInstance> reservedInstances = new ArrayList<>();
    public final Map<String, ReplaceRootTask> replaceRootTasks = new LinkedHashMap<>();
    public final Map<String, List<Notification>> topics = new LinkedHashMap<>();
    public final Map<String, Map<String, byte[]>> buckets = new LinkedHashMap<>();
    public final List<Fault> faults = new ArrayList<>();
    /** Root volumes detached by a root-volume replacement that kept them (DeleteReplacedRootVolume false). */
    public final List<Map<String, String>> detachedVolumes = new ArrayList<>();
    /**
     * Each time a domain-joined guest reached one of its domain's controllers as it booted: instanceId, computerName, domain,
     * controllerId and when. A copy of a machine that logs on renews the machine account's password, which breaks the
     * secure channel of the other machine of that name (see {@link WindowsGuest#trustBroken}).
     */
    public final List<Map<String, String>> domainLogons = new ArrayList<>();
    /** Instance profiles by ARN, to the ARN of their role; every world has {@link #defaultInstanceProfile()}. */
    public final Map<String, String> instanceProfiles = new LinkedHashMap<>();
    /** Every API call received, in order: service, operation, and the error code returned if any. */
    public final List<Map<String, String>> calls = new ArrayList<>();
    public final Commands commands = new Commands(this);
    public final TaskTokens taskTokens = new TaskTokens();
    public final Executions executions = new Executions();
    /** SSM Parameter Store, by name. */
    public final Map<String, Parameter> parameters = new LinkedHashMap<>();
    /** KMS keys, by key ID. */
    public final Map<String, KmsKey> kmsKeys = new LinkedHashMap<>();
    /** CloudTrail's event history: the management events recorded, oldest first. */
    public final List<TrailEvent> trail = new ArrayList<>();
    /** EC2's request and resource token buckets of this account and Region; refused calls are also in {@link #calls}. */
    public final Ec2Throttling ec2Throttling;

    Cloud(String region, String accountId, double timeFactor) {
        this.region = region;
        this.accountId = accountId;
        this.timeFactor = timeFactor;
        this.ec2Throttling = new Ec2Throttling(accountId, timeFactor);
        instanceProfiles.put(defaultInstanceProfile(), "arn:aws:iam::" + accountId + ":role/SSMInstanceProfile");
    }

    /**
     * The instance profile the world's instances have unless the world says otherwise: SSM manages a node only with
     * credentials, from an instance profile with AmazonSSMManagedInstanceCore or from Default Host Management
     * Configuration (SSM User Guide, "Configure instance permissions required for Systems Manager"); the worlds model
     * managed nodes, so they have one. Its role has the same name.
     */
    public String defaultInstanceProfile() {
        return "arn:aws:iam::" + accountId + ":instance-profile/SSMInstanceProfile";
    }

    /**
     * The ID of the AWS-managed prefix list of a service's public ranges in this Region (com.amazonaws.REGION.SERVICE, VPC
     * User Guide, "AWS-managed prefix lists"): a stable ID per Region and service here.
     */
    public String prefixListId(String service) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(("com.amazonaws." + region + "." + service)
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return "pl-" + java.util.HexFormat.of().formatHex(d).substring(0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Whether {@code from}'s groups let TCP {@code port} out to {@code ip} and {@code to}'s groups let it in from
     * {@code from}'s address. An instance with no group is in its VPC's default group, which lets everything out and, as
     * the world has no other members of it to name, is taken here to let in what its VPC sends (VPC User Guide,
     * "Default security groups for your VPCs").
     */
    public boolean tcpAllowed(Instance from, Instance to, int port) {
        boolean out = from.securityGroupIds.isEmpty() || from.securityGroupIds.stream().map(securityGroups::get).anyMatch(g -> g != null
                && g.egress.stream().anyMatch(r -> admits(r, port, to.privateIpAddress)));
        boolean in = to.securityGroupIds.isEmpty() || to.securityGroupIds.stream().map(securityGroups::get).anyMatch(g -> g != null
                && g.ingress.stream().anyMatch(r -> admits(r, port, from.privateIpAddress)));
        return out && in;
    }

    private static boolean admits(WorldFile.IngressRule r, int port, String ip) {
        boolean proto = "-1".equals(r.ipProtocol()) || ("tcp".equals(r.ipProtocol()) && r.fromPort() != null && r.toPort() != null
                && r.fromPort() <= port && r.toPort() >= port);
        return proto && r.cidrBlocks() != null && r.cidrBlocks().stream().anyMatch(c -> Cidr.contains(c, ip));
    }

    /**
     * A domain-joined guest that boots logs on to a controller of its domain it can reach: Kerberos (TCP 88) and LDAP (TCP
     * 389) (Microsoft, "Service overview and network port requirements for Windows": Active Directory). Its logon renews
     * the computer account's password as the computer's own: another running machine with that computer name (a copy)
     * then no longer matches the account's password, and its secure channel fails (Microsoft, "Machine account password
     * process"; "The trust relationship between this workstation and the primary domain failed").
     */
    synchronized void logOnToDomain(Instance i) {
        if (i.guest == null || i.guest.domain == null) return;
        for (Instance dc : instances.values()) {
            if (dc == i || dc.guest == null || !dc.guest.isDomainController() || !i.guest.domain.equalsIgnoreCase(dc.guest.domain)
                    || !"running".equals(dc.state) || !tcpAllowed(i, dc, 88) || !tcpAllowed(i, dc, 389)) continue;
            Map<String, String> logon = new LinkedHashMap<>();
            logon.put("instanceId", i.id);
            logon.put("computerName", i.guest.computerName);
            logon.put("domain", i.guest.domain);
            logon.put("controllerId", dc.id);
            logon.put("at", Instant.now().toString());
            domainLogons.add(logon);
            for (Instance other : instances.values()) {
                if (other != i && other.guest != null && !"terminated".equals(other.state) && i.guest.domain.equalsIgnoreCase(other.guest.domain)
                        && i.guest.computerName != null && i.guest.computerName.equalsIgnoreCase(other.guest.computerName)) {
                    other.guest.trustBroken = true;
                }
            }
            return;
        }
    }

    /** Milliseconds from now after which {@code awsSeconds} of AWS time have passed. */
    public long after(double awsSeconds) {
        return after(System.currentTimeMillis(), awsSeconds);
    }

    /** The real time {@code awsSeconds} of AWS's pace after {@code from}. */
    public long after(long from, double awsSeconds) {
        return from + Math.round(awsSeconds * timeFactor * 1000);
    }

    public static String newId(String prefix) {
        StringBuilder sb = new StringBuilder(prefix).append('-');
        ThreadLocalRandom r = ThreadLocalRandom.current();
        for (int i = 0; i < 17; i++) {
            sb.append("0123456789abcdef".charAt(r.nextInt(16)));
        }
        return sb.toString();
    }

    /** Raises the injected fault for this operation, if one is armed. */
    public synchronized void checkFault(String service, String operation, String instanceId) {
        for (Fault f : faults) {
            if (f.matches(service, operation, instanceId) && !BEHAVIOURS.contains(f.code)) {
                f.fire();
                throw new AwsError(f.code, f.message, f.status);
            }
        }
    }

    /** Fault codes that change what a call does instead of failing it. */
    static final java.util.Set<String> BEHAVIOURS = java.util.Set.of("ImageStuckPending", "DocumentUpdated");

    /** The armed fault for this operation, consumed once, or null: for callers that fail in their own way (the Lambda host). */
    public synchronized Fault takeFault(String service, String operation) {
        for (Fault f : faults) {
            if (f.matches(service, operation, null) || (operation.contains(":") && f.remaining != 0 && f.service.equalsIgnoreCase(service)
                    && operation.equals(f.operation + ":" + f.code))) {
                f.fire();
                return f;
            }
        }
        return null;
    }

    public synchronized void recordCall(String service, String operation, String error) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("service", service);
        c.put("operation", operation);
        if (error != null) c.put("error", error);
        calls.add(c);
    }

    /** Moves every resource through the transitions whose time has come. */
    public synchronized void settle() {
        long now = System.currentTimeMillis();
        instances.values().forEach(i -> i.settle(now, this));
        images.values().forEach(i -> i.settle(now));
        replaceRootTasks.values().forEach(t -> t.settle(now, this));
        commands.settle(now);
    }

    public Optional<Subnet> subnetOf(Instance i) {
        return Optional.ofNullable(subnets.get(i.subnetId));
    }

    /**
     * The private IPv4 DNS name EC2 gives an address (hostname type ip-name, the default): VPC User
     * Guide, "DNS attributes for your VPC": ip-A-B-C-D.ec2.internal in us-east-1,
     * ip-A-B-C-D.REGION.compute.internal in every other Region.
     */
    public String privateDnsName(String ip) {
        String host = "ip-" + ip.replace('.', '-');
        return "us-east-1".equals(region) ? host + ".ec2.internal" : host + "." + region + ".compute.internal";
    }

    /** An EC2 resource's ARN, arn:aws:ec2:REGION:ACCOUNT:TYPE/ID (Service Authorization Reference, Amazon EC2 resource types). */
    public String arn(String resourceType, String id) {
        return "arn:aws:ec2:" + region + ":" + accountId + ":" + resourceType + "/" + id;
    }

    // ---------------------------------------------------------------- resources

    public static final class Vpc {
        public String id, cidrBlock;
        public boolean enableDnsSupport = true, enableDnsHostnames = true;
        public Map<String, String> tags = new LinkedHashMap<>();
    }

    public static final class RouteTable {
        public String id, vpcId;
        public List<WorldFile.Route> routes = new ArrayList<>();
        public Map<String, String> tags = new LinkedHashMap<>();

        public boolean routesToInternet() {
            return routes.stream().anyMatch(r -> "0.0.0.0/0".equals(r.destinationCidrBlock())
                    && ((r.gatewayId() != null && r.gatewayId().startsWith("igw-")) || r.natGatewayId() != null));
        }
    }

    public static final class Subnet {
        public String id, vpcId, availabilityZone, cidrBlock, routeTableId;
        public Map<String, String> tags = new LinkedHashMap<>();
    }

    public static final class SecurityGroup {
        public String id, vpcId, groupName, description;
        public List<WorldFile.IngressRule> ingress = new ArrayList<>();
        /**
         * A group created in a VPC starts with one outbound rule that allows all outbound traffic (VPC
         * User Guide, "Security group rules"; CreateSecurityGroup reference), until RevokeSecurityGroupEgress removes it.
         */
        public List<WorldFile.IngressRule> egress = new ArrayList<>(List.of(new WorldFile.IngressRule("-1", null, null, List.of("0.0.0.0/0"))));
        /** Outbound rules to prefix lists: each rule's cidrBlocks holds the prefix list IDs it names. */
        public List<WorldFile.IngressRule> egressPrefixLists = new ArrayList<>();
        public Map<String, String> tags = new LinkedHashMap<>();
    }

    public static final class VpcEndpoint {
        public String id, vpcId, serviceName, type, state = "available";
        public List<String> subnetIds = new ArrayList<>(), routeTableIds = new ArrayList<>(), securityGroupIds = new ArrayList<>();
        public boolean privateDnsEnabled;
        public Instant created = Instant.now();
        public Map<String, String> tags = new LinkedHashMap<>();
        /** CreateVpcEndpoint's idempotency token: the same token returns this endpoint. */
        @JsonIgnore
        public String clientToken;
        /** The endpoint network interface EC2 creates in each of an interface endpoint's subnets, by subnet. */
        @JsonIgnore
        public Map<String, String> networkInterfaceIds = new LinkedHashMap<>();
        /** The random label EC2 adds to the endpoint's DNS names (vpce-ID-LABEL.SERVICE.REGION.vpce.amazonaws.com). */
        @JsonIgnore
        public String dnsLabel = randomLabel();

        public String shortService() {
            return serviceName.substring(serviceName.lastIndexOf('.') + 1);
        }

        /** The service's part of its name: com.amazonaws.REGION.SERVICE. */
        public String service() {
            String afterPrefix = serviceName.substring("com.amazonaws.".length());
            return afterPrefix.substring(afterPrefix.indexOf('.') + 1);
        }

        /** An interface endpoint has a network interface in each subnet (VPC User Guide, interface endpoints). */
        public void placeInterfaces() {
            if ("Interface".equals(type)) {
                subnetIds.forEach(s -> networkInterfaceIds.computeIfAbsent(s, x -> newId("eni")));
            }
        }

        private static String randomLabel() {
            StringBuilder sb = new StringBuilder();
            ThreadLocalRandom r = ThreadLocalRandom.current();
            for (int i = 0; i < 8; i++) {
                sb.append("abcdefghijklmnopqrstuvwxyz0123456789".charAt(r.nextInt(36)));
            }
            return sb.toString();
        }
    }

    /** A span in which an instance's server did not serve (see {@link Instance#outages}); times in this JVM's milliseconds. */
    public static final class Outage {
        public final String cause;
        public final long downAt;
        /** When its status checks passed again; null while it is still down. */
        public Long upAt;

        Outage(String cause, long downAt) {
            this.cause = cause;
            this.downAt = downAt;
        }

        /** Its length in AWS seconds (real time over the time factor), up to {@code now} while still open. */
        public double seconds(Cloud cloud, long now) {
            return ((upAt == null ? now : upAt) - downAt) / 1000.0 / cloud.timeFactor;
        }
    }

    public static final class Volume {
        public String volumeId, deviceName;
        public int sizeGiB;
        /** Deleted with the instance (RunInstances' BlockDeviceMapping; the world's volumes are). */
        public boolean deleteOnTermination = true;
        public Instant attachTime = Instant.now();
    }

    public static final class Instance {
        public String id, instanceType, state, subnetId, vpcId, privateIpAddress, platform, architecture,
                lifecycle, imageId, availabilityZone;
        /** Auto Scaling group and lifecycle state, when a member. */
        public String autoScalingGroup, autoScalingLifecycle;
        public boolean enaSupport;
        /** The primary network interface EC2 created at launch, and its attachment. */
        public String networkInterfaceId = newId("eni"), networkAttachmentId = newId("eni-attach");
        /** When StopInstances stopped the instance, while it is stopping or stopped; null when unknown or running. */
        public Instant stoppedByUserAt;
        public List<String> securityGroupIds = new ArrayList<>();
        public List<Volume> volumes = new ArrayList<>();
        public Map<String, String> tags = new LinkedHashMap<>();
        public WindowsGuest guest;
        public Instant launchTime = Instant.now();
        /** The state reached at {@link #transitionAt}, when in a transitional state. */
        public String nextState;
        public long transitionAt;
        /** When the status checks finish initialising after the last start or reboot. */
        public long statusReadyAt;
        /** Why the instance status check fails after boot, or null when it passes. */
        public String bootProblem;
        public int stopCount, startCount;
        /** Its instance profile's ARN, or null when it has none (then its SSM agent has no credentials). */
        public String iamInstanceProfile;
        /** RunInstances' idempotency token of the launch, when it gave one. */
        @JsonIgnore
        public String clientToken;
        /** The SSM agent has registered at least once (so it is listed, Online or ConnectionLost). */
        public boolean ssmRegistered;
        public List<String> stateHistory = new ArrayList<>();
        /**
         * Each span in which the server did not serve, in the order they began: from the moment it went down (a reboot, or
         * StopInstances) until its status checks passed after the boot that followed (the model's boot time,
         * {@link #STATUS_INIT_SECONDS}). A stop not yet followed by a start is the last span, open. Passing status checks is
         * not the server's services answering, which take their own time after it: the spans are a lower bound.
         */
        public List<Outage> outages = new ArrayList<>();

        public boolean isWindows() {
            return "windows".equals(platform);
        }

        void moveTo(String newState) {
            state = newState;
            stateHistory.add(newState);
        }

        void settle(long now, Cloud cloud) {
            if (nextState != null && now >= transitionAt) {
                String reached = nextState;
                nextState = null;
                moveTo(reached);
                if ("running".equals(reached)) {
                    // It reached running at transitionAt, whenever a request next looks: the boot counts from then.
                    boot(cloud, null, transitionAt);
                }
                if ("terminated".equals(reached)) {
                    // Volumes with DeleteOnTermination go with the instance, the others stay, available; its primary network
                    // interface is deleted, so it is in no group any more (EC2 User Guide, "Terminate Amazon EC2 instances").
                    for (Volume v : volumes) {
                        if (!v.deleteOnTermination) {
                            cloud.detachedVolumes.add(Map.of("volumeId", v.volumeId, "instanceId", id, "state", "available"));
                        }
                    }
                    volumes.clear();
                    securityGroupIds.clear();
                }
            }
        }

        /** The server goes down for a stop: a span that the boot after the next start closes. */
        void goingDown(String cause) {
            Outage open = outages.isEmpty() ? null : outages.get(outages.size() - 1);
            if (open == null || open.upAt != null) {
                outages.add(new Outage(cause, System.currentTimeMillis()));
            }
        }

        /** A reboot or a boot that begins now. */
        void boot(Cloud cloud, String cause) {
            boot(cloud, cause, System.currentTimeMillis());
        }

        /**
         * The guest boots on the current type: status checks pass later, or fail for a reason. {@code cause} names a reboot
         * (a span from {@code at}, through the shutdown and the boot); null is the boot after a start, which closes the span its
         * stop opened (a first launch has none). {@code at} is when it began: the emulator settles lazily, on the next request,
         * so a transition found late still counts from when it was due.
         */
        void boot(Cloud cloud, String cause, long at) {
            // A reboot shuts Windows down first; a start boots a stopped instance.
            statusReadyAt = cloud.after(at, cause == null ? STATUS_INIT_SECONDS : REBOOT_SECONDS);
            Outage open = outages.isEmpty() ? null : outages.get(outages.size() - 1);
            if (cause != null) {
                Outage o = new Outage(cause, at);
                o.upAt = statusReadyAt;
                outages.add(o);
            } else if (open != null && open.upAt == null) {
                open.upAt = statusReadyAt;
            }
            Catalogue.InstanceType t = cloud.catalogue.type(instanceType);
            bootProblem = guest == null ? null : guest.bootProblem(t != null && t.nitro());
            // RUNBOOK: when Windows first sees the ENA adapter, a static IP or custom DNS of the old adapter can be lost.
            if (guest != null && t != null && t.nitro()) {
                guest.takeNicFailure("LosesStaticIpOnEna").forEach(WindowsGuest.Nic::loseStaticConfiguration);
            }
            if (guest != null) {
                guest.reboots++;
            }
            cloud.logOnToDomain(this);
        }

        /**
         * {@code initializing}, {@code ok} or {@code impaired}; {@code not-applicable} unless running ({@code initializing}
         * is one of the summary's values, EC2 API Reference, InstanceStatusSummary). AWS does not document what
         * DescribeInstanceStatus shows while a running instance reboots: this model shows {@code initializing} until the boot's
         * checks would pass, after a reboot as after a start, its own assumption, so that a step that waits for the checks
         * waits out a reboot rather than see a stale {@code ok}.
         */
        public String instanceStatus(long now) {
            if (!"running".equals(state)) return "not-applicable";
            if (now < statusReadyAt) return "initializing";
            return bootProblem == null ? "ok" : "impaired";
        }

        public String systemStatus(long now) {
            if (!"running".equals(state)) return "not-applicable";
            return now < statusReadyAt ? "initializing" : "ok";
        }
    }

    public static final class Snapshot {
        public String id, volumeId, imageId;
        public int sizeGiB;
        public Instant started = Instant.now();
        public Map<String, String> tags = new LinkedHashMap<>();
    }

    public static final class Image {
        public String id, name, description, state = "available", architecture = "x86_64", platform, sourceInstanceId;
        public boolean enaSupport;
        public Instant created = Instant.now();
        @JsonIgnore
        public long availableAt;
        @JsonIgnore
        public List<String[]> blockDevices = new ArrayList<>(); // device, snapshotId, size
        public Map<String, String> tags = new LinkedHashMap<>();
        /** The guest as it was when the image was taken; a root volume restored from it brings it back. */
        @JsonIgnore
        public WindowsGuest guest;

        void settle(long now) {
            if ("pending".equals(state) && now >= availableAt) {
                state = "available";
            }
        }
    }

    public static final class ReplaceRootTask {
        public String id, instanceId, imageId, state = "pending";
        public boolean deleteReplacedRootVolume;
        public Instant startTime = Instant.now(), completeTime;
        @JsonIgnore
        public long doneAt;
        public Map<String, String> tags = new LinkedHashMap<>();
        /** CreateReplaceRootVolumeTask's idempotency token. */
        @JsonIgnore
        public String clientToken;

        void settle(long now, Cloud cloud) {
            if (("pending".equals(state) || "in-progress".equals(state)) && now >= doneAt) {
                Instance i = cloud.instances.get(instanceId);
                Image image = imageId == null ? null : cloud.images.get(imageId);
                // replace-root.html: the restored root is attached in place of the original; data volumes, network
                // interfaces and instance store are kept, and "when the instance becomes available, all pending network
                // traffic is flushed". The task is succeeded once "the instance is available" (API Reference,
                // ReplaceRootVolumeTask). The instance reboots within the task, and "while rebooting, the current root
                // volume is detached and the new root volume is attached" (AWS Compute Blog, "Quick Restoration through
                // Replacing the Root Volumes of Amazon EC2 instances"); AWS gives no duration. This model counts a reboot's
                // span (a shutdown and a boot) from the task's end instead, its own assumption, which makes a rollback wait
                // longer for the status checks than AWS may, never shorter.
                if (i != null && "running".equals(i.state)) {
                    if (image != null && image.guest != null) {
                        i.guest = image.guest.copy();
                    }
                    Volume root = i.volumes.isEmpty() ? null : i.volumes.get(0);
                    if (root != null) {
                        if (!deleteReplacedRootVolume) {
                            cloud.detachedVolumes.add(Map.of("volumeId", root.volumeId, "instanceId", i.id, "state", "available"));
                        }
                        root.volumeId = newId("vol");
                        root.attachTime = Instant.now();
                    }
                    i.boot(cloud, "root volume replacement", doneAt);
                    state = "succeeded";
                } else {
                    // On failure the original root volume stays attached (replace-root.html).
                    state = "failed";
                }
                completeTime = Instant.now();
            } else if ("pending".equals(state)) {
                state = "in-progress";
            }
        }
    }

    /** A message published to a topic; {@code attributes}, its String message attributes, on which subscriptions filter. */
    public record Notification(String topicArn, String subject, String message, Map<String, String> attributes, Instant sent) {}

    /** An SSM parameter (PutParameter: Name, Type, Value; each overwrite is a new Version). */
    public static final class Parameter {
        public String name, type;
        /** Standard or Advanced (SSM User Guide, "Managing parameter tiers"). */
        public String tier = "Standard";
        public long version;
        public Instant lastModified = Instant.now();
        /** Never in world.json for a SecureString: there it is encrypted, and only GetParameter WithDecryption shows it. */
        @JsonIgnore
        public String value;

        /** What world.json shows of the value: a String's text, a SecureString's absence. */
        public String getShownValue() {
            return "SecureString".equals(type) ? null : value;
        }
    }

    /**
     * A management event in CloudTrail's event history: who called what, when, and the event record as CloudTrail writes it
     * ({@code cloudTrailEvent}, JSON: userIdentity, eventTime, eventSource, eventName, requestParameters, responseElements).
     */
    public record TrailEvent(String eventId, String eventName, String eventSource, Instant eventTime, String username, String accessKeyId,
                             String cloudTrailEvent) {}

    /**
     * Records StartExecution as CloudTrail does when a person starts an execution (Step Functions Developer Guide, "Logging Step
     * Functions using AWS CloudTrail", the StartExecution log entry): the caller in userIdentity, the state machine and name in
     * requestParameters, the execution's ARN in responseElements.
     */
    public synchronized void recordStartExecution(String executionArn, String stateMachineArn, String name, String userArn, String accessKeyId) {
        recordStartExecution(executionArn, stateMachineArn, name, userArn, accessKeyId, Instant.now());
    }

    /** As {@link #recordStartExecution(String, String, String, String, String)}, at {@code now}. */
    public synchronized void recordStartExecution(String executionArn, String stateMachineArn, String name, String userArn, String accessKeyId,
                                                  Instant now) {
        String user = userArn.substring(userArn.lastIndexOf('/') + 1);
        com.fasterxml.jackson.databind.node.ObjectNode e = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        e.put("eventVersion", "1.08");
        // A role's session is an AssumedRole identity (CloudTrail User Guide, "CloudTrail userIdentity element"), a user an IAMUser.
        boolean session = userArn.contains(":assumed-role/");
        var identity = e.putObject("userIdentity").put("type", session ? "AssumedRole" : "IAMUser").put("arn", userArn).put("accountId", accountId)
                .put("accessKeyId", accessKeyId);
        if (!session) identity.put("userName", user);
        e.put("eventTime", now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
        e.put("eventSource", "states.amazonaws.com");
        e.put("eventName", "StartExecution");
        e.put("awsRegion", region);
        e.putObject("requestParameters").put("stateMachineArn", stateMachineArn).put("name", name);
        e.putObject("responseElements").put("executionArn", executionArn).put("startDate", now.toEpochMilli() / 1000.0);
        String id = java.util.UUID.randomUUID().toString();
        e.put("eventID", id);
        e.put("eventType", "AwsApiCall");
        e.put("recipientAccountId", accountId);
        trail.add(new TrailEvent(id, "StartExecution", "states.amazonaws.com", now, user, accessKeyId, e.toString()));
    }

    /** A KMS key: its ID and ARN, spec and usage, and the key material, which never leaves KMS. */
    public static final class KmsKey {
        public String id, arn, keySpec, keyUsage;
        @JsonIgnore
        public byte[] material;
    }

    public static final class Fault {
        public String service, operation, code, message, instanceId;
        public int status, remaining;

        boolean matches(String service, String operation, String instanceId) {
            return remaining != 0 && this.service.equalsIgnoreCase(service) && this.operation.equals(operation)
                    && (this.instanceId == null || this.instanceId.equals(instanceId));
        }

        void fire() {
            if (remaining > 0) remaining--;
        }
    }
}
