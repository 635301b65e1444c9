package io.reliablemq.it.support;

import io.reliablemq.message.ReliableMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.rocketmq.client.apis.ClientConfiguration;
import org.apache.rocketmq.client.apis.ClientException;
import org.apache.rocketmq.client.apis.ClientServiceProvider;
import org.apache.rocketmq.client.apis.consumer.ConsumeResult;
import org.apache.rocketmq.client.apis.consumer.FilterExpression;
import org.apache.rocketmq.client.apis.consumer.FilterExpressionType;
import org.apache.rocketmq.client.apis.consumer.PushConsumer;

/**
 * The official client's {@link PushConsumer}, recording what it receives: the independent witness
 * of what the SDK put on the broker.
 */
public final class RawConsumer implements AutoCloseable {
  /** One received message, copied out of the client's view. */
  public static final class Received {
    public final String body;
    public final Optional<String> tag;
    public final Collection<String> keys;
    public final Map<String, String> properties;
    public final Optional<String> messageGroup;
    public final Optional<Long> deliveryTimestamp;
    public final Instant receivedAt;

    Received(org.apache.rocketmq.client.apis.message.MessageView view) {
      ByteBuffer buffer = view.getBody();
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      this.body = new String(bytes, StandardCharsets.UTF_8);
      this.tag = view.getTag();
      this.keys = new ArrayList<>(view.getKeys());
      this.properties = Map.copyOf(view.getProperties());
      this.messageGroup = view.getMessageGroup();
      this.deliveryTimestamp = view.getDeliveryTimestamp();
      this.receivedAt = Instant.now();
    }

    /**
     * The logical id.
     *
     * @return the {@code reliablemq_id} property
     */
    public String reliableId() {
      return properties.get(ReliableMessage.ID_PROPERTY);
    }
  }

  private final PushConsumer consumer;
  private final List<Received> received = new CopyOnWriteArrayList<>();

  private RawConsumer(ClientConfiguration config, String group, String topic)
      throws ClientException {
    this.consumer =
        ClientServiceProvider.loadService()
            .newPushConsumerBuilder()
            .setClientConfiguration(config)
            .setConsumerGroup(group)
            .setSubscriptionExpressions(
                Map.of(topic, new FilterExpression("*", FilterExpressionType.TAG)))
            .setMessageListener(
                view -> {
                  received.add(new Received(view));
                  return ConsumeResult.SUCCESS;
                })
            .build();
  }

  /**
   * Starts a consumer on a topic.
   *
   * @param endpoints the proxy
   * @param group the consumer group
   * @param topic the topic
   * @return the started consumer
   */
  public static RawConsumer start(String endpoints, String group, String topic) {
    ClientConfiguration config =
        ClientConfiguration.newBuilder().setEndpoints(endpoints).enableSsl(false).build();
    try {
      return new RawConsumer(config, group, topic);
    } catch (ClientException e) {
      throw new IllegalStateException("cannot start the raw consumer", e);
    }
  }

  /**
   * What was received so far, in arrival order.
   *
   * @return a snapshot
   */
  public List<Received> received() {
    return List.copyOf(received);
  }

  /**
   * The distinct {@code reliablemq_id}s received so far, in the order each was first received: what
   * a test compares with the ids it was acknowledged (a redelivery counts once).
   *
   * @return a snapshot
   */
  public Set<String> receivedIds() {
    Set<String> ids = new LinkedHashSet<>();
    for (Received r : received) {
      ids.add(r.reliableId());
    }
    return ids;
  }

  @Override
  public void close() {
    try {
      consumer.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
