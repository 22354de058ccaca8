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
        // Message attributes: a data type and a value each (SNS API Reference, MessageAttributeValue); subscriptions'
        // filter policies match String ones, the only kind published here.
        java.util.Map<String, String> attributes = new java.util.TreeMap<>();
        r.messageAttributes().forEach((name, v) -> {
            if (!"String".equals(v.dataType()) || v.stringValue() == null || v.stringValue().isEmpty()) {
                throw new AwsError("InvalidParameterValue", "The message attribute '" + name + "' must contain non-empty message attribute value"
                        + " for message attribute type 'String'.");
            }
            attributes.put(name, v.stringValue());
        });
        messages.add(new Cloud.Notification(r.topicArn(), r.subject(), r.message(), attributes, Instant.now()));
        return PublishResponse.builder().messageId(UUID.randomUUID().toString()).build();
    }
}
