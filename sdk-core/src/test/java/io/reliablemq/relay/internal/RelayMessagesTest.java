package io.reliablemq.relay.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.reliablemq.consumer.ReceivedMessage;
import io.reliablemq.message.ReliableMessage;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RelayMessagesTest {

  @Test
  void copy_keepsBodyTagKeysPropertiesIdGroupAndTarget() {
    ReceivedMessage source =
        ReceivedMessage.builder("narrow", "MSGID1")
            .body("order-1")
            .tag("created")
            .keys(List.of("k1", "k2"))
            .properties(
                Map.of(
                    "tenant",
                    "acme",
                    ReliableMessage.ID_PROPERTY,
                    "id-1",
                    "reliablemq_tx_type",
                    "order"))
            .messageGroup("buyer-7")
            .bornAt(Instant.EPOCH)
            .build();

    ReliableMessage copy = RelayMessages.copyOf(source, "wide");

    assertThat(copy.topic()).isEqualTo("wide");
    assertThat(new String(copy.body(), java.nio.charset.StandardCharsets.UTF_8))
        .isEqualTo("order-1");
    assertThat(copy.tag()).contains("created");
    assertThat(copy.keys()).containsExactly("k1", "k2");
    assertThat(copy.properties()).containsExactly(Map.entry("tenant", "acme"));
    assertThat(copy.id()).contains("id-1");
    assertThat(copy.messageGroup()).contains("buyer-7");
    assertThat(copy.deliveryTime()).isEmpty();
  }

  @Test
  void copyOfAMessageWithoutLogicalId_usesTheStableBrokerMessageId() {
    ReceivedMessage source =
        ReceivedMessage.builder("narrow", "01AB23CD").body("x").bornAt(Instant.EPOCH).build();

    assertThat(RelayMessages.copyOf(source, "wide").id()).contains("01AB23CD");
  }

  @Test
  void copy_keepsTheAbsoluteDeliveryTime() {
    Instant due = Instant.parse("2030-01-01T00:00:00Z");
    ReceivedMessage source =
        ReceivedMessage.builder("narrow", "M")
            .body("x")
            .bornAt(Instant.EPOCH)
            .deliveryTime(due)
            .build();

    assertThat(RelayMessages.copyOf(source, "wide").deliveryTime()).contains(due);
  }
}
