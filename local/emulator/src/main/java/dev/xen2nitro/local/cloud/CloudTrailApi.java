package dev.xen2nitro.local.cloud;

import dev.xen2nitro.local.wire.AwsError;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.cloudtrail.model.Event;
import software.amazon.awssdk.services.cloudtrail.model.LookupAttribute;
import software.amazon.awssdk.services.cloudtrail.model.LookupEventsRequest;
import software.amazon.awssdk.services.cloudtrail.model.LookupEventsResponse;

/**
 * CloudTrail's event history, as LookupEvents reads it (CloudTrail API Reference, LookupEvents): the management events
 * of the account and Region, most recent first, at most 50 a page, filtered by one lookup attribute (here EventName,
 * Username or EventSource) and a time range. An event shows after CloudTrail's delivery delay, "an average of about 5
 * minutes" (CloudTrail User Guide, "Working with CloudTrail event history"), in AWS time scaled by the time factor.
 */
public final class CloudTrailApi {

    private final Cloud cloud;

    public CloudTrailApi(Cloud cloud) {
        this.cloud = cloud;
    }

    public LookupEventsResponse lookupEvents(LookupEventsRequest r) {
        if (r.lookupAttributes().size() > 1) {
            throw new AwsError("InvalidLookupAttributesException", "You can specify only one lookup attribute.");
        }
        LookupAttribute attribute = r.lookupAttributes().isEmpty() ? null : r.lookupAttributes().get(0);
        int max = r.maxResults() == null ? 50 : r.maxResults();
        if (max < 1 || max > 50) {
            throw new AwsError("InvalidMaxResultsException", "MaxResults must be from 1 to 50.");
        }
        long delivered = Math.round(cloud.trailDeliverySeconds * cloud.timeFactor * 1000);
        Instant shownBefore = Instant.now().minusMillis(delivered);
        List<Cloud.TrailEvent> found = new ArrayList<>();
        for (int i = cloud.trail.size() - 1; i >= 0; i--) {
            Cloud.TrailEvent e = cloud.trail.get(i);
            if (e.eventTime().isAfter(shownBefore)) continue;
            if (r.startTime() != null && e.eventTime().isBefore(r.startTime())) continue;
            if (r.endTime() != null && e.eventTime().isAfter(r.endTime())) continue;
            if (attribute != null && !matches(e, attribute)) continue;
            found.add(e);
        }
        int from = r.nextToken() == null ? 0 : Integer.parseInt(r.nextToken());
        List<Event> page = new ArrayList<>();
        for (int i = from; i < Math.min(found.size(), from + max); i++) {
            Cloud.TrailEvent e = found.get(i);
            page.add(Event.builder().eventId(e.eventId()).eventName(e.eventName()).eventSource(e.eventSource()).eventTime(e.eventTime())
                    .username(e.username()).accessKeyId(e.accessKeyId()).readOnly("false").cloudTrailEvent(e.cloudTrailEvent()).build());
        }
        return LookupEventsResponse.builder().events(page).nextToken(from + max < found.size() ? String.valueOf(from + max) : null).build();
    }

    private static boolean matches(Cloud.TrailEvent e, LookupAttribute a) {
        String v = a.attributeValue();
        return switch (a.attributeKeyAsString()) {
            case "EventName" -> e.eventName().equals(v);
            case "Username" -> v.equals(e.username());
            case "EventSource" -> e.eventSource().equals(v);
            case "AccessKeyId" -> v.equals(e.accessKeyId());
            default -> throw new AwsError("InvalidLookupAttributesException", "This local cloud looks events up by EventName, Username,"
                    + " EventSource or AccessKeyId, not " + a.attributeKeyAsString());
        };
    }
}
