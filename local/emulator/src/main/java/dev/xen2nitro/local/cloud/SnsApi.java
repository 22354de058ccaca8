package dev.xen2nitro.local.cloud;

import dev.xen2nitro.local.wire.AwsError;
import java.time.Instant;
import java.util.UUID;
import software.amazon.awssdk.services.sns.model.PublishRequest;
import software.amazon.awssdk.services.sns.model.PublishResponse;

/** SNS Publish: messages are kept on their topic for inspection (and written to world.json). */
public final class SnsApi {
    private final Cloud cloud;

    public SnsApi(Cloud cloud) {
        this.cloud = cloud;
    }

    public PublishResponse publish(PublishRequest r) {
        var messages = cloud.topics.get(r.topicArn());
        if (messages == null) {
            throw new AwsError("NotFound", "Topic does not exist", 404);
        }
        messages.add(new Cloud.Notification(r.topicArn(), r.subject(), r.message(), Instant.now()));
        return PublishResponse.builder().messageId(UUID.randomUUID().toString()).build();
    }
}
