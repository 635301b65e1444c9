package io.reliablemq.examples.quickstart;

import io.reliablemq.test.ClusterLayout;
import io.reliablemq.test.EmbeddedRocketMQCluster;
import io.reliablemq.test.EmbeddedRocketMQClusterExtension;
import io.reliablemq.test.TopicType;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The README's cluster snippet, kept here so that it compiles; {@code ReadmeSnippetTest} checks the
 * README still shows exactly this code. Only compiled: surefire skips inner classes, so it never
 * starts a cluster in this module's build.
 */
final class ClusterReadmeSnippet {
  private ClusterReadmeSnippet() {}

  // README-SNIPPET-START
  @ExtendWith(EmbeddedRocketMQClusterExtension.class)
  @ClusterLayout(brokerGroups = 2, proxies = 2) // and 1 NameServer: 5 JVMs
  class OrderFailoverTest {
    static EmbeddedRocketMQCluster cluster;

    @BeforeAll
    static void start(EmbeddedRocketMQCluster c) { // one cluster for the class
      cluster = c;
      cluster.createTopic("orders", TopicType.NORMAL); // on every group, served by every proxy
    }

    @Test
    void survivesOneGroupDown() {
      // point your producer at cluster.endpoints(): "127.0.0.1:<p0>;127.0.0.1:<p1>"
      cluster.kill("broker-b"); // SIGKILL the master of one group
      // ... your code keeps sending through broker-a ...
      cluster.restart("broker-b"); // same ports, same store
      cluster.awaitRoute("orders", Duration.ofSeconds(60)); // every proxy routes to it again
    }
  }
  // README-SNIPPET-END
}
