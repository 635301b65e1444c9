package io.reliablemq.examples.quickstart;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ReadmeSnippetTest {

  @Test
  void readme_showsTheCompiledSnippet() throws IOException {
    Path root = Path.of("").toAbsolutePath().getParent();
    String readme = Files.readString(root.resolve("README.md"));
    List<String> source =
        Files.readAllLines(
            Path.of("src/main/java/io/reliablemq/examples/quickstart/ReadmeSnippet.java"));
    int start = indexOf(source, "README-SNIPPET-START") + 1;
    int end = indexOf(source, "README-SNIPPET-END");
    String snippet =
        source.subList(start, end).stream()
            .map(line -> line.length() >= 4 ? line.substring(4) : line.strip())
            .collect(Collectors.joining("\n"));

    assertThat(readme).contains(snippet);
  }

  private static int indexOf(List<String> lines, String marker) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains(marker)) {
        return i;
      }
    }
    throw new AssertionError(marker + " not found in " + Arrays.toString(lines.toArray()));
  }
}
