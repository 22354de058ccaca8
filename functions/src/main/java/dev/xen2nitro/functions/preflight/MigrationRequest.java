package dev.xen2nitro.functions.preflight;

import dev.xen2nitro.functions.core.InvalidInputException;
import dev.xen2nitro.functions.core.Validatable;
import dev.xen2nitro.functions.rules.InstanceIds;
import dev.xen2nitro.functions.rules.InstanceTypeNames;

/**
 * The execution input: which instance, optionally to which type, and how.
 *
 * @param targetType             absent: the Nitro successor of the same size offered in the instance's zone
 * @param dryRun                 true: stop after the preflight report; nothing is changed
 * @param allowInstanceStoreLoss true: migrate although instance-store data is erased by the stop
 * @param driverSource           {@code bucket} (the stack's bucket, SHA-256 checked; the default) or {@code distributor}
 * @param approvalTimeoutSeconds how long the approval waits before the migration is abandoned (60 s to 7 days; default 1 day)
 */
public record MigrationRequest(String instanceId, String targetType, Boolean dryRun, Boolean allowInstanceStoreLoss,
                               String driverSource, Integer approvalTimeoutSeconds) implements Validatable {

    public static final int DEFAULT_APPROVAL_TIMEOUT = 86_400;

    @Override
    public void validate() {
        InstanceIds.require("instanceId", instanceId);
        if (targetType != null) {
            InstanceTypeNames.require("targetType", targetType);
        }
        if (driverSource != null && !driverSource.equals("bucket") && !driverSource.equals("distributor")) {
            throw new InvalidInputException("'driverSource' is \"" + driverSource + "\"; use \"bucket\" (packages staged in the stack's bucket)"
                    + " or \"distributor\" (AWS Distributor packages through the S3 endpoint)");
        }
        if (approvalTimeoutSeconds != null && (approvalTimeoutSeconds < 60 || approvalTimeoutSeconds > 604_800)) {
            throw new InvalidInputException("'approvalTimeoutSeconds' is " + approvalTimeoutSeconds
                    + "; it must be between 60 (one minute) and 604800 (seven days)");
        }
    }

    public boolean isDryRun() {
        return Boolean.TRUE.equals(dryRun);
    }

    public boolean instanceStoreLossAllowed() {
        return Boolean.TRUE.equals(allowInstanceStoreLoss);
    }

    public String driverSourceOrDefault() {
        return driverSource == null ? "bucket" : driverSource;
    }

    public int approvalTimeout() {
        return approvalTimeoutSeconds == null ? DEFAULT_APPROVAL_TIMEOUT : approvalTimeoutSeconds;
    }
}
