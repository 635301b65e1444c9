package io.reliablemq.dedup;

import java.util.Objects;

/**
 * What a dedup record is keyed by: the scope (the consumer group, so that two groups consuming the
 * same message each process it once) and the key inside it (the logical message id or a business
 * key).
 *
 * @param scope the consumer group, 1 to {@value #MAX_LENGTH} characters
 * @param key the dedup key, 1 to {@value #MAX_LENGTH} characters
 */
public record DedupKey(String scope, String key) {
  /** Longest scope and key: what every supported database indexes in a primary key. */
  public static final int MAX_LENGTH = 255;

  /**
   * Creates a key.
   *
   * @param scope the consumer group
   * @param key the dedup key
   * @throws IllegalArgumentException when either is blank or longer than {@value #MAX_LENGTH}
   */
  public DedupKey {
    check("scope", scope);
    check("key", key);
  }

  private static void check(String field, String value) {
    Objects.requireNonNull(value, field);
    if (value.isEmpty() || value.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(
          field + " must be 1.." + MAX_LENGTH + " characters, was " + value.length());
    }
  }
}
