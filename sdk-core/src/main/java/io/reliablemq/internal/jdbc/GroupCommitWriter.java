package io.reliablemq.internal.jdbc;

import io.reliablemq.ReliableMQException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one group-commit writer of the SDK's stores: the fallback store's appends and the dedup
 * store's claim inserts and CONSUMED marks. Callers {@link #submit} a request and wait; one thread
 * takes everything queued meanwhile (up to a batch limit), has the store's {@link Work} write it in
 * one transaction on the writer's own connection, and answers every caller of the batch only after
 * that commit returned. One commit (and, for the fallback store's power-loss mode, one sync) serves
 * many callers.
 *
 * <p><b>A failed batch is written again, one request at a time.</b> When the batch's write throws
 * (one request the database refuses, a deadlock, a stale pooled connection) the writer rolls it
 * back, drops its connection and writes each request alone on a fresh connection, so every caller
 * gets its own answer: one bad request or one broken connection does not fail the others.
 *
 * <p><b>Never a hang.</b> An interrupt of the writer thread stops the writer: every request not yet
 * answered fails with a {@link StoppedException}, and so does every later {@link #submit}; the
 * thread does not spin. {@link #close} refuses new requests, lets the writer finish what was queued
 * before it, and waits at most its bound; requests still unanswered then fail with a {@link
 * StoppedException} that says whether the request may have been written (its commit was running) or
 * certainly was not (it was still queued, and the writer will never write it).
 *
 * @param <R> the request type
 * @param <T> the result of one request
 */
public final class GroupCommitWriter<R, T> {
  private static final Logger LOG = LoggerFactory.getLogger(GroupCommitWriter.class);

  /**
   * What the writer runs for a batch.
   *
   * @param <R> the request type
   * @param <T> the result of one request
   */
  @FunctionalInterface
  public interface Work<R, T> {
    /**
     * Writes the requests in one transaction and commits it. The connection is the writer's own,
     * with auto-commit off; the work may switch auto-commit on for a single request, and must leave
     * nothing uncommitted when it returns. When it throws, the writer rolls back, drops the
     * connection and, for a batch of several, calls this again with each request alone.
     *
     * @param connection the writer's connection
     * @param batch the requests, in the order they were submitted; never empty
     * @return one result per request, in the same order
     * @throws SQLException when the batch could not be written
     */
    List<T> write(Connection connection, List<R> batch) throws SQLException;
  }

  /**
   * A request the writer did not answer with a result of its own: the writer was closed, its bound
   * ran out, or its thread was interrupted. {@link #mayHaveBeenWritten} tells a request whose
   * commit was still running (outcome unknown) from one that was never handed to the work.
   */
  public static final class StoppedException extends ReliableMQException {
    private static final long serialVersionUID = 1L;

    private final boolean mayHaveBeenWritten;

    StoppedException(String message, boolean mayHaveBeenWritten) {
      super(message);
      this.mayHaveBeenWritten = mayHaveBeenWritten;
    }

    /**
     * Whether the request may have been committed: true when the writer was still running the
     * commit that holds it; false when it certainly was not and never will be.
     *
     * @return whether the outcome is unknown
     */
    public boolean mayHaveBeenWritten() {
      return mayHaveBeenWritten;
    }
  }

  private static final int QUEUED = 0;
  private static final int TAKEN = 1;
  private static final int ABANDONED = 2;

  private final String name;
  private final DataSource dataSource;
  private final int maxBatch;
  private final long lingerNanos;
  private final Work<R, T> work;
  private final Thread thread;

  private final Object lock = new Object();
  private final LinkedBlockingQueue<Pending<R, T>> queue = new LinkedBlockingQueue<>();
  // Every request submitted and not answered yet, so that a stop or a timed-out close can answer
  // each one, wherever it is (queued, in the writer's hands, in a running commit).
  private final Set<Pending<R, T>> outstanding = ConcurrentHashMap.newKeySet();
  private final Pending<R, T> poison = new Pending<>(null);
  // Why new requests are refused; null while the writer accepts them. Guarded by lock.
  private String refusal;
  // Touched by the writer thread only.
  private Connection connection;

  /**
   * Creates a writer; {@link #start} starts its thread.
   *
   * @param threadName the writer thread's name
   * @param dataSource where the writer takes its connection
   * @param maxBatch the most requests in one transaction, at least 1
   * @param linger how long to wait for more requests before writing a batch that is not full; zero
   *     writes whatever is queued as soon as the writer is free
   * @param work writes a batch
   */
  public GroupCommitWriter(
      String threadName, DataSource dataSource, int maxBatch, Duration linger, Work<R, T> work) {
    this.name = Objects.requireNonNull(threadName, "threadName");
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    if (maxBatch < 1) {
      throw new IllegalArgumentException("maxBatch must be at least 1, was " + maxBatch);
    }
    this.maxBatch = maxBatch;
    this.lingerNanos = Objects.requireNonNull(linger, "linger").toNanos();
    this.work = Objects.requireNonNull(work, "work");
    this.thread = new Thread(this::run, threadName);
    thread.setDaemon(true);
  }

  /** Starts the writer thread. */
  public void start() {
    thread.start();
  }

  /**
   * Queues a request and waits for the outcome of the commit that holds it. The wait does not end
   * on the caller's interrupt: once queued the request may commit, so the caller waits for the real
   * outcome (which {@link #close} bounds).
   *
   * @param request the request
   * @return its result, after its commit
   * @throws SQLException when it could not be written (alone, or its batch and then alone)
   * @throws StoppedException when the writer is closed or stopped, or stopped before answering
   */
  public T submit(R request) throws SQLException {
    Pending<R, T> p = new Pending<>(Objects.requireNonNull(request, "request"));
    synchronized (lock) {
      if (refusal != null) {
        throw new StoppedException(refusal + "; the request was not written", false);
      }
      outstanding.add(p);
      queue.add(p);
    }
    try {
      return p.result.join();
    } catch (CompletionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof SQLException sql) {
        throw sql;
      }
      if (cause instanceof StoppedException stopped) {
        // A fresh one: the caller's stack, not the writer's.
        throw new StoppedException(stopped.getMessage(), stopped.mayHaveBeenWritten());
      }
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(name + ": unexpected failure", cause);
    }
  }

  /**
   * Requests queued and not yet taken by the writer.
   *
   * @return the count
   */
  public int queued() {
    int n = queue.size();
    return queue.contains(poison) ? n - 1 : n;
  }

  /**
   * Whether the writer thread still runs.
   *
   * @return true until it ended
   */
  public boolean isRunning() {
    return thread.isAlive();
  }

  /**
   * The writer thread, for tests that interrupt it.
   *
   * @return the thread
   */
  Thread thread() {
    return thread;
  }

  /**
   * Refuses new requests, lets the writer write those queued before, and waits for it at most the
   * bound. Requests still unanswered when the bound ends fail with a {@link StoppedException}: one
   * still queued was not written and never will be; one in the commit then running may have been.
   * The caller's interrupt does not shorten the wait; it is restored on return. Idempotent.
   *
   * @param timeout the bound
   * @return true when the writer ended within the bound, every request answered by it
   */
  public boolean close(Duration timeout) {
    synchronized (lock) {
      if (refusal == null) {
        refusal = name + " is closed";
        queue.add(poison);
      }
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    boolean interrupted = false;
    while (thread.isAlive()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        break;
      }
      try {
        TimeUnit.NANOSECONDS.timedJoin(thread, left);
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    boolean ended = !thread.isAlive();
    if (!ended) {
      int unanswered = outstanding.size();
      int unknown =
          failOutstanding(
              name + " closed before the request was written",
              name
                  + " closed after "
                  + timeout
                  + " while the commit holding the request still ran");
      LOG.warn(
          "{} did not finish within {}: {} requests failed, {} of them with an unknown outcome",
          name,
          timeout,
          unanswered,
          unknown);
      // May end a call that hangs on the database; whatever it then answers is ignored.
      thread.interrupt();
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    return ended;
  }

  // ---------------------------------------------------------------- the writer thread

  private void run() {
    List<Pending<R, T>> batch = new ArrayList<>(Math.min(maxBatch, 1024));
    String stopReason = name + " stopped";
    try {
      boolean stop = false;
      while (!stop) {
        batch.clear();
        Pending<R, T> first;
        try {
          first = queue.take();
        } catch (InterruptedException e) {
          stopReason = name + " stopped: its thread was interrupted";
          break;
        }
        stop = collect(first, batch);
        if (!batch.isEmpty()) {
          write(batch);
        }
        if (!stop && Thread.currentThread().isInterrupted()) {
          stopReason = name + " stopped: its thread was interrupted";
          stop = true;
        }
      }
    } catch (RuntimeException | Error e) {
      stopReason = name + " stopped: " + e;
      LOG.error("{} stopped on an unexpected failure", name, e);
      throw e;
    } finally {
      synchronized (lock) {
        if (refusal == null) {
          refusal = stopReason;
        }
      }
      int failed = outstanding.size();
      if (failed > 0) {
        failOutstanding(stopReason, stopReason);
        LOG.warn("{}: {} requests failed unanswered ({})", name, failed, stopReason);
      }
      dropConnection();
    }
  }

  /**
   * Takes the first request and whatever else is queued, up to the batch limit.
   *
   * @return true when the poison was met: write this batch, then end
   */
  private boolean collect(Pending<R, T> first, List<Pending<R, T>> batch) {
    if (first == poison) {
      return true;
    }
    take(first, batch);
    boolean stop = false;
    List<Pending<R, T>> more = new ArrayList<>();
    if (lingerNanos > 0) {
      long deadline = System.nanoTime() + lingerNanos;
      while (batch.size() < maxBatch) {
        Pending<R, T> next;
        try {
          next = queue.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
          // Write what was taken, then stop (the loop sees the flag again).
          Thread.currentThread().interrupt();
          break;
        }
        if (next == null) {
          break;
        }
        if (next == poison) {
          return true;
        }
        take(next, batch);
      }
    } else {
      queue.drainTo(more, maxBatch - 1);
      for (Pending<R, T> p : more) {
        if (p == poison) {
          stop = true;
        } else {
          take(p, batch);
        }
      }
    }
    return stop;
  }

  private void take(Pending<R, T> p, List<Pending<R, T>> batch) {
    // Loses only to a close whose bound ran out: that request is answered "not written".
    if (p.state.compareAndSet(QUEUED, TAKEN)) {
      batch.add(p);
    }
  }

  private void write(List<Pending<R, T>> batch) {
    if (batch.size() > 1) {
      List<R> requests = new ArrayList<>(batch.size());
      for (Pending<R, T> p : batch) {
        requests.add(p.request);
      }
      try {
        List<T> results = writeOnce(requests);
        for (int i = 0; i < results.size(); i++) {
          answer(batch.get(i), results.get(i));
        }
        return;
      } catch (SQLException | RuntimeException e) {
        LOG.warn(
            "{}: a group commit of {} requests failed and was rolled back ({}); writing each alone",
            name,
            batch.size(),
            e.toString());
      }
    }
    for (Pending<R, T> p : batch) {
      try {
        answer(p, writeOnce(List.of(p.request)).get(0));
      } catch (SQLException | RuntimeException e) {
        LOG.debug("{}: a request failed alone: {}", name, e.toString());
        fail(p, e);
      }
    }
  }

  private List<T> writeOnce(List<R> requests) throws SQLException {
    Connection c = connection();
    try {
      List<T> results = work.write(c, requests);
      if (results == null || results.size() != requests.size()) {
        throw new IllegalStateException(
            name
                + ": the work answered "
                + (results == null ? "null" : results.size())
                + " results for "
                + requests.size()
                + " requests");
      }
      return results;
    } catch (SQLException | RuntimeException e) {
      rollbackQuietly(c, e);
      // A broken connection (or a stale pooled one) is replaced for the next write.
      dropConnection();
      throw e;
    }
  }

  private Connection connection() throws SQLException {
    if (connection == null) {
      Connection c = dataSource.getConnection();
      try {
        c.setAutoCommit(false);
      } catch (SQLException | RuntimeException e) {
        closeQuietly(c);
        throw e;
      }
      connection = c;
    }
    return connection;
  }

  private void dropConnection() {
    if (connection != null) {
      closeQuietly(connection);
      connection = null;
    }
  }

  private void rollbackQuietly(Connection c, Exception failure) {
    try {
      if (!c.getAutoCommit()) {
        c.rollback();
      }
    } catch (SQLException | RuntimeException e) {
      failure.addSuppressed(e);
    }
  }

  private void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException | RuntimeException e) {
      LOG.debug("{}: closing its connection failed: {}", name, e.toString());
    }
  }

  // ---------------------------------------------------------------- answers

  private void answer(Pending<R, T> p, T result) {
    outstanding.remove(p);
    p.result.complete(result);
  }

  private void fail(Pending<R, T> p, Throwable e) {
    outstanding.remove(p);
    p.result.completeExceptionally(e);
  }

  /**
   * Fails every unanswered request; those still queued are abandoned first, so the writer never
   * writes them.
   *
   * @return how many had been taken by the writer (outcome unknown)
   */
  private int failOutstanding(String notWritten, String unknown) {
    int taken = 0;
    for (Pending<R, T> p : outstanding) {
      if (p.state.compareAndSet(QUEUED, ABANDONED)) {
        fail(p, new StoppedException(notWritten + "; the request was not written", false));
      } else if (!p.result.isDone()) {
        taken++;
        fail(p, new StoppedException(unknown + "; the request may have been written", true));
      }
    }
    return taken;
  }

  /** One submitted request and the future its caller waits on. */
  private static final class Pending<R, T> {
    final R request;
    final AtomicInteger state = new AtomicInteger(QUEUED);
    final CompletableFuture<T> result = new CompletableFuture<>();

    Pending(R request) {
      this.request = request;
    }
  }
}
