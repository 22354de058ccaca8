package dev.xen2nitro.functions;

import static org.junit.jupiter.api.Assertions.*;

import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import dev.xen2nitro.functions.core.InvalidInputException;
import dev.xen2nitro.functions.core.JsonHandler;
import dev.xen2nitro.functions.typechange.ChangeInstanceType;
import dev.xen2nitro.functions.typechange.CheckInstanceState;
import dev.xen2nitro.functions.typechange.EnableEnaSupport;
import dev.xen2nitro.functions.typechange.InstanceRef;
import dev.xen2nitro.functions.typechange.StartInstance;
import dev.xen2nitro.functions.typechange.StopInstance;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Input handling of every handler, without AWS: each events/ sample binds, and bad input is an
 * {@link InvalidInputException} that says what is wrong, raised before any AWS call (there is no
 * endpoint here, so a call would fail differently). Priming touches the same paths.
 */
class HandlerInputTest {

    /** Every handler of template.yaml (its Handler lines), named as its events/ sample. */
    static final List<JsonHandler<?, ?>> ALL = handlersOfTheTemplate();

    static List<JsonHandler<?, ?>> handlersOfTheTemplate() {
        try {
            String template = java.nio.file.Files.readString(java.nio.file.Path.of("../template.yaml"));
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("Handler: *([\\w.]+)::handleRequest").matcher(template);
            java.util.Set<String> classes = new java.util.TreeSet<>();
            while (m.find()) {
                classes.add(m.group(1));
            }
            java.util.List<JsonHandler<?, ?>> all = new java.util.ArrayList<>();
            for (String c : classes) {
                all.add((JsonHandler<?, ?>) Class.forName(c).getDeclaredConstructor().newInstance());
            }
            return List.copyOf(all);
        } catch (java.io.IOException | ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read the handlers of ../template.yaml", e);
        }
    }

    static Stream<Arguments> everyHandler() {
        return ALL.stream().map(h -> Arguments.of(h, h.getClass().getSimpleName()));
    }

    static Stream<Arguments> handlers() {
        return Stream.of(
                Arguments.of(new StopInstance(), "StopInstance"),
                Arguments.of(new StartInstance(), "StartInstance"),
                Arguments.of(new EnableEnaSupport(), "EnableEnaSupport"),
                Arguments.of(new ChangeInstanceType(), "ChangeInstanceType"),
                Arguments.of(new CheckInstanceState(), "CheckInstanceState"));
    }

    static InvalidInputException refused(JsonHandler<?, ?> handler, String input) {
        return assertThrows(InvalidInputException.class, () -> handler.handleRequest(
                new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), new ByteArrayOutputStream(), null));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("everyHandler")
    void theEventsSampleBindsAndTheSnapStartHookPrimesWithoutAws(JsonHandler<?, ?> handler, String name) throws Exception {
        java.util.Map<?, ?> sample = EventLoader.loadEvent("../events/" + name + ".json", java.util.Map.class);
        assertNotNull(sample, "events/" + name + ".json");
        assertNotNull(handler.parse(JsonHandler.JSON.writeValueAsBytes(sample)));
        // Priming answers the SDK's calls itself (PrimingTest shows that none leaves the process).
        handler.beforeCheckpoint(null);
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("handlers")
    void aMalformedInstanceIdIsRefusedWithAnExample(JsonHandler<?, ?> handler, String name) {
        String input = name.equals("ChangeInstanceType") ? "{\"instanceId\":\"i-12\",\"targetType\":\"m5.xlarge\"}" : "{\"instanceId\":\"i-12\"}";
        InvalidInputException e = refused(handler, input);
        assertTrue(e.getMessage().contains("'instanceId' is \"i-12\", which is not an EC2 instance ID"), e.getMessage());
        assertTrue(e.getMessage().contains("e.g. i-0abc123def4567890"), e.getMessage());
    }

    @Test
    void unknownFieldsAreNamedWithTheKnownOnes() {
        InvalidInputException e = refused(new StopInstance(), "{\"instanceId\":\"i-0a1b2c3d4e5f60001\",\"force\":true}");
        assertEquals("unknown field 'force' in the input; known fields: instanceId", e.getMessage());
    }

    @Test
    void missingAndMistypedFieldsAreNamed() {
        assertTrue(refused(new StopInstance(), "{}").getMessage().contains("'instanceId' is required"));
        assertTrue(refused(new StopInstance(), "{\"instanceId\":[1]}").getMessage().contains("instanceId"));
        assertTrue(refused(new StopInstance(), "not json").getMessage().startsWith("the input is not valid JSON"));
        assertTrue(refused(new StopInstance(), "null").getMessage().startsWith("the input is empty"));
    }

    @Test
    void aTargetTypeMustLookLikeAnInstanceType() {
        InvalidInputException e = refused(new ChangeInstanceType(), "{\"instanceId\":\"i-0a1b2c3d4e5f60001\",\"targetType\":\"M5 XLarge\"}");
        assertTrue(e.getMessage().contains("'targetType' is \"M5 XLarge\", which is not an instance type name"), e.getMessage());
        assertTrue(refused(new ChangeInstanceType(), "{\"instanceId\":\"i-0a1b2c3d4e5f60001\"}").getMessage().contains("'targetType' is required"));
    }

    /** ChangeInstanceType sets Nitro types only, as its role does: a Xen target is refused before EC2 is called. */
    @Test
    void aTypeChangeToAXenTypeIsRefusedBeforeAnyCall() {
        InvalidInputException e = refused(new ChangeInstanceType(), "{\"instanceId\":\"i-0a1b2c3d4e5f60001\",\"targetType\":\"m4.large\"}");
        assertTrue(e.getMessage().contains("'targetType' is \"m4.large\", which is not of a Nitro family this stack changes instances to"),
                e.getMessage());
        // The rollback's own function sets the original Xen type back.
        var restore = new dev.xen2nitro.functions.rollback.RestoreInstanceType();
        assertEquals("m4.xlarge", restore.parse("{\"instanceId\":\"i-0a1b2c3d4e5f60001\",\"instanceType\":\"m4.xlarge\"}"
                .getBytes(StandardCharsets.UTF_8)).instanceType());
        assertTrue(refused(restore, "{\"instanceId\":\"i-0a1b2c3d4e5f60001\",\"instanceType\":\"M4 XLarge\"}").getMessage()
                .contains("'instanceType' is \"M4 XLarge\", which is not an instance type name"));
    }

    /**
     * A fleet's plan key selects what the handlers read from and write to the stack's bucket: each handler that takes one
     * refuses any key PlanFleet does not make, a path out of fleet-plans/ included, naming the field, before any call.
     */
    @Test
    void aPlanKeyPlanFleetDidNotMakeIsRefusedByEachHandlerThatTakesOne() {
        String execution = "arn:aws:states:us-east-1:123456789012:execution:xen2nitro-MigrateFleet:7b1e4c2a";
        for (String key : List.of("fleet-plans/../approvals/x.json", "fleet-plans/224F6D87.json", "other/224f6d87.json",
                "fleet-plans/224f6d87.json.bak")) {
            String k = "\"" + key + "\"";
            assertTrue(refused(new dev.xen2nitro.functions.fleet.PublishFleetReport(),
                    "{\"execution\":\"" + execution + "\",\"planKey\":" + k + ",\"phase\":\"ended\"}").getMessage()
                    .contains("'planKey' is " + k + ", which is not a key PlanFleet returns"), key);
            assertTrue(refused(new dev.xen2nitro.functions.approval.RequestApproval(),
                    "{\"execution\":\"" + execution + "\",\"taskToken\":\"t\",\"fleet\":{\"planKey\":" + k + ",\"planHash\":\"ab\"}}")
                    .getMessage().contains("'fleet.planKey' is " + k + ", which is not a key PlanFleet returns"), key);
            assertTrue(refused(new dev.xen2nitro.functions.approval.VerifyApproval(),
                    "{\"execution\":\"" + execution + "\",\"fleet\":{\"planKey\":" + k + "},\"answer\":{}}")
                    .getMessage().contains("'fleet.planKey' is " + k + ", which is not a key PlanFleet returns"), key);
        }
        // A fleet's migration is refused at its preflight, before anything changes, not at the approval after the drivers.
        assertTrue(refused(new dev.xen2nitro.functions.preflight.Preflight(), "{\"execution\":\"" + execution.replace("MigrateFleet", "MigrateInstance")
                + "\",\"request\":{\"instanceId\":\"i-0a1b2c3d4e5f60001\",\"targetType\":\"m5.xlarge\",\"fleetApproval\":{\"execution\":\""
                + execution + "\",\"planKey\":\"fleet-plans/../x.json\"}}}").getMessage()
                .contains("'fleetApproval.planKey' is \"fleet-plans/../x.json\", which is not a key PlanFleet returns"));
        assertTrue(refused(new dev.xen2nitro.functions.fleet.PublishFleetReport(),
                "{\"execution\":\"" + execution + "\",\"phase\":\"ended\"}").getMessage()
                .contains("'planKey' is required: the plan's key PlanFleet returned (fleet-plans/DIGEST.json)"));
        // The key PlanFleet makes passes.
        new dev.xen2nitro.functions.fleet.PublishFleetReport.Input(execution, "fleet-plans/224f6d874dfe7c38.json", "ended", List.of(),
                null, null, null).validate();
    }

    @Test
    void instanceRefAcceptsBothIdLengths() {
        new InstanceRef("i-0a1b2c3d").validate();
        new InstanceRef("i-0a1b2c3d4e5f60001").validate();
        assertThrows(InvalidInputException.class, () -> new InstanceRef("i-0A1B2C3D").validate());
    }
}
