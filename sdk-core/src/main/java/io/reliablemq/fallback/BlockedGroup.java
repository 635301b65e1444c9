package io.reliablemq.fallback;

import java.util.Objects;
import java.util.Optional;

/**
 * A FIFO message group that cannot drain: its earliest parked entry stays in the store and, to keep
 * the group's order, no later entry of the group is replayed past it. New sends of the group keep
 * returning STORED while it is blocked. The operator unblocks it by fixing the cause and unparking
 * the entry, or by deleting the entry when it must never be delivered.
 *
 * @param topic the topic
 * @param messageGroup the message group (scoped to its topic)
 * @param parkedEntryId the {@code reliablemq_id} of the group's earliest parked entry
 * @param lastError the error that parked it, never the body
 * @param entriesWaiting the entries of the group stored after it (pending or parked)
 */
public record BlockedGroup(
    String topic,
    String messageGroup,
    String parkedEntryId,
    Optional<String> lastError,
    long entriesWaiting) {

  /** Checks the fields. */
  public BlockedGroup {
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(messageGroup, "messageGroup");
    Objects.requireNonNull(parkedEntryId, "parkedEntryId");
    Objects.requireNonNull(lastError, "lastError");
    if (entriesWaiting < 0) {
      throw new IllegalArgumentException(
          "entriesWaiting must not be negative, was " + entriesWaiting);
    }
  }
}
