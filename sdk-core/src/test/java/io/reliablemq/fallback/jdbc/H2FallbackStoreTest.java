package io.reliablemq.fallback.jdbc;

import io.reliablemq.fallback.FallbackStore;
import io.reliablemq.fallback.FallbackStoreConfig;
import io.reliablemq.fallback.FallbackStoreContractTest;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The {@link FallbackStoreContractTest} on the embedded H2 file, one temp directory per test. */
class H2FallbackStoreTest extends FallbackStoreContractTest {
  @TempDir Path dir;

  @Override
  protected FallbackStore openStore(FallbackStoreConfig.Builder config) {
    return JdbcFallbackStore.h2(config.directory(dir.resolve("store")).build());
  }

  @Override
  protected boolean releasesLeasesOnOpen() {
    return true;
  }
}
