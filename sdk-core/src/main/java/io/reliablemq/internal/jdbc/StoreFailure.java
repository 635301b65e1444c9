package io.reliablemq.internal.jdbc;

/**
 * Makes the store-specific exception for a failure found by the shared helpers, so each store keeps
 * throwing its own type ({@code FallbackStoreException}, {@code DedupStoreException}).
 */
@FunctionalInterface
public interface StoreFailure {
  /**
   * Creates the exception.
   *
   * @param message what failed, naming the path or table
   * @param cause the underlying error, or null
   * @return the exception to throw
   */
  RuntimeException create(String message, Throwable cause);
}
