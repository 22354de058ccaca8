package dev.xen2nitro.functions.guest;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.xen2nitro.functions.core.InvalidInputException;
import dev.xen2nitro.functions.core.JsonHandler;
import java.io.IOException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What the CaptureGuestFacts document prints: the guest as Windows sees it. The shape is defined
 * once, by events/guest-facts.json; the document's PowerShell and the local guest model print it.
 * A string is null when the guest lacks the thing (a driver not installed, no launch agent).
 * {@code os} is the version number Windows reports ({@code Win32_OperatingSystem.Version}, e.g.
 * 6.3.9600): the functions decide the release from it ({@link dev.xen2nitro.functions.rules.WindowsReleases}),
 * so that a release the workflow does not know is refused instead of taken for another. Driver
 * versions are the ones Windows reports, which are not always the package's (AWS NVMe 1.5.1 reports 1.5.0).
 *
 * <p>Parsed strictly: a field the record does not know, or one it misses, means the document in the
 * guest and these functions come from different versions, and a plan made from half the facts
 * would install the wrong drivers or skip a step.
 */
public record GuestFacts(String os, Drivers drivers, LaunchAgent launchAgent, Network network, List<String> roles,
                         boolean domainController, boolean powerManagementSet, String amiCreated) {

    public record Drivers(String pv, String ena, String nvme) {}

    public record LaunchAgent(String name, String version) {}

    public record Network(boolean dhcp, String ipAddress, List<String> dnsServers) {}

    private static final ObjectMapper STRICT = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    private static final String REDEPLOY = "the CaptureGuestFacts document and the functions come from different versions"
            + " of template.yaml: deploy the stack again so both are the same version";

    /** Parses the command's output; the guest's script prints one JSON object. */
    public static GuestFacts parse(String output) {
        int start = output.indexOf('{');
        int end = output.lastIndexOf('}');
        if (start < 0 || end < start) {
            throw new InvalidInputException("the guest's facts are not the JSON CaptureGuestFacts prints; output was: " + excerpt(output));
        }
        try {
            return STRICT.readValue(output.substring(start, end + 1), GuestFacts.class);
        } catch (UnrecognizedPropertyException e) {
            throw new InvalidInputException("the guest's facts have a field '" + path(e) + "' that this function does not know (it knows "
                    + e.getKnownPropertyIds().stream().map(String::valueOf).sorted().collect(Collectors.joining(", ")) + "): " + REDEPLOY);
        } catch (MismatchedInputException e) {
            throw new InvalidInputException("the guest's facts lack '" + path(e) + "' or give it the wrong type (" + e.getOriginalMessage()
                    + "): " + REDEPLOY + "; output was: " + excerpt(output));
        } catch (IOException e) {
            throw new InvalidInputException("the guest's facts are not the JSON CaptureGuestFacts prints: " + e.getMessage()
                    + "; output was: " + excerpt(output));
        }
    }

    /** What the document prints on a 2012 R2 guest before the migration: the input the parsing handlers are primed with. */
    static String sampleOutput() {
        try {
            return JsonHandler.JSON.writeValueAsString(new GuestFacts("6.3.9600", new Drivers("7.4.6", null, null),
                    new LaunchAgent("EC2Config", "4.9.4222"), new Network(false, "10.0.1.25", List.of("10.0.0.10")),
                    List.of(), false, false, "2017-03-15"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String path(MismatchedInputException e) {
        String at = e.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining("."));
        if (e.getMessage().startsWith("Missing required creator property")) {
            // The missing field is not yet on the path: Jackson names it in the message.
            String name = e.getOriginalMessage().replaceFirst("^Missing required creator property '([^']*)'.*$", "$1");
            return at.isEmpty() ? name : at + "." + name;
        }
        return at;
    }

    private static String excerpt(String output) {
        return output.length() > 300 ? output.substring(0, 300) + "..." : output;
    }
}
