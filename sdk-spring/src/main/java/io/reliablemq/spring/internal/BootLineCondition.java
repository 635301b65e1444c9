package io.reliablemq.spring.internal;

import org.springframework.boot.SpringBootVersion;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.ClassUtils;

/**
 * Fails the startup, naming the right artifact, when a starter runs on the other Spring Boot line.
 * A condition because conditions are evaluated while configuration classes are parsed, before any
 * bean method of the wrong line is introspected and would fail with a bare {@code
 * NoClassDefFoundError}. It never returns false: on the right line it matches.
 */
public abstract class BootLineCondition implements Condition {
  /** A class of Spring Boot 4's core that Boot 3.5 does not have (it moved there in 4.0). */
  static final String BOOT4_MARKER = "org.springframework.boot.EnvironmentPostProcessor";

  private final boolean wantsBoot4;
  private final String starter;
  private final String otherStarter;

  /**
   * Creates the condition of one starter.
   *
   * @param wantsBoot4 true for the Boot 4 starter
   * @param starter this starter's artifactId
   * @param otherStarter the artifactId to use on the other line
   */
  protected BootLineCondition(boolean wantsBoot4, String starter, String otherStarter) {
    this.wantsBoot4 = wantsBoot4;
    this.starter = starter;
    this.otherStarter = otherStarter;
  }

  @Override
  public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
    check(
        ClassUtils.isPresent(BOOT4_MARKER, context.getClassLoader()),
        SpringBootVersion.getVersion());
    return true;
  }

  /**
   * Throws when the running line is not this starter's.
   *
   * @param runningBoot4 whether Spring Boot 4 is on the class path
   * @param version the running Spring Boot version, or null when unknown
   * @throws IllegalStateException naming both artifacts
   */
  public void check(boolean runningBoot4, String version) {
    if (runningBoot4 != wantsBoot4) {
      throw new IllegalStateException(
          starter
              + " is for Spring Boot "
              + (wantsBoot4 ? "4.x" : "3.5")
              + ", but this application runs Spring Boot "
              + (version != null ? version : runningBoot4 ? "4.x" : "3.x")
              + ": depend on io.reliablemq:"
              + otherStarter
              + " instead");
    }
  }
}
