package io.reliablemq.transaction.internal;

import io.reliablemq.testsupport.TestDatabase;

/** The transaction log contract on MariaDB. */
class MariaDbTransactionLogTest extends ServerTransactionLogTest {
  MariaDbTransactionLogTest() {
    super(TestDatabase.MARIADB);
  }
}
