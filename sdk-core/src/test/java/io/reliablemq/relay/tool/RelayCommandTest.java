package io.reliablemq.relay.tool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reliablemq.relay.RelayConfig;
import io.reliablemq.tool.ReliableMQTool;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RelayCommandTest {
  private static final List<String> REQUIRED =
      List.of("--endpoints", "127.0.0.1:8081", "--from", "narrow", "--group", "g", "--to", "wide");

  private static List<String> with(String... more) {
    List<String> args = new ArrayList<>(REQUIRED);
    args.addAll(List.of(more));
    return args;
  }

  @Test
  void parse_mapsEveryOption() {
    RelayConfig c =
        RelayCommand.parse(
                with(
                    "--filter", "A||B",
                    "--idle-seconds", "30",
                    "--until", "2030-01-31T18:00:00+01:00",
                    "--batch", "8",
                    "--max-in-flight", "64",
                    "--invisible-seconds", "20",
                    "--expect", "5000",
                    "--tls", "false"),
                Map.of())
            .config();

    assertThat(c.sourceTopic()).isEqualTo("narrow");
    assertThat(c.consumerGroup()).isEqualTo("g");
    assertThat(c.targetTopic()).isEqualTo("wide");
    assertThat(c.filterExpression()).isEqualTo("A||B");
    assertThat(c.idleTimeout()).contains(Duration.ofSeconds(30));
    assertThat(c.until()).contains(Instant.parse("2030-01-31T17:00:00Z"));
    assertThat(c.batchSize()).isEqualTo(8);
    assertThat(c.maxInFlight()).isEqualTo(64);
    assertThat(c.invisibleDuration()).isEqualTo(Duration.ofSeconds(20));
    assertThat(c.expectedTotal()).hasValue(5000);
    assertThat(c.client().sslEnabled()).isFalse();
  }

  @Test
  void parse_rejectsBadArgumentsNamingTheOption() {
    assertThatThrownBy(() -> RelayCommand.parse(List.of("--from", "a"), Map.of()))
        .hasMessage("--endpoints is required");
    assertThatThrownBy(() -> RelayCommand.parse(with("--idle-seconds", "soon"), Map.of()))
        .hasMessageContaining("--idle-seconds must be a whole number");
    assertThatThrownBy(() -> RelayCommand.parse(with("--batch", "64"), Map.of()))
        .hasMessageContaining("--batch must be between 1 and 32");
    assertThatThrownBy(() -> RelayCommand.parse(with("--until", "tomorrow"), Map.of()))
        .hasMessageContaining("--until must be an ISO-8601 time");
    assertThatThrownBy(() -> RelayCommand.parse(with("--verbose"), Map.of()))
        .hasMessage("unknown option --verbose");
    assertThatThrownBy(() -> RelayCommand.parse(with("--filter"), Map.of()))
        .hasMessage("--filter needs a value");
    assertThatThrownBy(() -> RelayCommand.parse(with("--from", "other"), Map.of()))
        .hasMessage("--from given twice");
    assertThatThrownBy(() -> RelayCommand.parse(REQUIRED, Map.of("RELIABLEMQ_ACCESS_KEY", "ak")))
        .hasMessageContaining("must be set together");
  }

  @Test
  void badArguments_exitWith2AndAClearMessage_beforeAnyConnection() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    // Nothing listens on port 1: a connection attempt would fail differently (exit 1).
    int code =
        ReliableMQTool.run(
            new String[] {
              "relay",
              "--endpoints",
              "127.0.0.1:1",
              "--from",
              "narrow",
              "--group",
              "g",
              "--to",
              "narrow"
            },
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));

    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("relay: targetTopic must differ from sourceTopic")
        .contains("usage: relay");
  }

  @Test
  void tool_dispatchesStoreCommandsAndKeepsTheOldForm() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
    PrintStream e = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

    assertThat(ReliableMQTool.run(new String[] {"store", "ddl"}, o, e)).isZero();
    String viaSubcommand = out.toString(StandardCharsets.UTF_8);
    out.reset();
    assertThat(ReliableMQTool.run(new String[] {"ddl"}, o, e)).isZero();

    assertThat(viaSubcommand)
        .contains("CREATE TABLE")
        .isEqualTo(out.toString(StandardCharsets.UTF_8));
    assertThat(ReliableMQTool.run(new String[0], o, e)).isEqualTo(2);
  }
}
