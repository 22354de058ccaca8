package dev.xen2nitro.functions.fleet;

/**
 * How long a migration makes the server unavailable, estimated before the guest is read: the backup AMI's reboot
 * (CreateImage without NoReboot), one stop, the type change and one start, until Windows has booted and the status checks
 * pass; plus, at most, one reboot for the PV driver upgrade, which the guest's facts decide later (the preflight refuses an
 * instance that is not running). The durations are those the local cloud models for AWS (its Cloud.STOP_SECONDS,
 * START_SECONDS, STATUS_INIT_SECONDS and REBOOT_SECONDS, each with its source); MigrationWorkflowTest holds the two to each
 * other. It is a lower bound: the time between the steps (polls, the functions) comes on top, and the server's services
 * answer some time after its status checks pass. local/perf measures the modelled figure per migration; a rehearsal measures it on a clone.
 */
public record DowntimeEstimate(int minSeconds, int maxSeconds, String basis) {

    /**
     * Stopping an EBS-backed Windows instance, starting it, and booting until the status checks pass; a reboot, Windows
     * shutting down (as long as a stop, for want of an AWS figure) and booting.
     */
    public static final int STOP_SECONDS = 90, START_SECONDS = 30, BOOT_SECONDS = 120, SHUTDOWN_SECONDS = 90,
            REBOOT_SECONDS = SHUTDOWN_SECONDS + BOOT_SECONDS;

    public static DowntimeEstimate estimate() {
        int stopStart = STOP_SECONDS + START_SECONDS + BOOT_SECONDS;
        return new DowntimeEstimate(REBOOT_SECONDS + stopStart, REBOOT_SECONDS + stopStart + REBOOT_SECONDS,
                "the backup AMI's reboot (" + SHUTDOWN_SECONDS + " s shutting down, " + BOOT_SECONDS + " s booting), one stop and start ("
                        + STOP_SECONDS + " s stopping, " + START_SECONDS + " s starting, " + BOOT_SECONDS + " s booting), and one reboot of "
                        + REBOOT_SECONDS + " s when the PV driver is upgraded; the time between the steps comes on top");
    }
}
