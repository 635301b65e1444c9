package io.reliablemq.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EmbeddedRocketMQTest {
  @Test
  void uniqueNamesAreUniqueAndValid() {
    Set<String> names = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      String name = EmbeddedRocketMQ.uniqueName("topic");
      assertThat(name).matches("topic-\\d+-[0-9a-f]+");
      assertThat(names.add(name)).isTrue();
    }
  }

  @Test
  void commandsNeedARunningBroker() {
    try (EmbeddedRocketMQ mq = EmbeddedRocketMQ.builder().build()) {
      assertThat(mq.isRunning()).isFalse();
      assertThat(mq.endpoints()).startsWith("127.0.0.1:");
      assertThatThrownBy(() -> mq.createTopic("t", TopicType.NORMAL))
          .isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(mq::pause).isInstanceOf(IllegalStateException.class);
      mq.stop();
      mq.kill();
      assertThat(mq.workDir()).exists();
      mq.close();
      assertThat(mq.workDir()).doesNotExist();
    }
  }
}
