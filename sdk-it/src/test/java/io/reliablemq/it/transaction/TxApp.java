package io.reliablemq.it.transaction;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.reliablemq.message.ReliableMessage;
import io.reliablemq.transaction.LocalTransaction;
import io.reliablemq.transaction.LocalTransactionRunner;
import io.reliablemq.transaction.TransactionalSender;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.h2.jdbcx.JdbcDataSource;

/**
 * The producer that {@link TransactionalSenderIT} kills: sends one transactional message and stops
 * dead at a chosen point, printing where, so the test can SIGKILL it there.
 *
 * <p>Arguments: endpoints, database directory, topic, reliablemq_id, {@code after} (stop after the
 * local commit, before the MQ commit) or {@code before} (stop inside the local transaction).
 */
public final class TxApp {
  private TxApp() {}

  /**
   * Runs until killed.
   *
   * @param args endpoints, database directory, topic, id, after|before
   * @throws Exception never, in practice: the process is killed
   */
  public static void main(String[] args) throws Exception {
    String endpoints = args[0];
    JdbcDataSource ds = TxFixtures.database(Path.of(args[1]));
    String topic = args[2];
    String id = args[3];
    boolean afterLocalCommit = args[4].equals("after");
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    CountDownLatch never = new CountDownLatch(1);
    LocalTransactionRunner jdbc = LocalTransactionRunner.jdbc(ds);
    LocalTransactionRunner runner =
        new LocalTransactionRunner() {
          @Override
          public <T> T inTransaction(LocalTransaction<T> work) throws Exception {
            T result = jdbc.inTransaction(work);
            if (afterLocalCommit) {
              out.println("LOCAL_COMMITTED " + id);
              never.await();
            }
            return result;
          }
        };
    TransactionalSender sender =
        TxFixtures.sender(endpoints, ds, topic, new SimpleMeterRegistry(), runner, null);
    sender.send(
        ReliableMessage.builder(topic).body("order " + id).id(id).build(),
        c -> {
          TxFixtures.insertOrder(c, id);
          if (!afterLocalCommit) {
            out.println("IN_LOCAL_TX " + id);
            never.await();
          }
          return null;
        });
    out.println("UNEXPECTED_END");
  }
}
