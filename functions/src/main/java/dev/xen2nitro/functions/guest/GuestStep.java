package dev.xen2nitro.functions.guest;

import dev.xen2nitro.functions.core.Aws;

/**
 * The steps that run in the guest. Each is an SSM command document of template.yaml named
 * DOCUMENT_PREFIX + the step, the handler that sends it and its state in the state machine, so the
 * constants are spelled as the step is named everywhere rather than in Java's upper case.
 */
public enum GuestStep {
    CaptureGuestFacts, InstallPvDriver, InstallEnaDriver, InstallNvmeDriver, UpdateLaunchAgent, CheckLaunchAgentUpdate, SetPowerManagement,
    RestoreNetworkConfig;

    /**
     * SendCommand's TimeoutSeconds: how long a command may wait to be delivered before it is dropped
     * (SendCommand API reference). The state machine's wait for each step counts it in.
     */
    public static final int DELIVERY_TIMEOUT_SECONDS = 600;

    /**
     * Whether the step changes the guest (drivers, settings, the launch agent): once one has been sent, only the
     * rollback puts the instance back as it was. The others only read.
     */
    public boolean changesGuest() {
        return this != CaptureGuestFacts && this != CheckLaunchAgentUpdate;
    }

    /**
     * Whether the step runs before the approval (the PV and ENA drivers, and the network settings the PV driver may
     * lose): a migration rejected there keeps what they did, which changes nothing on Xen (RUNBOOK, the drivers are
     * installed on Xen first), so a stopped one that had completed them is left the same way.
     */
    public boolean beforeApproval() {
        return this == InstallPvDriver || this == InstallEnaDriver || this == RestoreNetworkConfig;
    }

    /** The step's document in this function's stack. */
    public String document() {
        return Aws.setting("DOCUMENT_PREFIX") + name();
    }
}
