package io.reliablemq.it.fault;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.h2.jdbcx.JdbcDataSource;

/**
 * Reconciles the producer's acknowledgements with the consumer's committed {@code processed} rows,
 * in the manner of OpenChaos' queue checker: lost = acknowledged but never processed, duplicated =
 * processed more than once, out-of-order = an acknowledged FIFO message processed after a later
 * acknowledged message of its group. Messages that were sent but whose acknowledgement the kill of
 * the producer swallowed may be processed too; they are owed nothing and only counted.
 */
final class Checker {
  private Checker() {}

  /** One processed row, in commit order within its group. */
  record Row(String id, String group, long seq) {}

  /** The figures of one run. */
  record Reconciliation(
      String scenario,
      long seed,
      int acknowledged,
      int sent,
      int stored,
      long received,
      int processed,
      int lost,
      int duplicated,
      int outOfOrder,
      int unacknowledgedProcessed,
      String faults,
      List<String> lostSample) {

    String summary() {
      return String.format(
          "FAULT %s seed=%d: acknowledged=%d (sent=%d stored=%d) received=%d processed=%d"
              + " lost=%d duplicated=%d out-of-order=%d unacknowledged-processed=%d faults=[%s]",
          scenario,
          seed,
          acknowledged,
          sent,
          stored,
          received,
          processed,
          lost,
          duplicated,
          outOfOrder,
          unacknowledgedProcessed,
          faults);
    }

    /**
     * The figures as one JSON object, for {@code target/fault-results/<scenario>.json}: a run can
     * be read without parsing logs.
     *
     * @param seconds how long the scenario took
     * @return the JSON text
     */
    String toJson(long seconds) {
      return toJson(seconds, Map.of());
    }

    /**
     * The figures as one JSON object with a scenario's own figures after the common ones.
     *
     * @param seconds how long the scenario took
     * @param extra more fields, their values already JSON (numbers, quoted strings)
     * @return the JSON text
     */
    String toJson(long seconds, Map<String, String> extra) {
      StringBuilder sample = new StringBuilder("[");
      for (int i = 0; i < lostSample.size(); i++) {
        sample.append(i == 0 ? "" : ", ").append(quote(lostSample.get(i)));
      }
      sample.append(']');
      Map<String, String> fields = new LinkedHashMap<>();
      fields.put("scenario", quote(scenario));
      fields.put("seed", Long.toString(seed));
      fields.put("acknowledged", Integer.toString(acknowledged));
      fields.put("sent", Integer.toString(sent));
      fields.put("stored", Integer.toString(stored));
      fields.put("received", Long.toString(received));
      fields.put("processed", Integer.toString(processed));
      fields.put("lost", Integer.toString(lost));
      fields.put("duplicated", Integer.toString(duplicated));
      fields.put("outOfOrder", Integer.toString(outOfOrder));
      fields.put("unacknowledgedProcessed", Integer.toString(unacknowledgedProcessed));
      fields.put("faults", quote(faults));
      fields.put("lostSample", sample.toString());
      fields.put("seconds", Long.toString(seconds));
      fields.putAll(extra);
      StringBuilder json = new StringBuilder("{\n");
      fields.forEach(
          (k, v) -> json.append("  ").append(quote(k)).append(": ").append(v).append(",\n"));
      json.setLength(json.length() - 2);
      return json.append("\n}\n").toString();
    }

    /** Writes {@link #toJson} to {@code <dir>/<scenario>.json}. */
    void writeJson(Path dir, long seconds) throws IOException {
      writeJson(dir, seconds, Map.of());
    }

    /** Writes {@link #toJson(long, Map)} to {@code <dir>/<scenario>.json}. */
    void writeJson(Path dir, long seconds, Map<String, String> extra) throws IOException {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve(scenario + ".json"), toJson(seconds, extra));
    }

    static String quoted(String s) {
      return quote(s);
    }

    private static String quote(String s) {
      StringBuilder q = new StringBuilder("\"");
      for (char ch : (s == null ? "" : s).toCharArray()) {
        if (ch == '"' || ch == '\\') {
          q.append('\\').append(ch);
        } else if (ch < 0x20) {
          q.append(String.format("\\u%04x", (int) ch));
        } else {
          q.append(ch);
        }
      }
      return q.append('"').toString();
    }
  }

  static List<Row> readProcessed(Path db) throws SQLException {
    JdbcDataSource ds = new JdbcDataSource();
    ds.setURL("jdbc:h2:file:" + db);
    List<Row> rows = new ArrayList<>();
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT id, grp, seq FROM processed ORDER BY pk")) {
      while (rs.next()) {
        rows.add(new Row(rs.getString(1), rs.getString(2), rs.getLong(3)));
      }
    }
    return rows;
  }

  static Reconciliation reconcile(
      String scenario,
      long seed,
      List<AckLog.Ack> acks,
      List<Row> rows,
      long received,
      String faults) {
    Map<String, AckLog.Ack> acked = new HashMap<>();
    int sent = 0;
    int stored = 0;
    for (AckLog.Ack a : acks) {
      acked.put(a.id(), a);
      if (a.status().equals("SENT")) {
        sent++;
      } else if (a.status().equals("STORED")) {
        stored++;
      }
    }
    Map<String, Integer> times = new HashMap<>();
    Map<String, Long> lastSeq = new HashMap<>();
    int outOfOrder = 0;
    for (Row r : rows) {
      int n = times.merge(r.id(), 1, Integer::sum);
      if (n > 1 || r.group() == null || !acked.containsKey(r.id())) {
        continue;
      }
      Long prev = lastSeq.put(r.group(), r.seq());
      if (prev != null && prev >= r.seq()) {
        outOfOrder++;
      }
    }
    List<String> lost = new ArrayList<>();
    for (String id : acked.keySet()) {
      if (!times.containsKey(id)) {
        lost.add(id);
      }
    }
    int duplicated = 0;
    for (int n : times.values()) {
      if (n > 1) {
        duplicated++;
      }
    }
    Set<String> extra = new HashSet<>(times.keySet());
    extra.removeAll(acked.keySet());
    return new Reconciliation(
        scenario,
        seed,
        acked.size(),
        sent,
        stored,
        received,
        times.size(),
        lost.size(),
        duplicated,
        outOfOrder,
        extra.size(),
        faults,
        lost.subList(0, Math.min(5, lost.size())));
  }
}
