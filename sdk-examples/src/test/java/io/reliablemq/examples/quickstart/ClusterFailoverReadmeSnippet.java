package io.reliablemq.examples.quickstart;

import io.reliablemq.test.ClusterLayout;
import io.reliablemq.test.EmbeddedRocketMQCluster;
import io.reliablemq.test.EmbeddedRocketMQClusterExtension;
import io.reliablemq.test.TopicType;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The README's master-failover snippet, kept here so that it compiles; {@code ReadmeSnippetTest}
 * checks the README still shows exactly this code. Only compiled: surefire skips inner classes, so
 * it never starts a cluster in this module's build.
 */
final class ClusterFailoverReadmeSnippet {
  private ClusterFailoverReadmeSnippet() {}

  // README-SNIPPET-START
  @ExtendWith(EmbeddedRocketMQClusterExtension.class)
  @ClusterLayout(brokerGroups = 1, replicasPerGroup = 1, proxies = 1) // broker-a, broker-a-1
  class MasterFailoverTest {
    @Test
    void survivesMasterFailover(EmbeddedRocketMQCluster cluster) {
      cluster.createTopic("orders", TopicType.NORMAL); // on the master and its replica
      // ... your code sends through cluster.endpoints() ...
      cluster.kill("broker-a"); // SIGKILL the master; the controller elects broker-a-1
      String master = cluster.awaitFailover("broker-a", "broker-a", Duration.ofSeconds(60));
      // master is "broker-a-1", and the NameServer and every proxy route to it
      cluster.start("broker-a"); // rejoins as a replica of the new master
      cluster.awaitInSync("broker-a", Duration.ofSeconds(60));
    }
  }
  // README-SNIPPET-END
}
