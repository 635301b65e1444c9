package io.reliablemq.producer;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One check-back from the broker: which half message it asks about.
 *
 * @param topic the topic of the half message
 * @param reliableId its {@code reliablemq_id}, null when it was not sent through ReliableMQ
 * @param businessType the value of {@link TransactionCheck#TYPE_PROPERTY}, null when absent
 * @param messageId the broker's message id
 * @param bornAt when the producer created the half message (the producer host's clock)
 * @param properties all user properties of the message (never logged by the SDK)
 */
public record CheckRequest(
    String topic,
    String reliableId,
    String businessType,
    String messageId,
    Instant bornAt,
    Map<String, String> properties) {
  /**
   * Creates a request.
   *
   * @param topic the topic
   * @param reliableId the logical id, or null
   * @param businessType the business type, or null
   * @param messageId the broker's message id
   * @param bornAt when the message was created
   * @param properties the user properties
   */
  public CheckRequest {
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(bornAt, "bornAt");
    properties = properties == null ? Map.of() : Map.copyOf(properties);
  }

  /**
   * The logical id, if the message carries one.
   *
   * @return the id
   */
  public Optional<String> id() {
    return Optional.ofNullable(reliableId);
  }

  /**
   * The business type, if the message names one.
   *
   * @return the type
   */
  public Optional<String> type() {
    return Optional.ofNullable(businessType);
  }
}
