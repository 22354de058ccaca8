package dev.xen2nitro.functions.approval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.xen2nitro.functions.core.Aws;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.cloudtrail.model.LookupAttributeKey;
import software.amazon.awssdk.services.cloudtrail.model.LookupEventsResponse;

/**
 * Who started an execution, where CloudTrail knows it: Step Functions passes no caller to the execution, but CloudTrail
 * records StartExecution with the caller in userIdentity and the execution's ARN in responseElements (Step Functions
 * Developer Guide, "Logging Step Functions using AWS CloudTrail"), and keeps management events in the event history for
 * 90 days, searchable with LookupEvents by event name and time. CloudTrail delivers an event "within an average of about
 * 5 minutes" (CloudTrail User Guide), and the approval is asked after the backup and two driver installs, so the event
 * is usually there; when it is not, or CloudTrail cannot be read, the starter is not known yet and the mail says so, and
 * the approval function looks again when an approval comes: it accepts none while the starter is not known.
 */
public final class Starter {
    private Starter() {}

    private static final ObjectMapper JSON = new ObjectMapper();
    /** StartExecution's event is looked for around the execution's start. */
    static final Duration WINDOW = Duration.ofMinutes(5);
    /** LookupEvents answers two requests a second per account and Region; a few pages are enough for one start. */
    static final int PAGES = 10;

    /**
     * Who started it (an ARN), or why that is not known.
     *
     * @param settled whether CloudTrail's event was found: then {@code arn} is final, null for a start by a service. Until
     *                then the approval function looks again before it accepts an approval.
     */
    public record Found(String arn, String unknownBecause, boolean settled) {}

    public static Found of(String executionArn, Instant startedAt) {
        try {
            String token = null;
            for (int page = 0; page < PAGES; page++) {
                String next = token;
                LookupEventsResponse r = Aws.cloudTrail().lookupEvents(b -> b
                        .lookupAttributes(a -> a.attributeKey(LookupAttributeKey.EVENT_NAME).attributeValue("StartExecution"))
                        .startTime(startedAt.minus(WINDOW)).endTime(startedAt.plus(WINDOW)).maxResults(50).nextToken(next));
                for (var e : r.events()) {
                    JsonNode event = JSON.readTree(e.cloudTrailEvent());
                    if (executionArn.equals(event.at("/responseElements/executionArn").asText(null))) {
                        String arn = event.at("/userIdentity/arn").asText(null);
                        return arn != null ? new Found(arn, null, true)
                                : new Found(null, "CloudTrail names no ARN for the starter (" + event.at("/userIdentity/type").asText("unknown type")
                                + (event.at("/userIdentity/invokedBy").isTextual() ? ", " + event.at("/userIdentity/invokedBy").asText() : "") + ")", true);
                    }
                }
                token = r.nextToken();
                if (token == null) break;
            }
            return new Found(null, "CloudTrail's event history has no StartExecution of it yet", false);
        } catch (AwsServiceException | SdkClientException | IOException e) {
            return new Found(null, "CloudTrail could not be read (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", false);
        }
    }
}
