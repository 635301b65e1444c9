package io.reliablemq.spring.internal;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BootLineConditionTest {
  private static final class Boot4Starter extends BootLineCondition {
    Boot4Starter() {
      super(true, "reliablemq-spring-boot-starter", "reliablemq-spring-boot3-starter");
    }
  }

  private static final class Boot3Starter extends BootLineCondition {
    Boot3Starter() {
      super(false, "reliablemq-spring-boot3-starter", "reliablemq-spring-boot-starter");
    }
  }

  @Test
  void boot3Starter_onBoot4_failsNamingTheBoot4Starter() {
    assertThatThrownBy(() -> new Boot3Starter().check(true, "4.1.2"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "reliablemq-spring-boot3-starter is for Spring Boot 3.5, but this application runs"
                + " Spring Boot 4.1.2: depend on io.reliablemq:reliablemq-spring-boot-starter"
                + " instead");
  }

  @Test
  void boot4Starter_onBoot3_failsNamingTheBoot3Starter() {
    assertThatThrownBy(() -> new Boot4Starter().check(false, "3.5.16"))
        .hasMessageContaining("is for Spring Boot 4.x")
        .hasMessageContaining("runs Spring Boot 3.5.16")
        .hasMessageContaining("io.reliablemq:reliablemq-spring-boot3-starter");
  }

  @Test
  void eachStarter_onItsOwnLine_passes() {
    assertThatCode(() -> new Boot4Starter().check(true, "4.0.7")).doesNotThrowAnyException();
    assertThatCode(() -> new Boot3Starter().check(false, null)).doesNotThrowAnyException();
  }

  @Test
  void theMarker_isAbsentOnTheBoot35ClassPathOfThisModule() {
    // This module compiles and tests on Boot 3.5: the Boot 4 marker must not be there.
    assertThatThrownBy(() -> Class.forName(BootLineCondition.BOOT4_MARKER))
        .isInstanceOf(ClassNotFoundException.class);
  }
}
