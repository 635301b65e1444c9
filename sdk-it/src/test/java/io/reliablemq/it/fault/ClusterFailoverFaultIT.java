package io.reliablemq.it.fault;

import static org.assertj.core.api.Assertions.assertThat;

import io.reliablemq.it.fault.Nemesis.Fault;
import io.reliablemq.test.EmbeddedRocketMQCluster;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The zero-loss fault suite through a master failover: one NameServer with the controller embedded,
 * one broker group of a master and a replica in controller mode (acknowledged only once on every
 * in-sync replica), one proxy in CLUSTER mode. broker-a's master is SIGKILLed under load; a replica
 * is elected; the old master stays down. Nothing acknowledged may be lost, FIFO order holds (the
 * group's queues stay where they are: same broker name, new master), duplicates of what was in
 * flight are absorbed by the consumer's dedup, and consumption goes on.
 */
class ClusterFailoverFaultIT {
  private static EmbeddedRocketMQCluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster =
        EmbeddedRocketMQCluster.builder()
            .nameServers(1)
            .brokerGroups(1)
            .replicasPerGroup(1)
            .proxies(1)
            .proxyProperty("defaultInvisibleTimeMills", "15000")
            .brokerProperty("flushConsumerOffsetInterval", "1000")
            .build()
            .start();
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void nothingLostOrReordered_whenAMasterFailsOver() throws Exception {
    Map<String, String> figures =
        ClusterFaultIT.check(
            cluster, "master-failover", 14, Fault.MASTER_FAILOVER, ClusterFaultIT.SHORT, run -> {});
    assertThat(figures).as("the failover happened and was timed").containsKey("failoverSeconds");
  }
}
