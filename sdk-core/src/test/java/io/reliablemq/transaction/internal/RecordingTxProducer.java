package io.reliablemq.transaction.internal;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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

  RecordingTxProducer(List<String> decisions) {
    this.decisions = decisions;
  }

  @Override
  public SendReceipt send(Message message, Transaction transaction) {
    String id = message.getProperties().get(io.reliablemq.message.ReliableMessage.ID_PROPERTY);
    halves.incrementAndGet();
    ((Tx) transaction).id = id;
    MessageId messageId =
        new MessageId() {
          @Override
          public String getVersion() {
            return "V1";
          }

          @Override
          public String toString() {
            return "MSG-" + id;
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
    return new Tx();
  }

  @Override
  public SendReceipt send(Message message) {
    throw new UnsupportedOperationException();
  }

  @Override
  public CompletableFuture<SendReceipt> sendAsync(Message message) {
    throw new UnsupportedOperationException();
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
