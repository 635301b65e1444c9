package io.reliablemq.fallback.jdbc;

import io.reliablemq.testsupport.TestDatabase;

/** The fallback store contract on MariaDB. */
class MariaDbFallbackStoreTest extends ServerFallbackStoreTest {
  MariaDbFallbackStoreTest() {
    super(TestDatabase.MARIADB);
  }
}
