package io.reliablemq.it.fault;

import io.reliablemq.fallback.FallbackStoreConfig;
import io.reliablemq.fallback.jdbc.JdbcFallbackStore;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Holds a fallback store open in another process, so {@link BadInputSweepIT} can meet the file
 * lock. Prints {@code READY} once open. Argument: the store directory.
 */
public final class StoreHolderApp {
  private StoreHolderApp() {}

  /**
   * Runs until killed.
   *
   * @param args the store directory
   * @throws InterruptedException never in practice
   */
  public static void main(String[] args) throws InterruptedException {
    io.reliablemq.it.support.ChildJvm.exitWithParent();
    JdbcFallbackStore store =
        JdbcFallbackStore.h2(FallbackStoreConfig.custom().directory(Path.of(args[0])).build());
    System.out.println("READY " + store.count());
    System.out.flush();
    new CountDownLatch(1).await();
  }
}
