package dev.xen2nitro.functions.guest;

import dev.xen2nitro.functions.core.Executions;
import dev.xen2nitro.functions.core.InvalidInputException;
import dev.xen2nitro.functions.core.JsonHandler;
import dev.xen2nitro.functions.core.Validatable;
import dev.xen2nitro.functions.rules.InstanceIds;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Puts back, on every adapter that lost them, the static addresses, gateways and DNS servers it had. The
 * document gets them in one parameter, {@code Adapters}, in a form that holds only MAC addresses, IPv4
 * dotted quads and separators; the handler refuses anything else before sending, and the document's
 * {@code allowedPattern} (the same {@link #ADAPTERS_PATTERN}) makes SSM refuse it too, so no value can
 * reach the PowerShell that the script would read as code.
 */
public class RestoreNetworkConfig extends JsonHandler<RestoreNetworkConfig.Input, CommandSent> {

    private static final String IP = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}";
    private static final String MAC = "[0-9A-F]{2}(:[0-9A-F]{2}){5}";
    private static final String ADAPTER = MAC + "/(" + IP + "-" + IP + "(," + IP + "-" + IP + ")*)?/(" + IP + "(," + IP + ")*)?/("
            + IP + "(," + IP + ")*)?";

    /**
     * Adapters joined by {@code +}; each is {@code MAC/ADDRESS-MASK,.../GATEWAY,.../DNS,...}, an empty part
     * leaving that part of the adapter as it is. The RestoreNetworkConfig document's allowedPattern in
     * template.yaml is this pattern (a test compares them).
     */
    public static final String ADAPTERS_PATTERN = "^" + ADAPTER + "(\\+" + ADAPTER + ")*$";
    private static final Pattern ADAPTERS = Pattern.compile(ADAPTERS_PATTERN);

    /** @param label which restore this is (after the PV driver, after the move): one command per label and execution */
    public record Input(String instanceId, String execution, boolean run, List<GuestRules.AdapterRestore> adapters, String label)
            implements Validatable {
        @Override
        public void validate() {
            InstanceIds.require("instanceId", instanceId);
            Executions.require("execution", execution);
            if (run && (adapters == null || adapters.isEmpty())) {
                throw new InvalidInputException("'adapters' is required when 'run' is true: what CheckNetworkConfig found lost");
            }
            if (run) {
                encode(adapters);
            }
        }
    }

    /** The {@code Adapters} parameter; refuses anything that is not a MAC address, an IPv4 address or a separator. */
    static String encode(List<GuestRules.AdapterRestore> adapters) {
        String encoded = adapters.stream().map(a -> String.join("/", String.valueOf(a.macAddress()).toUpperCase(java.util.Locale.ROOT),
                        list(a.addresses()).stream().map(x -> x.ipAddress() + "-" + x.subnetMask()).collect(Collectors.joining(",")),
                        String.join(",", list(a.gateways())), String.join(",", list(a.dnsServers()))))
                .collect(Collectors.joining("+"));
        if (!ADAPTERS.matcher(encoded).matches()) {
            throw new InvalidInputException("'adapters' must hold MAC addresses (0A:1B:2C:3D:4E:5F) and IPv4 addresses and masks only;"
                    + " got " + (encoded.length() > 300 ? encoded.substring(0, 300) + "..." : encoded)
                    + ": pass the adapters CheckNetworkConfig returned");
        }
        return encoded;
    }

    private static <T> List<T> list(List<T> l) {
        return l == null ? List.of() : l;
    }

    public RestoreNetworkConfig() {
        super(Input.class);
    }

    @Override
    protected CommandSent handle(Input in) {
        if (!in.run()) {
            return CommandSent.skipped(in.instanceId(), GuestStep.RestoreNetworkConfig.name(), "the network configuration was kept");
        }
        Map<String, List<String>> p = Map.of("Adapters", List.of(encode(in.adapters())));
        String label = in.label() == null ? GuestStep.RestoreNetworkConfig.name() : in.label();
        return CommandSent.sent(in.instanceId(), GuestCommands.send(in.instanceId(), in.execution(), GuestStep.RestoreNetworkConfig, p,
                in.label() == null ? "" : label), label);
    }

    @Override
    protected Input sampleInput() {
        return new Input("i-0123456789abcdef0", Executions.SAMPLE, false, List.of(), null);
    }
}
