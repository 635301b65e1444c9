package io.reliablemq.testsupport;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A real data source whose connections fail at the end of a local transaction as a lost connection
 * would: the database's own outcome is real, only the caller's view of it breaks. Used by the
 * transactional sender's unit tests and its real-broker IT alike.
 */
public final class FaultyDataSource implements DataSource {
  /** How the connections fail. */
  public enum Fault {
    /** {@code commit()} commits, then throws (the connection died after the commit). */
    COMMIT_THEN_THROW,
    /** {@code commit()} rolls back and throws (the connection died before the commit). */
    THROW_INSTEAD_OF_COMMIT,
    /** {@code close()} closes, then throws, after a good commit. */
    CLOSE_THROWS
  }

  private final DataSource target;
  private final Fault fault;

  /** Faults injected so far: a fault test asserts that its fault happened. */
  public final AtomicInteger faults = new AtomicInteger();

  /** Whether connections fail; a test disarms it while it sets its schema up. */
  public volatile boolean armed = true;

  /**
   * Wraps a data source; armed from the start.
   *
   * @param target the real data source
   * @param fault how its connections fail
   */
  public FaultyDataSource(DataSource target, Fault fault) {
    this.target = target;
    this.fault = fault;
  }

  @Override
  public Connection getConnection() throws SQLException {
    return wrap(target.getConnection());
  }

  @Override
  public Connection getConnection(String user, String password) throws SQLException {
    return wrap(target.getConnection(user, password));
  }

  private Connection wrap(Connection c) {
    return (Connection)
        Proxy.newProxyInstance(
            Connection.class.getClassLoader(),
            new Class<?>[] {Connection.class},
            (proxy, method, args) -> {
              String name = method.getName();
              if (armed && fault == Fault.THROW_INSTEAD_OF_COMMIT && name.equals("commit")) {
                c.rollback();
                faults.incrementAndGet();
                throw new SQLException("connection reset", "08006");
              }
              Object result;
              try {
                result = method.invoke(c, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
              if (armed
                  && ((fault == Fault.COMMIT_THEN_THROW && name.equals("commit"))
                      || (fault == Fault.CLOSE_THROWS && name.equals("close")))) {
                faults.incrementAndGet();
                throw new SQLException("connection reset", "08006");
              }
              return result;
            });
  }

  @Override
  public PrintWriter getLogWriter() throws SQLException {
    return target.getLogWriter();
  }

  @Override
  public void setLogWriter(PrintWriter out) throws SQLException {
    target.setLogWriter(out);
  }

  @Override
  public void setLoginTimeout(int seconds) throws SQLException {
    target.setLoginTimeout(seconds);
  }

  @Override
  public int getLoginTimeout() throws SQLException {
    return target.getLoginTimeout();
  }

  @Override
  public Logger getParentLogger() {
    return Logger.getGlobal();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    return target.unwrap(iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) throws SQLException {
    return target.isWrapperFor(iface);
  }
}
