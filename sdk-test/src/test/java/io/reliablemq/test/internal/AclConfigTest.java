package io.reliablemq.test.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reliablemq.test.AclUser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AclConfigTest {
  @TempDir Path dir;

  @Test
  void usersFile_roundTrips_ownerOnly_passwordNeverInToString() throws Exception {
    AclUser app =
        AclUser.custom("app", "p=a:s#s\\word!")
            .publish("orders")
            .subscribe("orders", "billing")
            .allow("Topic:audit-*", "PUB", "SUB")
            .build();
    AclUser none = AclUser.custom("nobody", "x").build();
    AclConfig.writeUsers(dir, List.of(app, none));

    Path file = dir.resolve(AclConfig.USERS_FILE);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    List<AclConfig.UserSpec> read = AclConfig.readUsers(dir);
    assertThat(read).extracting(AclConfig.UserSpec::username).containsExactly("app", "nobody");
    AclConfig.UserSpec a = read.get(0);
    assertThat(a.password()).isEqualTo("p=a:s#s\\word!");
    assertThat(a.grants())
        .isEqualTo(
            Map.of(
                "Topic:orders", List.of("PUB", "SUB"),
                "Group:billing", List.of("SUB"),
                "Topic:audit-*", List.of("PUB", "SUB")));
    assertThat(read.get(1).grants()).isEmpty();
    assertThat(app.toString()).doesNotContain("p=a:s");
    assertThat(a.toString()).doesNotContain("p=a:s");
  }

  @Test
  void brokerAndProxyProperties_turnAcl2On() {
    Map<String, String> broker = AclConfig.brokerProperties("admin", "se\"cret");
    assertThat(broker)
        .containsEntry("authenticationEnabled", "true")
        .containsEntry("authorizationEnabled", "true")
        .containsEntry(
            "initAuthenticationUser", "{\"username\":\"admin\",\"password\":\"se\\\"cret\"}");
    assertThat(AclConfig.proxyProperties())
        .containsEntry(
            "authenticationMetadataProvider",
            "org.apache.rocketmq.proxy.auth.ProxyAuthenticationMetadataProvider")
        .containsEntry(
            "authorizationMetadataProvider",
            "org.apache.rocketmq.proxy.auth.ProxyAuthorizationMetadataProvider");
    assertThat(AclConfig.withProxy(AclUser.custom("admin", "s").build(), Map.of("a", "b")))
        .containsEntry(
            "innerClientAuthenticationCredentials", "{\"accessKey\":\"admin\",\"secretKey\":\"s\"}")
        .containsEntry("a", "b");
    assertThat(AclConfig.withBroker(null, Map.of("a", "b"))).isEqualTo(Map.of("a", "b"));
  }

  @Test
  void aclUser_rejectsBadNamesResourcesAndActions() {
    assertThatThrownBy(() -> AclUser.custom("a b", "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("username");
    assertThatThrownBy(() -> AclUser.custom("a", " "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("password");
    assertThatThrownBy(() -> AclUser.custom("a", "x").allow("Queue:q", "PUB"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("resource");
    assertThatThrownBy(() -> AclUser.custom("a", "x").allow("Topic:t", "WRITE"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("action");
  }
}
