package io.reliablemq.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.rocketmq.shaded.ch.qos.logback.classic.Level;
import org.apache.rocketmq.shaded.ch.qos.logback.classic.Logger;
import org.apache.rocketmq.shaded.ch.qos.logback.classic.LoggerContext;
import org.apache.rocketmq.shaded.org.slf4j.LoggerFactory;
import org.junit.jupiter.api.Test;

class ClientLogGuardTest {
  @Test
  void wireLoggersStayQuietAtTrace_otherClientLoggersFollowTheirLevel_installedOnce() {
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger wire = ctx.getLogger(ClientLogGuard.WIRE_LOGGER);
    Logger frames = ctx.getLogger("org.apache.rocketmq.shaded.grpc.netty.NettyClientHandler");
    Logger other = ctx.getLogger("org.apache.rocketmq.client.java.impl.ClientImpl");
    Level[] before = {wire.getLevel(), frames.getLevel(), other.getLevel()};
    try {
      ClientLogGuard.install();
      int filters = ctx.getTurboFilterList().size();
      ClientLogGuard.install();
      assertThat(ctx.getTurboFilterList()).hasSize(filters);

      wire.setLevel(Level.TRACE);
      frames.setLevel(Level.TRACE);
      other.setLevel(Level.TRACE);
      assertThat(wire.isTraceEnabled()).isFalse();
      assertThat(wire.isDebugEnabled()).isFalse();
      assertThat(wire.isInfoEnabled()).isTrue();
      assertThat(frames.isDebugEnabled()).isFalse();
      assertThat(frames.isWarnEnabled()).isTrue();
      assertThat(other.isTraceEnabled()).isTrue();
    } finally {
      wire.setLevel(before[0]);
      frames.setLevel(before[1]);
      other.setLevel(before[2]);
    }
  }
}
