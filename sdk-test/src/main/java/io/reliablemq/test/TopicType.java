package io.reliablemq.test;

/**
 * Message type of a topic, stored as the topic attribute {@code +message.type}. The RocketMQ 5
 * proxy rejects a message whose type does not match its topic's type.
 */
public enum TopicType {
  /** Plain messages. */
  NORMAL,
  /** Ordered messages within a message group. */
  FIFO,
  /** Messages with a delivery timestamp. */
  DELAY,
  /** Transactional (half) messages. */
  TRANSACTION
}
