package io.reliablemq.internal;

import io.reliablemq.InvalidMessageException;
import io.reliablemq.message.MessageLimits;
import io.reliablemq.message.ReliableMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a message against {@link MessageLimits} and RocketMQ's own rules before any I/O, and
 * resolves it for sending: logical id assigned, delay turned into an absolute delivery time.
 *
 * <p>Exceptions name the field and the limit but never echo a body or a property value.
 */
public final class MessageValidator {
  /** RocketMQ's topic pattern ({@code MessageBuilderImpl.TOPIC_PATTERN}). */
  private static final Pattern TOPIC = Pattern.compile("^[%a-zA-Z0-9_-]+$");

  private static final Pattern ID = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$");

  /** Prefix reserved for the SDK's own properties. */
  public static final String SDK_PROPERTY_PREFIX = "reliablemq_";

  /**
   * System property keys the broker owns ({@code MessageConst.STRING_HASH_SET}, RocketMQ 5.3), plus
   * the transaction keys; a user property with one of these names would corrupt broker behaviour.
   */
  private static final Set<String> RESERVED_KEYS =
      Set.of(
          "TRACE_ON",
          "MSG_REGION",
          "KEYS",
          "TAGS",
          "WAIT",
          "DELAY",
          "RETRY_TOPIC",
          "REAL_TOPIC",
          "REAL_QID",
          "TRAN_MSG",
          "PGROUP",
          "MIN_OFFSET",
          "MAX_OFFSET",
          "BUYER_ID",
          "ORIGIN_MESSAGE_ID",
          "TRANSFER_FLAG",
          "CORRECTION_FLAG",
          "MQ2_FLAG",
          "RECONSUME_TIME",
          "UNIQ_KEY",
          "MAX_RECONSUME_TIMES",
          "CONSUME_START_TIME",
          "POP_CK",
          "POP_CK_OFFSET",
          "1ST_POP_TIME",
          "TRAN_PREPARED_QUEUE_OFFSET",
          "DUP_INFO",
          "EXTEND_UNIQ_INFO",
          "INSTANCE_ID",
          "CORRELATION_ID",
          "REPLY_TO_CLIENT",
          "TTL",
          "ARRIVE_TIME",
          "PUSH_REPLY_TIME",
          "CLUSTER",
          "MSG_TYPE",
          "INNER_MULTI_QUEUE_OFFSET",
          "TIMER_DELAY_MS",
          "TIMER_DELAY_SEC",
          "TIMER_DELIVER_MS",
          "TIMER_ENQUEUE_MS",
          "TIMER_DEQUEUE_MS",
          "TIMER_ROLL_TIMES",
          "TIMER_OUT_MS",
          "TIMER_DEL_UNIQKEY",
          "TIMER_DELAY_LEVEL",
          "__BORNHOST",
          "BORN_TIMESTAMP",
          "DLQ_ORIGIN_TOPIC",
          "DLQ_ORIGIN_MESSAGE_ID",
          "__CRC32#",
          "__transactionId__",
          "TRANSACTION_CHECK_TIMES",
          "CHECK_IMMUNITY_TIME_IN_SECONDS",
          "__SHARDINGKEY",
          "__STARTDELIVERTIME",
          "INNER_NUM",
          "INNER_BASE",
          "INNER_MULTI_DISPATCH",
          "TRACE_CONTEXT",
          "REDIRECT",
          "PROPERTY_FORWARD_QUEUE_ID");

  private static final String TRANSIENT_PREFIX = "__RMQ.TRANSIENT.";

  private final MessageLimits limits;

  /**
   * Creates a validator.
   *
   * @param limits the limits to enforce
   */
  public MessageValidator(MessageLimits limits) {
    this.limits = limits;
  }

  /**
   * Validates a message and resolves it for sending.
   *
   * @param message the message as the caller built it
   * @param newId the logical id to assign when the message has none
   * @param now the current time, to resolve a delay and check the delay limit
   * @return the message with id set and any delay resolved to an absolute delivery time
   * @throws InvalidMessageException naming the first field that breaks a limit
   */
  public ReliableMessage validate(ReliableMessage message, String newId, Instant now) {
    if (message == null) {
      throw new InvalidMessageException("message", "not null", "was null");
    }
    checkTopic(message.topic());
    checkBody(message);
    message.tag().ifPresent(MessageValidator::checkTag);
    for (String key : message.keys()) {
      if (key == null || key.isBlank() || containsWhitespace(key)) {
        throw new InvalidMessageException(
            "keys", "non-blank without whitespace", "a key was blank or had whitespace");
      }
    }
    String id = message.id().orElse(newId);
    if (id == null || !ID.matcher(id).matches()) {
      throw new InvalidMessageException(
          "id", "1-128 characters of [A-Za-z0-9_.:-]", "was " + (id == null ? "null" : "invalid"));
    }
    checkProperties(message.properties(), id);
    message.messageGroup().ifPresent(this::checkGroup);
    Instant deliveryTime = resolveDeliveryTime(message, now);
    if (deliveryTime != null && message.messageGroup().isPresent()) {
      throw new InvalidMessageException(
          "messageGroup", "not set together with a delivery time", "both were set");
    }
    ReliableMessage.Builder resolved = message.toBuilder().id(id);
    if (deliveryTime != null) {
      resolved.deliveryTime(deliveryTime);
    }
    return resolved.build();
  }

  private void checkTopic(String topic) {
    if (topic == null || topic.isBlank()) {
      throw new InvalidMessageException("topic", "not blank", "was blank");
    }
    if (topic.length() > limits.maxTopicLength()) {
      throw new InvalidMessageException(
          "topic", "<= " + limits.maxTopicLength() + " characters", "was " + topic.length());
    }
    if (!TOPIC.matcher(topic).matches()) {
      throw new InvalidMessageException("topic", "made of [%a-zA-Z0-9_-]", "had other characters");
    }
  }

  private void checkBody(ReliableMessage message) {
    int length = message.bodyLength();
    if (length == 0) {
      throw new InvalidMessageException("body", "non-empty", "was empty or missing");
    }
    if (length > limits.maxBodyBytes()) {
      throw new InvalidMessageException(
          "body", "<= " + limits.maxBodyBytes() + " bytes", "was " + length + " bytes");
    }
  }

  private static void checkTag(String tag) {
    if (tag.isBlank()) {
      throw new InvalidMessageException("tag", "not blank", "was blank");
    }
    if (tag.indexOf('|') >= 0) {
      throw new InvalidMessageException("tag", "free of '|'", "contained '|'");
    }
  }

  private void checkProperties(Map<String, String> properties, String id) {
    // The id property travels with the user properties and counts against the same broker limits.
    int count = properties.size() + 1;
    if (count > limits.maxPropertyCount()) {
      throw new InvalidMessageException(
          "properties",
          "<= " + (limits.maxPropertyCount() - 1) + " entries",
          "had " + properties.size());
    }
    long bytes = utf8Length(ReliableMessage.ID_PROPERTY) + utf8Length(id);
    for (Map.Entry<String, String> e : properties.entrySet()) {
      String key = e.getKey();
      String value = e.getValue();
      if (key == null || key.isBlank()) {
        throw new InvalidMessageException("properties", "keys not blank", "a key was blank");
      }
      if (RESERVED_KEYS.contains(key)
          || key.startsWith(TRANSIENT_PREFIX)
          || key.startsWith(SDK_PROPERTY_PREFIX)) {
        throw new InvalidMessageException(
            "properties", "free of system-reserved keys", "key '" + key + "' is reserved");
      }
      if (value == null || value.isBlank()) {
        throw new InvalidMessageException(
            "properties", "values not blank", "value of '" + key + "' was blank");
      }
      // RocketMQ encodes properties with \u0001 and \u0002 as separators.
      if (hasSeparator(key) || hasSeparator(value)) {
        throw new InvalidMessageException(
            "properties",
            "free of the control characters \\u0001 and \\u0002",
            "key or value of '" + key.replace('\u0001', '?').replace('\u0002', '?') + "'");
      }
      bytes += utf8Length(key) + utf8Length(value);
    }
    if (bytes > limits.maxPropertyBytes()) {
      throw new InvalidMessageException(
          "properties",
          "<= " + limits.maxPropertyBytes() + " bytes in total (keys and values, UTF-8)",
          "was " + bytes + " bytes");
    }
  }

  /**
   * Whether a validated message has room, within the broker's property limits, for one more SDK
   * property added after validation. The SDK's own stamps must never make the proxy reject a
   * message that passed validation, so a stamp that does not fit is left out instead.
   *
   * @param resolved a message this validator accepted (id assigned)
   * @param key the SDK property key
   * @param value its value
   * @return true when the message stays within {@link MessageLimits} with the property added
   */
  public boolean hasRoomFor(ReliableMessage resolved, String key, String value) {
    Map<String, String> properties = resolved.properties();
    // The user's properties, the id property and the new one.
    if (properties.size() + 2 > limits.maxPropertyCount()) {
      return false;
    }
    String id = resolved.id().orElse("");
    long chars = ReliableMessage.ID_PROPERTY.length() + id.length() + key.length() + value.length();
    for (Map.Entry<String, String> e : properties.entrySet()) {
      chars += e.getKey().length() + e.getValue().length();
    }
    // A char is at most 3 UTF-8 bytes: the common case needs no encoding at all.
    if (chars * 3 <= limits.maxPropertyBytes()) {
      return true;
    }
    long bytes =
        utf8Length(ReliableMessage.ID_PROPERTY)
            + utf8Length(id)
            + utf8Length(key)
            + utf8Length(value);
    for (Map.Entry<String, String> e : properties.entrySet()) {
      bytes += utf8Length(e.getKey()) + utf8Length(e.getValue());
    }
    return bytes <= limits.maxPropertyBytes();
  }

  private void checkGroup(String group) {
    if (group.isBlank()) {
      throw new InvalidMessageException("messageGroup", "not blank", "was blank");
    }
    if (group.length() > limits.maxMessageGroupLength()) {
      throw new InvalidMessageException(
          "messageGroup",
          "<= " + limits.maxMessageGroupLength() + " characters",
          "was " + group.length());
    }
  }

  private Instant resolveDeliveryTime(ReliableMessage message, Instant now) {
    Instant time = message.deliveryTime().orElse(null);
    Duration delay = message.deliveryDelay().orElse(null);
    if (delay != null) {
      if (delay.isNegative()) {
        throw new InvalidMessageException("deliveryDelay", ">= 0", "was " + delay);
      }
      if (delay.compareTo(limits.maxDeliveryDelay()) > 0) {
        throw new InvalidMessageException(
            "deliveryDelay", "<= " + limits.maxDeliveryDelay(), "was " + delay);
      }
      return now.plus(delay);
    }
    if (time != null && Duration.between(now, time).compareTo(limits.maxDeliveryDelay()) > 0) {
      throw new InvalidMessageException(
          "deliveryTime",
          "at most " + limits.maxDeliveryDelay() + " from now",
          "was " + Duration.between(now, time) + " from now");
    }
    return time;
  }

  private static boolean containsWhitespace(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.isWhitespace(s.charAt(i))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether a property key belongs to RocketMQ or the SDK rather than the user; such keys appear
   * among a received message's properties (e.g. {@code __SHARDINGKEY} on FIFO messages) and are
   * rejected on send.
   *
   * @param key the property key
   * @return true for a system or SDK key
   */
  public static boolean isSystemKey(String key) {
    return RESERVED_KEYS.contains(key)
        || key.startsWith(TRANSIENT_PREFIX)
        || key.startsWith(SDK_PROPERTY_PREFIX);
  }

  private static boolean hasSeparator(String s) {
    return s.indexOf('\u0001') >= 0 || s.indexOf('\u0002') >= 0;
  }

  private static long utf8Length(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }
}
