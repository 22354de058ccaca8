package dev.xen2nitro.local;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.xen2nitro.local.world.WorldLoader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * The whole migration (statemachine/migrate-instance.asl.json) through the runner, the real
 * handlers and the emulator; each test asserts on the world afterwards. Tests run side by side, each
 * in a local cloud of its own.
 */
@Execution(ExecutionMode.CONCURRENT)
class MigrationWorkflowTest {
    static final String SEED = "i-0a1b2c3d4e5f60001";

    /** An execution's report and world, the world before it, its progress, what the functions logged, and its task tokens. */
    record Outcome(Runner.Report report, Map<String, Object> world, Map<String, Object> before, String progress,
                   List<String> logs, int invocations, List<String> tokens) implements WorldView {

        @SuppressWarnings("unchecked")
        Map<String, Object> guest(String id) {
            return (Map<String, Object>) instance(id).get("guest");
        }


        long calls(String operation) {
            return list("calls").stream().filter(c -> operation.equals(c.get("operation")) && c.get("error") == null).count();
        }

        /** The refusal of a guest before anything changed: asserts both, and returns the report mailed to the operator. */
        String guestRefusedWithNothingChanged() {
            assertEquals("Xen2Nitro.GuestRefused", report.error(), progress);
            // The cause names the failed checks of the guest, as the console shows it.
            assertTrue(report.cause().matches("The guest was refused: [a-z0-9.-]+: .+\\. Nothing was changed, and any temporary endpoints were removed\\.")
                    && !report.cause().contains("refused: null"), report.cause());
            assertNothingChanged();
            return String.valueOf(list("notifications").get(0).get("message"));
        }

        /** Instances, endpoints, security groups and images as they were before the execution. */
        void assertNothingChanged() {
            for (String key : List.of("instances", "vpcEndpoints", "securityGroups", "images", "replaceRootVolumeTasks")) {
                assertEquals(String.valueOf(before.get(key)), String.valueOf(world.get(key)), key + " changed:\n" + progress);
            }
        }
    }

    static Outcome run(String world, UnaryOperator<String> edit, String input, String approval) throws Exception {
        try (LocalCloud local = LocalCloud.open(Worlds.root(), WorldLoader.load(edit.apply(Worlds.read(world)), world))) {
            Map<String, Object> before = local.world();
            ByteArrayOutputStream progress = new ByteArrayOutputStream();
            Runner.Report report = local.run("MigrateInstanceStateMachine", input, approval, new PrintStream(progress, true, StandardCharsets.UTF_8));
            return new Outcome(report, local.world(), before, progress.toString(StandardCharsets.UTF_8),
                    List.copyOf(local.host().logs), local.host().invocations.size(),
                    List.copyOf(local.emulator().cloud().taskTokens.all().keySet()));
        }
    }

    static Outcome run(String world, String input) throws Exception {
        return run(world, s -> s, input, "auto");
    }

    static String input(String instanceId, String extra) {
        return "{\"instanceId\":\"" + instanceId + "\"" + (extra.isEmpty() ? "" : "," + extra) + "}";
    }

    @Test
    void theSeedIsMigratedWithEndpointsCreatedThenRemovedAndTheBackupKept() throws Exception {
        Outcome o = run("seed-2012r2-private", input(SEED, "\"targetType\":\"m5.xlarge\""));
        assertEquals("SUCCEEDED", o.report().status(), o.progress());
        Map<String, Object> i = o.instance(SEED);
        assertEquals("m5.xlarge", i.get("instanceType"));
        assertEquals(true, i.get("enaSupport"));
        assertEquals("running", i.get("state"));
        assertEquals("ok", i.get("instanceStatus"));
        assertEquals(1, i.get("stopCount"), "one stop/start cycle");
        assertEquals(1, i.get("startCount"));
        // The server's unavailable spans as the emulator modelled them, and the plan's estimate (DowntimeEstimate) of them:
        // the backup AMI's reboot and the PV install's are a shutdown and a boot each; the stop/start is its durations and the time between
        // stopped and StartInstances (real time here, so long at this time factor).
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> down = (List<Map<String, Object>>) i.get("unavailable");
        assertEquals(List.of("CreateImage reboot", "guest reboot", "stop/start"), down.stream().map(d -> d.get("cause")).toList(), down.toString());
        assertTrue(down.stream().noneMatch(d -> (Boolean) d.get("open")), down.toString());
        var estimate = dev.xen2nitro.functions.fleet.DowntimeEstimate.estimate();
        double reboots = ((Number) down.get(0).get("seconds")).doubleValue() + ((Number) down.get(1).get("seconds")).doubleValue();
        double stopStart = ((Number) down.get(2).get("seconds")).doubleValue();
        assertEquals(2 * dev.xen2nitro.functions.fleet.DowntimeEstimate.REBOOT_SECONDS, reboots, 4, down.toString());
        assertEquals(dev.xen2nitro.functions.fleet.DowntimeEstimate.REBOOT_SECONDS, dev.xen2nitro.local.cloud.Cloud.REBOOT_SECONDS, "the estimate's reboot is the emulator's");
        assertEquals(estimate.maxSeconds() - reboots, dev.xen2nitro.local.cloud.Cloud.STOP_SECONDS + dev.xen2nitro.local.cloud.Cloud.START_SECONDS
                + dev.xen2nitro.local.cloud.Cloud.STATUS_INIT_SECONDS, 4, "the estimate's stop/start is the emulator's");
        assertTrue(stopStart >= estimate.maxSeconds() - reboots - 2, down.toString());
        assertEquals(Map.of("pv", "8.4.3", "ena", "2.6.0", "nvme", "1.5.0"), o.guest(SEED).get("drivers"), "NVMe package 1.5.1 reports driver 1.5.0");
        assertEquals(Map.of("name", "EC2Config", "version", "4.9.5777"), o.guest(SEED).get("launchAgent"));
        assertEquals(Map.of("balanced", 0, "highPerformance", 0, "powerSaver", 0), o.guest(SEED).get("power"), "the seed's schemes were at 1");
        // The installer ran out of band and replaced the SSM agent with the one EC2Config 4.9.5777 bundles; the workflow
        // waited for its result instead of the command that started it.
        assertEquals("done 4.9.5777", o.guest(SEED).get("launchAgentUpdate"));
        assertEquals("3.3.484.0", o.guest(SEED).get("ssmAgentVersion"));
        assertTrue(o.progress().contains("CheckLaunchAgentUpdate"), o.progress());
        assertEquals("Migrated and verified.", o.report().output().get("outcome").get("reason").asText());
        assertEquals(4, o.calls("CreateVpcEndpoint"), "ssm, ec2messages, ssmmessages and s3 were missing");
        assertTrue(o.list("vpcEndpoints").isEmpty(), "temporary endpoints are gone");
        assertEquals(List.of("app-servers"), o.list("securityGroups").stream().map(g -> g.get("groupName")).toList());
        Map<String, String> tags = o.tags(SEED);
        assertEquals("migrated", tags.get("xen2nitro:status"));
        assertNull(tags.get("xen2nitro:lock"), "the lock is released");
        String ami = tags.get("xen2nitro:backup-image");
        Map<String, Object> image = o.list("images").stream().filter(im -> im.get("id").equals(ami)).findFirst().orElseThrow();
        assertEquals("available", image.get("state"));
        assertEquals(SEED, ((Map<?, ?>) image.get("tags")).get("xen2nitro:instance"));
        assertNotNull(((Map<?, ?>) image.get("tags")).get("xen2nitro:date"));
        // The approval request to everyone, then to each of the two approvers with their own link, then the report.
        List<String> subjects = o.list("notifications").stream().map(n -> (String) n.get("subject")).toList();
        assertEquals(List.of("xen2nitro: approve " + SEED + " -> m5.xlarge?", "xen2nitro: approve " + SEED + " -> m5.xlarge?",
                "xen2nitro: approve " + SEED + " -> m5.xlarge?", "xen2nitro: " + SEED + " migrated"), subjects);
        assertEquals(List.of(Map.of(), Map.of("approver", "arn:aws:iam::123456789012:user/alice"), Map.of("approver", "arn:aws:iam::123456789012:user/bob"),
                Map.of()), o.list("notifications").stream().map(n -> n.get("attributes")).toList());
        String approval = (String) o.list("notifications").get(0).get("message");
        assertTrue(approval.contains("curl --aws-sigv4") && approval.contains("\"decision\":\"approve\"")
                && approval.contains("\"decision\":\"reject\""), approval);
        // Approved by a local approver at the approval function's URL, the answer verified before anything irreversible.
        assertEquals("approved", o.tags(SEED).get("xen2nitro:approval"));
        List<String> v = o.report().visited();
        assertTrue(v.indexOf("VerifyApproval") < v.indexOf("PreflightBeforeStop") && v.indexOf("PreflightBeforeStop") < v.indexOf("StopInstance"),
                v.toString());
        // One JSON log line per invocation, naming the instance; the approval's task token in none of them, nor in the mail.
        assertEquals(o.invocations(), o.logs().size(), String.join("", o.logs()));
        assertEquals(1, o.tokens().size());
        String token = o.tokens().get(0);
        assertFalse(approval.contains(token), "the task token in the mail");
        assertFalse(o.progress().contains(token), "the task token in the progress");
        for (String line : o.logs()) {
            com.fasterxml.jackson.databind.JsonNode l = new com.fasterxml.jackson.databind.ObjectMapper().readTree(line);
            assertTrue(l.path("function").isTextual() && l.path("ms").isNumber() && l.path("outcome").isTextual(), line);
            assertFalse(line.contains(token), "a task token in a log line: " + line);
            assertFalse(l.has("_aws"), "a migrated instance raises no metric: " + line);
        }
        assertTrue(o.logs().stream().anyMatch(l -> l.contains("\"instanceId\":\"" + SEED + "\"")));
    }

    static UnaryOperator<String> seedGuestFailure(String name) {
        return Worlds.guestField(SEED, "failures", "[\"" + name + "\"]");
    }

    @Test
    void aLaunchAgentThatDoesNotUpdateIsReportedAndTheMigrationKept() throws Exception {
        Outcome o = run("seed-2012r2-private", seedGuestFailure("UpdateLaunchAgent"), input(SEED, ""), "auto");
        assertEquals("SUCCEEDED", o.report().status(), o.progress());
        assertEquals("m5.xlarge", o.instance(SEED).get("instanceType"));
        assertEquals("migrated", o.tags(SEED).get("xen2nitro:status"));
        assertEquals(Map.of("name", "EC2Config", "version", "4.9.4222"), o.guest(SEED).get("launchAgent"), "the update failed");
        assertTrue(o.list("replaceRootVolumeTasks").isEmpty(), "nothing was rolled back");
        String reason = o.report().output().get("outcome").get("reason").asText();
        assertTrue(reason.contains("launch agent was not updated") && reason.contains("Failed"), reason);
        String report = (String) o.list("notifications").get(o.list("notifications").size() - 1).get("message");
        assertTrue(report.contains("launch agent was not updated"), report);
    }

    @Test
    void anEc2ConfigInstallerThatFailsOutOfBandIsReportedAndTheMigrationKept() throws Exception {
        Outcome o = run("seed-2012r2-private", seedGuestFailure("Ec2InstallFails"), input(SEED, ""), "auto");
        assertEquals("SUCCEEDED", o.report().status(), o.progress());
        assertEquals("migrated", o.tags(SEED).get("xen2nitro:status"));
        assertEquals(Map.of("name", "EC2Config", "version", "4.9.4222"), o.guest(SEED).get("launchAgent"), "the installer failed");
        assertTrue(o.list("replaceRootVolumeTasks").isEmpty(), "nothing was rolled back");
        String reason = o.report().output().get("outcome").get("reason").asText();
        assertTrue(reason.contains("launch agent was not updated") && reason.contains("EC2Install.exe"), reason);
    }

    /**
     * The launch agent is updated last, after the migration verified: an installer that leaves the SSM agent dead
     * cannot make the workflow roll back a healthy instance on Nitro (the update's wait gives up and says so).
     */
    @Test
    void anEc2ConfigInstallerThatKillsTheAgentIsReportedAndTheMigrationKept() throws Exception {
        Outcome o = run("seed-2012r2-private", seedGuestFailure("Ec2InstallKillsAgent"), input(SEED, ""), "auto");
        assertEquals("SUCCEEDED", o.report().status(), o.progress());
        assertEquals("m5.xlarge", o.instance(SEED).get("instanceType"));
        assertEquals("migrated", o.tags(SEED).get("xen2nitro:status"));
        assertTrue(o.list("replaceRootVolumeTasks").isEmpty(), "nothing was rolled back");
        assertTrue(o.progress().indexOf("> VerifyMigration") < o.progress().indexOf("> UpdateLaunchAgent"), "verified before the update:\n"
                + o.progress());
        String reason = o.report().output().get("outcome").get("reason").asText();
        assertTrue(reason.contains("launch agent was not updated"), reason);
    }

    @Test
    void aPinnedPackageMissingFromTheBucketStopsTheMigrationBeforeTheGuestChanges() throws Exception {
        Outcome o = run("seed-2012r2-private", w -> w.replace("\"drivers/EC2Install/4.9.5777/EC2Install.zip\"", "\"drivers/EC2Install/4.9.5776/EC2Install.zip\""),
                input(SEED, ""), "auto");
        assertEquals("Xen2Nitro.PackageNotStaged", o.report().error(), o.progress());
        assertTrue(o.progress().contains("> MarkPackagesNotStaged"), o.progress());
        String cause = o.report().cause();
        assertTrue(cause.contains("EC2Install 4.9.5777 is pinned but not staged") && cause.contains("scripts/stage-drivers.sh"), cause);
        o.assertNothingChanged();
        assertEquals(List.of("xen2nitro-CaptureGuestFacts"), o.list("commands").stream().map(c -> c.get("documentName")).toList(),
                "only the facts were read in the guest");
    }

    @Test
    void anAgentThatNeverComesOnlineEndsTheMigrationBeforeAnythingChanges() throws Exception {
        Outcome o = run("seed-2012r2-private", seedGuestFailure("AgentStopped"), input(SEED, ""), "auto");
        assertEquals("FAILED", o.report().status());
        assertEquals("Xen2Nitro.SsmUnreachable", o.report().error(), o.progress());
        assertTrue(o.report().cause().contains("SSM agent did not come online"), o.report().cause());
        assertFalse(o.report().visited().contains("CreateBackupImage"));
        assertEquals("m4.xlarge", o.instance(SEED).get("instanceType"));
        assertTrue(o.list("vpcEndpoints").isEmpty(), "the temporary endpoints are removed");
        assertTrue(o.list("images").isEmpty());
    }

    @Test
    void powerSettingsAreAppliedAfterTheApprovalAndBeforeTheStop() throws Exception {
        Outcome o = run("seed-2012r2-private", input(SEED, ""));
        assertEquals("SUCCEEDED", o.report().status(), o.progress());
        List<String> v = o.report().visited();
        assertTrue(v.indexOf("RequestApproval") < v.indexOf("SetPowerManagement")
                && v.indexOf("SetPowerManagement") < v.indexOf("InstallNvmeDriver")
                && v.indexOf("InstallNvmeDriver") < v.indexOf("StopInstance"), v.toString());
        assertEquals(Map.of("balanced", 0, "highPerformance", 0, "powerSaver", 0), o.guest(SEED).get("power"));
    }

    @Test
    void aStaticIpThePvUpgradeLostIsPutBackBeforeTheApproval() throws Exception {
        Outcome o = run("seed-2012r2-private", seedGuestFailure("LosesStaticIpOnPv"), input(SEED, ""), "auto");
        assertEquals("SUCCEEDED", o.report().status(), o.progress());
        List<String> v = o.report().visited();
        assertTrue(v.indexOf("CheckNetworkConfigAfterPvDriver") < v.indexOf("RestoreNetworkConfigAfterPvDriver")
                && v.indexOf("WaitForRestoreNetworkConfigAfterPvDriver") < v.indexOf("RequestApproval"), v.toString());
        assertTrue(o.report().output().get("networkAfterPvDriver").get("needed").asBoolean(), o.report().output().toString());
        Map<?, ?> nic = (Map<?, ?>) ((List<?>) o.guest(SEED).get("network")).get(0);
        assertEquals(false, nic.get("dhcp"));
        assertEquals(List.of(Map.of("ipAddress", "10.20.1.25", "subnetMask", "255.255.255.0")), nic.get("addresses"));
        assertEquals(List.of("10.20.0.10", "10.20.0.11"), nic.get("dnsServers"));
    }

    @SuppressWarnings("unchecked")
    static List<Object> versionsSent(Outcome o, String document) {
        return o.list("commands").stream().filter(c -> document.equals(c.get("documentName")))
                .map(c -> ((Map<String, List<Object>>) c.get("parameters")).get("Version").get(0)).toList();
    }

    @Test
    void theNvmePackage151WhoseDriverWindowsReportsAs150IsVerifiedAsMigrated() throws Exception {
        // Before: VerifyMigration wanted at least 1.5.1 from a guest that reports 1.5.0, and a healthy instance was rolled back.
        Outcome o = run("seed-2012r2-private", input(SEED, ""));
        assertEquals("SUCCEEDED", o.report().status(), o.progress());
        assertEquals(List.of("1.5.1"), versionsSent(o, "xen2nitro-InstallNvmeDriver"), "the install uses the package version");
        assertEquals("1.5.0", ((Map<?, ?>) o.guest(SEED).get("drivers")).get("nvme"));
        var nvme = StreamSupport.stream(o.report().output().at("/verification/checks").spliterator(), false)
                .filter(c -> c.get("name").asText().equals("nvme-driver")).findFirst().orElseThrow();
        assertTrue(nvme.get("passed").asBoolean(), nvme.toString());
        assertEquals("1.5.0 (pinned driver 1.5.0)", nvme.get("detail").asText());
        assertEquals("migrated", o.tags(SEED).get("xen2nitro:status"));
    }

    @Test
    void anNvmeDriverWindowsReportsAs150IsNotInstalledAgain() throws Exception {
        // Before: the plan compared the reported 1.5.0 with the package version 1.5.1 and ran the NVMe step and Sysprep again.
        Outcome o = run("seed-2012r2-drivers-staged", input(SEED, ""));
        assertEquals("SUCCEEDED", o.report().status(), o.progress());
        assertEquals(List.of(), versionsSent(o, "xen2nitro-InstallNvmeDriver"));
        assertEquals(List.of(), versionsSent(o, "xen2nitro-InstallPvDriver"));
        assertEquals(List.of(), versionsSent(o, "xen2nitro-InstallEnaDriver"));
    }

    @Test
    void aStoppedInstanceIsRefusedAtPreflightWithNothingChanged() throws Exception {
        // Before: it passed preflight, got endpoints and a security group, then failed with Xen2Nitro.SsmUnreachable.
        Outcome o = run("seed-2012r2-private", s -> s.replaceFirst("\"state\": \"running\"", "\"state\": \"stopped\""), input(SEED, ""), "auto");
        assertEquals("Xen2Nitro.PreflightRefused", o.report().error(), o.progress());
        o.assertNothingChanged();
        assertEquals(0, o.calls("CreateVpcEndpoint"));
        assertEquals("stopped", o.instance(SEED).get("state"));
        String report = String.valueOf(o.list("notifications").get(0).get("message"));
        assertTrue(report.contains("aws ec2 start-instances --instance-ids " + SEED) && report.contains("SSM"), report);
    }

    @Test
    void powerShell2IsRefusedWithTheWmfUpdateToInstallAndNothingChanges() throws Exception {
        // Before: nothing read the PowerShell version, and the ENA install.ps1 failed on the guest after the backup.
        Outcome o = run("seed-2012r2-private", Worlds.guestField(SEED, "powerShell", "\"2.0\""), input(SEED, ""), "auto");
        String report = o.guestRefusedWithNothingChanged();
        assertTrue(report.contains("PowerShell 2.0") && report.contains("Windows Management Framework 5.1 (KB3191564)"), report);
    }

    @Test
    void windows2008R2OnPowerShell2NeedingOnlyThePvPackageIsRefusedAndNothingChanges() throws Exception {
        // Before: only the ENA and NVMe steps asked for PowerShell 3.0, so this guest passed, got its backup AMI, and the PV step
        // failed in the guest: its zip is unpacked with .NET 4.5's ZipFile, which PowerShell 2.0 (CLR 2.0) cannot load.
        String legacy = "i-0f1e2d3c4b5a60001";
        UnaryOperator<String> world = w -> Worlds.guestField(legacy, "powerShell", "\"2.0\"")
                .apply(Worlds.guestField(legacy, "drivers", "{\"pv\":\"7.2.0\",\"ena\":\"2.2.3\",\"nvme\":\"1.3.2\"}")
                        .apply(Worlds.guestField(legacy, "launchAgent", "{\"name\":\"EC2Config\",\"version\":\"4.9.5777\"}").apply(w)));
        Outcome o = run("mixed-fleet", world, input(legacy, "\"targetType\":\"m5.large\""), "auto");
        // "(AWS PV)": the refusal names the package steps that would run, here the PV step alone.
        String report = o.guestRefusedWithNothingChanged();
        assertTrue(report.contains("PowerShell 2.0") && report.contains("(AWS PV)") && report.contains("Windows Management Framework 5.1 (KB3191566"),
                report);
        assertEquals(List.of(), versionsSent(o, "xen2nitro-InstallPvDriver"));
    }

    @Test
    void windows2008R2WithoutTheSha2UpdatesIsRefusedNamingEachKb() throws Exception {
        String legacy = "i-0f1e2d3c4b5a60001";
        Outcome o = run("mixed-fleet", Worlds.guestField(legacy, "hotfixes", "[]"), input(legacy, "\"targetType\":\"m5.large\""), "auto");
        String report = o.guestRefusedWithNothingChanged();
        assertTrue(report.contains("install KB4474419") && report.contains("install KB3033929"), report);
    }

    @Test
    void aClientEditionIsRefusedAsNotWindowsServer() throws Exception {
        Outcome o = run("seed-2012r2-private", Worlds.guestField(SEED, "productType", "1"), input(SEED, ""), "auto");
        String report = o.guestRefusedWithNothingChanged();
        assertTrue(report.contains("migrates Windows Server only"), report);
    }

    @Test
    void powerValuesAlreadyZeroSkipTheStepWhateverTheAmiDate() throws Exception {
        Outcome o = run("seed-2012r2-private", Worlds.guestField(SEED, "power", "{\"balanced\":0,\"highPerformance\":0,\"absent\":[\"powerSaver\"]}"),
                input(SEED, ""), "auto");
        assertEquals("SUCCEEDED", o.report().status(), o.progress());
        assertFalse(o.report().output().at("/guest/assessment/powerManagement/run").asBoolean(), o.report().output().toString());
        assertEquals(0, o.list("commands").stream().filter(c -> String.valueOf(c.get("documentName")).endsWith("SetPowerManagement")).count());
    }

    @Test
    void theSecondOfTwoAdaptersLosesItsStaticConfigurationInThePvStepAndGetsBothAddressesBack() throws Exception {
        String nics = "[{\"macAddress\":\"0A:00:00:00:00:01\",\"dhcp\":false,\"addresses\":[{\"ipAddress\":\"10.20.1.25\",\"subnetMask\":\"255.255.255.0\"},"
                + "{\"ipAddress\":\"10.20.1.26\",\"subnetMask\":\"255.255.255.0\"}],\"gateways\":[\"10.20.1.1\"],\"dnsServers\":[\"10.20.0.10\"]},"
                + "{\"macAddress\":\"0A:00:00:00:00:02\",\"dhcp\":false,\"addresses\":[{\"ipAddress\":\"10.20.1.40\",\"subnetMask\":\"255.255.255.0\"},"
                + "{\"ipAddress\":\"10.20.1.41\",\"subnetMask\":\"255.255.255.0\"}],\"gateways\":[],\"dnsServers\":[\"10.20.0.11\"]}]";
        UnaryOperator<String> world = w -> Worlds.guestField(SEED, "failures", "[\"LosesStaticIpOnPv:0A:00:00:00:00:02\"]")
                .apply(Worlds.guestField(SEED, "nics", nics).apply(w));
        Outcome o = run("seed-2012r2-private", world, input(SEED, ""), "auto");
        assertEquals("SUCCEEDED", o.report().status(), o.progress());
        JsonNode lost = o.report().output().get("networkAfterPvDriver");
        assertEquals(1, lost.get("adapters").size(), lost.toString());
        assertEquals("0A:00:00:00:00:02", lost.at("/adapters/0/macAddress").asText());
        List<?> network = (List<?>) o.guest(SEED).get("network");
        Map<?, ?> second = (Map<?, ?>) network.get(1);
        assertEquals(false, second.get("dhcp"));
        assertEquals(List.of(Map.of("ipAddress", "10.20.1.40", "subnetMask", "255.255.255.0"), Map.of("ipAddress", "10.20.1.41", "subnetMask", "255.255.255.0")),
                second.get("addresses"));
        assertEquals(List.of("10.20.0.11"), second.get("dnsServers"));
        assertEquals(2, ((List<?>) ((Map<?, ?>) network.get(0)).get("addresses")).size(), "the first adapter kept both addresses");
    }

    @Test
    void windowsServer2008IsRefusedAfterItsFactsAreReadNotGivenTheDriversOf2016() throws Exception {
        // Before: CaptureGuestFacts named 6.0 "2016" and the plan pinned the latest drivers for it.
        Outcome o = run("seed-2012r2-private", s -> s.replace("\"os\": \"2012R2\"", "\"os\": \"2008\""), input(SEED, ""), "auto");
        assertEquals("Xen2Nitro.GuestRefused", o.report().error(), o.progress());
        o.assertNothingChanged();
        assertEquals(List.of("xen2nitro-CaptureGuestFacts"), o.list("commands").stream().map(c -> c.get("documentName")).toList());
        String report = String.valueOf(o.list("notifications").get(0).get("message"));
        assertTrue(report.contains("Windows Server 2008 (6.0.6002)") && report.contains("supported:"), report);
    }

    @Test
    void existingEndpointsAreReusedAndLeftInPlace() throws Exception {
        String id = "i-0f1e2d3c4b5a60009";
        Outcome o = run("mixed-fleet", input(id, "\"targetType\":\"m5.large\""));
        assertEquals("SUCCEEDED", o.report().status(), o.progress());
        assertEquals("m5.large", o.instance(id).get("instanceType"));
        assertEquals(0, o.calls("CreateVpcEndpoint"));
        assertEquals(0, o.calls("CreateSecurityGroup"));
        assertEquals(String.valueOf(o.before().get("vpcEndpoints")), String.valueOf(o.world().get("vpcEndpoints")));
        assertEquals(Map.of("pv", "8.6.1", "ena", "2.11.0", "nvme", "1.8.2"), o.guest(id).get("drivers"));
        // The ENA adapter lost the static IP and DNS; they were put back.
        Map<?, ?> nic = (Map<?, ?>) ((List<?>) o.guest(id).get("network")).get(0);
        assertEquals(false, nic.get("dhcp"));
        assertEquals("10.30.2.40", ((Map<?, ?>) ((List<?>) nic.get("addresses")).get(0)).get("ipAddress"));
        assertEquals(List.of("10.30.0.2"), nic.get("dnsServers"));
        assertTrue(o.report().visited().contains("RestoreNetworkConfig"));
    }

    @Test
    void aCurrentPvDriverIsSkippedWithoutAnExtraReboot() throws Exception {
        String id = "i-0f1e2d3c4b5a60002";
        Outcome o = run("mixed-fleet", input(id, ""));
        assertEquals("SUCCEEDED", o.report().status(), o.progress());
        assertEquals("c5.xlarge", o.instance(id).get("instanceType"), "chosen automatically for c4.xlarge");
        assertEquals("8.4.3", ((Map<?, ?>) o.guest(id).get("drivers")).get("pv"));
        // Reboots: the backup AMI and the start on Nitro; none for PV.
        assertEquals(2, o.guest(id).get("reboots"));
        List<Object> documents = o.list("commands").stream().map(c -> c.get("documentName")).toList();
        assertEquals(List.of("xen2nitro-CaptureGuestFacts", "xen2nitro-InstallEnaDriver", "xen2nitro-InstallNvmeDriver",
                "xen2nitro-CaptureGuestFacts"), documents, "PV, EC2Config (current), power settings (2019 AMI) and network are skipped");
    }

    @Test
    void theTargetIsChosenWhenAbsent() throws Exception {
        Outcome o = run("seed-2012r2-drivers-staged", input(SEED, ""));
        assertEquals("SUCCEEDED", o.report().status(), o.progress());
        assertEquals("m5.xlarge", o.instance(SEED).get("instanceType"));
        assertTrue(o.report().output().get("preflight").get("targetReason").asText().contains("m4.xlarge -> m5.xlarge"));
        Outcome t2 = run("mixed-fleet", input("i-0f1e2d3c4b5a60003", ""));
        assertEquals("SUCCEEDED", t2.report().status(), t2.progress());
        assertEquals("t3.medium", t2.instance("i-0f1e2d3c4b5a60003").get("instanceType"));
    }

    @Test
    void explicitTargetsThatAreXenNotOfferedOrOfAnotherArchitectureAreRefused() throws Exception {
        for (String target : List.of("m4.2xlarge", "mac1.metal", "a1.xlarge", "m9.huge")) {
            Outcome o = run("seed-2012r2-private", input(SEED, "\"targetType\":\"" + target + "\""));
            assertEquals("Xen2Nitro.PreflightRefused", o.report().error(), target + ": " + o.progress());
            o.assertNothingChanged();
        }
    }

    @Test
    void preflightRefusesWithNothingChanged() throws Exception {
        for (String id : List.of("i-0f1e2d3c4b5a60007", "i-0f1e2d3c4b5a60005", "i-0f1e2d3c4b5a60004", "i-0f1e2d3c4b5a60008", "i-0123456789abcdef0")) {
            Outcome o = run("mixed-fleet", input(id, ""));
            assertEquals("FAILED", o.report().status(), id);
            assertEquals("Xen2Nitro.PreflightRefused", o.report().error(), id + ": " + o.report().cause());
            o.assertNothingChanged();
            // The refusal's report alone: the cleanup that follows the FAILED execution finds nothing of its own to do,
            // also for an ID that names no instance (i-0123456789abcdef0), and sends no second report.
            List<Map<String, Object>> mails = o.list("notifications");
            assertEquals(1, mails.size(), id + ": " + mails + "\n" + o.progress());
            assertTrue(String.valueOf(mails.get(0).get("subject")).contains("refused"), id + ": " + mails.get(0).get("subject"));
            // The execution's cause names each failed check and what to do, as the console shows it.
            assertTrue(o.report().cause().startsWith("Preflight refused: ") && o.report().cause().endsWith("Nothing was changed."),
                    o.report().cause());
        }
        assertTrue(run("mixed-fleet", input("i-0123456789abcdef0", "")).report().cause()
                .contains("instance-exists: instance i-0123456789abcdef0 was not found in this account and region"));
        Outcome asg = run("mixed-fleet", inGroup("InService"), input("i-0f1e2d3c4b5a60002", ""), "auto");
        assertEquals("Xen2Nitro.PreflightRefused", asg.report().error());
        String report = String.valueOf(asg.list("notifications").get(0).get("message"));
        assertTrue(report.contains("aws autoscaling enter-standby"), report);
        asg.assertNothingChanged();
    }

    /**
     * A refusal whose own report could not be sent (SNS refused it once; PublishReport's failure is caught and the
     * execution ends FAILED): the cleanup finds in the execution's history that no report went out, and sends one.
     */
    @Test
    void aRefusalWhoseReportWasNotSentIsReportedByTheCleanup() throws Exception {
        Outcome o = run("mixed-fleet", FaultSuiteTest.faults("{\"service\":\"sns\",\"operation\":\"Publish\",\"code\":\"AuthorizationError\","
                + "\"message\":\"not allowed\",\"status\":403,\"count\":1}"), input("i-0123456789abcdef0", ""), "auto");
        assertEquals("Xen2Nitro.PreflightRefused", o.report().error(), o.progress());
        List<Map<String, Object>> mails = o.list("notifications");
        assertEquals(1, mails.size(), mails + "\n" + o.progress());
        String report = String.valueOf(mails.get(0).get("message"));
        assertTrue(report.contains("Its instance i-0123456789abcdef0 is gone") && report.contains("it had taken no backup AMI"), report);
        assertFalse(String.valueOf(mails.get(0).get("subject")).contains("ACTION REQUIRED"), String.valueOf(mails.get(0).get("subject")));
    }

    /** A report that went out on the state's retry (SNS failing the first attempt's calls) is the only one. */
    @Test
    void aRefusalWhoseReportWentOutOnARetryIsNotReportedTwice() throws Exception {
        // Four failures: the SDK's own four attempts (legacy retry mode: three retries) of the first invocation; the state's retry then succeeds.
        Outcome o = run("mixed-fleet", FaultSuiteTest.faults("{\"service\":\"sns\",\"operation\":\"Publish\",\"code\":\"InternalError\","
                + "\"message\":\"try again\",\"status\":500,\"count\":4}"), input("i-0123456789abcdef0", ""), "auto");
        assertEquals("Xen2Nitro.PreflightRefused", o.report().error(), o.progress());
        assertTrue(o.progress().contains("PublishReport retried"), "the state's first attempt failed:\n" + o.progress());
        List<Map<String, Object>> mails = o.list("notifications");
        assertEquals(1, mails.size(), mails + "\n" + o.progress());
        assertTrue(String.valueOf(mails.get(0).get("subject")).contains("refused"), String.valueOf(mails.get(0).get("subject")));
    }

    static UnaryOperator<String> inGroup(String lifecycle) {
        return s -> s.replace("\"tags\": {\n        \"Name\": \"batch-2012r2\"",
                "\"autoScaling\": { \"groupName\": \"batch\", \"lifecycleState\": \"" + lifecycle + "\" },\n      \"tags\": {\n        \"Name\": \"batch-2012r2\"");
    }

    @Test
    void anAutoScalingMemberInStandbyIsMigrated() throws Exception {
        Outcome o = run("mixed-fleet", inGroup("Standby"), input("i-0f1e2d3c4b5a60002", ""), "auto");
        assertEquals("SUCCEEDED", o.report().status(), o.progress());
        assertEquals("c5.xlarge", o.instance("i-0f1e2d3c4b5a60002").get("instanceType"));
    }

    @Test
    void aDomainControllerIsRefusedAfterItsFactsAreRead() throws Exception {
        Outcome o = run("mixed-fleet", input("i-0f1e2d3c4b5a60006", ""));
        assertEquals("Xen2Nitro.GuestRefused", o.report().error(), o.progress());
        o.assertNothingChanged();
        assertTrue(o.progress().contains("> MarkGuestRefused"));
        assertTrue(o.report().cause().contains("guest"), o.report().cause());
        assertEquals(List.of("xen2nitro-CaptureGuestFacts"), o.list("commands").stream().map(c -> c.get("documentName")).toList());
    }

    @Test
    void instanceStoreWithConsentIsMigrated() throws Exception {
        Outcome o = run("mixed-fleet", input("i-0f1e2d3c4b5a60005", "\"allowInstanceStoreLoss\":true"));
        assertEquals("SUCCEEDED", o.report().status(), o.progress());
        assertEquals("m5.large", o.instance("i-0f1e2d3c4b5a60005").get("instanceType"));
    }

    @Test
    void rejectedApprovalLeavesTheOriginalTypeRunningAndNoEndpoints() throws Exception {
        Outcome o = run("seed-2012r2-private", s -> s, input(SEED, ""), "reject");
        assertEquals("Xen2Nitro.ApprovalRejected", o.report().error(), o.progress());
        assertOriginalTypeRunningWithoutTemporaryResources(o, "rejected");
    }

    @Test
    void anUnansweredApprovalTimesOutLikewise() throws Exception {
        Outcome o = run("seed-2012r2-private", s -> s, input(SEED, "\"approvalTimeoutSeconds\":60"), "manual");
        assertEquals("Xen2Nitro.ApprovalTimedOut", o.report().error(), o.progress());
        assertOriginalTypeRunningWithoutTemporaryResources(o, "approval-timed-out");
    }

    static void assertOriginalTypeRunningWithoutTemporaryResources(Outcome o, String status) {
        Map<String, Object> i = o.instance(SEED);
        assertEquals("m4.xlarge", i.get("instanceType"));
        assertEquals("running", i.get("state"));
        assertEquals(0, i.get("stopCount"));
        assertNull(((Map<?, ?>) o.guest(SEED).get("drivers")).get("nvme"), "NVMe and Sysprep run only after approval");
        assertTrue(o.list("vpcEndpoints").isEmpty());
        assertEquals(1, o.list("securityGroups").size());
        assertEquals(status, o.tags(SEED).get("xen2nitro:status"));
        assertNull(o.tags(SEED).get("xen2nitro:lock"));
    }

    @Test
    void aDryRunReportsAndChangesNothing() throws Exception {
        Outcome o = run("seed-2012r2-private", input(SEED, "\"dryRun\":true"));
        assertEquals("SUCCEEDED", o.report().status(), o.progress());
        o.assertNothingChanged();
        var preflight = o.report().output().get("preflight");
        assertTrue(preflight.get("ready").asBoolean());
        assertEquals("m5.xlarge", preflight.get("targetType").asText());
        assertEquals(4, preflight.get("missingEndpoints").size());
        assertEquals("xen2nitro: " + SEED + " dry-run", o.list("notifications").get(0).get("subject"));
    }

    @Test
    void aDryRunReadsTheGuestWhenSsmAlreadyReachesIt() throws Exception {
        Outcome ok = run("mixed-fleet", input("i-0f1e2d3c4b5a60002", "\"dryRun\":true"));
        assertEquals("SUCCEEDED", ok.report().status(), ok.progress());
        ok.assertNothingChanged();
        var plan = ok.report().output().get("guest").get("assessment");
        assertFalse(plan.get("pv").get("run").asBoolean(), "PV 8.4.3 is current on 2012 R2");
        assertTrue(plan.get("ena").get("run").asBoolean());
        Outcome dc = run("mixed-fleet", input("i-0f1e2d3c4b5a60006", "\"dryRun\":true"));
        assertEquals("Xen2Nitro.GuestRefused", dc.report().error(), dc.progress());
        dc.assertNothingChanged();
    }

    @Test
    void aSecondExecutionForTheSameInstanceFailsFastAndTheFirstCompletes() throws Exception {
        try (LocalCloud local = LocalCloud.open(Worlds.root(), WorldLoader.load(Worlds.read("seed-2012r2-private"), "seed"))) {
            secondExecutionIsLockedOut(local);
        }
    }

    private static void secondExecutionIsLockedOut(LocalCloud local) throws Exception {
        var tokens = local.emulator().cloud().taskTokens;
        ByteArrayOutputStream firstProgress = new ByteArrayOutputStream();
        CompletableFuture<Runner.Report> first = CompletableFuture.supplyAsync(() -> {
            try {
                return local.run("MigrateInstanceStateMachine", input(SEED, ""), "manual", new PrintStream(firstProgress, true, StandardCharsets.UTF_8));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(Worlds.eventually(60, () -> tokens.all().values().stream().anyMatch(t -> t.status.equals("waiting"))), firstProgress.toString());
        ByteArrayOutputStream secondProgress = new ByteArrayOutputStream();
        Runner.Report second = local.run("MigrateInstanceStateMachine", input(SEED, ""), "auto", new PrintStream(secondProgress, true, StandardCharsets.UTF_8));
        assertEquals("dev.xen2nitro.functions.lock.InstanceLockedException", second.error(), secondProgress.toString());
        assertFalse(second.visited().contains("CreateBackupImage"));
        assertEquals(200, ApprovalWorkflowTest.approve(local, dev.xen2nitro.local.host.LocalPeople.ALICE).status());
        Runner.Report firstReport = first.get();
        assertEquals("SUCCEEDED", firstReport.status(), firstProgress.toString());
        @SuppressWarnings("unchecked")
        Map<String, Object> i = ((List<Map<String, Object>>) local.world().get("instances")).get(0);
        assertEquals("m5.xlarge", i.get("instanceType"));
    }

    @Test
    void localRunWritesTheReportAndTheWorld() throws Exception {
        java.nio.file.Path out = Files.createTempDirectory("xen2nitro-out");
        int rc = Main.run(new String[] {"--world", Worlds.world("seed-2012r2-private").toString(),
                "--input", Worlds.root().resolve("events/MigrateInstance-seed.json").toString(), "--out", out.toString()});
        assertEquals(0, rc);
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        var report = json.readTree(out.resolve("report.json").toFile());
        assertEquals("SUCCEEDED", report.get("status").asText());
        var world = json.readTree(out.resolve("world.json").toFile());
        assertEquals("m5.xlarge", world.get("instances").get(0).get("instanceType").asText());
    }
}
