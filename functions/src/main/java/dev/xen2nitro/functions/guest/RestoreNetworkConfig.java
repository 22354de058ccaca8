package dev.xen2nitro.functions.guest;

import dev.xen2nitro.functions.core.JsonHandler;
import dev.xen2nitro.functions.core.Validatable;
import dev.xen2nitro.functions.rules.InstanceIds;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Puts back on the ENA adapter the static IP and DNS servers the old adapter had. */
public class RestoreNetworkConfig extends JsonHandler<RestoreNetworkConfig.Input, CommandSent> {

    /** @param label which restore this is (after the PV driver, after the move): one command per label and execution */
    public record Input(String instanceId, String execution, boolean run, String ipAddress, List<String> dnsServers, String label)
            implements Validatable {
        @Override
        public void validate() {
            InstanceIds.require("instanceId", instanceId);
        }
    }

    public RestoreNetworkConfig() {
        super(Input.class);
    }

    @Override
    protected CommandSent handle(Input in) {
        if (!in.run()) {
            return CommandSent.skipped(in.instanceId(), GuestStep.RestoreNetworkConfig.name(), "the network configuration was kept");
        }
        Map<String, List<String>> p = new LinkedHashMap<>();
        p.put("IpAddress", List.of(in.ipAddress() == null ? "" : in.ipAddress()));
        p.put("DnsServers", List.of(in.dnsServers() == null ? "" : String.join(",", in.dnsServers())));
        String label = in.label() == null ? GuestStep.RestoreNetworkConfig.name() : in.label();
        // The label goes first: SSM cuts a comment at 100 characters, and execution names run to 80.
        String execution = in.label() == null ? in.execution() : label + " " + in.execution();
        return CommandSent.sent(in.instanceId(), GuestCommands.send(in.instanceId(), execution, GuestStep.RestoreNetworkConfig, p), label);
    }

    @Override
    protected Input sampleInput() {
        return new Input("i-0123456789abcdef0", "sample", false, null, List.of(), null);
    }
}
