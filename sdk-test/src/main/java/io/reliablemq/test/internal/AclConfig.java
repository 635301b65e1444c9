package io.reliablemq.test.internal;

import io.reliablemq.test.AclUser;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * ACL 2.0 settings of an embedded stack, on the parent's side: the broker and proxy properties that
 * turn authentication and authorization on, and the users file ({@value #USERS_FILE} under {@code
 * conf/}, owner-only) that the child reads to create its users. Users go through a file rather than
 * the control channel so that their passwords never appear in a command line or its error message.
 */
public final class AclConfig {
  /** The users file, relative to the work dir. */
  public static final String USERS_FILE = "conf/acl-users.properties";

  private static final String BROKER_AUTHN_PROVIDER =
      "org.apache.rocketmq.auth.authentication.provider.LocalAuthenticationMetadataProvider";
  private static final String BROKER_AUTHZ_PROVIDER =
      "org.apache.rocketmq.auth.authorization.provider.LocalAuthorizationMetadataProvider";
  private static final String PROXY_AUTHN_PROVIDER =
      "org.apache.rocketmq.proxy.auth.ProxyAuthenticationMetadataProvider";
  private static final String PROXY_AUTHZ_PROVIDER =
      "org.apache.rocketmq.proxy.auth.ProxyAuthorizationMetadataProvider";

  private AclConfig() {}

  /**
   * Broker properties ({@code broker.conf}) for ACL 2.0 with users in RocksDB under the store root;
   * the super user is created on the broker's first start.
   *
   * @param superUser the super user's name
   * @param superPassword its password
   * @return the properties
   */
  public static Map<String, String> brokerProperties(String superUser, String superPassword) {
    Map<String, String> p = new TreeMap<>();
    p.put("authenticationEnabled", "true");
    p.put("authenticationMetadataProvider", BROKER_AUTHN_PROVIDER);
    p.put(
        "initAuthenticationUser",
        "{\"username\":\"" + json(superUser) + "\",\"password\":\"" + json(superPassword) + "\"}");
    p.put("authorizationEnabled", "true");
    p.put("authorizationMetadataProvider", BROKER_AUTHZ_PROVIDER);
    return p;
  }

  /**
   * Proxy properties ({@code rmq-proxy.json}): the proxy enforces ACL 2.0 on gRPC requests and
   * reads users and ACLs from the broker (in LOCAL mode, the embedded broker's managers).
   *
   * @return the properties
   */
  public static Map<String, String> proxyProperties() {
    Map<String, String> p = new TreeMap<>();
    p.put("authenticationEnabled", "true");
    p.put("authenticationMetadataProvider", PROXY_AUTHN_PROVIDER);
    p.put("authorizationEnabled", "true");
    p.put("authorizationMetadataProvider", PROXY_AUTHZ_PROVIDER);
    return p;
  }

  /**
   * The credentials a proxy in cluster mode presents to brokers and NameServers ({@code
   * innerClientAuthenticationCredentials}).
   *
   * @param user the user name
   * @param password its password
   * @return the JSON value
   */
  public static String innerCredentials(String user, String password) {
    return "{\"accessKey\":\"" + json(user) + "\",\"secretKey\":\"" + json(password) + "\"}";
  }

  /**
   * A cluster's broker properties: ACL 2.0's (with inner credentials, for requests between nodes)
   * under the user's overrides, or the overrides alone when {@code superUser} is null.
   *
   * @param superUser the super user, or null for no ACL
   * @param overrides the user's properties
   * @return the merged properties
   */
  public static Map<String, String> withBroker(AclUser superUser, Map<String, String> overrides) {
    Map<String, String> p = new LinkedHashMap<>();
    if (superUser != null) {
      p.putAll(brokerProperties(superUser.username(), superUser.password()));
      p.put(
          "innerClientAuthenticationCredentials",
          innerCredentials(superUser.username(), superUser.password()));
    }
    p.putAll(overrides);
    return p;
  }

  /**
   * A cluster's proxy properties: ACL 2.0's with the super user as the proxy's inner credentials,
   * under the user's overrides, or the overrides alone when {@code superUser} is null.
   *
   * @param superUser the super user, or null for no ACL
   * @param overrides the user's properties
   * @return the merged properties
   */
  public static Map<String, String> withProxy(AclUser superUser, Map<String, String> overrides) {
    Map<String, String> p = new LinkedHashMap<>();
    if (superUser != null) {
      p.putAll(proxyProperties());
      p.put(
          "innerClientAuthenticationCredentials",
          innerCredentials(superUser.username(), superUser.password()));
    }
    p.putAll(overrides);
    return p;
  }

  /**
   * Writes the users file, readable by the owner only.
   *
   * @param workDir the work dir
   * @param users the users
   */
  public static void writeUsers(Path workDir, Collection<AclUser> users) {
    Properties p = new Properties();
    for (AclUser u : users) {
      p.setProperty(u.username() + ".password", u.password());
      List<String> grants = new ArrayList<>();
      u.grants().forEach((r, actions) -> grants.add(r + "=" + String.join(",", actions)));
      p.setProperty(u.username() + ".grants", String.join(";", grants));
    }
    try {
      Path file = workDir.resolve(USERS_FILE);
      Files.createDirectories(file.getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.deleteIfExists(tmp);
      Files.createFile(
          tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      StringWriter w = new StringWriter();
      p.store(w, "ACL 2.0 users of EmbeddedRocketMQ");
      Files.writeString(tmp, w.toString(), StandardCharsets.UTF_8);
      Files.move(
          tmp,
          file,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the users file", e);
    }
  }

  /**
   * A user read back from the users file.
   *
   * @param username the name
   * @param password the password
   * @param grants resource to actions
   */
  public record UserSpec(String username, String password, Map<String, List<String>> grants) {
    @Override
    public String toString() {
      return "UserSpec{" + username + ", grants=" + grants + '}';
    }
  }

  /**
   * Reads the users file.
   *
   * @param workDir the work dir
   * @return the users, empty when there is no file
   */
  public static List<UserSpec> readUsers(Path workDir) {
    Path file = workDir.resolve(USERS_FILE);
    if (!Files.exists(file)) {
      return List.of();
    }
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the users file", e);
    }
    List<UserSpec> users = new ArrayList<>();
    for (String key : new TreeMap<>(p).keySet().stream().map(Object::toString).toList()) {
      if (!key.endsWith(".password")) {
        continue;
      }
      String name = key.substring(0, key.length() - ".password".length());
      Map<String, List<String>> grants = new LinkedHashMap<>();
      String g = p.getProperty(name + ".grants", "");
      for (String entry : g.split(";")) {
        if (entry.isEmpty()) {
          continue;
        }
        int eq = entry.lastIndexOf('=');
        grants.put(entry.substring(0, eq), Arrays.asList(entry.substring(eq + 1).split(",")));
      }
      users.add(new UserSpec(name, p.getProperty(key), grants));
    }
    return users;
  }

  private static String json(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }
}
