package dev.xen2nitro.functions.guest;

import static org.junit.jupiter.api.Assertions.*;

import dev.xen2nitro.functions.core.InvalidInputException;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The Adapters parameter holds MAC addresses, IPv4 addresses and separators only: nothing the script could read as code. */
class RestoreNetworkConfigTest {

    static GuestRules.AdapterRestore adapter(String mac, String ip, String mask, String gateway, String dns) {
        return new GuestRules.AdapterRestore(mac, List.of(new GuestFacts.Address(ip, mask)), List.of(gateway), List.of(dns));
    }

    @Test
    void twoAdaptersWithTwoAddressesEachAreEncoded() {
        GuestRules.AdapterRestore first = new GuestRules.AdapterRestore("0a:1b:2c:3d:4e:01",
                List.of(new GuestFacts.Address("10.0.1.25", "255.255.255.0"), new GuestFacts.Address("10.0.1.26", "255.255.255.0")),
                List.of("10.0.1.1"), List.of("10.0.0.10", "10.0.0.11"));
        GuestRules.AdapterRestore dnsOnly = new GuestRules.AdapterRestore("0A:1B:2C:3D:4E:02", List.of(), List.of(), List.of("10.0.0.12"));
        assertEquals("0A:1B:2C:3D:4E:01/10.0.1.25-255.255.255.0,10.0.1.26-255.255.255.0/10.0.1.1/10.0.0.10,10.0.0.11"
                + "+0A:1B:2C:3D:4E:02///10.0.0.12", RestoreNetworkConfig.encode(List.of(first, dnsOnly)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.1.25'; Remove-Item C:\\ -Recurse; '", "10.0.1.25\nexit 0", "$(calc)", "10.0.1.25;10.0.1.26",
            "10.0.1.25 ", "10.0.1.256", "\"10.0.1.25\""})
    void anythingButAnIpv4AddressIsRefusedBeforeSending(String bad) {
        for (GuestRules.AdapterRestore a : List.of(adapter("0A:1B:2C:3D:4E:01", bad, "255.255.255.0", "10.0.1.1", "10.0.0.10"),
                adapter("0A:1B:2C:3D:4E:01", "10.0.1.25", "255.255.255.0", "10.0.1.1", bad),
                adapter("0A:1B:2C:3D:4E:01", "10.0.1.25", bad, "10.0.1.1", "10.0.0.10"))) {
            RestoreNetworkConfig.Input in = new RestoreNetworkConfig.Input("i-0123456789abcdef0", dev.xen2nitro.functions.core.Executions.SAMPLE, true, List.of(a), null);
            InvalidInputException e = assertThrows(InvalidInputException.class, in::validate);
            assertTrue(e.getMessage().contains("MAC addresses (0A:1B:2C:3D:4E:5F) and IPv4 addresses"), e.getMessage());
        }
        RestoreNetworkConfig.Input badMac = new RestoreNetworkConfig.Input("i-0123456789abcdef0", dev.xen2nitro.functions.core.Executions.SAMPLE, true,
                List.of(adapter("0A:1B:2C:3D:4E:01' + '", "10.0.1.25", "255.255.255.0", "10.0.1.1", "10.0.0.10")), null);
        assertThrows(InvalidInputException.class, badMac::validate);
    }

    @Test
    void aRestoreThatRunsNeedsItsAdapters() {
        assertThrows(InvalidInputException.class, () -> new RestoreNetworkConfig.Input("i-0123456789abcdef0", dev.xen2nitro.functions.core.Executions.SAMPLE, true, List.of(), null).validate());
        new RestoreNetworkConfig.Input("i-0123456789abcdef0", dev.xen2nitro.functions.core.Executions.SAMPLE, false, null, null).validate();
    }
}
