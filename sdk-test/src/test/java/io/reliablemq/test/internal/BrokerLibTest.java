package io.reliablemq.test.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrokerLibTest {
  @TempDir Path tmp;

  private Path fakeJar(String name, String proxyContent) throws IOException {
    Path jar = tmp.resolve(name);
    try (OutputStream out = Files.newOutputStream(jar);
        ZipOutputStream zip = new ZipOutputStream(out)) {
      zip.putNextEntry(new ZipEntry("io/reliablemq/test/Foo.class"));
      zip.write(new byte[] {1, 2, 3});
      zip.putNextEntry(new ZipEntry(BrokerLib.PREFIX));
      zip.putNextEntry(new ZipEntry(BrokerLib.PREFIX + "rocketmq-proxy-5.3.3.jar"));
      zip.write(proxyContent.getBytes(StandardCharsets.UTF_8));
      zip.putNextEntry(new ZipEntry(BrokerLib.PREFIX + "guava-32.jar"));
      zip.write("guava".getBytes(StandardCharsets.UTF_8));
    }
    return jar;
  }

  @Test
  void extractsOnceAndReusesTheCache() throws Exception {
    Path jar = fakeJar("a.jar", "proxy");
    Path cache = tmp.resolve("cache");
    Path dir = BrokerLib.extract(jar, cache);
    assertThat(dir.getFileName().toString()).startsWith("broker-5.3.3-");
    assertThat(Files.readString(dir.resolve("rocketmq-proxy-5.3.3.jar"))).isEqualTo("proxy");
    assertThat(dir.resolve("guava-32.jar")).exists();
    long modified = Files.getLastModifiedTime(dir.resolve("guava-32.jar")).toMillis();

    assertThat(BrokerLib.extract(jar, cache)).isEqualTo(dir);
    assertThat(Files.getLastModifiedTime(dir.resolve("guava-32.jar")).toMillis())
        .isEqualTo(modified);
    try (var list = Files.list(cache)) {
      assertThat(list.toList()).containsExactly(dir);
    }
  }

  @Test
  void differentContentGetsAnotherDirectory() throws Exception {
    Path cache = tmp.resolve("cache");
    Path a = BrokerLib.extract(fakeJar("a.jar", "proxy"), cache);
    Path b = BrokerLib.extract(fakeJar("b.jar", "proxy-patched"), cache);
    assertThat(a).isNotEqualTo(b);
  }

  @Test
  void concurrentExtractionsAgree() throws Exception {
    Path jar = fakeJar("a.jar", "proxy");
    Path cache = tmp.resolve("cache");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Path>> results = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        Callable<Path> task = () -> BrokerLib.extract(jar, cache);
        results.add(pool.submit(task));
      }
      Path first = results.get(0).get();
      for (Future<Path> f : results) {
        assertThat(f.get()).isEqualTo(first);
      }
      try (var list = Files.list(cache)) {
        assertThat(list.toList()).containsExactly(first);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void classesDirectoryIsUsedInPlace() throws Exception {
    Path classes = tmp.resolve("classes");
    Files.createDirectories(classes.resolve(BrokerLib.PREFIX));
    assertThat(BrokerLib.locate(classes, tmp.resolve("cache")))
        .isEqualTo(classes.resolve(BrokerLib.PREFIX));
    assertThatThrownBy(() -> BrokerLib.locate(tmp.resolve("empty-dir-x"), tmp))
        .isInstanceOf(Exception.class);
  }
}
