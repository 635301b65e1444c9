package io.reliablemq.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class EmbeddedRocketMQClusterTest {
  @Test
  void namesEveryNode_andListsEveryProxyInEndpoints() {
    try (EmbeddedRocketMQCluster cluster =
        EmbeddedRocketMQCluster.builder().nameServers(2).brokerGroups(3).proxies(2).build()) {
      assertThat(cluster.nodes())
          .containsExactly(
              "namesrv-0", "namesrv-1", "broker-a", "broker-b", "broker-c", "proxy-0", "proxy-1");
      assertThat(cluster.nameServers()).containsExactly("namesrv-0", "namesrv-1");
      assertThat(cluster.brokerGroups()).containsExactly("broker-a", "broker-b", "broker-c");
      assertThat(cluster.proxies()).containsExactly("proxy-0", "proxy-1");
      assertThat(cluster.endpoints())
          .matches("127\\.0\\.0\\.1:\\d+;127\\.0\\.0\\.1:\\d+")
          .isEqualTo(cluster.endpoint("proxy-0") + ";" + cluster.endpoint("proxy-1"));
      assertThat(cluster.namesrvAddress()).matches("127\\.0\\.0\\.1:\\d+;127\\.0\\.0\\.1:\\d+");
      assertThat(cluster.nodeDir("broker-b")).isEqualTo(cluster.workDir().resolve("broker-b"));
    }
  }

  @Test
  void replicasPerGroup_namesEachGroupsReplicasAfterItsFirstNode() {
    try (EmbeddedRocketMQCluster cluster =
        EmbeddedRocketMQCluster.builder().brokerGroups(2).replicasPerGroup(2).build()) {
      assertThat(cluster.nodes())
          .containsExactly(
              "namesrv-0",
              "broker-a",
              "broker-a-1",
              "broker-a-2",
              "broker-b",
              "broker-b-1",
              "broker-b-2",
              "proxy-0");
      assertThat(cluster.brokerGroups()).containsExactly("broker-a", "broker-b");
      assertThat(cluster.groupNodes("broker-b"))
          .containsExactly("broker-b", "broker-b-1", "broker-b-2");
      assertThat(cluster.nodeDir("broker-a-1")).isEqualTo(cluster.workDir().resolve("broker-a-1"));
      // Nothing runs: no node is master.
      assertThat(cluster.master("broker-a")).isEmpty();
      assertThatThrownBy(() -> cluster.groupNodes("broker-a-1"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("broker-a-1");
      assertThatThrownBy(
              () -> cluster.awaitFailover("broker-a", "broker-b-1", Duration.ofSeconds(1)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("not a node of broker-a");
    }
  }

  @Test
  void withoutReplicas_aGroupIsItsOneNode() {
    try (EmbeddedRocketMQCluster cluster = EmbeddedRocketMQCluster.builder().build()) {
      assertThat(cluster.groupNodes("broker-a")).containsExactly("broker-a");
      assertThat(cluster.master("broker-a")).isEmpty();
    }
  }

  @Test
  void builderRejectsReplicationSettingsOutOfRange_namingTheFieldAndTheLimit() {
    EmbeddedRocketMQCluster.Builder b = EmbeddedRocketMQCluster.builder();
    assertThatThrownBy(() -> b.replicasPerGroup(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("replicasPerGroup")
        .hasMessageContaining("0..4");
    assertThatThrownBy(() -> b.replicasPerGroup(5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("replicasPerGroup");
    assertThatThrownBy(() -> b.minInSyncReplicas(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("minInSyncReplicas");
    assertThatThrownBy(() -> EmbeddedRocketMQCluster.builder().minInSyncReplicas(2).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("minInSyncReplicas")
        .hasMessageContaining("replicasPerGroup + 1 = 1");
  }

  @Test
  void builderRejectsCountsOutOfRange_namingTheFieldAndTheLimit() {
    EmbeddedRocketMQCluster.Builder b = EmbeddedRocketMQCluster.builder();
    assertThatThrownBy(() -> b.nameServers(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nameServers")
        .hasMessageContaining("1..5");
    assertThatThrownBy(() -> b.brokerGroups(27))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("brokerGroups")
        .hasMessageContaining("1..26");
    assertThatThrownBy(() -> b.proxies(6))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("proxies")
        .hasMessageContaining("1..5");
    assertThatThrownBy(() -> b.startTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("startTimeout");
  }

  @Test
  void nodeCallsNeedAKnownNode_andAdminCallsARunningCluster() {
    try (EmbeddedRocketMQCluster cluster = EmbeddedRocketMQCluster.builder().build()) {
      assertThatThrownBy(() -> cluster.kill("broker-x"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("broker-x")
          .hasMessageContaining("broker-a");
      assertThatThrownBy(() -> cluster.endpoint("broker-a"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("not a PROXY");
      assertThat(cluster.isRunning("broker-a")).isFalse();
      assertThat(cluster.pid("broker-a")).isEqualTo(-1);
      assertThatThrownBy(() -> cluster.createTopic("t", TopicType.NORMAL))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("not running");
      assertThatThrownBy(() -> cluster.createTopic("bad name", TopicType.NORMAL))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> cluster.pause("proxy-0")).isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(() -> cluster.start("proxy-0")).isInstanceOf(IllegalStateException.class);
      cluster.kill("broker-a");
      cluster.stop("namesrv-0");
      assertThat(cluster.workDir()).exists();
      cluster.close();
      assertThat(cluster.workDir()).doesNotExist();
    }
  }
}
