package io.reliablemq.spring.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reliablemq.message.ReliableMessage;
import io.reliablemq.producer.TransactionCheck;
import io.reliablemq.producer.TransactionDecision;
import io.reliablemq.transaction.LocalTransaction;
import io.reliablemq.transaction.PreparedTransaction;
import io.reliablemq.transaction.TransactionResult;
import io.reliablemq.transaction.TransactionStatus;
import io.reliablemq.transaction.TransactionalSender;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.UnexpectedRollbackException;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A send inside an outer Spring transaction, with a sender that records the two phases: the log row
 * is written in the outer transaction and the message decided only when it ends.
 */
class OuterTransactionSendTest {
  private final List<String> events = new CopyOnWriteArrayList<>();
  private DataSource ds;
  private JdbcTemplate jdbc;
  private TransactionTemplate outer;
  private final TransactionalSender sender = new RecordingSender();

  @BeforeEach
  void setUp() {
    JdbcDataSource h2 = new JdbcDataSource();
    h2.setURL("jdbc:h2:mem:outer-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
    ds = h2;
    jdbc = new JdbcTemplate(ds);
    jdbc.execute("CREATE TABLE tx_log (id VARCHAR(64))");
    jdbc.execute("CREATE TABLE orders (id VARCHAR(64))");
    outer = new TransactionTemplate(new DataSourceTransactionManager(ds));
  }

  private TransactionResult<Integer> send(String id, LocalTransaction<Integer> work) {
    return OuterTransactionSend.send(
        sender, ds, ReliableMessage.builder("orders").body(id).id(id).build(), work);
  }

  @Test
  void outerCommit_commitsTheMessageAfterTheDatabase_andTheResultIsPending() {
    TransactionResult<Integer> r =
        outer.execute(
            s -> {
              TransactionResult<Integer> inner =
                  send("o-1", c -> jdbc.update("INSERT INTO orders VALUES ('o-1')"));
              events.add("outer body done");
              return inner;
            });

    assertThat(r.status()).isEqualTo(TransactionStatus.PENDING);
    assertThat(r.value()).isEqualTo(1);
    assertThat(events)
        .containsExactly("prepare o-1", "log o-1", "outer body done", "commit o-1 (log rows 1)");
    assertThat(jdbc.queryForList("SELECT id FROM orders", String.class)).containsExactly("o-1");
  }

  @Test
  void outerRollback_rollsTheMessageBack_andTheLogRowVanishes() {
    assertThatThrownBy(
            () ->
                outer.executeWithoutResult(
                    s -> {
                      send("o-2", c -> jdbc.update("INSERT INTO orders VALUES ('o-2')"));
                      throw new IllegalStateException("later business failure");
                    }))
        .hasMessage("later business failure");

    assertThat(events).containsExactly("prepare o-2", "log o-2", "rollback o-2");
    assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM tx_log", Integer.class)).isZero();
    assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM orders", Integer.class)).isZero();
  }

  @Test
  void workThrows_andTheCallerSwallowsIt_theOuterTransactionCanOnlyRollBack() {
    assertThatThrownBy(
            () ->
                outer.executeWithoutResult(
                    s -> {
                      try {
                        send(
                            "o-3",
                            c -> {
                              jdbc.update("INSERT INTO orders VALUES ('o-3')");
                              throw new IllegalStateException("payment declined");
                            });
                      } catch (IllegalStateException swallowed) {
                        events.add("swallowed " + swallowed.getMessage());
                      }
                    }))
        .isInstanceOf(UnexpectedRollbackException.class);

    assertThat(events)
        .containsExactly("prepare o-3", "log o-3", "swallowed payment declined", "rollback o-3");
    assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM orders", Integer.class)).isZero();
  }

  @Test
  void outerTransactionOnAnotherDataSource_isRefusedBeforeTheHalfMessage() {
    JdbcDataSource other = new JdbcDataSource();
    other.setURL("jdbc:h2:mem:other-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
    TransactionTemplate otherTx = new TransactionTemplate(new DataSourceTransactionManager(other));

    assertThatThrownBy(() -> otherTx.executeWithoutResult(s -> send("o-4", c -> 0)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("does not hold the DataSource of the transaction log");
    assertThat(events).isEmpty();
  }

  /** Records prepare, the log row (a real insert through the given connection) and the decision. */
  private final class RecordingSender implements TransactionalSender {
    @Override
    public PreparedTransaction prepare(ReliableMessage message) {
      String id = message.id().orElseThrow();
      events.add("prepare " + id);
      return new PreparedTransaction() {
        @Override
        public String topic() {
          return message.topic();
        }

        @Override
        public String reliableId() {
          return id;
        }

        @Override
        public String messageId() {
          return "MSG-" + id;
        }

        @Override
        public void writeLog(Connection connection) throws SQLException {
          try (PreparedStatement ps =
              connection.prepareStatement("INSERT INTO tx_log VALUES (?)")) {
            ps.setString(1, id);
            ps.executeUpdate();
          }
          events.add("log " + id);
        }

        @Override
        public TransactionStatus commit() {
          // Read on a connection of its own: the row must be committed by now.
          Integer rows =
              jdbc.queryForObject("SELECT COUNT(*) FROM tx_log WHERE id = ?", Integer.class, id);
          events.add("commit " + id + " (log rows " + rows + ")");
          return TransactionStatus.COMMITTED;
        }

        @Override
        public void rollback() {
          events.add("rollback " + id);
        }
      };
    }

    @Override
    public <T> TransactionResult<T> send(ReliableMessage message, LocalTransaction<T> work) {
      throw new UnsupportedOperationException();
    }

    @Override
    public TransactionResult<Void> send(
        String businessType, ReliableMessage message, Supplier<TransactionDecision> branch) {
      throw new UnsupportedOperationException();
    }

    @Override
    public TransactionCheck transactionCheck() {
      throw new UnsupportedOperationException();
    }

    @Override
    public int purgeExpiredLog() {
      return 0;
    }

    @Override
    public void close() {}
  }
}
