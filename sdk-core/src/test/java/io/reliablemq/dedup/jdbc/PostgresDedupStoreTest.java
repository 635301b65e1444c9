package io.reliablemq.dedup.jdbc;

import io.reliablemq.testsupport.TestDatabase;

/** The dedup store contract and the shared-truth cases on PostgreSQL. */
class PostgresDedupStoreTest extends ServerDedupStoreTest {
  PostgresDedupStoreTest() {
    super(TestDatabase.POSTGRESQL);
  }
}
