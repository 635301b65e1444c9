package io.reliablemq.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reliablemq.InvalidMessageException;
import io.reliablemq.message.MessageLimits;
import io.reliablemq.message.ReliableMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class MessageValidatorTest {
  private static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");
  private final MessageValidator validator = new MessageValidator(MessageLimits.ofDefaults());

  private static ReliableMessage.Builder valid() {
    return ReliableMessage.builder("orders").body("x");
  }

  private void assertRejected(UnaryOperator<ReliableMessage.Builder> change, String field) {
    ReliableMessage message = change.apply(valid()).build();
    assertThatThrownBy(() -> validator.validate(message, "id-1", NOW))
        .isInstanceOfSatisfying(
            InvalidMessageException.class,
            e -> {
              assertThat(e.field()).isEqualTo(field);
              assertThat(e.getMessage()).contains(field).contains(e.limit());
            });
  }

  @Test
  void validMessage_getsTheNewId() {
    ReliableMessage resolved = validator.validate(valid().build(), "id-1", NOW);
    assertThat(resolved.id()).contains("id-1");
  }

  @Test
  void existingId_isKept() {
    ReliableMessage resolved = validator.validate(valid().id("kept-1").build(), "id-1", NOW);
    assertThat(resolved.id()).contains("kept-1");
  }

  @Test
  void delay_isResolvedToAnAbsoluteTime() {
    ReliableMessage resolved =
        validator.validate(valid().deliveryDelay(Duration.ofMinutes(5)).build(), "id-1", NOW);
    assertThat(resolved.deliveryTime()).contains(NOW.plus(Duration.ofMinutes(5)));
    assertThat(resolved.deliveryDelay()).isEmpty();
  }

  @Test
  void body_mustBeNonEmptyAndWithinLimit() {
    assertRejected(b -> b.body((byte[]) null), "body");
    assertRejected(b -> b.body(new byte[0]), "body");
    assertRejected(b -> b.body(new byte[4 * 1024 * 1024 + 1]), "body");
  }

  @Test
  void bodyAtTheLimit_isAccepted() {
    ReliableMessage m = valid().body(new byte[4 * 1024 * 1024]).build();
    assertThat(validator.validate(m, "id-1", NOW).bodyLength()).isEqualTo(4 * 1024 * 1024);
  }

  @Test
  void topic_mustBeValid() {
    assertRejected(b -> b.topic(null), "topic");
    assertRejected(b -> b.topic(" "), "topic");
    assertRejected(b -> b.topic("bad topic"), "topic");
    assertRejected(b -> b.topic("t".repeat(128)), "topic");
  }

  @Test
  void tag_mustNotBeBlankOrHoldAPipe() {
    assertRejected(b -> b.tag(" "), "tag");
    assertRejected(b -> b.tag("a|b"), "tag");
  }

  @Test
  void keys_mustNotBeBlank() {
    assertRejected(b -> b.keys(" "), "keys");
    assertRejected(b -> b.keys("a b"), "keys");
  }

  @Test
  void properties_haveCountSizeAndReservedKeyLimits() {
    assertRejected(
        b -> {
          for (int i = 0; i < 128; i++) {
            b.property("k" + i, "v");
          }
          return b;
        },
        "properties");
    assertRejected(b -> b.property("big", "v".repeat(16 * 1024)), "properties");
    assertRejected(b -> b.property("KEYS", "v"), "properties");
    assertRejected(b -> b.property("UNIQ_KEY", "v"), "properties");
    assertRejected(b -> b.property(ReliableMessage.ID_PROPERTY, "v"), "properties");
    assertRejected(b -> b.property("k", " "), "properties");
    assertRejected(b -> b.property("k", "a\u0001b"), "properties");
  }

  @Test
  void maxUserProperties_areAccepted() {
    ReliableMessage.Builder b = valid();
    for (int i = 0; i < 127; i++) {
      b.property("k" + i, "v");
    }
    assertThat(validator.validate(b.build(), "id-1", NOW).properties()).hasSize(127);
  }

  @Test
  void messageGroup_isLimited_andExclusiveWithDelivery() {
    assertRejected(b -> b.messageGroup("g".repeat(65)), "messageGroup");
    assertRejected(b -> b.messageGroup(" "), "messageGroup");
    assertRejected(b -> b.messageGroup("g").deliveryTime(NOW.plusSeconds(10)), "messageGroup");
  }

  @Test
  void delay_isLimitedToOneDay() {
    assertRejected(b -> b.deliveryDelay(Duration.ofDays(1).plusSeconds(1)), "deliveryDelay");
    assertRejected(b -> b.deliveryDelay(Duration.ofSeconds(-1)), "deliveryDelay");
    assertRejected(b -> b.deliveryTime(NOW.plus(Duration.ofDays(2))), "deliveryTime");
  }

  @Test
  void pastDeliveryTime_isAccepted_andDeliveredAtOnceByTheBroker() {
    ReliableMessage m = valid().deliveryTime(NOW.minusSeconds(60)).build();
    assertThat(validator.validate(m, "id-1", NOW).deliveryTime()).contains(NOW.minusSeconds(60));
  }

  @Test
  void id_mustBeWellFormed() {
    assertRejected(b -> b.id("has space"), "id");
    assertRejected(b -> b.id("x".repeat(129)), "id");
  }

  @Test
  void exceptionMessages_neverEchoBodiesOrPropertyValues() {
    ReliableMessage m = valid().property("k", "secret\u0001value").build();
    assertThatThrownBy(() -> validator.validate(m, "id-1", NOW)).hasMessageNotContaining("secret");
  }
}
