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

    /** The step's document in this function's stack. */
    String document() {
        return Aws.setting("DOCUMENT_PREFIX") + name();
    }
}
