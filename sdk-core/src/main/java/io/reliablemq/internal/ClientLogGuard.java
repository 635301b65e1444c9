package io.reliablemq.internal;

import org.apache.rocketmq.shaded.ch.qos.logback.classic.Level;
import org.apache.rocketmq.shaded.ch.qos.logback.classic.Logger;
import org.apache.rocketmq.shaded.ch.qos.logback.classic.LoggerContext;
import org.apache.rocketmq.shaded.ch.qos.logback.classic.turbo.TurboFilter;
import org.apache.rocketmq.shaded.ch.qos.logback.core.spi.FilterReply;
import org.apache.rocketmq.shaded.org.slf4j.ILoggerFactory;
import org.apache.rocketmq.shaded.org.slf4j.LoggerFactory;
import org.apache.rocketmq.shaded.org.slf4j.Marker;

/**
 * Keeps the RocketMQ client's wire log out of its logs. {@code rocketmq-client-java} 5.2.0 logs
 * through its own shaded logback ({@code rocketmq.log.level}, {@code rocketmq-client.log}), and two
 * of its loggers write what travels on the wire when a user turns the level down to debug
 * something: {@code org.apache.rocketmq.client.java.rpc.LoggingInterceptor} at TRACE logs every
 * gRPC request's headers (among them the {@code authorization} header: the access key and the
 * request's signature) and content (every message body sent and received), and the shaded gRPC
 * Netty frame logger ({@code ...grpc.netty.NettyClientHandler}) at DEBUG logs every HTTP/2 frame:
 * the same headers, and DATA frames as a hex dump of the bodies. A log must not get secrets and
 * personal data because someone turned logging up, so this denies those loggers' events below INFO
 * (all they log down there is the wire) with a turbo filter, which holds whatever level a logger or
 * the root is set to later. Every other client logger keeps the level the user chose. Found by
 * {@code LogLeakIT}.
 *
 * <p>Installed once per JVM, when the SDK builds its first client configuration; a no-op when the
 * client's logging is not its shaded logback.
 */
public final class ClientLogGuard {
  /** The client's gRPC wire logger (headers and request/response content at TRACE). */
  public static final String WIRE_LOGGER = "org.apache.rocketmq.client.java.rpc.LoggingInterceptor";

  /** How the name of the shaded gRPC Netty frame logger ends (every HTTP/2 frame at DEBUG). */
  public static final String FRAME_LOGGER_SUFFIX = "grpc.netty.NettyClientHandler";

  private static final String FILTER_NAME = "reliablemq-wire-log-guard";

  private ClientLogGuard() {}

  /**
   * Whether a client logger writes the wire below INFO.
   *
   * @param loggerName the logger's name
   * @return true for the wire and frame loggers
   */
  public static boolean isWire(String loggerName) {
    return WIRE_LOGGER.equals(loggerName)
        || (loggerName != null && loggerName.endsWith(FRAME_LOGGER_SUFFIX));
  }

  /** Installs the filter in the client's logger context unless it is there already. */
  public static void install() {
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    if (!(factory instanceof LoggerContext)) {
      return;
    }
    LoggerContext context = (LoggerContext) factory;
    synchronized (ClientLogGuard.class) {
      for (TurboFilter f : context.getTurboFilterList()) {
        if (FILTER_NAME.equals(f.getName())) {
          return;
        }
      }
      TurboFilter filter =
          new TurboFilter() {
            @Override
            public FilterReply decide(
                Marker marker,
                Logger logger,
                Level level,
                String format,
                Object[] params,
                Throwable t) {
              if (logger != null
                  && level != null
                  && !level.isGreaterOrEqual(Level.INFO)
                  && isWire(logger.getName())) {
                return FilterReply.DENY;
              }
              return FilterReply.NEUTRAL;
            }
          };
      filter.setName(FILTER_NAME);
      filter.setContext(context);
      filter.start();
      context.addTurboFilter(filter);
    }
  }
}
