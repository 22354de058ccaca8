package dev.xen2nitro.functions.guest;

/** What every step that sends a command returns: the ID to poll, or skipped with the reason. */
public record CommandSent(String instanceId, String commandId, String step, boolean skipped, String reason) {
    static CommandSent sent(String instanceId, String commandId, String step) {
        return new CommandSent(instanceId, commandId, step, false, null);
    }

    static CommandSent skipped(String instanceId, String step, String reason) {
        return new CommandSent(instanceId, null, step, true, reason);
    }
}
