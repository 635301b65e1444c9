package io.reliablemq.internal;

import io.reliablemq.client.ClientSettings;
import io.reliablemq.message.ReliableMessage;
import org.apache.rocketmq.client.apis.ClientConfiguration;
import org.apache.rocketmq.client.apis.ClientConfigurationBuilder;
import org.apache.rocketmq.client.apis.ClientServiceProvider;
import org.apache.rocketmq.client.apis.message.Message;
import org.apache.rocketmq.client.apis.message.MessageBuilder;

/**
 * Translation between SDK types and the RocketMQ client's types, in one place: the client
 * configuration every SDK client (producer, consumer, relay) is built with, and the client message
 * of an SDK message.
 */
public final class ClientSupport {
  private ClientSupport() {}

  /**
   * The client configuration for the given settings.
   *
   * @param settings the SDK settings
   * @return the client's configuration
   */
  public static ClientConfiguration clientConfiguration(ClientSettings settings) {
    // Before any client exists: its wire log would carry the signature and the bodies.
    ClientLogGuard.install();
    ClientConfigurationBuilder b =
        ClientConfiguration.newBuilder()
            .setEndpoints(settings.endpoints())
            .setNamespace(settings.namespace())
            .setRequestTimeout(settings.requestTimeout())
            .enableSsl(settings.sslEnabled());
    if (settings.credentialsProvider() != null) {
      b.setCredentialProvider(settings.credentialsProvider());
    }
    return b.build();
  }

  /**
   * A client message from a validated, resolved SDK message (id assigned, delivery time absolute).
   *
   * @param provider the client's service provider
   * @param message the validated message
   * @return the client message, carrying the logical id as {@value ReliableMessage#ID_PROPERTY}
   */
  public static Message toClientMessage(ClientServiceProvider provider, ReliableMessage message) {
    MessageBuilder b =
        provider.newMessageBuilder().setTopic(message.topic()).setBody(message.body());
    message.tag().ifPresent(b::setTag);
    if (!message.keys().isEmpty()) {
      b.setKeys(message.keys().toArray(new String[0]));
    }
    message.messageGroup().ifPresent(b::setMessageGroup);
    message.deliveryTime().ifPresent(t -> b.setDeliveryTimestamp(t.toEpochMilli()));
    message.properties().forEach(b::addProperty);
    b.addProperty(ReliableMessage.ID_PROPERTY, message.id().orElseThrow());
    return b.build();
  }
}
