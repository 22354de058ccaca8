package dev.xen2nitro.functions.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import dev.xen2nitro.functions.core.Aws;
import dev.xen2nitro.functions.core.AwsCalls;
import dev.xen2nitro.functions.core.Executions;
import dev.xen2nitro.functions.core.JsonHandler;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * Where a fleet's plan and report are kept: the stack's bucket, under {@code fleet-plans/}, named by the digest of the
 * fleet's execution. PlanFleet writes the plan, PublishFleetReport the report beside it; the approval functions read the
 * plan back to hash it.
 */
public final class FleetPlans {
    private FleetPlans() {}

    /** The key of the plan of execution {@code execution}. */
    public static String planKey(String execution) {
        return "fleet-plans/" + Executions.digest(execution) + ".json";
    }

    /** The key of the report kept beside the plan {@code planKey}. */
    public static String reportKey(String planKey) {
        return planKey.replace(".json", "-report.json");
    }

    public static void write(String key, String json) {
        String bucket = Aws.setting("DRIVER_BUCKET");
        AwsCalls.call("PutObject s3://" + bucket + "/" + key, () -> Aws.s3().putObject(r -> r.bucket(bucket).key(key)
                .contentType("application/json"), RequestBody.fromString(json)));
    }

    /** The object {@code key} as it was written. */
    public static JsonNode read(String key) {
        String bucket = Aws.setting("DRIVER_BUCKET");
        String text = AwsCalls.call("GetObject s3://" + bucket + "/" + key, () -> Aws.s3().getObjectAsBytes(r -> r.bucket(bucket).key(key))
                .asUtf8String());
        try {
            return JsonHandler.JSON.readTree(text);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("the fleet plan " + key + " is not JSON", e);
        }
    }
}
