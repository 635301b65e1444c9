package io.reliablemq.examples.quickstart;

import io.reliablemq.client.ClientSettings;
import io.reliablemq.message.ReliableMessage;
import io.reliablemq.producer.ReliableProducer;
import io.reliablemq.producer.ReliableProducerConfig;
import io.reliablemq.producer.SendOutcome;
import io.reliablemq.producer.SendRetryConfig;
import java.time.Duration;

/**
 * The usage snippet shown in the README, kept here so that it compiles; a test checks the README
 * still shows exactly this code.
 */
public final class ReadmeSnippet {
  private ReadmeSnippet() {}

  /**
   * Sends one order.
   *
   * @param endpoints the RocketMQ 5 proxy
   * @return the outcome
   */
  public static SendOutcome sendOrder(String endpoints) {
    // README-SNIPPET-START
    // TLS is on by default (ClientSettings.sslEnabled); for a plaintext proxy, such as
    // EmbeddedRocketMQ, add .sslEnabled(false) to the ClientSettings builder.
    ReliableProducerConfig config =
        ReliableProducerConfig.custom(ClientSettings.custom().endpoints(endpoints).build())
            .retry(
                SendRetryConfig.custom()
                    .maxAttempts(3)
                    .totalDeadline(Duration.ofSeconds(5))
                    .build())
            .build();
    try (ReliableProducer producer = ReliableProducer.create(config)) {
      SendOutcome outcome =
          producer.send(
              ReliableMessage.builder("orders")
                  .body("{\"orderId\":42}")
                  .tag("created")
                  .keys("order-42")
                  .build());
      // outcome.reliableId() is the id consumers dedup by, the same across every retry.
      return outcome;
    }
    // README-SNIPPET-END
  }
}
