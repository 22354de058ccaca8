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
 * @param driverSource           {@code bucket}, the only source: the packages staged in the stack's bucket, SHA-256 checked
 * @param approvalTimeoutSeconds how long the approval waits before the migration is abandoned (60 s to 7 days; default 1 day)
 * @param rehearse               true: after the backup AMI, migrate a clone launched from it first (README, "Rehearsal"); the
 *                               original is changed only when the clone ends migrated
 * @param rehearsalOf            set by a rehearsing execution on the migration of its clone: the original's instance ID
 */
public record MigrationRequest(String instanceId, String targetType, Boolean dryRun, Boolean allowInstanceStoreLoss,
                               String driverSource, Integer approvalTimeoutSeconds, FleetApproval fleetApproval, Boolean rehearse, String rehearsalOf,
                               @com.fasterxml.jackson.annotation.JsonProperty("AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID") String startedBy)
        implements Validatable {

    /**
     * A migration a fleet started after its batch approval: the fleet's execution, where its plan is kept, and the approval
     * function's signed answer for it. VerifyApproval checks that the answer is signed for that execution and approves the
     * plan that is kept, and that the plan moves this instance to this type; a fleet started by a person who names
     * another's approval gets a rejection.
     */
    public record FleetApproval(String execution, String planKey, com.fasterxml.jackson.databind.JsonNode answer) {}

    public static final int DEFAULT_APPROVAL_TIMEOUT = 86_400;

    @Override
    public void validate() {
        InstanceIds.require("instanceId", instanceId);
        if (targetType != null) {
            InstanceTypeNames.require("targetType", targetType);
        }
        if ("distributor".equals(driverSource)) {
            // The Distributor path never installed anything (it printed a line), and a real one would fetch from AWS-owned
            // regional buckets that a private subnet's S3 endpoint policy must allow, the way AWSSupport-UpgradeWindowsAWSDrivers
            // fails in private subnets (RUNBOOK), with packages the stack cannot check against its own sums.
            throw new InvalidInputException("'driverSource' \"distributor\" is not supported: stage the pinned packages in the stack's"
                    + " bucket with scripts/stage-drivers.sh (README, \"Driver packages\") and start again without driverSource");
        }
        if (driverSource != null && !driverSource.equals("bucket")) {
            throw new InvalidInputException("'driverSource' is \"" + driverSource + "\"; leave it out, or use \"bucket\" (the packages staged"
                    + " in the stack's bucket, the only source)");
        }
        if (fleetApproval != null && (fleetApproval.execution() == null || fleetApproval.planKey() == null || targetType == null)) {
            throw new InvalidInputException("'fleetApproval' is given by a fleet execution with its 'execution' and 'planKey', and the"
                    + " migration's 'targetType'; start a single migration without it");
        }
        if (fleetApproval != null) {
            dev.xen2nitro.functions.approval.FleetPlan.requireKey("fleetApproval.planKey", fleetApproval.planKey());
        }
        if (rehearsalOf != null) {
            InstanceIds.require("rehearsalOf", rehearsalOf);
            if (Boolean.TRUE.equals(rehearse) || fleetApproval != null || isDryRun()) {
                throw new InvalidInputException("'rehearsalOf' is given only by a rehearsing execution to the migration of its clone,"
                        + " without 'rehearse', 'fleetApproval' or 'dryRun'; to rehearse, start the migration of the original with"
                        + " \"rehearse\": true");
            }
            if (rehearsalOf.equals(instanceId)) {
                throw new InvalidInputException("'rehearsalOf' names the instance itself (" + instanceId + "); a rehearsal migrates a clone");
            }
            if (startedBy == null) {
                throw new InvalidInputException("'rehearsalOf' is given only by a rehearsing execution, which also gives"
                        + " AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID; start the migration of the original with \"rehearse\": true");
            }
        }
        if (approvalTimeoutSeconds != null && (approvalTimeoutSeconds < 60 || approvalTimeoutSeconds > 604_800)) {
            throw new InvalidInputException("'approvalTimeoutSeconds' is " + approvalTimeoutSeconds
                    + "; it must be between 60 (one minute) and 604800 (seven days)");
        }
    }

    public boolean isDryRun() {
        return Boolean.TRUE.equals(dryRun);
    }

    public boolean rehearses() {
        return Boolean.TRUE.equals(rehearse);
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
