package io.reliablemq.spring.internal;

/** Fails the startup when {@code reliablemq-spring-boot-starter} runs on Spring Boot 3. */
public final class RequireBoot4 extends BootLineCondition {
  /** Creates the condition (instantiated by Spring). */
  public RequireBoot4() {
    super(true, "reliablemq-spring-boot-starter", "reliablemq-spring-boot3-starter");
  }
}
