package io.reliablemq.producer.internal;

import io.github.resilience4j.core.IntervalBiFunction;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.reliablemq.message.ReliableMessage;
import io.reliablemq.message.internal.MessageValidator;
import io.reliablemq.producer.ErrorKind;
import io.reliablemq.producer.ExceptionClassifier;
import io.reliablemq.producer.ReliableProducer;
import io.reliablemq.producer.ReliableProducerConfig;
import io.reliablemq.producer.SendFailedException;
import io.reliablemq.producer.SendOutcome;
import io.reliablemq.producer.SendRetryConfig;
import io.reliablemq.producer.SendStatus;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.rocketmq.client.apis.ClientException;
import org.apache.rocketmq.client.apis.ClientServiceProvider;
import org.apache.rocketmq.client.apis.message.Message;
import org.apache.rocketmq.client.apis.producer.Producer;
import org.apache.rocketmq.client.apis.producer.SendReceipt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ReliableProducer} over the RocketMQ 5 client.
 *
 * <p>The client producer is built with no topics, because {@code Producer.build()} with topics
 * fails when the proxy is unreachable, and with its internal attempts set to 1 so that this class
 * owns every retry (the client would otherwise retry immediately, with a new request timeout each
 * time and no total deadline). If even the topic-less build fails, the next send builds it again.
 */
public final class ReliableProducerImpl implements ReliableProducer {
  private static final Logger log = LoggerFactory.getLogger(ReliableProducerImpl.class);

  private final ReliableProducerConfig config;
  private final ClientServiceProvider provider;
  private final ClientProducerFactory factory;
  private final MessageValidator validator;
  private final Retry retry;
  private final Object lock = new Object();
  private volatile Producer producer;
  private volatile boolean closed;

  ReliableProducerImpl(
      ReliableProducerConfig config,
      ClientServiceProvider provider,
      ClientProducerFactory factory) {
    this.config = config;
    this.provider = provider;
    this.factory = factory;
    this.validator = new MessageValidator(config.limits());
    this.retry = Retry.of("reliablemq-send", retryConfig(config.retry()));
    try {
      this.producer = factory.create();
    } catch (ClientException | RuntimeException e) {
      // An application must be able to start during an MQ outage: build again on first send.
      log.warn(
          "RocketMQ producer could not start yet ({}); will retry on first send",
          e.getClass().getSimpleName());
    }
  }

  /**
   * Creates a producer over the real client.
   *
   * @param config the configuration
   * @return the producer
   */
  public static ReliableProducerImpl create(ReliableProducerConfig config) {
    ClientServiceProvider provider = ClientServiceProvider.loadService();
    return create(
        config,
        provider,
        () ->
            provider
                .newProducerBuilder()
                .setClientConfiguration(ClientSupport.clientConfiguration(config.client()))
                .setMaxAttempts(1)
                .build());
  }

  /**
   * Creates a producer over a given client factory (tests hand in fakes here).
   *
   * @param config the configuration
   * @param provider the client's service provider, for message building
   * @param factory builds the client producer
   * @return the producer
   */
  public static ReliableProducerImpl create(
      ReliableProducerConfig config,
      ClientServiceProvider provider,
      ClientProducerFactory factory) {
    return new ReliableProducerImpl(config, provider, factory);
  }

  static RetryConfig retryConfig(SendRetryConfig c) {
    IntervalFunction backoff =
        IntervalFunction.ofExponentialRandomBackoff(
            c.initialBackoff(), c.multiplier(), c.jitter(), c.maxBackoff());
    return RetryConfig.custom()
        .maxAttempts(c.maxAttempts())
        .intervalBiFunction(IntervalBiFunction.ofIntervalFunction(backoff))
        .retryOnException(ExceptionClassifier::isRetryable)
        .build();
  }

  @Override
  public SendOutcome send(ReliableMessage message) {
    ensureOpen();
    long start = System.nanoTime();
    ReliableMessage resolved =
        validator.validate(message, config.idGenerator().nextId(), config.clock().instant());
    Message clientMessage = ClientSupport.toClientMessage(provider, resolved);
    String id = resolved.id().orElseThrow();
    long deadline = start + config.retry().totalDeadline().toNanos();
    Retry.AsyncContext<SendReceipt> context = retry.asyncContext();
    int attempts = 0;
    while (true) {
      ensureOpen();
      attempts++;
      Throwable error;
      try {
        SendReceipt receipt = attempt(clientMessage, deadline);
        context.onComplete();
        return new SendOutcome(
            SendStatus.SENT,
            resolved.topic(),
            id,
            receipt.getMessageId().toString(),
            attempts,
            Duration.ofNanos(System.nanoTime() - start));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw failed(resolved, id, attempts, start, ErrorKind.AMBIGUOUS, "interrupted", e);
      } catch (Exception e) {
        error = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
      }
      ErrorKind kind = ExceptionClassifier.classify(error);
      log.debug(
          "Send attempt {} to topic {} failed ({}: {}), reliablemq_id={}",
          attempts,
          resolved.topic(),
          kind,
          error.getClass().getSimpleName(),
          id);
      long delayMillis = context.onError(error);
      if (kind == ErrorKind.NON_RETRYABLE) {
        throw failed(resolved, id, attempts, start, kind, "not retryable", error);
      }
      if (delayMillis < 0) {
        throw failed(resolved, id, attempts, start, kind, "attempts exhausted", error);
      }
      long remaining = deadline - System.nanoTime();
      if (TimeUnit.MILLISECONDS.toNanos(delayMillis) >= remaining) {
        throw failed(resolved, id, attempts, start, kind, "total deadline reached", error);
      }
      try {
        Thread.sleep(delayMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw failed(resolved, id, attempts, start, kind, "interrupted", error);
      }
    }
  }

  private SendReceipt attempt(Message message, long deadline) throws Exception {
    long remaining = deadline - System.nanoTime();
    if (remaining <= 0) {
      throw new TimeoutException("total deadline reached before the attempt");
    }
    CompletableFuture<SendReceipt> future = producer().sendAsync(message);
    try {
      return future.get(remaining, TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      future.cancel(false);
      throw e;
    }
  }

  private Producer producer() throws ClientException {
    Producer p = producer;
    if (p != null) {
      return p;
    }
    synchronized (lock) {
      if (producer == null) {
        producer = factory.create();
      }
      return producer;
    }
  }

  private SendFailedException failed(
      ReliableMessage message,
      String id,
      int attempts,
      long start,
      ErrorKind kind,
      String reason,
      Throwable cause) {
    return new SendFailedException(
        message.topic(),
        id,
        attempts,
        Duration.ofNanos(System.nanoTime() - start),
        kind,
        reason,
        cause);
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("ReliableProducer is closed");
    }
  }

  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      Producer p = producer;
      producer = null;
      if (p != null) {
        try {
          p.close();
        } catch (IOException | RuntimeException e) {
          log.warn("Closing the RocketMQ producer failed: {}", e.toString());
        }
      }
    }
  }
}
