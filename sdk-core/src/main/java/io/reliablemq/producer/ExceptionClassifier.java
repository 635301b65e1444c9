package io.reliablemq.producer;

import java.io.IOException;
import java.net.ConnectException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.rocketmq.client.apis.ClientException;
import org.apache.rocketmq.client.java.exception.BadRequestException;
import org.apache.rocketmq.client.java.exception.ForbiddenException;
import org.apache.rocketmq.client.java.exception.InternalErrorException;
import org.apache.rocketmq.client.java.exception.NotFoundException;
import org.apache.rocketmq.client.java.exception.PayloadEmptyException;
import org.apache.rocketmq.client.java.exception.PayloadTooLargeException;
import org.apache.rocketmq.client.java.exception.PaymentRequiredException;
import org.apache.rocketmq.client.java.exception.ProxyTimeoutException;
import org.apache.rocketmq.client.java.exception.RequestHeaderFieldsTooLargeException;
import org.apache.rocketmq.client.java.exception.TooManyRequestsException;
import org.apache.rocketmq.client.java.exception.UnauthorizedException;
import org.apache.rocketmq.client.java.exception.UnsupportedException;
import org.apache.rocketmq.shaded.io.grpc.Status;
import org.apache.rocketmq.shaded.io.grpc.StatusException;
import org.apache.rocketmq.shaded.io.grpc.StatusRuntimeException;

/**
 * The one place that decides whether an error from the RocketMQ client is worth retrying.
 *
 * <ul>
 *   <li>{@link ErrorKind#RETRYABLE}: throttling ({@code TooManyRequestsException}), gRPC {@code
 *       UNAVAILABLE} / {@code RESOURCE_EXHAUSTED} / {@code ABORTED}, connection failures.
 *   <li>{@link ErrorKind#AMBIGUOUS}: timeouts and internal errors, after which the broker may have
 *       stored the message ({@code ProxyTimeoutException}, {@code InternalErrorException}, gRPC
 *       {@code DEADLINE_EXCEEDED}, {@code INTERNAL}, {@code UNKNOWN}, the SDK's own attempt
 *       timeout, a cancelled send future). Retried; consumers dedup the possible copy by {@code
 *       reliablemq_id}.
 *   <li>{@link ErrorKind#NON_RETRYABLE}: the request itself is wrong or not allowed (bad request,
 *       payload too large or empty, forbidden, unauthorized, topic or group not found, unsupported,
 *       a message type that does not match the topic ({@code IllegalArgumentException}), a closed
 *       client ({@code IllegalStateException}), other gRPC codes.
 * </ul>
 *
 * <p>Two refinements for a cluster behind a proxy: {@link #classify(Throwable, boolean)} treats
 * "topic not found" as {@link ErrorKind#RETRYABLE} for a topic the caller has seen served (a
 * NameServer that restarted empty answers so until the brokers register again), and {@link
 * #isQueueFailure} tells a failure of one broker behind a live proxy (another queue may take the
 * next attempt at once) from an unreachable proxy.
 *
 * <p>Wrappers ({@link ExecutionException}, {@link CompletionException}, a plain {@link
 * ClientException} or {@link RuntimeException} with a cause) are unwrapped first. Anything
 * unrecognised is treated as {@link ErrorKind#RETRYABLE}: an unknown transient failure that is
 * retried within the deadline costs a little time, while an unknown failure treated as final would
 * lose the message to the caller.
 */
public final class ExceptionClassifier {
  private static final int MAX_CAUSE_DEPTH = 16;
  // The client puts the proxy's code into the message: "[request-id=..., response-code=40402] ...".
  private static final String TOPIC_NOT_FOUND_CODE = "response-code=40402]";
  // rocketmq-proxy's ProducerProcessor: FORBIDDEN when the route holds no writable queue.
  private static final String NO_WRITABLE_QUEUE = "no writable queue";
  // rocketmq-proxy's message type check, when the proxy lost the topic's metadata (its type then
  // reads UNSPECIFIED): "TopicMessageType validate failed, the expected type is UNSPECIFIED, ...".
  private static final String TYPE_CHECK_FAILED = "TopicMessageType validate failed";
  private static final String TYPE_UNSPECIFIED = "expected type is UNSPECIFIED";

  private ExceptionClassifier() {}

  /**
   * Classifies an error.
   *
   * @param error the error thrown by, or completing a future of, the RocketMQ client
   * @return its kind; never null
   */
  public static ErrorKind classify(Throwable error) {
    Throwable t = unwrap(error);
    if (t == null) {
      return ErrorKind.RETRYABLE;
    }
    if (t instanceof TooManyRequestsException) {
      return ErrorKind.RETRYABLE;
    }
    if (t instanceof ProxyTimeoutException || t instanceof InternalErrorException) {
      return ErrorKind.AMBIGUOUS;
    }
    if (t instanceof BadRequestException
        || t instanceof ForbiddenException
        || t instanceof UnauthorizedException
        || t instanceof NotFoundException
        || t instanceof PayloadTooLargeException
        || t instanceof PayloadEmptyException
        || t instanceof PaymentRequiredException
        || t instanceof RequestHeaderFieldsTooLargeException
        || t instanceof UnsupportedException) {
      return ErrorKind.NON_RETRYABLE;
    }
    if (t instanceof StatusRuntimeException) {
      return classify(((StatusRuntimeException) t).getStatus());
    }
    if (t instanceof StatusException) {
      return classify(((StatusException) t).getStatus());
    }
    if (t instanceof TimeoutException) {
      return ErrorKind.AMBIGUOUS;
    }
    if (t instanceof ConnectException) {
      return ErrorKind.RETRYABLE;
    }
    if (t instanceof CancellationException) {
      // A cancelled send future ("Task was cancelled."): a client being replaced or closed under an
      // in-flight request cancels it, and the request may have reached the broker already. It is an
      // IllegalStateException, but says nothing about the message: never a reason to give it up.
      return ErrorKind.AMBIGUOUS;
    }
    if (t instanceof IllegalArgumentException || t instanceof IllegalStateException) {
      // The client uses these for a message type that does not match the topic and for a client
      // that is not running; neither heals by itself. A transient cause inside wins, though.
      Throwable cause = t.getCause();
      if (cause != null && cause != t) {
        ErrorKind inner = classify(cause);
        if (inner != ErrorKind.RETRYABLE || isTransport(unwrap(cause))) {
          return inner;
        }
      }
      return ErrorKind.NON_RETRYABLE;
    }
    if (t instanceof IOException) {
      return ErrorKind.RETRYABLE;
    }
    return ErrorKind.RETRYABLE;
  }

  /**
   * Classifies an error of a request for a topic, knowing whether that topic was served before.
   *
   * <p>A topic that was served before and is now "not found" is a cluster that forgot it for a
   * while, not a bad configuration: a NameServer restarted empty answers TOPIC_NOT_EXIST until the
   * brokers register again (every 30 s by default), and the proxy may cache the empty route for its
   * refresh interval on top. Likewise FORBIDDEN "no writable queue": the proxy's route has no
   * master for any of the topic's queues, as during a master failover until a replica is elected.
   * Likewise BAD_REQUEST "TopicMessageType validate failed, the expected type is UNSPECIFIED": the
   * proxy lost the topic's metadata with the route (measured while a NameServer restarted empty)
   * and checks every message against an unknown type. Such an answer is {@link
   * ErrorKind#RETRYABLE}, so a send is retried or stored and a replayed entry is retried instead of
   * parked. A topic never served still fails fast as {@link ErrorKind#NON_RETRYABLE}: a missing or
   * read-only topic is bad configuration, not an outage.
   *
   * @param error the error
   * @param topicServedBefore whether a request for the topic succeeded before in this process
   * @return its kind; never null
   */
  public static ErrorKind classify(Throwable error, boolean topicServedBefore) {
    if (topicServedBefore
        && (isTopicNotFound(error) || isNoWritableQueue(error) || isTopicTypeUnknown(error))) {
      return ErrorKind.RETRYABLE;
    }
    return classify(error);
  }

  /**
   * Whether an error is the proxy's "topic not found" (code 40402).
   *
   * @param error the error
   * @return true for a topic-not-found answer
   */
  public static boolean isTopicNotFound(Throwable error) {
    Throwable t = unwrap(error);
    if (!(t instanceof NotFoundException)) {
      return false;
    }
    String message = t.getMessage();
    return message != null && message.contains(TOPIC_NOT_FOUND_CODE);
  }

  /**
   * Whether an error is the proxy's FORBIDDEN "no writable queue": no queue of the topic has a
   * writable master in its route (a failover in progress, or a read-only topic).
   *
   * @param error the error
   * @return true for that answer
   */
  public static boolean isNoWritableQueue(Throwable error) {
    Throwable t = unwrap(error);
    if (!(t instanceof ForbiddenException)) {
      return false;
    }
    String message = t.getMessage();
    return message != null && message.contains(NO_WRITABLE_QUEUE);
  }

  /**
   * Whether an error is the proxy's message type check against a topic whose type it does not know
   * (UNSPECIFIED): its metadata is gone for a while, not a message of the wrong type.
   *
   * @param error the error
   * @return true for that answer
   */
  public static boolean isTopicTypeUnknown(Throwable error) {
    Throwable t = unwrap(error);
    if (!(t instanceof BadRequestException)) {
      return false;
    }
    String message = t.getMessage();
    return message != null
        && message.contains(TYPE_CHECK_FAILED)
        && message.contains(TYPE_UNSPECIFIED);
  }

  /**
   * Whether an error is a failure of one broker behind a proxy that answered: INTERNAL_SERVER_ERROR
   * (e.g. "connect to &lt;broker&gt; failed") or a proxy timeout. In proxy cluster mode the proxy
   * picks the queue of every attempt (round robin over all broker groups), so the next attempt may
   * reach a live broker group at once; waiting out a backoff first only delays a message the
   * cluster could take now. An unreachable proxy (gRPC {@code UNAVAILABLE}, connection refused) is
   * not such a failure.
   *
   * @param error the error
   * @return true when the proxy answered with a broker-side failure
   */
  public static boolean isQueueFailure(Throwable error) {
    Throwable t = unwrap(error);
    return t instanceof InternalErrorException || t instanceof ProxyTimeoutException;
  }

  /**
   * Whether a request failed because the client could not reach a proxy at all: gRPC {@code
   * UNAVAILABLE} or a connection failure. A client in gRPC's reconnect backoff fails so, fast, even
   * after the proxy is back, which is what replacing the client cures. Anything else is not such a
   * sign: an answer of the proxy (a broker behind it failed, throttling, a bad request), a timeout
   * (a slow broker, or a machine so loaded that timers fire late; a proxy that went away for good
   * is found by probing its port instead) and a cancellation (the SDK cancels requests itself when
   * it replaces or closes a client).
   *
   * @param error the error
   * @return true when no proxy could be reached
   */
  public static boolean isUnreachable(Throwable error) {
    Throwable t = unwrap(error);
    for (int i = 0; i < MAX_CAUSE_DEPTH && t != null; i++) {
      Status status = null;
      if (t instanceof StatusRuntimeException) {
        status = ((StatusRuntimeException) t).getStatus();
      } else if (t instanceof StatusException) {
        status = ((StatusException) t).getStatus();
      }
      if (status != null) {
        return status.getCode() == Status.Code.UNAVAILABLE;
      }
      if (t instanceof IOException) {
        return true;
      }
      if (t instanceof ClientException
          || t instanceof CancellationException
          || t instanceof TimeoutException) {
        return false;
      }
      // A client that is not running wraps its start failure (IllegalStateException).
      t = t.getCause() == t ? null : t.getCause();
    }
    return false;
  }

  /**
   * Whether an error is worth retrying: {@link ErrorKind#RETRYABLE} or {@link ErrorKind#AMBIGUOUS}.
   *
   * @param error the error
   * @return true when a retry may succeed
   */
  public static boolean isRetryable(Throwable error) {
    return classify(error) != ErrorKind.NON_RETRYABLE;
  }

  /**
   * The refusal of the caller's credentials or permissions anywhere in an error's cause chain: the
   * client's {@code UnauthorizedException} (RocketMQ 5 answers UNAUTHORIZED, 40100, to a failed
   * authentication and a failed authorization alike) or {@code ForbiddenException}. A client whose
   * start failed because the proxy refused it wraps that refusal deep inside start-up exceptions
   * that otherwise mean an outage; this finds it, so that bad configuration is never taken for an
   * outage (and never stored to be replayed later).
   *
   * @param error any error
   * @return the refusal, or null when there is none
   */
  public static ClientException accessDenied(Throwable error) {
    Throwable t = error;
    for (int i = 0; i < MAX_CAUSE_DEPTH && t != null; i++) {
      if (t instanceof UnauthorizedException
          || (t instanceof ForbiddenException && !isNoQueue(t))) {
        return (ClientException) t;
      }
      t = t.getCause();
    }
    return null;
  }

  // FORBIDDEN "no writable/readable queue" is a route without master (a failover), not a refusal.
  private static boolean isNoQueue(Throwable t) {
    String message = t.getMessage();
    return message != null
        && (message.contains(NO_WRITABLE_QUEUE) || message.contains("no readable queue"));
  }

  private static boolean isTransport(Throwable t) {
    return t instanceof StatusRuntimeException
        || t instanceof StatusException
        || t instanceof IOException
        || t instanceof TimeoutException;
  }

  private static ErrorKind classify(Status status) {
    switch (status.getCode()) {
      case UNAVAILABLE:
      case RESOURCE_EXHAUSTED:
      case ABORTED:
        return ErrorKind.RETRYABLE;
      case DEADLINE_EXCEEDED:
      case INTERNAL:
      case UNKNOWN:
        return ErrorKind.AMBIGUOUS;
      default:
        return ErrorKind.NON_RETRYABLE;
    }
  }

  /** Strips wrappers that carry no meaning of their own. */
  static Throwable unwrap(Throwable error) {
    Throwable t = error;
    for (int i = 0; i < MAX_CAUSE_DEPTH && t != null; i++) {
      boolean wrapper =
          t instanceof ExecutionException
              || t instanceof CompletionException
              || (t.getClass() == ClientException.class && t.getCause() != null)
              // The 5.2.0 client's start wraps its route fetch failure in a bare RuntimeException
              // ("Failed to fetch topics after 3 attempts"): the cause says what went wrong.
              || (t.getClass() == RuntimeException.class && t.getCause() != null);
      if (!wrapper || t.getCause() == null) {
        return t;
      }
      t = t.getCause();
    }
    return t;
  }
}
