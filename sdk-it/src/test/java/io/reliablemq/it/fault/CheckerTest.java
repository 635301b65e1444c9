package io.reliablemq.it.fault;

import static org.assertj.core.api.Assertions.assertThat;

import io.reliablemq.it.fault.AckLog.Ack;
import io.reliablemq.it.fault.Checker.Row;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checker must see each kind of violation, or the fault suite could pass vacuously. */
class CheckerTest {
  @TempDir Path dir;

  @Test
  void reconcile_countsLostDuplicatedAndOutOfOrder() {
    List<Ack> acks =
        List.of(
            new Ack("a", "SENT", 0, 0, null),
            new Ack("b", "STORED", 0, 1, "g0"),
            new Ack("c", "SENT", 0, 3, "g0"),
            new Ack("d", "STORED", 0, 4, null));
    List<Row> rows =
        List.of(
            new Row("a", null, 0),
            new Row("c", "g0", 3),
            new Row("b", "g0", 1),
            new Row("a", null, 0),
            new Row("x", "g0", 2));
    Checker.Reconciliation r = Checker.reconcile("t", 1, acks, rows, 5, "");
    assertThat(r.acknowledged()).isEqualTo(4);
    assertThat(r.sent()).isEqualTo(2);
    assertThat(r.stored()).isEqualTo(2);
    assertThat(r.lost()).isEqualTo(1);
    assertThat(r.lostSample()).containsExactly("d");
    assertThat(r.duplicated()).isEqualTo(1);
    assertThat(r.outOfOrder()).isEqualTo(1);
    assertThat(r.unacknowledgedProcessed()).isEqualTo(1);
  }

  @Test
  void toJson_carriesEveryFigure_withQuotedStrings() {
    Checker.Reconciliation r =
        Checker.reconcile(
            "broker-kill",
            7,
            List.of(new Ack("a", "SENT", 0, 0, null), new Ack("b", "STORED", 0, 1, null)),
            List.of(new Row("a", null, 0)),
            3,
            "BROKER_KILL@1s \"x\"");
    assertThat(r.toJson(12))
        .contains("\"scenario\": \"broker-kill\"")
        .contains("\"seed\": 7")
        .contains("\"acknowledged\": 2")
        .contains("\"sent\": 1")
        .contains("\"stored\": 1")
        .contains("\"processed\": 1")
        .contains("\"lost\": 1")
        .contains("\"duplicated\": 0")
        .contains("\"outOfOrder\": 0")
        .contains("\"faults\": \"BROKER_KILL@1s \\\"x\\\"\"")
        .contains("\"lostSample\": [\"b\"]")
        .contains("\"seconds\": 12")
        .startsWith("{")
        .endsWith("}\n");
  }

  @Test
  void reconcile_findsNothing_whenEveryAckIsProcessedOnceInOrder() {
    List<Ack> acks = List.of(new Ack("a", "SENT", 0, 1, "g"), new Ack("b", "STORED", 0, 3, "g"));
    List<Row> rows = List.of(new Row("z", "g", 2), new Row("a", "g", 1), new Row("b", "g", 3));
    Checker.Reconciliation r = Checker.reconcile("t", 1, acks, rows, 3, "");
    assertThat(r.lost()).isZero();
    assertThat(r.duplicated()).isZero();
    assertThat(r.outOfOrder()).as("unacknowledged z is owed no order").isZero();
  }

  @Test
  void ackLog_ignoresALineTornByTheKill() throws Exception {
    Path file = dir.resolve("acks.log");
    try (AckLog log = new AckLog(file)) {
      log.append(new Ack("a", "SENT", 0, 0, null));
      log.append(new Ack("b", "STORED", 1, 7, "g1"));
    }
    Files.writeString(file, "ACK c SEN", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    assertThat(AckLog.read(file))
        .containsExactly(new Ack("a", "SENT", 0, 0, null), new Ack("b", "STORED", 1, 7, "g1"));
  }
}
