package io.reliablemq.examples.quickstart;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** The README's configuration reference lists every property the starter's metadata declares. */
class ConfigurationReferenceTest {

  @Test
  void readme_documentsEveryReliableMQProperty() throws IOException {
    String readme = Files.readString(Path.of("").toAbsolutePath().getParent().resolve("README.md"));
    List<String> properties = starterProperties();

    // Guards against a test that passes because the metadata was not found.
    assertThat(properties).hasSizeGreaterThan(30).contains("reliablemq.endpoints");
    List<String> undocumented =
        properties.stream().filter(p -> !readme.contains("`" + p + "`")).toList();
    assertThat(undocumented).as("reliablemq.* properties missing from the README").isEmpty();
  }

  private static List<String> starterProperties() throws IOException {
    List<String> names = new ArrayList<>();
    ObjectMapper mapper = new ObjectMapper();
    for (URL url :
        Collections.list(
            ConfigurationReferenceTest.class
                .getClassLoader()
                .getResources("META-INF/spring-configuration-metadata.json"))) {
      try (InputStream in = url.openStream()) {
        for (JsonNode property : mapper.readTree(in).path("properties")) {
          String name = property.path("name").asText();
          if (name.startsWith("reliablemq.")) {
            names.add(name);
          }
        }
      }
    }
    return names;
  }
}
