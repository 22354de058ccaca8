package dev.xen2nitro.functions.guest;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.xen2nitro.functions.core.InvalidInputException;
import java.io.IOException;
import java.util.List;

/** What the CaptureGuestFacts document prints: the guest as Windows sees it. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record GuestFacts(String os, Drivers drivers, LaunchAgent launchAgent, Network network, List<String> roles,
                         Boolean domainController, Boolean powerManagementSet, String amiCreated, String ssmAgentVersion) {

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Drivers(String pv, String ena, String nvme) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record LaunchAgent(String name, String version) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Network(Boolean dhcp, String ipAddress, List<String> dnsServers) {}

    private static final ObjectMapper LENIENT = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** Parses the command's output; the guest's script prints one JSON object. */
    public static GuestFacts parse(String output) {
        try {
            String json = output.substring(output.indexOf('{'), output.lastIndexOf('}') + 1);
            return LENIENT.readValue(json, GuestFacts.class);
        } catch (IOException | RuntimeException e) {
            throw new InvalidInputException("the guest's facts are not the JSON CaptureGuestFacts prints: " + e.getMessage()
                    + "; output was: " + (output.length() > 300 ? output.substring(0, 300) + "..." : output));
        }
    }
}
