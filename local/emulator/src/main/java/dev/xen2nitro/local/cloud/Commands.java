package dev.xen2nitro.local.cloud;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.xen2nitro.local.guest.DriverReleases;
import dev.xen2nitro.local.guest.SsmAgent;
import dev.xen2nitro.local.guest.WindowsGuest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * SSM Run Command as the guest sees it: which instances the agent can be reached on, how the agent hands a
 * document its parameters ({@link SsmAgent}), and what our own documents do to the guest model. PowerShell is
 * never run: a document is recognised by name, and reads its parameters as its script does.
 */
public final class Commands {
    /**
     * Our documents, by the step name their SSM document name ends with (the stack's name comes first).
     * Spelled as template.yaml names the documents, so a world file names a failing step the same way.
     */
    public enum Step {
        CaptureGuestFacts, InstallPvDriver, InstallEnaDriver, InstallNvmeDriver, UpdateLaunchAgent, CheckLaunchAgentUpdate, SetPowerManagement,
        RestoreNetworkConfig;

        /** The step whose document this is, if it is one of ours. */
        public static Optional<Step> ofDocument(String documentName) {
            return Arrays.stream(values()).filter(s -> documentName.endsWith(s.name())).findFirst();
        }

        /** The package this step downloads, or null; UpdateLaunchAgent downloads EC2Install for EC2Config only. */
        String packageName() {
            return switch (this) {
                case InstallPvDriver -> "AWSPVDriver";
                case InstallEnaDriver -> "AwsEnaNetworkDriver";
                case InstallNvmeDriver -> "AWSNVMe";
                default -> null;
            };
        }
    }

    public static final class Invocation {
        public String commandId, instanceId, documentName, documentVersion, comment, status = "InProgress", output = "", error = "";
        public Map<String, List<String>> parameters = new LinkedHashMap<>();
        /** The content of the document version SSM sent, or null for a document it was not given (emulator-only tests). */
        @com.fasterxml.jackson.annotation.JsonIgnore
        public String document;
        /** The SSM_ environment variables the agent set for the script (none before SSM Agent 3.3.2746.0). */
        public Map<String, String> environment = new LinkedHashMap<>();
        /** Each parameter as the script reads it, once the agent delivered the command; null before. */
        @com.fasterxml.jackson.annotation.JsonIgnore
        public Map<String, String> reads;
        public Instant requested = Instant.now(), finished;
        @com.fasterxml.jackson.annotation.JsonIgnore
        public long doneAt;
        public int responseCode = -1;
    }

    /**
     * An SSM document and its versions. Every update makes a new version, which SendCommand runs once it is the
     * default ("Schemas, features, and examples", schema 2.2: automatic versioning, default version; SSM API Reference,
     * UpdateDocument and UpdateDocumentDefaultVersion).
     */
    public static final class Document {
        public String name, documentType = "Command", documentFormat = "JSON";
        public Instant created = Instant.now();
        /** The content of each version, version 1 first. */
        public final List<String> versions = new ArrayList<>();
        public int defaultVersion = 1;

        public Document() {}

        public Document(String name, String content) {
            this.name = name;
            versions.add(content);
        }

        /** The default version's content: what SendCommand runs when no version is named. */
        public String content() {
            return versions.get(defaultVersion - 1);
        }

        /**
         * The version {@code version} names ($DEFAULT, $LATEST or a number, as SendCommand and DescribeDocument take it;
         * null for the default), or 0 when it names none.
         */
        public int resolve(String version) {
            if (version == null || version.equals("$DEFAULT")) return defaultVersion;
            if (version.equals("$LATEST")) return versions.size();
            if (!version.matches("[1-9][0-9]{0,8}")) return 0;
            int n = Integer.parseInt(version);
            return n <= versions.size() ? n : 0;
        }

        /** A new version with this content, made the default: UpdateDocument, then UpdateDocumentDefaultVersion. */
        public void replaceDefault(String content) {
            versions.add(content);
            defaultVersion = versions.size();
        }

        /**
         * The hash SSM gives a version, DescribeDocument's Hash with HashType Sha256 ("The Sha256 or Sha1 hash created by the
         * system when the document was created", SSM API Reference, DocumentDescription): here the SHA-256 of the content, in
         * lower-case hex. The functions never compute it; they pass on the one DescribeDocument gives them.
         */
        public static String sha256(String content) {
            return digest("SHA-256", content);
        }

        /** Sha1, which SSM still accepts as a DocumentHashType though it calls it deprecated (SendCommand API reference). */
        public static String sha1(String content) {
            return digest("SHA-1", content);
        }

        private static String digest(String algorithm, String content) {
            try {
                return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance(algorithm)
                        .digest(content.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private final Cloud cloud;
    public final Map<String, Invocation> invocations = new LinkedHashMap<>();
    public final Map<String, Document> documents = new LinkedHashMap<>();

    Commands(Cloud cloud) {
        this.cloud = cloud;
    }

    /**
     * The agent is online while the instance runs, its guest booted and is reachable, and its subnet
     * reaches SSM: a route to the internet, or interface endpoints ssm and ec2messages with private DNS
     * (which needs the VPC's enableDnsSupport and enableDnsHostnames) whose security group admits TCP 443
     * from the instance (RUNBOOK, SSM in a private subnet).
     */
    public boolean online(Cloud.Instance i, long now) {
        if (!"running".equals(i.state) || i.guest == null || i.bootProblem != null || now < i.statusReadyAt) {
            return false;
        }
        if (i.guest.agentAway(now)) {
            return false;
        }
        if (i.iamInstanceProfile == null) {
            // Without an instance profile (and without Default Host Management Configuration, which the world does not
            // model) the agent has no credentials and never registers (SSM User Guide, "Configure instance permissions
            // required for Systems Manager").
            return false;
        }
        if (i.guest.failures.contains("AgentStopped")) {
            // A stopped or broken agent never reports: the node stays absent or ConnectionLost (SSM User Guide,
            // "Troubleshooting managed node availability").
            return false;
        }
        return reachable(i);
    }

    public boolean reachable(Cloud.Instance i) {
        // No adapter has the address EC2 assigned (a copy of a server whose address is set in Windows comes up with the
        // original's): the VPC delivers only assigned addresses (VPC User Guide, "IP addressing for your VPCs and subnets").
        if (i.guest != null && !i.guest.nics.isEmpty() && i.guest.nics.stream().noneMatch(n -> n.dhcp
                || n.addresses.stream().anyMatch(a -> a[0].equals(i.privateIpAddress)))) {
            return false;
        }
        Cloud.Subnet subnet = cloud.subnets.get(i.subnetId);
        Cloud.RouteTable rt = subnet == null ? null : cloud.routeTables.get(subnet.routeTableId);
        if (rt != null && rt.routesToInternet()) {
            return true;
        }
        Cloud.Vpc vpc = cloud.vpcs.get(i.vpcId);
        if (vpc == null || !vpc.enableDnsSupport || !vpc.enableDnsHostnames) {
            return false;
        }
        return endpointServes(i, "ssm") && endpointServes(i, "ec2messages");
    }

    private boolean endpointServes(Cloud.Instance i, String service) {
        return cloud.vpcEndpoints.values().stream().anyMatch(e -> e.vpcId.equals(i.vpcId)
                && "Interface".equals(e.type) && "available".equals(e.state) && e.privateDnsEnabled
                && e.shortService().equals(service)
                && e.securityGroupIds.stream().map(cloud.securityGroups::get).anyMatch(sg -> sg != null
                        && sg.ingress.stream().anyMatch(r -> admits443(r, i.privateIpAddress)))
                && sendsHttpsTo(i, e));
    }

    /**
     * The agent connects out to the endpoint's network interfaces over HTTPS, so the instance's own
     * groups must allow TCP 443 out to them (SSM User Guide, "Create VPC endpoints": "outbound HTTPS
     * (port 443) traffic to the ssm, ssmmessages and ec2messages endpoints"). An interface sits somewhere
     * in its subnet: a rule allows it when its range covers that subnet.
     */
    private boolean sendsHttpsTo(Cloud.Instance i, Cloud.VpcEndpoint e) {
        if (i.securityGroupIds.isEmpty()) {
            // An instance the world gives no group is in its VPC's default group, which allows all outbound
            // traffic (VPC User Guide, "Default security groups for your VPCs").
            return true;
        }
        return i.securityGroupIds.stream().map(cloud.securityGroups::get).anyMatch(sg -> sg != null
                && sg.egress.stream().anyMatch(r -> allows443(r) && r.cidrBlocks() != null
                        && r.cidrBlocks().stream().anyMatch(c -> e.subnetIds.stream().map(cloud.subnets::get)
                                .anyMatch(s -> s != null && Cidr.covers(c, s.cidrBlock)))));
    }

    private static boolean allows443(dev.xen2nitro.local.world.WorldFile.IngressRule r) {
        return "-1".equals(r.ipProtocol()) || ("tcp".equals(r.ipProtocol())
                && r.fromPort() != null && r.toPort() != null && r.fromPort() <= 443 && r.toPort() >= 443);
    }

    static boolean admits443(dev.xen2nitro.local.world.WorldFile.IngressRule r, String ip) {
        return allows443(r) && r.cidrBlocks() != null && r.cidrBlocks().stream().anyMatch(c -> Cidr.contains(c, ip));
    }

    /** An invocation of a document SSM was not given (tests that seed a command): run from its parameters as they came. */
    public Invocation start(String commandId, Cloud.Instance i, String documentName, String comment, Map<String, List<String>> params) {
        return start(commandId, i, documentName, comment, params, null, null);
    }

    public Invocation start(String commandId, Cloud.Instance i, String documentName, String comment, Map<String, List<String>> params,
            String documentVersion, String document) {
        Invocation inv = new Invocation();
        inv.comment = comment;
        inv.commandId = commandId;
        inv.instanceId = i.id;
        inv.documentName = documentName;
        inv.documentVersion = documentVersion;
        inv.document = document;
        inv.parameters.putAll(params);
        inv.doneAt = cloud.after(i.guest == null ? Cloud.COMMAND_SECONDS : i.guest.commandSeconds);
        invocations.put(commandId + "/" + i.id, inv);
        return inv;
    }

    /**
     * EC2Config 4.9.5777 bundles SSM Agent 3.3.484.0 (EC2 User Guide, "EC2Config version history"): when its installer
     * replaces the agent, a command that agent was running ends with it, and the node reports again once the new agent
     * runs. How long the installer takes and the agent is away are this model's assumptions; AWS documents neither.
     */
    static final double INSTALLER_SECONDS = 60, AGENT_AWAY_SECONDS = 60;
    static final String EC2CONFIG_BUNDLED_SSM_AGENT = "3.3.484.0";

    private void replaceAgents(long now) {
        for (Cloud.Instance i : cloud.instances.values()) {
            WindowsGuest g = i.guest;
            if (g == null || g.agentReplacedAt == 0 || now < g.agentReplacedAt || g.pendingLaunchAgentVersion == null) continue;
            if (!"running".equals(i.state)) {
                // A stop ends the scheduled task before it wrote a result; the file still says running.
                g.agentReplacedAt = g.agentBackAt = 0;
                g.pendingLaunchAgentVersion = null;
                continue;
            }
            for (Invocation inv : invocations.values()) {
                if (inv.instanceId.equals(i.id) && "InProgress".equals(inv.status)) {
                    finish(inv, "Failed", 1, inv.output, "the SSM agent running the command was replaced by the EC2Config installer");
                }
            }
            g.launchAgentVersion = g.pendingLaunchAgentVersion;
            g.ssmAgentVersion = g.bundledSsmAgentVersion;
            g.launchAgentUpdate = "done " + g.pendingLaunchAgentVersion;
            g.pendingLaunchAgentVersion = null;
        }
    }

    void settle(long now) {
        replaceAgents(now);
        for (Invocation inv : invocations.values()) {
            if (!"InProgress".equals(inv.status) || now < inv.doneAt) {
                continue;
            }
            Cloud.Instance i = cloud.instances.get(inv.instanceId);
            if (i == null || !"running".equals(i.state)) {
                finish(inv, "Failed", 1, "", "the instance stopped while the command ran");
                continue;
            }
            if (!online(i, now)) {
                // The command stays InProgress across a reboot and finishes when the agent is back (SSM docs,
                // "Rebooting managed nodes from scripts"); an agent that never returns times the command out later.
                continue;
            }
            run(inv, i);
        }
    }

    private void run(Invocation inv, Cloud.Instance i) {
        WindowsGuest g = i.guest;
        Step step = Step.ofDocument(inv.documentName).orElse(null);
        if (step == null) {
            finish(inv, "Success", 0, "", "");
            return;
        }
        if (inv.reads == null) {
            // Delivered once: after the PV install's reboot the agent runs the same command again with the same values.
            SsmAgent.Delivery d = SsmAgent.deliver(inv.document, inv.parameters, g.ssmAgentVersion);
            inv.environment = d.environment();
            inv.reads = d.reads();
        }
        for (Map.Entry<String, String> p : inv.reads.entrySet()) {
            if (p.getValue() == null) {
                // The script reads $env:SSM_NAME; without it, and without a value of its own to fall back on, it has nothing.
                finish(inv, "Failed", 1, "", "the script found no value for SSM_" + p.getKey() + ": SSM Agent " + g.ssmAgentVersion
                        + (SsmAgent.setsEnvironment(g.ssmAgentVersion) ? " did not set it" : " sets no SSM_ variables (" + SsmAgent.ENV_VAR_SINCE
                        + " and later do)") + " and the script assigns it no value of its own; nothing was changed");
                return;
            }
        }
        if (g.failures.contains(step.name())) {
            finish(inv, "Failed", 1, "", step + " failed in the guest (injected by the world file)");
            return;
        }
        String version = param(inv, "Version");
        String pkg = step == Step.UpdateLaunchAgent && "EC2Config".equals(g.launchAgentName) ? "EC2Install" : step.packageName();
        if (pkg != null) {
            String problem = packageProblem(inv, i, pkg, version);
            if (problem == null) problem = unpackProblem(g, pkg);
            if (problem != null) {
                finish(inv, "Failed", 1, "", problem);
                return;
            }
        }
        switch (step) {
            case CaptureGuestFacts -> finish(inv, "Success", 0, json(g.facts()), "");
            case InstallPvDriver -> {
                String unsupported = DriverReleases.unsupported(DriverReleases.Driver.PV, version, g.os);
                if (unsupported == null) unsupported = pvPrerequisite(g, version);
                if (unsupported != null) {
                    finish(inv, "Failed", 1603, "", unsupported);
                } else if (!inv.output.contains("reboot")) {
                    // The installer reboots Windows: the script exits 3010, the agent reboots the node and
                    // runs the script again, which then finds the driver installed (SSM reboot docs).
                    g.pvDriver = DriverReleases.reportedVersion(DriverReleases.Driver.PV, version);
                    // EC2 User Guide, "Upgrade PV drivers on Windows instances": the upgrade can lose a static
                    // IP address and DNS settings of the network adapter.
                    g.takeNicFailure("LosesStaticIpOnPv").forEach(WindowsGuest.Nic::loseStaticConfiguration);
                    inv.output = "AWS PV driver " + version + " installed; reboot requested (exit 3010)\n";
                    // The script ran when the command came due, or when the agent was back if it was away then,
                    // whenever a request next looks.
                    long ranAt = Math.max(inv.doneAt, i.statusReadyAt);
                    i.boot(cloud, "guest reboot", ranAt);
                    inv.doneAt = cloud.after(ranAt, g.rebootSeconds);
                } else {
                    finish(inv, "Success", 0, inv.output + "AWS PV driver " + g.pvDriver + " present after reboot", "");
                }
            }
            case InstallEnaDriver -> {
                String unsupported = DriverReleases.unsupported(DriverReleases.Driver.ENA, version, g.os);
                if (unsupported == null) unsupported = installScriptProblem(g, "ENA");
                if (unsupported == null && "2008R2".equals(g.os) && !g.hasHotfix("KB4474419")) {
                    // EC2 User Guide, "Enable enhanced networking with ENA on Windows instances": 2008 R2 SP1 needs the SHA-2 code
                    // signing support update; without it Windows cannot verify the driver's SHA-2 signature.
                    unsupported = "ENA driver " + version + " not installed: Windows cannot verify the digital signature of the driver"
                            + " (SHA-2 code signing support update KB4474419 missing)";
                }
                if (unsupported != null) {
                    finish(inv, "Failed", 1, "", unsupported);
                } else {
                    g.enaDriver = DriverReleases.reportedVersion(DriverReleases.Driver.ENA, version);
                    finish(inv, "Success", 0, "ENA driver " + version + " installation successful", "");
                }
            }
            case InstallNvmeDriver -> {
                String unsupported = DriverReleases.unsupported(DriverReleases.Driver.NVME, version, g.os);
                if (unsupported == null) unsupported = installScriptProblem(g, "NVMe");
                if (unsupported != null) {
                    finish(inv, "Failed", 1, "", unsupported);
                    return;
                }
                // Windows reports the driver the package contains, not the package version (AWS NVMe 1.5.1 -> 1.5.0).
                g.nvmeDriver = DriverReleases.reportedVersion(DriverReleases.Driver.NVME, version);
                g.pnpGeneralized = true;
                finish(inv, "Success", 0, "NVMe driver " + version + " installed; Sysprep_Generalize_Pnp done", "");
            }
            case UpdateLaunchAgent -> {
                if (!"EC2Config".equals(g.launchAgentName)) {
                    // The EC2Launch branches install nothing; they report what is there.
                    if (g.launchAgentVersion != null && DriverReleases.atLeast(g.launchAgentVersion, version)) {
                        finish(inv, "Success", 0, g.launchAgentName + " " + g.launchAgentVersion + " is at or above " + version + "; nothing to update", "");
                    } else {
                        finish(inv, "Failed", 1, "", g.launchAgentName + " " + g.launchAgentVersion + " is older than " + version
                                + " or absent: install it with AWS-ConfigureAWSPackage, package AWSEC2Launch-Agent");
                    }
                    return;
                }
                // The command backs up config.xml, starts a one-time scheduled task and returns; the task runs the installer
                // a minute later, which replaces the SSM agent, and writes its result.
                g.launchAgentUpdate = "running";
                if (g.failures.contains("Ec2InstallFails")) {
                    g.launchAgentUpdate = "failed: EC2Install.exe /quiet /norestart exited 1; EC2Config is not updated";
                } else if (g.failures.contains("Ec2InstallKillsAgent")) {
                    // The installer stops the SSM agent it replaces and dies before the task writes a result: the
                    // node never reports again and the result file still says running.
                    g.agentReplacedAt = cloud.after(INSTALLER_SECONDS);
                    g.agentBackAt = Long.MAX_VALUE;
                } else {
                    g.pendingLaunchAgentVersion = version;
                    g.bundledSsmAgentVersion = EC2CONFIG_BUNDLED_SSM_AGENT;
                    g.agentReplacedAt = cloud.after(INSTALLER_SECONDS);
                    g.agentBackAt = cloud.after(INSTALLER_SECONDS + AGENT_AWAY_SECONDS);
                }
                finish(inv, "Success", 0, "EC2Config " + version + " installation started out of band", "");
            }
            case CheckLaunchAgentUpdate -> finish(inv, "Success", 0,
                    "xen2nitro-ec2config: " + (g.launchAgentUpdate == null ? "absent" : g.launchAgentUpdate), "");
            case SetPowerManagement -> {
                // powercfg /setacvalueindex on each scheme present; the script then reads the values back.
                if (g.powerBalanced != null) g.powerBalanced = 0;
                if (g.powerHighPerformance != null) g.powerHighPerformance = 0;
                if (g.powerSaver != null) g.powerSaver = 0;
                finish(inv, "Success", 0, "power setting 3c0bc021-c8a8-4e07-a973-6b14cbcb2b7e is 0 in every scheme present", "");
            }
            case RestoreNetworkConfig -> restoreNetwork(inv, g);
        }
    }

    /**
     * What the RestoreNetworkConfig script does with its Adapters parameter: per adapter, found by MAC
     * address, EnableStatic with the addresses, SetGateways, SetDNSServerSearchOrder, each only when given.
     */
    private void restoreNetwork(Invocation inv, WindowsGuest g) {
        String adapters = param(inv, "Adapters");
        List<String> done = new ArrayList<>();
        for (String entry : (adapters == null ? "" : adapters).split("\\+")) {
            String[] part = entry.split("/", -1);
            WindowsGuest.Nic nic = part.length == 4 ? g.nic(part[0]) : null;
            if (nic == null) {
                finish(inv, "Failed", 1, "", "no IP-enabled adapter has the MAC address " + part[0] + ": check the adapters with ipconfig /all");
                return;
            }
            if (!part[1].isEmpty()) {
                nic.dhcp = false;
                nic.addresses = new ArrayList<>();
                for (String pair : part[1].split(",")) nic.addresses.add(pair.split("-", 2));
            }
            if (!part[2].isEmpty()) nic.gateways = new ArrayList<>(List.of(part[2].split(",")));
            if (!part[3].isEmpty()) nic.dnsServers = new ArrayList<>(List.of(part[3].split(",")));
            done.add(part[0]);
        }
        finish(inv, "Success", 0, "network configuration restored on the adapters " + String.join(", ", done), "");
    }

    /**
     * Why the downloaded zip cannot be unpacked, or null. The documents unpack with ZipFile.ExtractToDirectory of
     * System.IO.Compression.FileSystem, which exists from .NET Framework 4.5 on (Microsoft Learn, "ZipFile.ExtractToDirectory
     * Method"); Add-Type cannot load it in PowerShell 2.0, which runs on CLR 2.0 whatever .NET 4.x is installed beside it, nor
     * anywhere .NET 4.5 or later is not installed (.NET Framework Release below 378389, "How to: Determine which .NET Framework
     * versions are installed"). Like the documents' Expand-Package, the message says what to install.
     */
    static String unpackProblem(WindowsGuest g, String pkg) {
        boolean ps3 = g.powerShell != null && compare(g.powerShell, "3.0") >= 0;
        boolean net45 = g.dotNetRelease != null && g.dotNetRelease >= 378389;
        if (ps3 && net45) {
            return null;
        }
        String why = !ps3 ? "PowerShell " + (g.powerShell == null ? "of no known version" : g.powerShell)
                + " runs on CLR 2.0, which cannot load a .NET 4.5 assembly even where .NET 4.5 is installed"
                : "no .NET Framework 4.5 or later is installed" + (g.dotNetRelease == null ? "" : " (Release " + g.dotNetRelease + ")");
        return pkg + ".zip not unpacked: Add-Type cannot load System.IO.Compression.FileSystem, which needs PowerShell 3.0 or later and"
                + " .NET Framework 4.5 or later; " + why + ": install .NET Framework 4.5.2 or later and Windows Management Framework 5.1,"
                + " restart Windows, then run the step again";
    }

    /**
     * AWS's ENA and NVMe install.ps1 need PowerShell 3.0 or later (EC2 User Guide, "Install the ENA driver",
     * "AWS NVMe drivers": "If you get an error, make sure that you're using PowerShell 3.0 or later").
     */
    private static String installScriptProblem(WindowsGuest g, String driver) {
        if (g.powerShell == null || compare(g.powerShell, "3.0") < 0) {
            return driver + " install.ps1 failed: the script needs PowerShell 3.0 or later; this server has PowerShell "
                    + (g.powerShell == null ? "of no known version" : g.powerShell);
        }
        return null;
    }

    /**
     * AWS PV 8.3.3 and later on 2008 R2 need the SHA-2 update of Microsoft Security Advisory 3033929 (EC2 User
     * Guide, "Paravirtual drivers for Windows instances", the 8.3.3 entry).
     */
    private static String pvPrerequisite(WindowsGuest g, String version) {
        if ("2008R2".equals(g.os) && version != null && compare(version, "8.3.3") >= 0 && !g.hasHotfix("KB3033929")) {
            return "AWS PV driver " + version + " not installed: Windows cannot verify its SHA-2 signature (Security Advisory 3033929, KB3033929, missing)";
        }
        return null;
    }

    private static int compare(String a, String b) {
        String[] x = a.split("\\."), y = b.split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            int p = i < x.length ? Integer.parseInt(x[i]) : 0, q = i < y.length ? Integer.parseInt(y[i]) : 0;
            if (p != q) return Integer.compare(p, q);
        }
        return 0;
    }

    /**
     * Why the package cannot be had, or null. The script downloads PackageUrl with .NET's WebClient (no AWS
     * credentials of its own: the URL is presigned by the function) and compares the zip's SHA-256 with the
     * Sha256 parameter before it unpacks anything. S3 judges the URL as it does any presigned GET.
     */
    private String packageProblem(Invocation inv, Cloud.Instance i, String pkg, String version) {
        if (!s3Reachable(i)) {
            return "cannot reach Amazon S3 from " + i.subnetId + ": no internet route and no S3 gateway endpoint on its route table";
        }
        if (!sendsHttpsToS3(i)) {
            return "cannot reach Amazon S3 from " + i.id + ": its security groups allow no HTTPS (TCP 443) out to 0.0.0.0/0";
        }
        String url = param(inv, "PackageUrl");
        if (url == null || url.isEmpty()) {
            return "no PackageUrl: nothing to download";
        }
        String shown = url.contains("?") ? url.substring(0, url.indexOf('?')) : url;
        // The script downloads first thing, so the URL is judged as of the command's start.
        PresignedUrls.Verdict v = PresignedUrls.judge(url, cloud.region, inv.requested.toEpochMilli(), cloud.timeFactor);
        if (v.refusal() != null) {
            return "download of " + shown + " failed: The remote server returned an error: (403) Forbidden. (" + v.refusal() + ")";
        }
        java.util.Map<String, byte[]> objects = cloud.buckets.get(v.bucket());
        byte[] data = objects == null ? null : objects.get(v.key());
        if (data == null) {
            return "download of " + shown + " failed: The remote server returned an error: (404) Not Found. ("
                    + (objects == null ? "NoSuchBucket" : "NoSuchKey") + ")";
        }
        if (!v.key().equals("drivers/" + pkg + "/" + version + "/" + pkg + ".zip")) {
            return "the URL names " + v.key() + ", not the " + pkg + " " + version + " package";
        }
        String sha;
        try {
            sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(data));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        if (!sha.equals(param(inv, "Sha256"))) {
            return "SHA-256 of " + shown + " is " + sha + ", expected " + param(inv, "Sha256") + " (pinned in the functions); not installed";
        }
        return null;
    }

    /**
     * The download leaves the instance for S3's public addresses, through the gateway endpoint or the internet, so the
     * instance's groups must allow HTTPS out to them: 0.0.0.0/0, or the S3 prefix list (VPC User Guide, "Gateway
     * endpoints": the security groups must allow traffic to the S3 prefix list or its addresses).
     */
    private boolean sendsHttpsToS3(Cloud.Instance i) {
        if (i.securityGroupIds.isEmpty()) {
            return true;
        }
        return i.securityGroupIds.stream().map(cloud.securityGroups::get).anyMatch(sg -> sg != null
                && (sg.egress.stream().anyMatch(r -> allows443(r) && r.cidrBlocks() != null && r.cidrBlocks().contains("0.0.0.0/0"))
                        || sg.egressPrefixLists.stream().anyMatch(r -> allows443(r) && r.cidrBlocks().contains(cloud.prefixListId("s3")))));
    }

    boolean s3Reachable(Cloud.Instance i) {
        Cloud.Subnet subnet = cloud.subnets.get(i.subnetId);
        Cloud.RouteTable rt = subnet == null ? null : cloud.routeTables.get(subnet.routeTableId);
        if (rt == null) return false;
        return rt.routesToInternet() || cloud.vpcEndpoints.values().stream().anyMatch(e -> "Gateway".equals(e.type)
                && e.shortService().equals("s3") && e.routeTableIds.contains(rt.id) && "available".equals(e.state));
    }

    /** The parameter as the script reads it ({@link SsmAgent}). */
    private static String param(Invocation inv, String name) {
        return inv.reads == null ? null : inv.reads.get(name);
    }

    private static void finish(Invocation inv, String status, int code, String output, String error) {
        inv.status = status;
        inv.responseCode = code;
        inv.output = output;
        inv.error = error;
        inv.finished = Instant.now();
    }

    private static String json(Object o) {
        try {
            return new ObjectMapper().writeValueAsString(o);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
