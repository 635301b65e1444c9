package io.reliablemq.relay.internal;

import io.reliablemq.consumer.ReceivedMessage;
import io.reliablemq.internal.MessageValidator;
import io.reliablemq.message.ReliableMessage;
import java.util.LinkedHashMap;
import java.util.Map;

/** Turns a received source message into the copy for the target topic. */
final class RelayMessages {
  private RelayMessages() {}

  /**
   * The copy of a source message for the target topic.
   *
   * <p>The logical id is kept; a message sent without one (by another client) gets its broker
   * message id, which stays the same across redeliveries, so a re-sent copy is still recognised as
   * the same message by the consumers' dedup. Other {@code reliablemq_} properties described the
   * source's own send (e.g. a transaction) and are not the copy's, so they are dropped. The
   * delivery time stays absolute: one already past is delivered at once.
   *
   * @param source the received message
   * @param targetTopic the target topic
   * @return the copy
   */
  static ReliableMessage copyOf(ReceivedMessage source, String targetTopic) {
    Map<String, String> properties = new LinkedHashMap<>();
    source
        .properties()
        .forEach(
            (k, v) -> {
              if (!MessageValidator.isSystemKey(k)) {
                properties.put(k, v);
              }
            });
    ReliableMessage.Builder b =
        ReliableMessage.builder(targetTopic)
            .body(source.body())
            .properties(properties)
            .id(source.reliableId().orElse(source.messageId()));
    source.tag().ifPresent(b::tag);
    if (!source.keys().isEmpty()) {
      b.keys(source.keys().toArray(new String[0]));
    }
    source.messageGroup().ifPresent(b::messageGroup);
    source.deliveryTime().ifPresent(b::deliveryTime);
    return b.build();
  }
}
