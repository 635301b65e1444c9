package io.reliablemq.transaction.internal;

import io.reliablemq.testsupport.TestDatabase;

/** The transaction log contract on PostgreSQL. */
class PostgresTransactionLogTest extends ServerTransactionLogTest {
  PostgresTransactionLogTest() {
    super(TestDatabase.POSTGRESQL);
  }
}
