package io.reliablemq.producer;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.apache.rocketmq.client.java.exception.PayloadTooLargeException;
import org.apache.rocketmq.client.java.exception.ProxyTimeoutException;
import org.apache.rocketmq.client.java.exception.TooManyRequestsException;
import org.apache.rocketmq.client.java.exception.UnauthorizedException;
import org.apache.rocketmq.shaded.io.grpc.Status;
import org.junit.jupiter.api.Test;

class ExceptionClassifierTest {

  @Test
  void throttlingAndUnavailable_areRetryable() {
    assertThat(ExceptionClassifier.classify(new TooManyRequestsException(429, "r", "m")))
        .isEqualTo(ErrorKind.RETRYABLE);
    assertThat(
            ExceptionClassifier.classify(
                Status.UNAVAILABLE.withCause(new ConnectException("refused")).asRuntimeException()))
        .isEqualTo(ErrorKind.RETRYABLE);
    assertThat(ExceptionClassifier.classify(new ConnectException("refused")))
        .isEqualTo(ErrorKind.RETRYABLE);
  }

  @Test
  void timeoutsAndInternalErrors_areAmbiguous() {
    assertThat(ExceptionClassifier.classify(Status.DEADLINE_EXCEEDED.asRuntimeException()))
        .isEqualTo(ErrorKind.AMBIGUOUS);
    assertThat(ExceptionClassifier.classify(new ProxyTimeoutException(504, "r", "m")))
        .isEqualTo(ErrorKind.AMBIGUOUS);
    assertThat(ExceptionClassifier.classify(new InternalErrorException(500, "r", "m")))
        .isEqualTo(ErrorKind.AMBIGUOUS);
    assertThat(ExceptionClassifier.classify(new TimeoutException())).isEqualTo(ErrorKind.AMBIGUOUS);
  }

  @Test
  void requestErrors_areNotRetryable() {
    assertThat(ExceptionClassifier.classify(new BadRequestException(400, "r", "m")))
        .isEqualTo(ErrorKind.NON_RETRYABLE);
    assertThat(ExceptionClassifier.classify(new ForbiddenException(403, "r", "m")))
        .isEqualTo(ErrorKind.NON_RETRYABLE);
    assertThat(ExceptionClassifier.classify(new UnauthorizedException(401, "r", "m")))
        .isEqualTo(ErrorKind.NON_RETRYABLE);
    assertThat(ExceptionClassifier.classify(new NotFoundException(40402, "r", "m")))
        .isEqualTo(ErrorKind.NON_RETRYABLE);
    assertThat(ExceptionClassifier.classify(new PayloadTooLargeException(413, "r", "m")))
        .isEqualTo(ErrorKind.NON_RETRYABLE);
    assertThat(ExceptionClassifier.classify(Status.PERMISSION_DENIED.asRuntimeException()))
        .isEqualTo(ErrorKind.NON_RETRYABLE);
    assertThat(ExceptionClassifier.classify(new IllegalArgumentException("type mismatch")))
        .isEqualTo(ErrorKind.NON_RETRYABLE);
    assertThat(ExceptionClassifier.classify(new IllegalStateException("not running")))
        .isEqualTo(ErrorKind.NON_RETRYABLE);
  }

  @Test
  void cancelledSendFuture_isAmbiguous_notAClosedClient() {
    // Guava's AbstractFuture.cancel message; CancellationException is an IllegalStateException.
    assertThat(ExceptionClassifier.classify(new CancellationException("Task was cancelled.")))
        .isEqualTo(ErrorKind.AMBIGUOUS);
    assertThat(
            ExceptionClassifier.classify(
                new ExecutionException(new CancellationException("Task was cancelled."))))
        .isEqualTo(ErrorKind.AMBIGUOUS);
  }

  @Test
  void unreachable_isAFailureToReachTheProxy_notAnAnswer_aTimeout_orACancellation() {
    assertThat(ExceptionClassifier.isUnreachable(Status.UNAVAILABLE.asRuntimeException())).isTrue();
    assertThat(
            ExceptionClassifier.isUnreachable(
                new ExecutionException(Status.UNAVAILABLE.asRuntimeException())))
        .isTrue();
    assertThat(ExceptionClassifier.isUnreachable(new ConnectException("refused"))).isTrue();
    assertThat(
            ExceptionClassifier.isUnreachable(
                new IllegalStateException("not running", Status.UNAVAILABLE.asRuntimeException())))
        .isTrue();
    assertThat(ExceptionClassifier.isUnreachable(new InternalErrorException(500, "r", "m")))
        .isFalse();
    assertThat(ExceptionClassifier.isUnreachable(Status.DEADLINE_EXCEEDED.asRuntimeException()))
        .isFalse();
    assertThat(ExceptionClassifier.isUnreachable(new TimeoutException())).isFalse();
    assertThat(ExceptionClassifier.isUnreachable(new CancellationException("Task was cancelled.")))
        .isFalse();
    assertThat(ExceptionClassifier.isUnreachable(new IllegalStateException("closed"))).isFalse();
  }

  @Test
  void unknownTopicType_isRetryableForAServedTopic_only() {
    // Measured while the NameServer restarted empty (proxy 5.3.3, code 40014).
    Throwable unknownType =
        new BadRequestException(
            40014,
            "r",
            "org.apache.rocketmq.proxy.common.ProxyException: TopicMessageType validate failed, the"
                + " expected type is UNSPECIFIED, but actual type is NORMAL");
    Throwable wrongType =
        new BadRequestException(
            40014,
            "r",
            "TopicMessageType validate failed, the expected type is FIFO, but actual type is"
                + " NORMAL");

    assertThat(ExceptionClassifier.classify(unknownType, true)).isEqualTo(ErrorKind.RETRYABLE);
    assertThat(ExceptionClassifier.classify(unknownType, false)).isEqualTo(ErrorKind.NON_RETRYABLE);
    assertThat(ExceptionClassifier.classify(wrongType, true)).isEqualTo(ErrorKind.NON_RETRYABLE);
  }

  @Test
  void wrappers_areUnwrappedBeforeClassifying() {
    Throwable notFound = new NotFoundException(40402, "r", "m");
    assertThat(ExceptionClassifier.classify(new ExecutionException(notFound)))
        .isEqualTo(ErrorKind.NON_RETRYABLE);
    assertThat(ExceptionClassifier.classify(new CompletionException(notFound)))
        .isEqualTo(ErrorKind.NON_RETRYABLE);
    assertThat(
            ExceptionClassifier.classify(
                new ClientException(Status.DEADLINE_EXCEEDED.asRuntimeException())))
        .isEqualTo(ErrorKind.AMBIGUOUS);
    assertThat(
            ExceptionClassifier.classify(
                new IllegalStateException("start failed", Status.UNAVAILABLE.asRuntimeException())))
        .isEqualTo(ErrorKind.RETRYABLE);
  }

  @Test
  void clientStartFailures_areRetryableWhenUnreachable_andFinalWhenTheTopicIsMissing() {
    // The chain the 5.2.0 push consumer's build throws, measured against a killed broker.
    Throwable unreachable =
        new IllegalStateException(
            "Expected the service PushConsumerImpl-1 [FAILED] to be RUNNING",
            new RuntimeException(
                "Failed to fetch topics after 3 attempts",
                new ExecutionException(Status.UNAVAILABLE.asRuntimeException())));
    Throwable missingTopic =
        new IllegalStateException(
            "Expected the service PushConsumerImpl-1 [FAILED] to be RUNNING",
            new RuntimeException(
                "Failed to fetch topics after 3 attempts",
                new ExecutionException(new NotFoundException(40402, "r", "topic not found"))));

    assertThat(ExceptionClassifier.classify(unreachable)).isEqualTo(ErrorKind.RETRYABLE);
    assertThat(ExceptionClassifier.classify(missingTopic)).isEqualTo(ErrorKind.NON_RETRYABLE);
  }

  @Test
  void unknownErrors_areRetryable_soAMessageIsNotGivenUpOnAGuess() {
    assertThat(ExceptionClassifier.classify(new RuntimeException("?")))
        .isEqualTo(ErrorKind.RETRYABLE);
    assertThat(ExceptionClassifier.isRetryable(new RuntimeException("?"))).isTrue();
  }

  @Test
  void topicNotFound_isRetryable_onlyForATopicServedBefore() {
    // The client's message carries the proxy's code.
    Throwable topicGone =
        new CompletionException(new NotFoundException(40402, "r", "topic not found"));
    Throwable groupMissing = new NotFoundException(40403, "r", "consumer group not found");

    assertThat(ExceptionClassifier.classify(topicGone, true)).isEqualTo(ErrorKind.RETRYABLE);
    assertThat(ExceptionClassifier.classify(topicGone, false)).isEqualTo(ErrorKind.NON_RETRYABLE);
    assertThat(ExceptionClassifier.classify(groupMissing, true)).isEqualTo(ErrorKind.NON_RETRYABLE);
    assertThat(ExceptionClassifier.classify(new BadRequestException(40001, "r", "bad"), true))
        .isEqualTo(ErrorKind.NON_RETRYABLE);
  }

  @Test
  void noWritableQueue_isRetryable_onlyForATopicServedBefore() {
    // What the proxy answers while a failed-over group has no master in its route.
    Throwable noMaster =
        new ForbiddenException(
            40300, "r", "org.apache.rocketmq.proxy.common.ProxyException: no writable queue");
    Throwable denied = new ForbiddenException(40300, "r", "permission denied");

    assertThat(ExceptionClassifier.classify(noMaster, true)).isEqualTo(ErrorKind.RETRYABLE);
    assertThat(ExceptionClassifier.classify(noMaster, false)).isEqualTo(ErrorKind.NON_RETRYABLE);
    assertThat(ExceptionClassifier.classify(denied, true)).isEqualTo(ErrorKind.NON_RETRYABLE);
  }

  @Test
  void queueFailures_areBrokerSideAnswersOfALiveProxy_notAnUnreachableProxy() {
    assertThat(
            ExceptionClassifier.isQueueFailure(
                new ExecutionException(
                    new InternalErrorException(50001, "r", "connect to 127.0.0.1:1 failed"))))
        .isTrue();
    assertThat(ExceptionClassifier.isQueueFailure(new ProxyTimeoutException(50400, "r", "t")))
        .isTrue();
    assertThat(ExceptionClassifier.isQueueFailure(Status.UNAVAILABLE.asRuntimeException()))
        .isFalse();
    assertThat(ExceptionClassifier.isQueueFailure(new ConnectException("refused"))).isFalse();
  }

  @Test
  void accessDenied_findsTheRefusalDeepInAStartFailure_andNothingInAnOutage() {
    UnauthorizedException refused = new UnauthorizedException(40100, "r", "bad signature");
    Throwable startFailure =
        new IllegalStateException(
            "Expected the service to be RUNNING, but the service has FAILED",
            new RuntimeException(
                "Failed to fetch topics after 3 attempts",
                new java.util.concurrent.ExecutionException(refused)));
    assertThat(ExceptionClassifier.accessDenied(startFailure)).isSameAs(refused);
    ForbiddenException forbidden = new ForbiddenException(40300, "r", "m");
    assertThat(ExceptionClassifier.accessDenied(new RuntimeException(forbidden)))
        .isSameAs(forbidden);
    assertThat(
            ExceptionClassifier.accessDenied(
                new IllegalStateException(
                    "FAILED", new RuntimeException(new java.net.ConnectException("refused")))))
        .isNull();
    assertThat(ExceptionClassifier.accessDenied(null)).isNull();
    // A failover in progress is not a refusal.
    assertThat(
            ExceptionClassifier.accessDenied(
                new RuntimeException(new ForbiddenException(40300, "r", "no writable queue"))))
        .isNull();
  }
}
