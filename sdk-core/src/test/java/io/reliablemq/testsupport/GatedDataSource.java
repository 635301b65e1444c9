package io.reliablemq.testsupport;

import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A {@link DataSource} over a real one that a test can steer: hold the next statement whose SQL
 * matches at its preparation (the preparing thread waits, ignoring interrupts, until {@link
 * #release}), or break a connection after its next commit (every later call on that connection
 * throws {@code 08006}, as a stale pooled connection does). Records the size of every executed JDBC
 * batch.
 */
public final class GatedDataSource implements DataSource {
  private final DataSource delegate;
  private final AtomicReference<Predicate<String>> holdNext = new AtomicReference<>();
  private final AtomicBoolean breakAfterCommit = new AtomicBoolean();
  private final CountDownLatch held = new CountDownLatch(1);
  private final CountDownLatch released = new CountDownLatch(1);
  private final AtomicReference<Thread> heldThread = new AtomicReference<>();
  private final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
  private final AtomicInteger broken = new AtomicInteger();

  /**
   * Wraps a data source.
   *
   * @param delegate the real one
   */
  public GatedDataSource(DataSource delegate) {
    this.delegate = delegate;
  }

  /**
   * Holds the next statement prepared with matching SQL until {@link #release}. Once per instance.
   *
   * @param sql which SQL to hold
   */
  public void holdNext(Predicate<String> sql) {
    holdNext.set(sql);
  }

  /**
   * Waits until a thread is held.
   *
   * @return the held thread
   * @throws InterruptedException when the wait is interrupted
   */
  public Thread awaitHeld() throws InterruptedException {
    held.await();
    return heldThread.get();
  }

  /** Lets the held thread (and any later one) go on. */
  public void release() {
    holdNext.set(null);
    released.countDown();
  }

  /**
   * Breaks the connection of the next commit once that commit succeeded: every later call on it
   * throws, as on a pooled connection the server closed while it sat idle.
   */
  public void breakAfterNextCommit() {
    breakAfterCommit.set(true);
  }

  /**
   * How many connections were broken.
   *
   * @return the count
   */
  public int brokenConnections() {
    return broken.get();
  }

  /**
   * The sizes of the JDBC batches executed so far, in order (also those that failed).
   *
   * @return the sizes
   */
  public List<Integer> batchSizes() {
    return List.copyOf(batchSizes);
  }

  @Override
  public Connection getConnection() throws SQLException {
    return wrap(delegate.getConnection());
  }

  @Override
  public Connection getConnection(String user, String password) throws SQLException {
    return wrap(delegate.getConnection(user, password));
  }

  private Connection wrap(Connection real) {
    AtomicBoolean isBroken = new AtomicBoolean();
    InvocationHandler h =
        (proxy, m, args) -> {
          String name = m.getName();
          if (isBroken.get() && !name.equals("close") && !name.equals("isClosed")) {
            throw stale();
          }
          if (name.startsWith("prepareStatement") && args != null && args[0] instanceof String) {
            String sql = (String) args[0];
            Predicate<String> hold = holdNext.get();
            if (hold != null && hold.test(sql) && holdNext.compareAndSet(hold, null)) {
              waitForRelease();
            }
            PreparedStatement ps = (PreparedStatement) invoke(real, m, args);
            return statement(ps, isBroken);
          }
          Object result = invoke(real, m, args);
          if (name.equals("commit") && breakAfterCommit.compareAndSet(true, false)) {
            isBroken.set(true);
            broken.incrementAndGet();
          }
          return result;
        };
    return (Connection)
        Proxy.newProxyInstance(
            Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, h);
  }

  private PreparedStatement statement(PreparedStatement real, AtomicBoolean isBroken) {
    int[] added = new int[1];
    InvocationHandler h =
        (proxy, m, args) -> {
          String name = m.getName();
          if (isBroken.get() && !name.equals("close") && !name.equals("isClosed")) {
            throw stale();
          }
          if (name.equals("addBatch")) {
            added[0]++;
          }
          if (name.equals("executeBatch")) {
            batchSizes.add(added[0]);
            added[0] = 0;
          }
          return invoke(real, m, args);
        };
    return (PreparedStatement)
        Proxy.newProxyInstance(
            PreparedStatement.class.getClassLoader(), new Class<?>[] {PreparedStatement.class}, h);
  }

  private void waitForRelease() {
    heldThread.set(Thread.currentThread());
    held.countDown();
    boolean interrupted = false;
    while (true) {
      try {
        released.await();
        break;
      } catch (InterruptedException e) {
        // Like a database call that does not notice interrupts: keep waiting, keep the flag.
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private static SQLException stale() {
    return new SQLException("simulated: connection reset (stale pooled connection)", "08006");
  }

  private static Object invoke(Object target, Method m, Object[] args) throws Throwable {
    try {
      return m.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  @Override
  public PrintWriter getLogWriter() throws SQLException {
    return delegate.getLogWriter();
  }

  @Override
  public void setLogWriter(PrintWriter out) throws SQLException {
    delegate.setLogWriter(out);
  }

  @Override
  public void setLoginTimeout(int seconds) throws SQLException {
    delegate.setLoginTimeout(seconds);
  }

  @Override
  public int getLoginTimeout() throws SQLException {
    return delegate.getLoginTimeout();
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    return delegate.getParentLogger();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    return delegate.unwrap(iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) throws SQLException {
    return delegate.isWrapperFor(iface);
  }
}
