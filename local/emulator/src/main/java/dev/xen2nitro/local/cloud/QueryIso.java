package dev.xen2nitro.local.cloud;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** EC2 fields typed as strings that carry a timestamp (Image.CreationDate, task times) use ISO 8601 with millis. */
final class QueryIso {
    private QueryIso() {}

    static String of(Instant i) {
        return DateTimeFormatter.ISO_INSTANT.format(i.truncatedTo(ChronoUnit.MILLIS));
    }
}
