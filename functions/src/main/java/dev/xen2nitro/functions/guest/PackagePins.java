package dev.xen2nitro.functions.guest;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The SHA-256 of each package zip, pinned in the functions' jar ({@code package-pins.sha256} beside
 * this class, sha256sum's format, one line per {@code PACKAGE/VERSION/PACKAGE.zip}). The hash a guest
 * checks comes from here and never from the bucket the zip is downloaded from: whoever can write the
 * bucket can replace a zip, not the hash it must have.
 *
 * <p>{@value #OVERRIDE} names a file read instead of the jar's, or holds the pins themselves (lines as the file has them).
 * Only the local cloud sets it, to pin the stand-in zips its worlds stage (local/package-pins.sha256): its Lambda host with
 * the file, sam local with the lines (local/sam-env.json). template.yaml declares it for sam local alone (condition
 * SamLocalOnly, false in every stack), never with a value: in AWS the functions read only the pins they were built with.
 */
final class PackagePins {
    private PackagePins() {}

    /** A file of pins read instead of the jar's, or the pins themselves; set by the local cloud only, never by template.yaml. */
    static final String OVERRIDE = "XEN2NITRO_PACKAGE_PINS";
    static final String RESOURCE = "package-pins.sha256";

    private static final Pattern LINE = Pattern.compile("^([0-9a-f]{64}) [ *]([A-Za-z0-9]+)/([0-9]+(?:\\.[0-9]+){1,3})/\\2\\.zip$");

    /** The path of a package under drivers/ in the bucket, as a pin names it. */
    static String path(String pkg, String version) {
        return pkg + "/" + version + "/" + pkg + ".zip";
    }

    /** A value that is pins, not a path: it starts as a pin's line does. */
    private static final Pattern INLINE = Pattern.compile("^[0-9a-f]{64} ");

    /** Where the pins are read from, for messages. */
    static String source() {
        String file = setting();
        if (file != null && INLINE.matcher(file).lookingAt()) return "the pins in " + OVERRIDE;
        return file != null ? file + " (" + OVERRIDE + ")"
                : "functions/src/main/resources/dev/xen2nitro/functions/guest/" + RESOURCE + " (in the functions' jar)";
    }

    /**
     * A version of {@code pkg} that is pinned, if any: what priming runs an install with, so that the snapshot holds the
     * install path of a deployment that pins its packages (every one that migrates does; README, "Driver packages").
     */
    static Optional<String> anyVersion(String pkg) {
        try {
            return load().keySet().stream().filter(k -> k.startsWith(pkg + "/")).map(k -> k.split("/")[1]).findFirst();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    static Optional<String> sha256(String pkg, String version) {
        return Optional.ofNullable(load().get(path(pkg, version)));
    }

    static Map<String, String> load() {
        String file = setting();
        try {
            if (file != null && INLINE.matcher(file).lookingAt()) {
                return parse(file, OVERRIDE);
            }
            if (file != null) {
                return parse(Files.readString(Path.of(file), StandardCharsets.UTF_8), file);
            }
            try (InputStream in = PackagePins.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException(RESOURCE + " is missing from the functions' jar: build it with ./mvnw package");
                }
                return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), RESOURCE);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the package pins from " + source(), e);
        }
    }

    /** Lines of sha256sum's output; '#' starts a comment. A malformed line is an error, never skipped. */
    static Map<String, String> parse(String text, String name) {
        Map<String, String> pins = new LinkedHashMap<>();
        int n = 0;
        for (String raw : text.split("\n", -1)) {
            n++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            Matcher m = LINE.matcher(line);
            if (!m.matches()) {
                throw new IllegalStateException(name + " line " + n + " is not \"SHA256  PACKAGE/VERSION/PACKAGE.zip\" (lower-case hex,"
                        + " as scripts/pin-packages.sh prints it): " + line);
            }
            String path = path(m.group(2), m.group(3));
            String before = pins.putIfAbsent(path, m.group(1));
            if (before != null && !before.equals(m.group(1))) {
                throw new IllegalStateException(name + " pins " + path + " twice with different hashes");
            }
        }
        return pins;
    }

    private static String setting() {
        String v = System.getenv(OVERRIDE);
        if (v == null || v.isBlank()) v = System.getProperty(OVERRIDE);
        return v == null || v.isBlank() ? null : v;
    }
}
