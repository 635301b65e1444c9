package io.reliablemq.fallback.jdbc;

import io.reliablemq.testsupport.TestDatabase;

/** The fallback store contract on PostgreSQL. */
class PostgresFallbackStoreTest extends ServerFallbackStoreTest {
  PostgresFallbackStoreTest() {
    super(TestDatabase.POSTGRESQL);
  }
}
