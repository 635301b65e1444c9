package io.reliablemq.test.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.util.List;
import org.junit.jupiter.api.Test;

class ControlProtocolTest {
  @Test
  void formatsAndParsesCommands() {
    String line = ControlProtocol.createTopic("orders-1", "FIFO", 4);
    ControlProtocol.Command cmd = ControlProtocol.parse(line);
    assertThat(cmd.name()).isEqualTo(ControlProtocol.CREATE_TOPIC);
    assertThat(cmd.args()).containsExactly("orders-1", "FIFO", "4");

    cmd = ControlProtocol.parse(ControlProtocol.createGroup("g_1", true) + "  ");
    assertThat(cmd.name()).isEqualTo(ControlProtocol.CREATE_GROUP);
    assertThat(cmd.args()).isEqualTo(List.of("g_1", "true"));
    assertThat(ControlProtocol.parse("SHUTDOWN").args()).isEmpty();
  }

  @Test
  void rejectsBadInput() {
    assertThatThrownBy(() -> ControlProtocol.parse("  "))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ControlProtocol.parse("CREATE_TOPIC x").arg(1))
        .hasMessageContaining("missing argument 2");
    assertThatThrownBy(() -> ControlProtocol.createTopic("has space", "NORMAL", 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ControlProtocol.createTopic("x".repeat(128), "NORMAL", 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ControlProtocol.createTopic("ok", "NORMAL", 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void repliesStayOnOneLine() {
    assertThat(ControlProtocol.error("a\nb\rc")).isEqualTo("ERR a b c");
    assertThat(ControlProtocol.failed("boom\n")).isEqualTo("FAILED boom ");
  }

  @Test
  void successRepliesCarryAnOptionalPayload() {
    assertThat(ControlProtocol.ok("")).isEqualTo("OK");
    assertThat(ControlProtocol.ok("broker-a:8,broker-b:8")).isEqualTo("OK broker-a:8,broker-b:8");
    assertThat(ControlProtocol.okPayload("OK")).isEmpty();
    assertThat(ControlProtocol.okPayload("OK broker-a:8")).isEqualTo("broker-a:8");
    assertThat(ControlProtocol.okPayload("ERR OK")).isNull();
    assertThat(ControlProtocol.okPayload("OKAY")).isNull();
  }

  @Test
  void fieldsParsesRolePayloads_inOrder() {
    assertThat(ControlProtocol.fields("role=MASTER,id=1,epoch=2,inSync=1|2"))
        .containsExactly(
            entry("role", "MASTER"), entry("id", "1"), entry("epoch", "2"), entry("inSync", "1|2"));
    assertThat(ControlProtocol.fields("0=127.0.0.1:1,1=127.0.0.1:2"))
        .containsEntry("0", "127.0.0.1:1")
        .containsEntry("1", "127.0.0.1:2");
    assertThat(ControlProtocol.fields("")).isEmpty();
    assertThat(ControlProtocol.fields("inSync=")).containsEntry("inSync", "");
  }
}
