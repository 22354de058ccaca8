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
 * {@code productType} is {@code Win32_OperatingSystem.ProductType} (1 workstation, 2 domain controller,
 * 3 server); {@code powerShell} is {@code $PSVersionTable.PSVersion}; {@code dotNetRelease} the .NET
 * Framework 4.5+ {@code Release} DWORD (null when 4.5 or later is absent); {@code hotfixes} the
 * {@code HotFixID}s of {@code Win32_QuickFixEngineering}.
 *
 * <p>Parsed strictly: a field the record does not know, or one it misses, means the document in the
 * guest and these functions come from different versions, and a plan made from half the facts
 * would install the wrong drivers or skip a step.
 */
public record GuestFacts(String os, int productType, String powerShell, Integer dotNetRelease, List<String> hotfixes,
                         Drivers drivers, LaunchAgent launchAgent, List<Nic> network, List<String> roles,
                         boolean domainController, Power power) {

    public record Drivers(String pv, String ena, String nvme) {}

    public record LaunchAgent(String name, String version) {}

    /**
     * One IP-enabled adapter ({@code Win32_NetworkAdapterConfiguration}): its MAC address, whether DHCP
     * is on, every IPv4 address with its mask, its IPv4 default gateways and its DNS servers.
     */
    public record Nic(String macAddress, boolean dhcp, List<Address> addresses, List<String> gateways, List<String> dnsServers) {}

    public record Address(String ipAddress, String subnetMask) {}

    /**
     * The AC value of the setting AWS documents for a clean shutdown on Nitro (subgroup
     * 7516b95f-f776-4464-8c53-06167f40cc99, setting 3c0bc021-c8a8-4e07-a973-6b14cbcb2b7e; runbook step 7)
     * in each of the three schemes it names: Balanced 381b4222-f694-41f0-9685-ff5bb260df2e, High
     * performance 8c5e7fda-e8bf-4a96-9a85-a6e23a8c635c, Power saver a1841308-3541-4fab-bc81-f71556f20b4a.
     * Null when the scheme is absent.
     */
    public record Power(Integer balanced, Integer highPerformance, Integer powerSaver) {
        public List<Integer> present() {
            return java.util.stream.Stream.of(balanced, highPerformance, powerSaver).filter(java.util.Objects::nonNull).toList();
        }
    }

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
            return JsonHandler.JSON.writeValueAsString(new GuestFacts("6.3.9600", 3, "4.0", 378675, List.of("KB2919355"),
                    new Drivers("7.4.6", null, null), new LaunchAgent("EC2Config", "4.9.4222"),
                    List.of(new Nic("0A:1B:2C:3D:4E:01", false, List.of(new Address("10.0.1.25", "255.255.255.0")), List.of("10.0.1.1"),
                            List.of("10.0.0.10"))),
                    List.of(), false, new Power(1, 1, 1)));
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
