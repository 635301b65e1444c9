package io.reliablemq.spring.internal;

import io.reliablemq.fallback.jdbc.JdbcFallbackStore;

/**
 * The transactional sender's outbox as a bean of its own type: exposed as a {@code FallbackStore}
 * it would compete with the producer's fallback store for injection.
 *
 * @param store the outbox table in the application's database
 */
public record OutboxStore(JdbcFallbackStore store) implements AutoCloseable {
  @Override
  public void close() {
    store.close();
  }
}
