package io.reliablemq.relay;

import java.time.Duration;
import java.util.OptionalLong;

/**
 * A snapshot of a {@link BacklogRelay}'s progress.
 *
 * @param state where the relay stands
 * @param relayed copies acknowledged by the target or stored, whose source message was acked
 * @param sent of those, acknowledged by the target topic
 * @param stored of those, taken by the fallback store (the replayer sends them later)
 * @param failed sends that failed; their source messages are delivered again
 * @param inFlight copies being sent now
 * @param elapsed time since the start
 * @param remaining messages left on the source, when known (the RocketMQ 5 gRPC client exposes no
 *     backlog figure, so this is empty unless an expected total was configured)
 */
public record RelayProgress(
    RelayState state,
    long relayed,
    long sent,
    long stored,
    long failed,
    int inFlight,
    Duration elapsed,
    OptionalLong remaining) {

  /**
   * The mean rate since the start.
   *
   * @return relayed messages per second, 0 before the first second
   */
  public double ratePerSecond() {
    long millis = elapsed.toMillis();
    return millis <= 0 ? 0 : relayed * 1000.0 / millis;
  }

  @Override
  public String toString() {
    return String.format(
        "relay %s: relayed %d (sent %d, stored %d), failed %d, in flight %d, %.0f msg/s, %d s"
            + " elapsed%s",
        state,
        relayed,
        sent,
        stored,
        failed,
        inFlight,
        ratePerSecond(),
        elapsed.toSeconds(),
        remaining.isPresent() ? ", remaining " + remaining.getAsLong() : "");
  }
}
