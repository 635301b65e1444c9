package io.reliablemq.producer.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.reliablemq.internal.MessageValidator;
import io.reliablemq.message.ReliableMessage;
import java.time.Duration;

/**
 * The producer half of the order guard: remembers, per topic and message group, the id of the last
 * message this producer accepted ({@code SENT} or {@code STORED}), and stamps the next message of
 * the group with it ({@value ReliableMessage#PREVIOUS_ID_PROPERTY}). A consumer with dedup then
 * holds that message until its predecessor was processed, which keeps a group in order when the
 * proxy moves it to another queue (a broker group died or came back) while older messages of the
 * group still wait on the old queue.
 *
 * <p>The memory is bounded ({@value #MAX_GROUPS} groups, {@link #IDLE} of inactivity): a group
 * forgotten or never seen gets no stamp, and its next message is simply not guarded. A stamp that
 * would break the broker's property limits is left out for the same reason. Thread-safe; one map
 * lookup per FIFO message on resolve and one put when it is accepted.
 */
final class GroupChain {
  /** Most groups remembered. */
  static final long MAX_GROUPS = 100_000;

  /**
   * How long a group is remembered after its last send. Longer than the consumer's default wait for
   * a predecessor (60 s), so that a group sending slower than that is still guarded.
   */
  static final Duration IDLE = Duration.ofMinutes(10);

  private final Cache<GroupKey, String> last;
  private final MessageValidator validator;

  GroupChain(MessageValidator validator) {
    this.validator = validator;
    this.last = Caffeine.newBuilder().maximumSize(MAX_GROUPS).expireAfterAccess(IDLE).build();
  }

  /**
   * The message with the id of its group's last accepted message stamped on it; the message itself
   * when it has no group, the group has no remembered predecessor, or the stamp does not fit.
   *
   * @param resolved a validated message, id assigned
   * @return the message to send
   */
  ReliableMessage stamp(ReliableMessage resolved) {
    String group = resolved.messageGroup().orElse(null);
    if (group == null) {
      return resolved;
    }
    String previous = last.getIfPresent(new GroupKey(resolved.topic(), group));
    // A message sent again under its own id (after AMBIGUOUS) must not wait for itself.
    if (previous == null
        || previous.equals(resolved.id().orElse(null))
        || !validator.hasRoomFor(resolved, ReliableMessage.PREVIOUS_ID_PROPERTY, previous)) {
      return resolved;
    }
    return resolved.toBuilder().property(ReliableMessage.PREVIOUS_ID_PROPERTY, previous).build();
  }

  /**
   * Remembers a message the producer accepted as its group's latest.
   *
   * @param message the message, as sent or stored
   */
  void accepted(ReliableMessage message) {
    String group = message.messageGroup().orElse(null);
    if (group != null) {
      last.put(new GroupKey(message.topic(), group), message.id().orElseThrow());
    }
  }

  /** What a chain is kept per. */
  private record GroupKey(String topic, String group) {}
}
