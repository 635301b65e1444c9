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
    assertThat(readme())
        .contains(snippet("src/main/java/io/reliablemq/examples/quickstart/ReadmeSnippet.java", 4));
  }

  @Test
  void readme_showsTheCompiledClusterSnippet() throws IOException {
    assertThat(readme())
        .contains(
            snippet(
                "src/test/java/io/reliablemq/examples/quickstart/ClusterReadmeSnippet.java", 2));
  }

  @Test
  void readme_showsTheCompiledClusterFailoverSnippet() throws IOException {
    assertThat(readme())
        .contains(
            snippet(
                "src/test/java/io/reliablemq/examples/quickstart/ClusterFailoverReadmeSnippet.java",
                2));
  }

  private static String readme() throws IOException {
    Path root = Path.of("").toAbsolutePath().getParent();
    return Files.readString(root.resolve("README.md"));
  }

  /** The lines between the markers of a source file, with its indentation removed. */
  private static String snippet(String file, int indent) throws IOException {
    List<String> source = Files.readAllLines(Path.of(file));
    int start = indexOf(source, "README-SNIPPET-START") + 1;
    int end = indexOf(source, "README-SNIPPET-END");
    return source.subList(start, end).stream()
        .map(line -> line.length() >= indent ? line.substring(indent) : line.strip())
        .collect(Collectors.joining("\n"));
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
