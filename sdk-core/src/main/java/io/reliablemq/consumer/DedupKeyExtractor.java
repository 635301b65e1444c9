package io.reliablemq.consumer;

import io.reliablemq.message.ReliableMessage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Which key identifies "the same message" for deduplication. The {@link #standard()} extractor uses
 * the producer's logical id; a business extractor (an order number, say) also folds together
 * messages that different producers sent for the same business event.
 */
@FunctionalInterface
public interface DedupKeyExtractor {
  /**
   * The dedup key of a message.
   *
   * @param message the message
   * @return a non-blank key; keys longer than 255 characters are hashed (SHA-256) by the consumer
   */
  String keyOf(ReceivedMessage message);

  /**
   * {@value ReliableMessage#ID_PROPERTY} when present (stable across producer retries, fallback
   * replays and redeliveries); else the message keys, sorted and joined ({@code keys:a,b}); else
   * the broker's message id ({@code msgid:...}, stable across redeliveries of one send only).
   *
   * @return the standard extractor
   */
  static DedupKeyExtractor standard() {
    return m -> {
      if (m.reliableId().isPresent()) {
        return m.reliableId().get();
      }
      if (!m.keys().isEmpty()) {
        List<String> keys = new ArrayList<>(m.keys());
        Collections.sort(keys);
        return "keys:" + String.join(",", keys);
      }
      return "msgid:" + m.messageId();
    };
  }
}
