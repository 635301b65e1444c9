package io.reliablemq.it.cluster;

import io.reliablemq.it.support.ChildJvm;
import io.reliablemq.test.EmbeddedRocketMQCluster;

/**
 * A JVM that starts a small cluster (1 NameServer, 1 broker group, 1 proxy), prints {@code PIDS}
 * and the nodes' process ids, and waits: the test SIGKILLs it to check that no node outlives it.
 */
public final class ClusterOwnerApp {
  private ClusterOwnerApp() {}

  /**
   * Entry point.
   *
   * @param args none
   * @throws InterruptedException never in practice: the test kills this JVM
   */
  public static void main(String[] args) throws InterruptedException {
    ChildJvm.exitWithParent();
    EmbeddedRocketMQCluster cluster =
        EmbeddedRocketMQCluster.builder().brokerGroups(1).proxies(1).build().start();
    StringBuilder line = new StringBuilder("PIDS");
    for (String node : cluster.nodes()) {
      line.append(' ').append(cluster.pid(node));
    }
    System.out.println(line);
    System.out.flush();
    Thread.currentThread().join();
  }
}
