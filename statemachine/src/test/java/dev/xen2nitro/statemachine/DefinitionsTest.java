package dev.xen2nitro.statemachine;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The deployed definitions are what their sources produce, and what they promise holds in them. */
class DefinitionsTest {
    static final Path ROOT = Path.of(System.getProperty("xen2nitro.projectRoot", "..")).toAbsolutePath().normalize();
    static final Path SOURCES = ROOT.resolve("statemachine");
    static final Path GENERATED = Path.of(System.getProperty("xen2nitro.generated", "target/generated"));

    static Map<String, JsonNode> definitions() throws Exception {
        Map<String, JsonNode> out = new TreeMap<>();
        for (Path source : Generator.sources(SOURCES)) {
            String name = source.getFileName().toString().replace(".asl.yaml", ".asl.json");
            out.put(name, Generator.JSON.readTree(SOURCES.resolve(name).toFile()));
        }
        return out;
    }

    @Test
    void theCommittedDefinitionsAreWhatTheSourcesProduce() throws Exception {
        List<Path> sources = Generator.sources(SOURCES);
        assertEquals(4, sources.size(), "clean-up-execution, migrate-fleet, migrate-instance and rollback-instance: " + sources);
        for (Path source : sources) {
            String name = source.getFileName().toString().replace(".asl.yaml", ".asl.json");
            String expected = Files.readString(GENERATED.resolve(name));
            assertEquals(expected, Files.readString(SOURCES.resolve(name)), "statemachine/" + name + " differs from what "
                    + source.getFileName() + " produces: edit the .asl.yaml, then run ./mvnw -pl statemachine -am package -DskipTests");
        }
    }

    /**
     * The plan's hash is computed twice, from what each state is given: RequestApproval's for the mail and the pending
     * approval, VerifyApproval's for the check. Both must be given the same plan, or no approval could ever match.
     */
    @Test
    void theApprovalIsVerifiedAgainstThePlanThatWasMailed() throws Exception {
        JsonNode states = definitions().get("migrate-instance.asl.json").get("States");
        JsonNode mailed = states.get("RequestApproval").at("/Parameters/Payload/report");
        JsonNode checked = states.get("VerifyApproval").at("/Parameters/report");
        assertTrue(mailed.isObject() && mailed.size() > 0, "RequestApproval mails a plan");
        assertEquals(mailed, checked);
        assertEquals("VerifyApproval", states.get("RequestApproval").get("Next").asText());
        assertEquals("$.approval", states.get("VerifyApproval").at("/Parameters/answer.$").asText(), "whatever came back is what is checked");
    }

    /** A Java-looking error name that matches no exception would never catch anything, silently. */
    @Test
    void everyJavaErrorNameIsAnExceptionOfTheFunctions() throws Exception {
        Pattern javaName = Pattern.compile("[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+\\.[A-Z][A-Za-z0-9_$]*");
        List<String> checked = new ArrayList<>();
        for (var d : definitions().entrySet()) {
            for (JsonNode errors : d.getValue().findValues("ErrorEquals")) {
                for (JsonNode e : errors) {
                    String name = e.asText();
                    if (!javaName.matcher(name).matches()) continue;
                    Class<?> c = assertDoesNotThrow(() -> Class.forName(name), d.getKey() + " catches " + name + ", which is no class");
                    assertTrue(Throwable.class.isAssignableFrom(c), name + " is not an exception");
                    assertTrue(name.startsWith("dev.xen2nitro.functions."), name + " is not one of the functions' exceptions");
                    checked.add(name);
                }
            }
        }
        assertTrue(checked.contains("dev.xen2nitro.functions.core.TransientAwsException"), checked.toString());
        assertTrue(checked.contains("dev.xen2nitro.functions.lock.InstanceLockedException"), checked.toString());
    }

    @Test
    void everyTaskRetriesTransientErrorsAndEveryLoopHasALimit() throws Exception {
        for (var d : definitions().entrySet()) {
            JsonNode states = d.getValue().get("States");
            states.fields().forEachRemaining(e -> {
                JsonNode s = e.getValue();
                if (s.path("Type").asText().equals("Task")) {
                    assertTrue(s.path("Retry").toString().contains("Lambda.ServiceException"), e.getKey() + " has no transient retry");
                    assertTrue(s.path("Catch").toString().contains("States.ALL"), e.getKey() + " has no catch for States.ALL");
                }
                if (s.path("Type").asText().equals("Wait")) {
                    // The Wait leads to the checks, then to a decision with a limit on its counter.
                    JsonNode next = states.get(s.path("Next").asText());
                    while (next.path("Type").asText().equals("Task")) next = states.get(next.path("Next").asText());
                    assertTrue(next.path("Choices").toString().contains("NumericGreaterThanEquals"), e.getKey() + " loops without a limit");
                }
            });
        }
    }

    /**
     * Each guest step waits in a loop of its own, at least as long as Run Command may run its document
     * (a PV install that is slow but healthy must not be abandoned), and no state routes by step name.
     */
    @Test
    void eachGuestStepWaitsAsLongAsItsDocumentMayRun() throws Exception {
        JsonNode states = definitions().get("migrate-instance.asl.json").get("States");
        Generator g = new Generator(SOURCES);
        int delivery = dev.xen2nitro.functions.guest.GuestStep.DELIVERY_TIMEOUT_SECONDS;
        assertEquals(delivery, Generator.YAML.readTree(SOURCES.resolve("migrate-instance.asl.yaml").toFile())
                .at("/GuestStepDefaults/DeliverySeconds").asInt(), "SendCommand's delivery timeout and the source disagree");
        // The PV install reboots once: the script runs again from the start after the reboot (exit 3010).
        Map<String, Integer> documentSeconds = Map.ofEntries(Map.entry("CaptureGuestFactsAfterPvDriver", g.documentTimeout("CaptureGuestFactsDocument", "t")),
                Map.entry("RestoreNetworkConfigAfterPvDriver", g.documentTimeout("RestoreNetworkConfigDocument", "t")),
                Map.entry("CaptureGuestFacts", g.documentTimeout("CaptureGuestFactsDocument", "t")),
                Map.entry("InstallPvDriver", 2 * g.documentTimeout("InstallPvDriverDocument", "t") + 900),
                Map.entry("InstallEnaDriver", g.documentTimeout("InstallEnaDriverDocument", "t")),
                Map.entry("InstallNvmeDriver", g.documentTimeout("InstallNvmeDriverDocument", "t")),
                Map.entry("UpdateLaunchAgent", g.documentTimeout("UpdateLaunchAgentDocument", "t")),
                Map.entry("SetPowerManagement", g.documentTimeout("SetPowerManagementDocument", "t")),
                Map.entry("CaptureGuestFactsAfterMove", g.documentTimeout("CaptureGuestFactsDocument", "t")),
                Map.entry("RestoreNetworkConfig", g.documentTimeout("RestoreNetworkConfigDocument", "t")));
        assertEquals(1800, g.documentTimeout("InstallPvDriverDocument", "t"));
        for (var step : documentSeconds.entrySet()) {
            String s = step.getKey();
            assertEquals("Was" + s + "Sent", states.get(s).path("Next").asText(), s);
            int every = states.get("WaitFor" + s).path("Seconds").asInt();
            int polls = -1;
            for (JsonNode rule : states.get("Is" + s + "Done").path("Choices")) {
                if (rule.has("NumericGreaterThanEquals")) polls = rule.get("NumericGreaterThanEquals").asInt();
            }
            int mayTake = delivery + step.getValue();
            assertTrue(every * polls >= mayTake, s + " waits " + every * polls + " s; Run Command may take " + mayTake + " s");
        }
        assertFalse(states.toString().contains("\"Variable\":\"$.command.step\""), "a state routes by step name");
    }

    @Test
    void aPollExpandsToAWaitACheckADecisionACounterAndItsLimit() throws Exception {
        ObjectNode source = (ObjectNode) Generator.YAML.readTree("""
                StartAt: Start
                TaskDefaults:
                  Catch: [{ErrorEquals: [States.ALL], ResultPath: $.error, Next: Failed}]
                States:
                  Start: {Type: Pass, PollCounters: true, ResultPath: $.polls, Next: CheckThing}
                  WaitForThing:
                    Type: Poll
                    Every: 30
                    Within: 600
                    Check:
                      CheckThing: {Resource: arn:aws:lambda:us-east-1:123456789012:function:F, ResultPath: $.thing}
                    Decide: IsThingReady
                    Until: [{Variable: $.thing.ready, BooleanEquals: true, Next: Done}]
                    TimedOut: The thing was not ready within {limit}.
                    OnLimit: Failed
                  Done: {Type: Succeed}
                  Failed: {Type: Fail}
                """);
        JsonNode states = new Generator(SOURCES).expand(source, "test").get("States");
        assertEquals(List.of("Start", "WaitForThing", "CheckThing", "IsThingReady", "CountThingPoll", "ThingPollLimitReached", "Done", "Failed"),
                iterate(states));
        assertEquals(30, states.at("/WaitForThing/Seconds").asInt());
        assertEquals(20, states.at("/IsThingReady/Choices/1/NumericGreaterThanEquals").asInt());
        assertEquals("$.polls.Thing.count", states.at("/IsThingReady/Choices/1/Variable").asText());
        assertEquals("The thing was not ready within 10 minutes.", states.at("/ThingPollLimitReached/Result/Cause").asText());
        assertEquals("Xen2Nitro.PollLimitReached", states.at("/ThingPollLimitReached/Result/Error").asText());
        assertEquals("Failed", states.at("/CheckThing/Catch/0/Next").asText());
        assertEquals("Sandbox.Timedout", states.at("/CheckThing/Retry/0/ErrorEquals/0").asText());
        assertEquals(0, states.at("/Start/Result/Thing/count").asInt());
    }

    @Test
    void aSourceWithoutTheFailureCatchIsRefused() throws Exception {
        ObjectNode source = (ObjectNode) Generator.YAML.readTree("StartAt: A\nStates:\n  A: {Type: Succeed}\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Generator(SOURCES).expand(source, "x.asl.yaml"));
        assertTrue(e.getMessage().contains("TaskDefaults"), e.getMessage());
    }

    static List<String> iterate(JsonNode states) {
        List<String> names = new ArrayList<>();
        states.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
