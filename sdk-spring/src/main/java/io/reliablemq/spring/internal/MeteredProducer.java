package io.reliablemq.spring.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.reliablemq.fallback.FallbackOperations;
import io.reliablemq.message.ReliableMessage;
import io.reliablemq.producer.CircuitState;
import io.reliablemq.producer.ReliableProducer;
import io.reliablemq.producer.SendOutcome;
import io.reliablemq.producer.SendStatus;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The template's view of the producer that counts each send's outcome in {@code reliablemq.send}
 * (tag {@code result} = {@code sent} / {@code stored} / {@code failed}); its three counters are
 * registered once, when it is created. Closing it does not close the producer (the template never
 * closes it).
 */
public final class MeteredProducer implements ReliableProducer {
  private final ReliableProducer producer;
  private final Counter sent;
  private final Counter stored;
  private final Counter failed;

  /**
   * Wraps a producer.
   *
   * @param producer the application's producer
   * @param registry where the counters are registered
   */
  public MeteredProducer(ReliableProducer producer, MeterRegistry registry) {
    this.producer = producer;
    this.sent = counter(registry, "sent", "accepted by the broker");
    this.stored = counter(registry, "stored", "kept in the fallback store for replay");
    this.failed = counter(registry, "failed", "rejected: the caller got an exception");
  }

  private static Counter counter(MeterRegistry registry, String result, String what) {
    return Counter.builder("reliablemq.send")
        .description("Sends through ReliableTemplate by outcome; " + result + ": " + what)
        .tag("result", result)
        .register(registry);
  }

  @Override
  public SendOutcome send(ReliableMessage message) {
    try {
      return count(producer.send(message));
    } catch (RuntimeException e) {
      failed.increment();
      throw e;
    }
  }

  @Override
  public CompletableFuture<SendOutcome> sendAsync(ReliableMessage message) {
    CompletableFuture<SendOutcome> future;
    try {
      future = producer.sendAsync(message);
    } catch (RuntimeException e) {
      failed.increment();
      throw e;
    }
    return future.whenComplete(
        (outcome, error) -> {
          if (error != null) {
            failed.increment();
          } else {
            count(outcome);
          }
        });
  }

  private SendOutcome count(SendOutcome outcome) {
    (outcome.status() == SendStatus.SENT ? sent : stored).increment();
    return outcome;
  }

  @Override
  public Optional<FallbackOperations> fallback() {
    return producer.fallback();
  }

  @Override
  public CircuitState circuitState() {
    return producer.circuitState();
  }

  @Override
  public void close() {
    // The application's producer is a bean of its own, closed by the context.
  }
}
