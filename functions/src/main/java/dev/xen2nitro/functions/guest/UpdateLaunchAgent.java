package dev.xen2nitro.functions.guest;

import dev.xen2nitro.functions.core.Executions;
import dev.xen2nitro.functions.core.InvalidInputException;
import dev.xen2nitro.functions.core.JsonHandler;
import dev.xen2nitro.functions.core.Validatable;
import dev.xen2nitro.functions.rules.InstanceIds;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Updates EC2Config (2012 R2 and older) keeping its configuration (runbook step 6), or reports the
 * EC2Launch version it finds. For EC2Config the document downloads package {@value #PACKAGE} (presigned
 * URL, pinned SHA-256), backs up config.xml and starts the installer out of band, as a one-time scheduled
 * task: EC2Config 4.9.5777 bundles an SSM Agent, and replacing the agent that runs a command ends that
 * command. The state machine then polls {@link CheckLaunchAgentUpdate} for the task's result.
 */
public class UpdateLaunchAgent extends JsonHandler<UpdateLaunchAgent.Input, CommandSent> {

    /** The package that holds EC2Install.exe, staged and pinned like the drivers. */
    static final String PACKAGE = "EC2Install";

    public record Input(String instanceId, String execution, boolean run, String agent, String version) implements Validatable {
        @Override
        public void validate() {
            InstanceIds.require("instanceId", instanceId);
            if (!run) return;
            Executions.require("execution", execution);
            if (agent == null || !List.of("EC2Config", "EC2Launch", "EC2LaunchV2").contains(agent)) {
                throw new InvalidInputException("'agent' is \"" + agent + "\"; expected EC2Config, EC2Launch or EC2LaunchV2");
            }
            if (version == null || !DriverPackages.VERSION.matcher(version).matches()) {
                throw new InvalidInputException("'version' is \"" + version + "\"; expected a dotted version such as 4.9.5777");
            }
        }
    }

    public UpdateLaunchAgent() {
        super(Input.class);
    }

    @Override
    protected CommandSent handle(Input in) {
        if (!in.run()) {
            return CommandSent.skipped(in.instanceId(), GuestStep.UpdateLaunchAgent.name(), "the launch agent is current");
        }
        Map<String, List<String>> parameters = new LinkedHashMap<>();
        parameters.put("Agent", List.of(in.agent()));
        if ("EC2Config".equals(in.agent())) {
            parameters.putAll(DriverPackages.parameters(PACKAGE, in.version()));
        } else {
            parameters.put("Version", List.of(in.version()));
        }
        return CommandSent.sent(in.instanceId(), GuestCommands.send(in.instanceId(), in.execution(), GuestStep.UpdateLaunchAgent,
                parameters), GuestStep.UpdateLaunchAgent.name());
    }

    /** EC2Config's update from a pinned package when there is one (priming then runs the send path), else a skipped step. */
    @Override
    protected Input sampleInput() {
        return PackagePins.anyVersion(PACKAGE).map(v -> new Input("i-0123456789abcdef0", Executions.SAMPLE, true, "EC2Config", v))
                .orElseGet(() -> new Input("i-0123456789abcdef0", Executions.SAMPLE, false, "EC2Config", "4.9.5777"));
    }
}
