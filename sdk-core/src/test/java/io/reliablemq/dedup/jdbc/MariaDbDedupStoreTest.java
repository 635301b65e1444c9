package io.reliablemq.dedup.jdbc;

import io.reliablemq.testsupport.TestDatabase;

/** The dedup store contract and the shared-truth cases on MariaDB. */
class MariaDbDedupStoreTest extends ServerDedupStoreTest {
  MariaDbDedupStoreTest() {
    super(TestDatabase.MARIADB);
  }
}
