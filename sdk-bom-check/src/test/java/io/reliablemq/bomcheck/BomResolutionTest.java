package io.reliablemq.bomcheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * A project that imports {@code reliablemq-bom} and names the core, the starter and the test kit
 * without versions gets all three, each at the BOM's version.
 */
class BomResolutionTest {
  private static final String VERSION = System.getProperty("reliablemq.version");

  @Test
  void bomImport_resolvesCoreStarterAndTestKit_atTheBomVersion() throws Exception {
    assertNotNull(VERSION, "surefire passes reliablemq.version");
    assertEquals(VERSION, artifactVersion("reliablemq-core"));
    assertEquals(VERSION, artifactVersion("reliablemq-spring-boot-starter"));
    assertEquals(VERSION, artifactVersion("reliablemq-test"));
    // The API a user starts with is on the classpath, from those artifacts.
    Class.forName("io.reliablemq.producer.ReliableProducer");
    Class.forName("io.reliablemq.spring.ReliableTemplate");
    Class.forName("io.reliablemq.test.EmbeddedRocketMQ");
  }

  /**
   * The version of a resolved artifact, from the {@code pom.properties} Maven writes into its jar,
   * or from the module's build directory when the reactor resolves it to {@code target/classes}.
   */
  private static String artifactVersion(String artifactId) throws IOException {
    String path = "META-INF/maven/io.reliablemq/" + artifactId + "/pom.properties";
    try (InputStream in = BomResolutionTest.class.getClassLoader().getResourceAsStream(path)) {
      assertNotNull(in, artifactId + " is on the classpath as a packaged jar (" + path + ")");
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version");
    }
  }
}
