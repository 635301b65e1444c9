package io.reliablemq.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The Boot 4 starter stops the startup, naming the Boot 3 starter, where Boot 4 is absent. */
class WrongBootLineTest {

  @Test
  void withoutBoot4_theStartupFails_namingTheBoot3Starter() {
    new ApplicationContextRunner()
        // Hides the class only Boot 4 has, as a Boot 3.5 class path would.
        .withClassLoader(
            new FilteredClassLoader("org.springframework.boot.EnvironmentPostProcessor"))
        .withConfiguration(AutoConfigurations.of(ReliableMQAutoConfiguration.class))
        .withPropertyValues("reliablemq.endpoints=127.0.0.1:1")
        .run(
            ctx -> {
              assertThat(ctx).hasFailed();
              // The condition's own exception, thrown while the configuration is parsed.
              assertThat(ctx.getStartupFailure())
                  .isInstanceOf(IllegalStateException.class)
                  .hasMessageContaining("reliablemq-spring-boot-starter is for Spring Boot 4.x")
                  .hasMessageContaining("io.reliablemq:reliablemq-spring-boot3-starter");
            });
  }

  @Test
  void onBoot4_theStarterStarts() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(ReliableMQAutoConfiguration.class))
        .withPropertyValues("reliablemq.endpoints=127.0.0.1:1", "reliablemq.enabled=false")
        .run(ctx -> assertThat(ctx).hasNotFailed());
  }
}
