package dev.xen2nitro.functions;

import static org.junit.jupiter.api.Assertions.*;

import dev.xen2nitro.functions.guest.GuestFacts;
import dev.xen2nitro.functions.guest.GuestRules;
import dev.xen2nitro.functions.guest.NetworkAdapterMissingException;
import dev.xen2nitro.functions.preflight.Check;
import dev.xen2nitro.functions.preflight.InstanceFacts;
import dev.xen2nitro.functions.preflight.PreflightRules;
import dev.xen2nitro.functions.rules.DriverMatrix;
import dev.xen2nitro.functions.rules.NitroTargets;
import dev.xen2nitro.functions.rules.TargetTypes;
import dev.xen2nitro.functions.rules.Versions;
import dev.xen2nitro.functions.rules.WindowsReleases;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The decisions, without AWS: driver versions, target types, preflight checks, the guest plan, the network comparison. */
class RulesTest {
    static final InstanceFacts.TypeFacts M4_XL = new InstanceFacts.TypeFacts("m4.xlarge", "xen", 4, 16384, List.of("x86_64"), false, 40, 4, "unsupported");
    static final InstanceFacts.TypeFacts M5_XL = new InstanceFacts.TypeFacts("m5.xlarge", "nitro", 4, 16384, List.of("x86_64"), false, 27, 4, "required");
    static final InstanceFacts.TypeFacts M5_2XL = new InstanceFacts.TypeFacts("m5.2xlarge", "nitro", 8, 32768, List.of("x86_64"), false, 27, 4, "required");
    static final InstanceFacts.TypeFacts M3_L = new InstanceFacts.TypeFacts("m3.large", "xen", 2, 7680, List.of("x86_64"), true, 39, 3, "unsupported");
    static final InstanceFacts.TypeFacts A1_XL = new InstanceFacts.TypeFacts("a1.xlarge", "nitro", 4, 8192, List.of("arm64"), false, 27, 4, "required");

    static InstanceFacts facts(InstanceFacts.TypeFacts type, String target, InstanceFacts.TypeFacts targetType, boolean offered,
                               Map<String, String> tags, String lifecycle, int volumes) {
        return new InstanceFacts("i-0a1b2c3d4e5f60001", true, "running", "windows", "x86_64", lifecycle, tags, "us-east-1a",
                "subnet-1", "vpc-1", "10.0.1.0/24", volumes, 1, false, type, target, targetType, offered,
                List.of(M5_XL, M5_2XL), false, List.of("rtb-1"), List.of(), false, false, true, true,
                tags.get("aws:autoscaling:groupName"), tags.get("lifecycle"));
    }

    static Check check(PreflightRules.Verdict v, String name) {
        return check(v.checks(), name);
    }

    static Check check(List<Check> checks, String name) {
        return checks.stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void driverVersionsArePinnedPerOsNotLatest() {
        DriverMatrix.Pinned ws2012r2 = DriverMatrix.forOs("2012R2");
        assertEquals(new DriverMatrix.Release("8.4.3", "8.4.3"), ws2012r2.pv());
        assertEquals(new DriverMatrix.Release("2.6.0", "2.6.0"), ws2012r2.ena());
        assertEquals(new DriverMatrix.Release("1.5.1", "1.5.0"), ws2012r2.nvme(), "AWS's table: package 1.5.1 contains driver 1.5.0");
        assertEquals(ws2012r2, DriverMatrix.forOs("2012"));
        DriverMatrix.Pinned ws2008r2 = DriverMatrix.forOs("2008R2");
        assertEquals(List.of("8.3.5", "2.2.3", "1.3.2"), List.of(ws2008r2.pv().packageVersion(), ws2008r2.ena().packageVersion(), ws2008r2.nvme().packageVersion()));
        for (String os : List.of("2016", "2019", "2022")) {
            DriverMatrix.Pinned p = DriverMatrix.forOs(os);
            assertEquals(List.of("8.6.1", "2.11.0", "1.8.2"), List.of(p.pv().packageVersion(), p.ena().packageVersion(), p.nvme().packageVersion()), os);
        }
        assertNull(DriverMatrix.forOs("2025").pv(), "PV is not supported on 2025");
        assertThrows(IllegalArgumentException.class, () -> DriverMatrix.forOs("2003"));
        assertTrue(Versions.compare("8.10.0", "8.4.3") > 0);
        assertTrue(Versions.atLeast("2.6.0", "2.6.0"));
        assertTrue(Versions.atLeast("1.5.0.13", "1.5.0"), "Windows may report a fourth part");
        assertFalse(Versions.atLeast(null, "2.6.0"));
    }

    @Test
    void anNvmeDriverThatWindowsReportsAs150IsCurrentOn2012R2AndThePackageIsStill151() {
        // Before: the skip decision compared 1.5.0 with the package version 1.5.1 and installed the package again on every run.
        GuestRules.Assessment a = GuestRules.assess(guest("6.3.9600", "8.4.3", "2.6.0", "1.5.0", List.of(), UNSET));
        assertFalse(a.nvme().run(), a.nvme().reason());
        assertEquals("1.5.1", a.nvme().version(), "the package the install step would use");
        assertEquals("1.5.0", a.nvme().driverVersion(), "the driver version VerifyMigration compares with what Windows reports");
        GuestRules.Assessment older = GuestRules.assess(guest("6.3.9600", "8.4.3", "2.6.0", "1.4.2", List.of(), UNSET));
        assertTrue(older.nvme().run());
        assertEquals("1.5.1", older.nvme().version());
        assertTrue(older.nvme().reason().contains("1.4.2 -> 1.5.1 (package; Windows reports driver 1.5.0)"), older.nvme().reason());
    }

    @Test
    void verificationComparesTheDriverWindowsReportsWithThePinnedDriverVersion() {
        DriverMatrix.Release nvme = DriverMatrix.forOs("2012R2").nvme();
        // Before: VerifyMigration was given the package version and failed a guest that reports 1.5.0.
        assertFalse(GuestRules.driverCheck("nvme-driver", "1.5.0", nvme.packageVersion()).passed());
        Check check = GuestRules.driverCheck("nvme-driver", "1.5.0", nvme.driverVersion());
        assertTrue(check.passed(), check.detail());
        assertEquals("1.5.0 (pinned driver 1.5.0)", check.detail());
        assertEquals("absent, expected at least driver 1.5.0", GuestRules.driverCheck("nvme-driver", null, nvme.driverVersion()).detail());
    }

    @Test
    void windowsReleasesAreDecidedFromTheVersionNumberAndUnknownBuildsAreRefused() {
        assertEquals("2008R2", WindowsReleases.of("6.1.7601").release());
        WindowsReleases.Decision rtm = WindowsReleases.of("6.1.7600");
        assertFalse(rtm.supported(), "2008 R2 without Service Pack 1");
        assertTrue(rtm.refusal().contains("Service Pack 1"), rtm.refusal());
        assertEquals("2012", WindowsReleases.of("6.2.9200").release());
        assertEquals("2012R2", WindowsReleases.of("6.3.9600").release());
        assertEquals("2016", WindowsReleases.of("10.0.14393").release());
        assertEquals("2019", WindowsReleases.of("10.0.17763").release());
        assertEquals("2022", WindowsReleases.of("10.0.20348").release());
        assertEquals("2025", WindowsReleases.of("10.0.26100").release());
        // Before: Windows Server 2008 (6.0) and any 10.0 build below 17763 were taken for 2016 and got its drivers.
        WindowsReleases.Decision ws2008 = WindowsReleases.of("6.0.6002");
        assertFalse(ws2008.supported());
        assertTrue(ws2008.refusal().contains("Windows Server 2008 (6.0.6002)"), ws2008.refusal());
        assertTrue(ws2008.refusal().contains(WindowsReleases.SUPPORTED), ws2008.refusal());
        WindowsReleases.Decision sac = WindowsReleases.of("10.0.17134");
        assertFalse(sac.supported());
        assertTrue(sac.refusal().contains("Windows 10.0.17134") && sac.refusal().contains("supported:"), sac.refusal());
        assertTrue(WindowsReleases.of("2016").refusal().contains("deploy the stack again"));
        assertFalse(WindowsReleases.of(null).supported());
    }

    @Test
    void theTargetIsTheNextGenerationOfTheSameSizeOrTheSmallestThatFits() {
        var offered = List.of(M5_XL.info(), M5_2XL.info(), A1_XL.info());
        assertEquals("m5.xlarge", TargetTypes.choose(M4_XL.info(), offered, "x86_64").orElseThrow().type());
        var m4_10xl = new TargetTypes.TypeInfo("m4.10xlarge", false, 40, 163840, List.of("x86_64"));
        var m5_12xl = new TargetTypes.TypeInfo("m5.12xlarge", true, 48, 196608, List.of("x86_64"));
        var m5_16xl = new TargetTypes.TypeInfo("m5.16xlarge", true, 64, 262144, List.of("x86_64"));
        TargetTypes.Choice c = TargetTypes.choose(m4_10xl, List.of(m5_16xl, m5_12xl), "x86_64").orElseThrow();
        assertEquals("m5.12xlarge", c.type());
        assertTrue(c.reason().contains("no 10xlarge"), c.reason());
        var t2 = new TargetTypes.TypeInfo("t2.medium", false, 2, 4096, List.of("i386", "x86_64"));
        var t3 = new TargetTypes.TypeInfo("t3.medium", true, 2, 4096, List.of("x86_64"));
        assertEquals("t3.medium", TargetTypes.choose(t2, List.of(t3), "x86_64").orElseThrow().type());
        assertTrue(TargetTypes.choose(M4_XL.info(), List.of(), "x86_64").isEmpty());
    }

    @Test
    void aSoundInstanceIsReadyAndItsMissingEndpointsAreListed() {
        PreflightRules.Verdict v = PreflightRules.assess(facts(M4_XL, null, null, false, Map.of(), "on-demand", 2), false);
        assertTrue(v.ready(), v.checks().toString());
        assertEquals("m5.xlarge", v.targetType());
        assertEquals(List.of("ssm", "ec2messages", "ssmmessages", "s3"), v.missingEndpoints());
    }

    @Test
    void refusalsSayWhatToDo() {
        var spot = PreflightRules.assess(facts(M4_XL, null, null, false, Map.of(), "spot", 1), false);
        assertFalse(spot.ready());
        assertTrue(check(spot, "not-spot").detail().contains("Spot"));
        var asg = PreflightRules.assess(facts(M4_XL, null, null, false, Map.of("aws:autoscaling:groupName", "web", "lifecycle", "InService"), "on-demand", 1), false);
        assertFalse(check(asg, "auto-scaling-standby").passed());
        assertTrue(check(asg, "auto-scaling-standby").detail().contains("aws autoscaling enter-standby"));
        assertTrue(PreflightRules.assess(facts(M4_XL, null, null, false, Map.of("aws:autoscaling:groupName", "web", "lifecycle", "Standby"), "on-demand", 1), false).ready());
        var store = PreflightRules.assess(facts(M3_L, null, null, false, Map.of(), "on-demand", 1), false);
        assertTrue(check(store, "instance-store").detail().contains("\"allowInstanceStoreLoss\": true"));
        assertTrue(PreflightRules.assess(facts(M3_L, null, null, false, Map.of(), "on-demand", 1), true).ready());
        var nitro = PreflightRules.assess(facts(M5_XL, null, null, false, Map.of(), "on-demand", 1), false);
        assertFalse(check(nitro, "current-type-xen").passed());
        var tooMany = PreflightRules.assess(facts(M4_XL, "m5.xlarge", M5_XL, true, Map.of(), "on-demand", 30), false);
        assertTrue(check(tooMany, "volume-limit").detail().contains("30 EBS volumes exceed the 27"));
        assertFalse(PreflightRules.assess(InstanceFacts.notFound("i-0123456789abcdef0"), false).ready());
        InstanceFacts f = facts(M4_XL, null, null, false, Map.of(), "on-demand", 1);
        InstanceFacts noDns = new InstanceFacts(f.instanceId(), true, f.state(), f.platform(), f.architecture(), f.lifecycle(), f.tags(),
                f.availabilityZone(), f.subnetId(), f.vpcId(), f.subnetCidr(), 1, 1, false, f.currentType(), null, null, false,
                f.offeredNitroTypes(), false, f.routeTableIds(), List.of(), false, false, true, false, null, null);
        assertTrue(check(PreflightRules.assess(noDns, false), "vpc-dns").detail().contains("--enable-dns-hostnames"));
    }

    @Test
    void aStoppedInstanceIsRefusedAtPreflightWithHowToStartIt() {
        // Before: "stopped" passed preflight, got endpoints, and failed later with Xen2Nitro.SsmUnreachable.
        InstanceFacts f = facts(M4_XL, null, null, false, Map.of(), "on-demand", 1);
        InstanceFacts stopped = new InstanceFacts(f.instanceId(), true, "stopped", f.platform(), f.architecture(), f.lifecycle(), f.tags(),
                f.availabilityZone(), f.subnetId(), f.vpcId(), f.subnetCidr(), 1, 1, false, f.currentType(), null, null, false,
                f.offeredNitroTypes(), false, f.routeTableIds(), List.of(), false, false, true, true, null, null);
        PreflightRules.Verdict v = PreflightRules.assess(stopped, false);
        assertFalse(v.ready());
        Check state = check(v, "state-running");
        assertFalse(state.passed());
        assertTrue(state.detail().contains("SSM") && state.detail().contains("aws ec2 start-instances --instance-ids i-0a1b2c3d4e5f60001"),
                state.detail());
        assertTrue(check(PreflightRules.assess(f, false), "state-running").passed());
    }

    @Test
    void anExplicitTargetMustBeNitroOfferedAndOfTheArchitecture() {
        assertTrue(check(PreflightRules.assess(facts(M4_XL, "m4.2xlarge", M4_XL, true, Map.of(), "on-demand", 1), false), "target-type")
                .detail().contains("Xen hypervisor"));
        assertTrue(check(PreflightRules.assess(facts(M4_XL, "m5.xlarge", M5_XL, false, Map.of(), "on-demand", 1), false), "target-type")
                .detail().contains("not offered in us-east-1a"));
        assertTrue(check(PreflightRules.assess(facts(M4_XL, "a1.xlarge", A1_XL, true, Map.of(), "on-demand", 1), false), "target-type")
                .detail().contains("arm64"));
        assertTrue(check(PreflightRules.assess(facts(M4_XL, "m9.huge", null, false, Map.of(), "on-demand", 1), false), "target-type")
                .detail().contains("does not exist"));
        // A Nitro type of a family the ChangeInstanceType role may not set is refused here, before anything changes.
        InstanceFacts.TypeFacts hpc = new InstanceFacts.TypeFacts("hpc6a.48xlarge", "nitro", 96, 393216, List.of("x86_64"), false, 27, 2, "required");
        Check refused = check(PreflightRules.assess(facts(M4_XL, "hpc6a.48xlarge", hpc, true, Map.of(), "on-demand", 1), false), "target-type");
        assertFalse(refused.passed());
        assertTrue(refused.detail().contains("not of a Nitro family this stack changes instances to") && refused.detail().contains("m5*.*"),
                refused.detail());
        assertTrue(check(PreflightRules.assess(facts(M4_XL, "m5.xlarge", M5_XL, true, Map.of(), "on-demand", 1), false), "target-type").passed());
    }

    /** The families the ChangeInstanceType role may set: every successor the workflow chooses, and no Xen family. */
    @Test
    void theNitroTargetsHoldEverySuccessorAndNoXenFamily() {
        for (String xen : List.of("m1", "m3", "m4", "c1", "c3", "c4", "r3", "r4", "t1", "t2", "x1", "x1e", "d2", "i2", "i3", "p2", "g3", "h1")) {
            String next = TargetTypes.nextFamily(xen).orElseThrow(() -> new AssertionError("no successor of " + xen));
            assertTrue(NitroTargets.allows(next + ".xlarge"), xen + " -> " + next);
            assertFalse(NitroTargets.allows(xen + ".xlarge"), xen + " is Xen");
        }
        for (String xen : List.of("m4.large", "c4.8xlarge", "t2.medium", "i3.16xlarge", "x1e.32xlarge", "p3.2xlarge", "g2.2xlarge", "f1.2xlarge")) {
            assertFalse(NitroTargets.allows(xen), xen);
        }
        for (String nitro : List.of("m5.large", "m5a.xlarge", "m6i.2xlarge", "m7i-flex.large", "c5n.18xlarge", "r5b.4xlarge", "t3a.medium",
                "z1d.3xlarge", "x2iedn.xlarge", "i3en.large", "d3en.xlarge", "g4dn.xlarge", "p3dn.24xlarge")) {
            assertTrue(NitroTargets.allows(nitro), nitro);
        }
        assertFalse(NitroTargets.allows("m5"), "a family without a size is no type");
    }

    static final GuestFacts.Nic NIC = new GuestFacts.Nic("0A:1B:2C:3D:4E:01", false,
            List.of(new GuestFacts.Address("10.0.1.25", "255.255.255.0")), List.of("10.0.1.1"), List.of("10.0.0.10"));

    /** A server guest with the prerequisites of every release: PowerShell 5.1, .NET 4.8, both SHA-2 updates. */
    static GuestFacts guest(String os, String pv, String ena, String nvme, List<String> roles, GuestFacts.Power power) {
        return new GuestFacts(os, 3, "5.1", 528040, List.of("KB4474419", "KB3033929"), new GuestFacts.Drivers(pv, ena, nvme),
                new GuestFacts.LaunchAgent("EC2Config", "4.9.4222"), List.of(NIC), roles, roles.contains("DomainController"), power);
    }

    static final GuestFacts.Power UNSET = new GuestFacts.Power(1, 1, 1);

    static GuestFacts with(GuestFacts g, int productType, String powerShell, Integer dotNet, List<String> hotfixes) {
        return new GuestFacts(g.os(), productType, powerShell, dotNet, hotfixes, g.drivers(), g.launchAgent(), g.network(), g.roles(),
                g.domainController(), g.power());
    }

    @Test
    void thePlanSkipsDriversAlreadyCurrentAndPowerSettingsAlreadyZero() {
        GuestRules.Assessment a = GuestRules.assess(guest("6.3.9600", "8.4.3", null, null, List.of(), new GuestFacts.Power(0, 0, 0)));
        assertTrue(a.ready(), a.checks().toString());
        assertFalse(a.pv().run(), a.pv().reason());
        assertTrue(a.ena().run());
        assertEquals("2.6.0", a.ena().version());
        assertEquals("1.5.1", a.nvme().version());
        assertFalse(a.powerManagement().run());
        assertTrue(a.launchAgent().run());
        assertEquals("4.9.5777", a.launchAgent().version());
    }

    @Test
    void powerSettingsRunWhenAnyPresentSchemeIsNotZero() {
        assertTrue(GuestRules.assess(guest("6.3.9600", "7.4.6", null, null, List.of(), UNSET)).powerManagement().run());
        // One scheme left at 1 is enough; an absent scheme (null) is not a reason.
        GuestRules.Step one = GuestRules.assess(guest("6.3.9600", "7.4.6", null, null, List.of(), new GuestFacts.Power(0, null, 1))).powerManagement();
        assertTrue(one.run(), one.reason());
        assertTrue(one.reason().contains("Power saver 1"), one.reason());
        assertFalse(GuestRules.assess(guest("6.3.9600", "7.4.6", null, null, List.of(), new GuestFacts.Power(0, null, 0))).powerManagement().run());
        assertFalse(GuestRules.assess(guest("6.3.9600", "7.4.6", null, null, List.of(), new GuestFacts.Power(null, null, null))).powerManagement().run());
    }

    @Test
    void domainControllersAndUnknownSystemsAreRefused() {
        GuestRules.Assessment dc = GuestRules.assess(guest("6.3.9600", null, null, null, List.of("DomainController"), UNSET));
        assertFalse(dc.ready());
        assertTrue(dc.checks().stream().anyMatch(c -> c.name().equals("not-domain-controller") && c.detail().contains("README#domain-controllers")));
        assertFalse(GuestRules.assess(with(guest("6.3.9600", null, null, null, List.of(), UNSET), 2, "5.1", 528040, List.of())).ready(),
                "ProductType 2 is a domain controller");
        assertFalse(GuestRules.assess(guest("5.2.3790", null, null, null, List.of(), UNSET)).ready());
        GuestRules.Assessment ws2008 = GuestRules.assess(guest("6.0.6002", null, null, null, List.of(), UNSET));
        assertFalse(ws2008.ready());
        assertNull(ws2008.nvme(), "no plan, so no driver of another release");
        assertTrue(check(ws2008.checks(), "os-supported").detail().contains("Windows Server 2008 (6.0.6002)"));
    }

    @Test
    void aClientEditionIsRefusedThoughItSharesTheServersVersion() {
        // Windows 8.1 reports 6.3.9600, as 2012 R2 does; only ProductType tells them apart.
        GuestRules.Assessment client = GuestRules.assess(with(guest("6.3.9600", null, null, null, List.of(), UNSET), 1, "5.1", 528040, List.of()));
        assertFalse(client.ready());
        assertTrue(check(client.checks(), "windows-server").detail().contains("migrates Windows Server only"),
                check(client.checks(), "windows-server").detail());
    }

    @Test
    void powerShell2IsRefusedWithTheWmfUpdateOfItsRelease() {
        GuestRules.Assessment r2 = GuestRules.assess(with(guest("6.1.7601", "7.2.0", null, null, List.of(), UNSET), 3, "2.0", 528040,
                List.of("KB4474419", "KB3033929")));
        assertFalse(r2.ready());
        String detail = check(r2.checks(), "powershell-3").detail();
        assertTrue(detail.contains("PowerShell 2.0") && detail.contains("3.0 or later") && detail.contains("KB3191566"), detail);
        GuestRules.Assessment y2012 = GuestRules.assess(with(guest("6.2.9200", "7.2.0", null, null, List.of(), UNSET), 3, "2.0", 378389, List.of()));
        assertTrue(check(y2012.checks(), "powershell-3").detail().contains("KB3191565"));
        assertTrue(GuestRules.assess(with(guest("6.3.9600", "7.2.0", null, null, List.of(), UNSET), 3, "4.0", 378675, List.of())).ready(),
                "2012 R2 ships PowerShell 4.0 and .NET 4.5.1");
    }

    static GuestFacts withAgent(GuestFacts g, String name, String version) {
        return new GuestFacts(g.os(), g.productType(), g.powerShell(), g.dotNetRelease(), g.hotfixes(), g.drivers(),
                new GuestFacts.LaunchAgent(name, version), g.network(), g.roles(), g.domainController(), g.power());
    }

    @Test
    void everyPackageStepNeedsPowerShell3AndDotNet45NotOnlyEnaAndNvme() {
        // 2008 R2 with PowerShell 2.0 and ENA, NVMe and EC2Config current: only the PV package would be unpacked, with .NET 4.5's
        // ZipFile, which PowerShell 2.0 (CLR 2.0) cannot load. Before: only ENA and NVMe asked for PowerShell 3.0, so this guest passed.
        GuestFacts pvOnly = withAgent(with(guest("6.1.7601", "7.2.0", "2.2.3", "1.3.2", List.of(), UNSET), 3, "2.0", 528040,
                List.of("KB4474419", "KB3033929")), "EC2Config", "4.9.5777");
        GuestRules.Assessment a = GuestRules.assess(pvOnly);
        assertTrue(a.pv().run() && !a.ena().run() && !a.nvme().run() && !a.launchAgent().run(), a.toString());
        assertFalse(a.ready());
        String detail = check(a.checks(), "powershell-3").detail();
        assertTrue(detail.contains("PowerShell 2.0") && detail.contains("(AWS PV)") && detail.contains("KB3191566")
                && detail.contains(".NET Framework 4.5.2 or later first"), detail);
        // The EC2Config update alone (2012 with PowerShell 2.0, every driver current): refused likewise, with 2012's update.
        GuestFacts ec2ConfigOnly = with(guest("6.2.9200", "8.4.3", "2.6.0", "1.5.0", List.of(), UNSET), 3, "2.0", 378389, List.of());
        GuestRules.Assessment b = GuestRules.assess(ec2ConfigOnly);
        assertTrue(b.launchAgent().run() && !b.pv().run(), b.toString());
        assertTrue(check(b.checks(), "powershell-3").detail().contains("(EC2Config)")
                && check(b.checks(), "powershell-3").detail().contains("KB3191565"), check(b.checks(), "powershell-3").detail());
        // The PV step alone without .NET 4.5 (PowerShell 3.0 on .NET 4.0): refused by its Release value.
        GuestRules.Assessment c = GuestRules.assess(withAgent(with(guest("6.1.7601", "7.2.0", "2.2.3", "1.3.2", List.of(), UNSET), 3, "3.0", null,
                List.of("KB4474419", "KB3033929")), "EC2Config", "4.9.5777"));
        assertFalse(c.ready());
        assertTrue(check(c.checks(), "powershell-3").passed());
        assertTrue(check(c.checks(), "dotnet-4.5").detail().contains("install .NET Framework 4.5.2 or later"), c.checks().toString());
        // No package step at all: nothing unpacks, so PowerShell 2.0 without .NET 4.5 is no reason to refuse.
        GuestRules.Assessment none = GuestRules.assess(withAgent(with(guest("6.1.7601", "8.3.5", "2.2.3", "1.3.2", List.of(), UNSET), 3, "2.0", null,
                List.of()), "EC2Config", "4.9.5777"));
        assertTrue(none.ready(), none.checks().toString());
        assertTrue(none.checks().stream().noneMatch(x -> x.name().equals("powershell-3") || x.name().equals("dotnet-4.5")), none.checks().toString());
    }

    @Test
    void windows2008R2NeedsBothSha2UpdatesByKb() {
        GuestRules.Assessment none = GuestRules.assess(with(guest("6.1.7601", "7.2.0", null, null, List.of(), UNSET), 3, "5.1", 528040, List.of()));
        assertFalse(none.ready());
        assertTrue(check(none.checks(), "sha2-code-signing").detail().contains("install KB4474419"));
        assertTrue(check(none.checks(), "sha2-advisory-3033929").detail().contains("install KB3033929"),
                check(none.checks(), "sha2-advisory-3033929").detail());
        assertTrue(GuestRules.assess(with(guest("6.1.7601", "7.2.0", null, null, List.of(), UNSET), 3, "5.1", 528040,
                List.of("kb4474419", "KB3033929"))).ready(), "hotfix IDs compare without case");
        // PV already at the pin: no PV install, so no need for KB3033929.
        GuestRules.Assessment pvDone = GuestRules.assess(with(guest("6.1.7601", "8.3.5", null, null, List.of(), UNSET), 3, "5.1", 528040,
                List.of("KB4474419")));
        assertTrue(pvDone.ready(), pvDone.checks().toString());
    }

    @Test
    void windows2008R2IsRefusedATypeReleasedAfterMarch2021() {
        GuestFacts ready = with(guest("6.1.7601", "7.2.0", null, null, List.of(), UNSET), 3, "5.1", 528040, List.of("KB4474419", "KB3033929"));
        GuestRules.Assessment newer = GuestRules.assess(ready, "m6i.xlarge");
        assertFalse(newer.ready());
        String why = check(newer.checks(), "target-supports-os").detail();
        assertTrue(why.contains("after March 2021") && why.contains("such as m5,"), why);
        String memory = check(GuestRules.assess(ready, "x2iedn.32xlarge").checks(), "target-supports-os").detail();
        assertTrue(memory.contains("such as r5,"), memory);
        assertTrue(GuestRules.assess(ready, "m5.xlarge").ready());
        assertTrue(GuestRules.assess(ready, "t3.large").ready());
        // Other releases are not limited by it.
        GuestFacts ws2016 = with(guest("10.0.14393", "8.6.1", null, null, List.of(), UNSET), 3, "5.1", 528040, List.of());
        assertTrue(check(GuestRules.assess(ws2016, "m6i.xlarge").checks(), "target-supports-os").passed());
    }

    @Test
    void dotNetBelow45IsRefusedByItsReleaseValue() {
        GuestRules.Assessment none = GuestRules.assess(with(guest("6.3.9600", "7.2.0", null, null, List.of(), UNSET), 3, "4.0", null, List.of()));
        assertFalse(none.ready());
        assertTrue(check(none.checks(), "dotnet-4.5").detail().contains("install .NET Framework 4.5.2 or later"));
        assertTrue(check(GuestRules.assess(with(guest("6.3.9600", "7.2.0", null, null, List.of(), UNSET), 3, "4.0", 378389, List.of())).checks(),
                "dotnet-4.5").passed(), "378389 is .NET Framework 4.5");
    }

    static GuestFacts.Nic nic(String mac, boolean dhcp, List<String> ips, List<String> gateways, List<String> dns) {
        return new GuestFacts.Nic(mac, dhcp, ips.stream().map(ip -> new GuestFacts.Address(ip, "255.255.255.0")).toList(), gateways, dns);
    }

    @Test
    void everyAdapterIsComparedByMacAddressAndOnlyWhatWasLostIsRestored() {
        GuestFacts.Nic first = nic("0A:00:00:00:00:01", false, List.of("10.0.1.25", "10.0.1.26"), List.of("10.0.1.1"), List.of("10.0.0.10"));
        GuestFacts.Nic second = nic("0A:00:00:00:00:02", false, List.of("10.0.2.25", "10.0.2.26"), List.of(), List.of("10.0.0.11"));
        // The second adapter lost everything; the first kept it (listed in another order after the move).
        GuestFacts.Nic secondAfter = nic("0a:00:00:00:00:02", true, List.of("10.0.2.25"), List.of("10.0.2.1"), List.of());
        GuestRules.NetworkRestore r = GuestRules.compareNetwork(List.of(first, second), List.of(secondAfter, first));
        assertTrue(r.needed());
        assertEquals(1, r.adapters().size());
        GuestRules.AdapterRestore a = r.adapters().get(0);
        assertEquals("0A:00:00:00:00:02", a.macAddress());
        assertEquals(second.addresses(), a.addresses());
        assertEquals(List.of("10.0.0.11"), a.dnsServers());
        assertTrue(r.reason().contains("10.0.2.26/255.255.255.0"), r.reason());
        assertFalse(GuestRules.compareNetwork(List.of(first, second), List.of(first, second)).needed());
        // DNS alone lost on a DHCP adapter: only the DNS servers go back.
        GuestFacts.Nic dhcpDns = nic("0A:00:00:00:00:03", true, List.of("10.0.3.9"), List.of("10.0.3.1"), List.of("10.0.0.2"));
        GuestRules.AdapterRestore dns = GuestRules.compareNetwork(List.of(dhcpDns),
                List.of(nic("0A:00:00:00:00:03", true, List.of("10.0.3.9"), List.of("10.0.3.1"), List.of()))).adapters().get(0);
        assertEquals(List.of(), dns.addresses());
        assertEquals(List.of(), dns.gateways());
        assertEquals(List.of("10.0.0.2"), dns.dnsServers());
        assertFalse(GuestRules.compareNetwork(List.of(nic("0A:00:00:00:00:04", true, List.of("10.0.1.9"), List.of(), List.of())), List.of()).needed(),
                "a DHCP adapter without its own DNS servers has nothing to lose");
        assertThrows(NetworkAdapterMissingException.class, () -> GuestRules.compareNetwork(List.of(first), List.of(secondAfter)));
    }
}
