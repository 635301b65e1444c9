package io.reliablemq.spring.internal;

/** Fails the startup when {@code reliablemq-spring-boot3-starter} runs on Spring Boot 4. */
public final class RequireBoot3 extends BootLineCondition {
  /** Creates the condition (instantiated by Spring). */
  public RequireBoot3() {
    super(false, "reliablemq-spring-boot3-starter", "reliablemq-spring-boot-starter");
  }
}
