package io.reliablemq.test.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PortsTest {
  @Test
  void blockIsFreeDistinctAndBelowEphemeralRange() throws Exception {
    Ports ports = new Ports();
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 20; i++) {
      int base = ports.block(-2, 1);
      for (int p = base - 2; p <= base + 1; p++) {
        assertThat(seen.add(p)).as("port %d handed out twice", p).isTrue();
        assertThat(p).isBetween(Ports.LOW, Ports.HIGH);
      }
      int single = ports.free();
      assertThat(seen.add(single)).isTrue();
    }
  }

  @Test
  void slots_splitTheRange_soThatTwoJvmsNeverHandOutTheSamePort() {
    Ports first = new Ports("1", "2");
    Ports second = new Ports("2", "2");
    for (int i = 0; i < 50; i++) {
      int a = first.block(-2, 1);
      int b = second.block(-2, 1);
      assertThat(a - 2).isGreaterThanOrEqualTo(Ports.LOW);
      assertThat(a + 1).isLessThan((Ports.LOW + Ports.HIGH) / 2);
      assertThat(b - 2).isGreaterThanOrEqualTo((Ports.LOW + Ports.HIGH) / 2);
      assertThat(b + 1).isLessThan(Ports.HIGH);
    }
  }

  @Test
  void slots_outOfRange_areRefusedNamingTheProperty() {
    assertThatThrownBy(() -> new Ports("3", "2"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(Ports.SLOT_PROPERTY);
    assertThatThrownBy(() -> new Ports("x", "2"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(Ports.SLOT_PROPERTY);
  }

  @Test
  void boundPortIsNotFree() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      assertThat(Ports.isFree(s.getLocalPort())).isFalse();
    }
  }
}
