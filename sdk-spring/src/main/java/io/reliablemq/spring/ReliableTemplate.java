package io.reliablemq.spring;

import io.reliablemq.message.ReliableMessage;
import io.reliablemq.producer.ReliableProducer;
import io.reliablemq.producer.SendOutcome;
import io.reliablemq.spring.internal.OuterTransactionSend;
import io.reliablemq.spring.internal.PayloadConverter;
import io.reliablemq.transaction.LocalTransaction;
import io.reliablemq.transaction.TransactionResult;
import io.reliablemq.transaction.TransactionStatus;
import io.reliablemq.transaction.TransactionalSender;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import javax.sql.DataSource;
import org.springframework.util.ClassUtils;

/**
 * Sends application objects through a {@link ReliableProducer}. A payload that is a {@code byte[]}
 * or a {@link String} is sent as it is (strings in UTF-8); any other object is sent as JSON written
 * by the {@link JsonCodec} (the application's Jackson mapper). Every method has the producer's
 * guarantees: it returns SENT or STORED, or throws (see {@link ReliableProducer#send}).
 * Thread-safe.
 */
public class ReliableTemplate {
  private final ReliableProducer producer;
  private final PayloadConverter converter;
  private final TransactionalSender sender;
  private final DataSource dataSource;

  /** spring-tx and spring-jdbc are optional: without them there is no outer transaction to join. */
  private static final boolean SPRING_TX =
      ClassUtils.isPresent(
              "org.springframework.transaction.support.TransactionSynchronizationManager",
              ReliableTemplate.class.getClassLoader())
          && ClassUtils.isPresent(
              "org.springframework.jdbc.datasource.DataSourceUtils",
              ReliableTemplate.class.getClassLoader());

  /**
   * Creates a template.
   *
   * @param producer the producer (not closed by the template)
   * @param codec the JSON codec for payloads other than bytes and strings
   */
  public ReliableTemplate(ReliableProducer producer, JsonCodec codec) {
    this(producer, codec, null);
  }

  /**
   * Creates a template that can also send in a local transaction.
   *
   * @param producer the producer (not closed by the template)
   * @param codec the JSON codec for payloads other than bytes and strings
   * @param sender the transactional sender, or null when there is none
   */
  public ReliableTemplate(ReliableProducer producer, JsonCodec codec, TransactionalSender sender) {
    this(producer, codec, sender, null);
  }

  /**
   * Creates a template that can also send in a local transaction, joining a Spring transaction the
   * caller has open on {@code dataSource}.
   *
   * @param producer the producer (not closed by the template)
   * @param codec the JSON codec for payloads other than bytes and strings
   * @param sender the transactional sender, or null when there is none
   * @param dataSource the sender's database (the one its transaction log lives in), or null to
   *     refuse {@code sendInTransaction} inside an active transaction
   */
  public ReliableTemplate(
      ReliableProducer producer,
      JsonCodec codec,
      TransactionalSender sender,
      DataSource dataSource) {
    this.producer = Objects.requireNonNull(producer, "producer");
    this.converter = new PayloadConverter(codec);
    this.sender = sender;
    this.dataSource = dataSource;
  }

  /**
   * Sends a payload to a TRANSACTION topic in one transaction with local database work: the message
   * is delivered if and only if the work commits.
   *
   * <p>Outside an active transaction, the work runs in a transaction of its own (see {@link
   * TransactionalSender#send}) and the result is final: COMMITTED, COMMIT_UNCONFIRMED (delivered by
   * the check-back) or, in outbox mode, STORED.
   *
   * <p>Inside an active Spring transaction on the sender's {@code DataSource} (an outer
   * {@code @Transactional}), the half message is sent first, then the log row and the work run in
   * that outer transaction, and the result is {@link TransactionStatus#PENDING PENDING}: the
   * message is committed after the outer transaction commits (a {@code TransactionSynchronization})
   * and rolled back if it rolls back; a crash in between is decided by the check-back from the log
   * row. When the work throws, the outer transaction is marked rollback-only, so the message cannot
   * commit without it. There is no outbox in this form: a broker outage throws {@link
   * io.reliablemq.transaction.TransactionUnavailableException} before the work runs, and the outer
   * transaction decides what to do.
   *
   * @param topic a TRANSACTION topic
   * @param payload bytes, a string or an object sent as JSON
   * @param work the local work, given the transaction's connection
   * @param <T> the work's result type
   * @return the outcome with the work's result; PENDING inside an outer transaction
   * @throws IllegalStateException when no transactional sender is configured ({@code
   *     reliablemq.transaction.enabled}), or the active transaction does not hold the sender's
   *     {@code DataSource}
   */
  public <T> TransactionResult<T> sendInTransaction(
      String topic, Object payload, LocalTransaction<T> work) {
    if (sender == null) {
      throw new IllegalStateException(
          "no TransactionalSender: set reliablemq.transaction.enabled=true with a DataSource");
    }
    if (SPRING_TX && dataSource != null && OuterTransactionSend.active()) {
      return OuterTransactionSend.send(sender, dataSource, message(topic, payload).build(), work);
    }
    return sender.send(message(topic, payload).build(), work);
  }

  /**
   * A message builder with the payload converted, for tags, keys and properties.
   *
   * @param topic the topic
   * @param payload bytes, a string or an object sent as JSON
   * @return the builder; send its message with {@link #send(ReliableMessage)}
   */
  public ReliableMessage.Builder message(String topic, Object payload) {
    return ReliableMessage.builder(topic).body(converter.toBody(payload));
  }

  /**
   * Sends a message built by the caller and waits.
   *
   * @param message the message
   * @return SENT or STORED
   */
  public SendOutcome send(ReliableMessage message) {
    return producer.send(message);
  }

  /**
   * Sends a payload and waits for the outcome.
   *
   * @param topic the topic
   * @param payload bytes, a string or an object sent as JSON
   * @return SENT or STORED
   */
  public SendOutcome sendSync(String topic, Object payload) {
    return producer.send(message(topic, payload).build());
  }

  /**
   * Sends a payload with a tag and waits for the outcome.
   *
   * @param topic the topic
   * @param tag the tag
   * @param payload bytes, a string or an object sent as JSON
   * @return SENT or STORED
   */
  public SendOutcome sendSync(String topic, String tag, Object payload) {
    return producer.send(message(topic, payload).tag(tag).build());
  }

  /**
   * Sends a payload without blocking.
   *
   * @param topic the topic
   * @param payload bytes, a string or an object sent as JSON
   * @return the outcome, SENT or STORED
   */
  public CompletableFuture<SendOutcome> sendAsync(String topic, Object payload) {
    return producer.sendAsync(message(topic, payload).build());
  }

  /**
   * Sends a payload to a FIFO topic in a message group and waits.
   *
   * @param topic a FIFO topic
   * @param messageGroup the group whose messages are delivered in order
   * @param payload bytes, a string or an object sent as JSON
   * @return SENT or STORED
   */
  public SendOutcome sendFifo(String topic, String messageGroup, Object payload) {
    return producer.send(message(topic, payload).messageGroup(messageGroup).build());
  }

  /**
   * Sends a payload to a DELAY topic for delivery after a delay, and waits.
   *
   * @param topic a DELAY topic
   * @param payload bytes, a string or an object sent as JSON
   * @param delay the delay, at most one day
   * @return SENT or STORED
   */
  public SendOutcome sendDelayed(String topic, Object payload, Duration delay) {
    return producer.send(message(topic, payload).deliveryDelay(delay).build());
  }

  /**
   * Sends a payload to a DELAY topic for delivery at a time, and waits.
   *
   * @param topic a DELAY topic
   * @param payload bytes, a string or an object sent as JSON
   * @param deliveryTime when to deliver, at most one day ahead
   * @return SENT or STORED
   */
  public SendOutcome sendDelayed(String topic, Object payload, Instant deliveryTime) {
    return producer.send(message(topic, payload).deliveryTime(deliveryTime).build());
  }

  /**
   * The producer behind this template.
   *
   * @return the producer
   */
  public ReliableProducer producer() {
    return producer;
  }
}
