package io.reliablemq.consumer.internal;

import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.rocketmq.client.apis.consumer.FilterExpression;
import org.apache.rocketmq.client.apis.consumer.MessageListener;
import org.apache.rocketmq.client.apis.consumer.PushConsumer;

/** A started push consumer that delivers nothing by itself and records its close. */
final class FakePushConsumer implements PushConsumer {
  final AtomicBoolean closed = new AtomicBoolean();
  volatile MessageListener listener;

  FakePushConsumer() {}

  FakePushConsumer(MessageListener listener) {
    this.listener = listener;
  }

  @Override
  public String getConsumerGroup() {
    return "g";
  }

  @Override
  public Map<String, FilterExpression> getSubscriptionExpressions() {
    return Map.of();
  }

  @Override
  public PushConsumer subscribe(String topic, FilterExpression filterExpression) {
    return this;
  }

  @Override
  public PushConsumer unsubscribe(String topic) {
    return this;
  }

  @Override
  public void close() {
    closed.set(true);
  }
}
