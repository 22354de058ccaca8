package dev.xen2nitro.local.guest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Windows Server inside an instance, as far as this job can see it: OS version, AWS driver
 * versions, launch agent, NIC configuration, roles and power settings. It does not run PowerShell:
 * it recognises our own SSM documents by name and changes itself as the real scripts would.
 */
public final class WindowsGuest {
    public static final Set<String> OS_VERSIONS = Set.of("2008", "2008R2", "2012", "2012R2", "2016", "2019", "2022", "2025");

    /**
     * The version number Windows reports for each release ({@code Win32_OperatingSystem.Version}):
     * 6.x releases with their last service pack, 10.0 releases by their build (Microsoft, "Windows
     * Server release information").
     */
    private static final Map<String, String> VERSION_NUMBERS = Map.of(
            "2008", "6.0.6002", "2008R2", "6.1.7601", "2012", "6.2.9200", "2012R2", "6.3.9600",
            "2016", "10.0.14393", "2019", "10.0.17763", "2022", "10.0.20348", "2025", "10.0.26100");

    /** What Windows reports as its version on this release. */
    public static String versionNumber(String os) {
        return VERSION_NUMBERS.get(os);
    }

    public String os;
    public String pvDriver;
    public String enaDriver;
    public String nvmeDriver;
    /** Sysprep_Generalize_Pnp ran after the NVMe install: storage drivers are ready for a Nitro boot. */
    public boolean pnpGeneralized;
    public String launchAgentName;
    public String launchAgentVersion;
    public boolean dhcp = true;
    public String ipAddress;
    public List<String> dnsServers = new ArrayList<>();
    public List<String> roles = new ArrayList<>();
    public boolean powerManagementSet;
    public String amiCreated;
    public String ssmAgentVersion = "3.3.40.0";
    /** Named guest failures injected by the world file (e.g. InstallPvDriver, EnaDriverBroken). */
    public List<String> failures = new ArrayList<>();
    public int reboots;
    /**
     * How long this server takes to come back from the PV install's reboot ("may not be available for up to
     * 15 minutes", EC2 User Guide) and to run one of our commands, in AWS seconds; set per instance by the world.
     */
    public int rebootSeconds = 120, commandSeconds = 10;
    /**
     * The EC2Config update started out of band: the line of its result file (running, done VERSION, failed: why), or
     * null when none was started. While it runs, the installer replaces the SSM agent between {@link #agentReplacedAt}
     * and {@link #agentBackAt} (emulator clock, 0 when no replacement is due) with {@link #bundledSsmAgentVersion}.
     */
    public String launchAgentUpdate;
    public long agentReplacedAt, agentBackAt;
    public String pendingLaunchAgentVersion, bundledSsmAgentVersion;

    /** The SSM agent is being replaced by the EC2Config installer: it does not report. */
    public boolean agentAway(long now) {
        return agentReplacedAt > 0 && now >= agentReplacedAt && now < agentBackAt;
    }

    public WindowsGuest copy() {
        WindowsGuest g = new WindowsGuest();
        g.os = os;
        g.pvDriver = pvDriver;
        g.enaDriver = enaDriver;
        g.nvmeDriver = nvmeDriver;
        g.pnpGeneralized = pnpGeneralized;
        g.launchAgentName = launchAgentName;
        g.launchAgentVersion = launchAgentVersion;
        g.dhcp = dhcp;
        g.ipAddress = ipAddress;
        g.dnsServers = new ArrayList<>(dnsServers);
        g.roles = new ArrayList<>(roles);
        g.powerManagementSet = powerManagementSet;
        g.amiCreated = amiCreated;
        g.ssmAgentVersion = ssmAgentVersion;
        g.rebootSeconds = rebootSeconds;
        g.commandSeconds = commandSeconds;
        g.failures = new ArrayList<>(failures);
        g.reboots = reboots;
        g.launchAgentUpdate = launchAgentUpdate;
        g.agentReplacedAt = agentReplacedAt;
        g.agentBackAt = agentBackAt;
        g.pendingLaunchAgentVersion = pendingLaunchAgentVersion;
        g.bundledSsmAgentVersion = bundledSsmAgentVersion;
        return g;
    }

    /**
     * Why this guest cannot boot or be reached on the given hypervisor, or null when it can.
     * Nitro exposes EBS volumes as NVMe: without the AWS NVMe driver Windows cannot find its boot
     * volume and the instance status check fails (RUNBOOK, "Facts from AWS documentation"). Its only
     * network adapter is ENA: without the ENA driver the guest is unreachable. On Xen, 2008 R2 and 2012
     * may no longer boot once Sysprep_Generalize_Pnp has run (RUNBOOK, rollback facts).
     */
    public String bootProblem(boolean nitro) {
        if (nitro) {
            if (nvmeDriver == null || failures.contains("NvmeDriverBroken")) {
                return "INACCESSIBLE_BOOT_DEVICE: no AWS NVMe driver in the guest";
            }
            if (enaDriver == null || failures.contains("EnaDriverBroken")) {
                return "guest unreachable: no working ENA driver for the Nitro network adapter";
            }
            return null;
        }
        if (pnpGeneralized && (os.equals("2008R2") || os.equals("2012"))) {
            return "INACCESSIBLE_BOOT_DEVICE: storage drivers generalized for Nitro, Xen boot fails";
        }
        return null;
    }

    public boolean isDomainController() {
        return roles.contains("DomainController");
    }

    /**
     * What the CaptureGuestFacts document prints, read as Windows would report it: the shape of
     * events/guest-facts.json, with null for a driver or launch agent the guest lacks, and the OS as
     * the version number Windows reports (6.3.9600 for 2012 R2). What only this
     * model knows (reboots, the generalized storage drivers, the agent version SSM reports) is not in it.
     */
    public Map<String, Object> facts() {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("os", versionNumber(os));
        Map<String, Object> drivers = new LinkedHashMap<>();
        drivers.put("pv", pvDriver);
        drivers.put("ena", enaDriver);
        drivers.put("nvme", nvmeDriver);
        f.put("drivers", drivers);
        Map<String, Object> agent = new LinkedHashMap<>();
        agent.put("name", launchAgentName);
        agent.put("version", launchAgentVersion);
        f.put("launchAgent", agent);
        Map<String, Object> nic = new LinkedHashMap<>();
        nic.put("dhcp", dhcp);
        nic.put("ipAddress", ipAddress);
        nic.put("dnsServers", dnsServers);
        f.put("network", nic);
        f.put("roles", roles);
        f.put("domainController", isDomainController());
        f.put("powerManagementSet", powerManagementSet);
        f.put("amiCreated", amiCreated);
        return f;
    }

    /** The model as a test or an operator inspects it in world.json: the facts, and what Windows does not print. */
    public Map<String, Object> state() {
        Map<String, Object> s = facts();
        s.put("pnpGeneralized", pnpGeneralized);
        s.put("ssmAgentVersion", ssmAgentVersion);
        s.put("reboots", reboots);
        s.put("launchAgentUpdate", launchAgentUpdate);
        return s;
    }
}
