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

    /**
     * The PowerShell each release ships with (Microsoft, "Windows Management Framework", availability table:
     * 2008 R2 SP1 includes WMF 2.0, 2012 WMF 3.0, 2012 R2 WMF 4.0, 2016 and later 5.1). Windows Server 2008
     * is not modelled (the workflow refuses it): null.
     */
    private static final Map<String, String> POWERSHELL = Map.of("2008R2", "2.0", "2012", "3.0", "2012R2", "4.0",
            "2016", "5.1", "2019", "5.1", "2022", "5.1", "2025", "5.1");

    /**
     * The .NET Framework 4.5+ Release value each release ships with (Microsoft, "How to: Determine which .NET
     * Framework versions are installed": 378389 is 4.5, which 2012 includes; 378675 is 4.5.1 "installed with
     * Windows 8.1 or Windows Server 2012 R2"; 394802 is 4.6.2 on "Windows Server 2016"; 461814 is 4.7.2 on
     * "Windows 10 October 2018 Update", the base of 2019). 2008 R2 ships no 4.x (null). 2022 includes 4.8
     * ("Install .NET Framework on Windows Server 2022"): 528040, the lowest Release of 4.8; the exact value
     * 2022 and 2025 report is not confirmed here, so a world that depends on it sets dotNetRelease itself.
     */
    private static final Map<String, Integer> DOTNET = Map.of("2012", 378389, "2012R2", 378675, "2016", 394802, "2019", 461814,
            "2022", 528040, "2025", 528040);

    public static String shippedPowerShell(String os) {
        return POWERSHELL.get(os);
    }

    public static Integer shippedDotNetRelease(String os) {
        return DOTNET.get(os);
    }

    /** One IP-enabled adapter as Win32_NetworkAdapterConfiguration shows it. */
    public static final class Nic {
        public String macAddress;
        public boolean dhcp = true;
        /** IPv4 address and mask pairs. */
        public List<String[]> addresses = new ArrayList<>();
        public List<String> gateways = new ArrayList<>();
        public List<String> dnsServers = new ArrayList<>();

        Nic copy() {
            Nic n = new Nic();
            n.macAddress = macAddress;
            n.dhcp = dhcp;
            addresses.forEach(a -> n.addresses.add(a.clone()));
            n.gateways = new ArrayList<>(gateways);
            n.dnsServers = new ArrayList<>(dnsServers);
            return n;
        }

        /**
         * Windows gives the adapter DHCP again: the ENI's primary address for it comes back by DHCP, the static
         * extra addresses and the DNS servers set by hand are gone (EC2 User Guide, "Migrate to latest generation
         * instance types": "the static IP or custom DNS network settings on the existing ENI may be lost").
         */
        public void loseStaticConfiguration() {
            dhcp = true;
            if (addresses.size() > 1) addresses = new ArrayList<>(addresses.subList(0, 1));
            dnsServers.clear();
        }

        Map<String, Object> facts() {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("macAddress", macAddress);
            f.put("dhcp", dhcp);
            List<Map<String, Object>> list = new ArrayList<>();
            for (String[] a : addresses) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("ipAddress", a[0]);
                m.put("subnetMask", a[1]);
                list.add(m);
            }
            f.put("addresses", list);
            f.put("gateways", gateways);
            f.put("dnsServers", dnsServers);
            return f;
        }
    }

    public String os;
    /** The computer's name, and the Active Directory domain it is joined to (null: a workgroup). */
    public String computerName, domain;
    /**
     * The secure channel to the domain failed: a copy of this machine logged on under its name and renewed the computer
     * account's password (Microsoft, "Machine account password process").
     */
    public boolean trustBroken;
    /** Win32_OperatingSystem.ProductType: 1 work station, 2 domain controller, 3 server. */
    public int productType = 3;
    public String powerShell;
    public Integer dotNetRelease;
    public List<String> hotfixes = new ArrayList<>();
    public String pvDriver;
    public String enaDriver;
    public String nvmeDriver;
    /** Sysprep_Generalize_Pnp ran after the NVMe install: storage drivers are ready for a Nitro boot. */
    public boolean pnpGeneralized;
    public String launchAgentName;
    public String launchAgentVersion;
    public List<Nic> nics = new ArrayList<>();
    public List<String> roles = new ArrayList<>();
    /**
     * The AC value of power setting 3c0bc021-c8a8-4e07-a973-6b14cbcb2b7e in the schemes Balanced, High
     * performance and Power saver (runbook step 7); null for a scheme the guest lacks. What an AMI ships with
     * is not documented beyond "AMIs older than 2018-11-28" needing the change, so a world sets it; 1 unless told.
     */
    public Integer powerBalanced = 1, powerHighPerformance = 1, powerSaver = 1;
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
        g.computerName = computerName;
        g.domain = domain;
        g.trustBroken = trustBroken;
        g.productType = productType;
        g.powerShell = powerShell;
        g.dotNetRelease = dotNetRelease;
        g.hotfixes = new ArrayList<>(hotfixes);
        g.pvDriver = pvDriver;
        g.enaDriver = enaDriver;
        g.nvmeDriver = nvmeDriver;
        g.pnpGeneralized = pnpGeneralized;
        g.launchAgentName = launchAgentName;
        g.launchAgentVersion = launchAgentVersion;
        nics.forEach(n -> g.nics.add(n.copy()));
        g.roles = new ArrayList<>(roles);
        g.powerBalanced = powerBalanced;
        g.powerHighPerformance = powerHighPerformance;
        g.powerSaver = powerSaver;
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
        return roles.contains("DomainController") || productType == 2;
    }

    public boolean hasHotfix(String kb) {
        return hotfixes.stream().anyMatch(h -> h.equalsIgnoreCase(kb));
    }

    /** The adapter with this MAC address (compared as Windows prints it, without case), if any. */
    public Nic nic(String macAddress) {
        return nics.stream().filter(n -> n.macAddress != null && n.macAddress.equalsIgnoreCase(macAddress)).findFirst().orElse(null);
    }

    /**
     * A failure "NAME" applies to every adapter, "NAME:MAC" to the one with that MAC address; either is used
     * up when it happens. Returns the adapters it applies to (none when it is not injected).
     */
    public List<Nic> takeNicFailure(String name) {
        if (failures.remove(name)) {
            return nics;
        }
        List<Nic> out = new ArrayList<>();
        for (String f : new ArrayList<>(failures)) {
            if (f.startsWith(name + ":")) {
                Nic n = nic(f.substring(name.length() + 1));
                if (n != null) out.add(n);
                failures.remove(f);
            }
        }
        return out;
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
        f.put("productType", productType);
        f.put("powerShell", powerShell);
        f.put("dotNetRelease", dotNetRelease);
        f.put("hotfixes", hotfixes);
        Map<String, Object> drivers = new LinkedHashMap<>();
        drivers.put("pv", pvDriver);
        drivers.put("ena", enaDriver);
        drivers.put("nvme", nvmeDriver);
        f.put("drivers", drivers);
        Map<String, Object> agent = new LinkedHashMap<>();
        agent.put("name", launchAgentName);
        agent.put("version", launchAgentVersion);
        f.put("launchAgent", agent);
        f.put("network", nics.stream().map(Nic::facts).toList());
        f.put("roles", roles);
        f.put("domainController", isDomainController());
        Map<String, Object> power = new LinkedHashMap<>();
        power.put("balanced", powerBalanced);
        power.put("highPerformance", powerHighPerformance);
        power.put("powerSaver", powerSaver);
        f.put("power", power);
        return f;
    }

    /** The model as a test or an operator inspects it in world.json: the facts, and what Windows does not print. */
    public Map<String, Object> state() {
        Map<String, Object> s = facts();
        s.put("pnpGeneralized", pnpGeneralized);
        s.put("ssmAgentVersion", ssmAgentVersion);
        s.put("reboots", reboots);
        s.put("launchAgentUpdate", launchAgentUpdate);
        s.put("computerName", computerName);
        s.put("domain", domain);
        s.put("trustBroken", trustBroken);
        return s;
    }
}
