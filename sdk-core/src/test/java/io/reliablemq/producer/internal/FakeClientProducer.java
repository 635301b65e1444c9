package io.reliablemq.producer.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.rocketmq.client.apis.message.Message;
import org.apache.rocketmq.client.apis.message.MessageId;
import org.apache.rocketmq.client.apis.producer.Producer;
import org.apache.rocketmq.client.apis.producer.RecallReceipt;
import org.apache.rocketmq.client.apis.producer.SendReceipt;
import org.apache.rocketmq.client.apis.producer.Transaction;

/** A scripted stand-in for the client's {@link Producer}: each send takes the next outcome. */
final class FakeClientProducer implements Producer {
  private final Deque<Supplier<CompletableFuture<SendReceipt>>> script = new ArrayDeque<>();
  final List<Message> sent = Collections.synchronizedList(new ArrayList<>());
  final AtomicInteger closes = new AtomicInteger();
  private final AtomicInteger ids = new AtomicInteger();
  private volatile Throwable failEverySend;
  final AtomicInteger calls = new AtomicInteger();

  /** Every send from now on fails with {@code error}, whatever the script says (a dead broker). */
  FakeClientProducer failEverySend(Throwable error) {
    failEverySend = error;
    return this;
  }

  FakeClientProducer thenFail(Throwable error) {
    script.add(() -> CompletableFuture.failedFuture(error));
    return this;
  }

  FakeClientProducer thenHang() {
    script.add(CompletableFuture::new);
    return this;
  }

  FakeClientProducer thenSucceed() {
    script.add(() -> CompletableFuture.completedFuture(receipt("MSG-" + ids.incrementAndGet())));
    return this;
  }

  static SendReceipt receipt(String id) {
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
  public CompletableFuture<SendReceipt> sendAsync(Message message) {
    calls.incrementAndGet();
    Throwable down = failEverySend;
    if (down != null) {
      return CompletableFuture.failedFuture(down);
    }
    sent.add(message);
    Supplier<CompletableFuture<SendReceipt>> next;
    synchronized (script) {
      next = script.poll();
    }
    if (next == null) {
      return CompletableFuture.completedFuture(receipt("MSG-" + ids.incrementAndGet()));
    }
    return next.get();
  }

  @Override
  public SendReceipt send(Message message) {
    throw new UnsupportedOperationException("the SDK sends through sendAsync");
  }

  @Override
  public SendReceipt send(Message message, Transaction transaction) {
    throw new UnsupportedOperationException();
  }

  @Override
  public Transaction beginTransaction() {
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
  public void close() {
    closes.incrementAndGet();
  }
}
