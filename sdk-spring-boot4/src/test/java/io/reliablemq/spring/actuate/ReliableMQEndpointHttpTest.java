package io.reliablemq.spring.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import io.reliablemq.producer.SendStatus;
import io.reliablemq.spring.ReliableTemplate;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The {@code reliablemq} Actuator endpoint and health over real HTTP, with the broker unreachable
 * so that sends land in the fallback store.
 */
class ReliableMQEndpointHttpTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) throws IOException {
    Path dir = Files.createTempDirectory("endpoint-http");
    // Nothing listens there: every send is STORED.
    registry.add("reliablemq.endpoints", () -> "127.0.0.1:1");
    registry.add("reliablemq.ssl-enabled", () -> "false");
    registry.add("reliablemq.request-timeout", () -> "200ms");
    registry.add("reliablemq.retry.total-deadline", () -> "500ms");
    registry.add("reliablemq.fallback.directory", () -> dir.resolve("fallback").toString());
    registry.add("reliablemq.dedup.directory", () -> dir.resolve("dedup").toString());
    registry.add("management.endpoints.web.exposure.include", () -> "health,reliablemq");
    registry.add("management.endpoint.health.show-details", () -> "always");
  }

  static HttpResponse<String> call(int port, String method, String path) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(30))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build();
    return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode json(HttpResponse<String> response) throws IOException {
    return JSON.readTree(response.body());
  }

  @Nested
  @SpringBootTest(
      classes = App.class,
      webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
      properties = "reliablemq.management.write-operations-enabled=false")
  class WritesOff {
    @LocalServerPort int port;
    @Autowired ReliableTemplate template;

    @Test
    void get_listsCounts_healthIsDegraded_andWritesAreRefused() throws Exception {
      String id = template.sendSync("orders", "x").reliableId();

      HttpResponse<String> summary = call(port, "GET", "/actuator/reliablemq");
      assertThat(summary.statusCode()).isEqualTo(200);
      assertThat(json(summary).at("/fallback/pending").asLong()).isEqualTo(1);
      assertThat(json(summary).at("/writeOperationsEnabled").asBoolean()).isFalse();

      HttpResponse<String> health = call(port, "GET", "/actuator/health/reliablemq");
      assertThat(json(health).at("/status").asText()).isEqualTo("DEGRADED");
      assertThat(json(health).at("/details/backlog").asLong()).isEqualTo(1);

      HttpResponse<String> replay = call(port, "POST", "/actuator/reliablemq");
      HttpResponse<String> delete = call(port, "DELETE", "/actuator/reliablemq/" + id);
      assertThat(replay.statusCode()).isEqualTo(400);
      assertThat(delete.statusCode()).isEqualTo(400);
      // Refused means refused: the entry is still there.
      assertThat(json(call(port, "GET", "/actuator/reliablemq")).at("/fallback/pending").asLong())
          .isEqualTo(1);
    }
  }

  @Nested
  @SpringBootTest(
      classes = App.class,
      webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
      properties = "reliablemq.management.write-operations-enabled=true")
  class WritesOn {
    @LocalServerPort int port;
    @Autowired ReliableTemplate template;

    @Test
    void postAndDelete_work_whenEnabled() throws Exception {
      var outcome = template.sendSync("orders", "x");
      assertThat(outcome.status()).isEqualTo(SendStatus.STORED);

      HttpResponse<String> replay = call(port, "POST", "/actuator/reliablemq");
      assertThat(replay.statusCode()).isEqualTo(200);
      assertThat(json(replay).at("/replay").asText()).isEqualTo("requested");

      HttpResponse<String> delete =
          call(port, "DELETE", "/actuator/reliablemq/" + outcome.reliableId());
      assertThat(delete.statusCode()).isEqualTo(200);
      assertThat(json(delete).at("/deleted").asBoolean()).isTrue();

      assertThat(json(call(port, "GET", "/actuator/reliablemq")).at("/fallback/pending").asLong())
          .isZero();
    }
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {}
}
