package io.reliablemq.transaction.internal;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.rocketmq.client.apis.ClientException;
import org.apache.rocketmq.client.apis.message.Message;
import org.apache.rocketmq.client.apis.message.MessageId;
import org.apache.rocketmq.client.apis.producer.Producer;
import org.apache.rocketmq.client.apis.producer.RecallReceipt;
import org.apache.rocketmq.client.apis.producer.SendReceipt;
import org.apache.rocketmq.client.apis.producer.Transaction;

/**
 * A client producer whose transactions record their decision ("commit id", "rollback id") in a list
 * the test owns; each half message's id is {@code MSG-<reliablemq_id>}.
 */
final class RecordingTxProducer implements Producer {
  private final List<String> decisions;
  final AtomicInteger halves = new AtomicInteger();
  final AtomicInteger begins = new AtomicInteger();
  final AtomicInteger plains = new AtomicInteger();

  /** Half-message sends to fail, with {@link #halfFailure}, before they succeed again. */
  final AtomicInteger failHalves = new AtomicInteger();

  volatile Throwable halfFailure = new ClientException("proxy unreachable");

  /** When set, every half-message send blocks until it is counted down. */
  volatile CountDownLatch hang;

  /** When set, every plain send fails with it. */
  volatile Throwable plainFailure;

  RecordingTxProducer(List<String> decisions) {
    this.decisions = decisions;
  }

  @Override
  public SendReceipt send(Message message, Transaction transaction) throws ClientException {
    String id = message.getProperties().get(io.reliablemq.message.ReliableMessage.ID_PROPERTY);
    halves.incrementAndGet();
    ((Tx) transaction).id = id;
    CountDownLatch h = hang;
    if (h != null) {
      try {
        h.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (failHalves.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      if (halfFailure instanceof ClientException ce) {
        throw ce;
      }
      throw (RuntimeException) halfFailure;
    }
    return receipt("MSG-" + id);
  }

  private static SendReceipt receipt(String id) {
    MessageId messageId =
        new MessageId() {
          @Override
          public String getVersion() {
            return "V1";
          }

          @Override
          public String toString() {
            return id;
          }
        };
    return new SendReceipt() {
      @Override
      public MessageId getMessageId() {
        return messageId;
      }

      @Override
      public String getRecallHandle() {
        return null;
      }
    };
  }

  @Override
  public Transaction beginTransaction() {
    begins.incrementAndGet();
    return new Tx();
  }

  @Override
  public SendReceipt send(Message message) {
    throw new UnsupportedOperationException();
  }

  @Override
  public CompletableFuture<SendReceipt> sendAsync(Message message) {
    plains.incrementAndGet();
    Throwable f = plainFailure;
    return f != null
        ? CompletableFuture.failedFuture(f)
        : CompletableFuture.completedFuture(receipt("PLAIN-" + plains.get()));
  }

  @Override
  public RecallReceipt recallMessage(String topic, String recallHandle) {
    throw new UnsupportedOperationException();
  }

  @Override
  public CompletableFuture<RecallReceipt> recallMessageAsync(String topic, String recallHandle) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void close() {}

  private final class Tx implements Transaction {
    String id;
    private final AtomicBoolean done = new AtomicBoolean();

    @Override
    public void commit() {
      if (done.compareAndSet(false, true)) {
        decisions.add("commit " + id);
      }
    }

    @Override
    public void rollback() {
      if (done.compareAndSet(false, true)) {
        decisions.add("rollback " + id);
      }
    }
  }
}
