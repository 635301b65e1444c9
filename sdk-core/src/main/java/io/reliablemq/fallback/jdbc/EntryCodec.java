package io.reliablemq.fallback.jdbc;

import io.reliablemq.fallback.EntryState;
import io.reliablemq.fallback.StoredEntry;
import io.reliablemq.message.ReliableMessage;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Text encodings of the list and map columns, and the row-to-entry mapping.
 *
 * <p>Both encodings are {@code application/x-www-form-urlencoded} in UTF-8, which any language
 * decodes and a DBA can read: {@code msg_keys} is {@code k1&k2} (each key percent-encoded), {@code
 * properties} is {@code name=value&name2=value2} in insertion order. An empty list or map is SQL
 * NULL. Never Java serialization: a stored row must not be able to run code when read.
 */
final class EntryCodec {
  private EntryCodec() {}

  static String encodeKeys(List<String> keys) {
    if (keys.isEmpty()) {
      return null;
    }
    StringBuilder sb = new StringBuilder();
    for (String k : keys) {
      if (sb.length() > 0) {
        sb.append('&');
      }
      sb.append(URLEncoder.encode(k, StandardCharsets.UTF_8));
    }
    return sb.toString();
  }

  static List<String> decodeKeys(String text) {
    List<String> keys = new ArrayList<>();
    if (text == null) {
      return keys;
    }
    for (String part : text.split("&", -1)) {
      keys.add(URLDecoder.decode(part, StandardCharsets.UTF_8));
    }
    return keys;
  }

  static String encodeProperties(Map<String, String> properties) {
    if (properties.isEmpty()) {
      return null;
    }
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, String> e : properties.entrySet()) {
      if (sb.length() > 0) {
        sb.append('&');
      }
      sb.append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8))
          .append('=')
          .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
    }
    return sb.toString();
  }

  static Map<String, String> decodeProperties(String text) {
    Map<String, String> map = new LinkedHashMap<>();
    if (text == null) {
      return map;
    }
    for (String pair : text.split("&", -1)) {
      int eq = pair.indexOf('=');
      if (eq < 0) {
        throw new IllegalStateException("malformed properties column: a pair without '='");
      }
      map.put(
          URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
          URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return map;
  }

  /** Maps a row selected with {@link Dialect#entryColumns()}, in that column order. */
  static StoredEntry read(ResultSet rs) throws SQLException {
    long seq = rs.getLong(1);
    String id = rs.getString(2);
    String topic = rs.getString(3);
    String tag = rs.getString(4);
    String keys = rs.getString(5);
    String properties = rs.getString(6);
    String group = rs.getString(7);
    long deliveryTime = rs.getLong(8);
    boolean deliveryTimeNull = rs.wasNull();
    boolean transactional = rs.getBoolean(9);
    byte[] body = rs.getBytes(10);
    // column 11, body_bytes, is for capacity accounting only
    long storedAt = rs.getLong(12);
    int attempts = rs.getInt(13);
    String lastError = rs.getString(14);
    EntryState state = EntryState.valueOf(rs.getString(15));
    ReliableMessage.Builder b =
        ReliableMessage.builder(topic)
            .id(id)
            .body(body)
            .tag(tag)
            .keys(decodeKeys(keys).toArray(new String[0]))
            .properties(decodeProperties(properties))
            .messageGroup(group);
    if (!deliveryTimeNull) {
      b.deliveryTime(Instant.ofEpochMilli(deliveryTime));
    }
    return new StoredEntry(
        seq, b.build(), transactional, Instant.ofEpochMilli(storedAt), attempts, lastError, state);
  }
}
