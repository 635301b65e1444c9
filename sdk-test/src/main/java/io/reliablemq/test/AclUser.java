package io.reliablemq.test;

import io.reliablemq.test.internal.ControlProtocol;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A RocketMQ ACL 2.0 user of a test broker that enforces authentication and authorization: a name,
 * a password (the client's access key and secret key) and what it is allowed to do. Immutable;
 * build with {@link #custom(String, String)}.
 *
 * <pre>{@code
 * AclUser orders = AclUser.custom("orders-app", "s3cret")
 *     .publish("orders")                 // Topic:orders PUB
 *     .subscribe("orders", "billing")    // Topic:orders SUB, Group:billing SUB
 *     .build();
 * }</pre>
 *
 * <p>A user with no grant can authenticate but is refused everything; use {@link
 * EmbeddedRocketMQ.Builder#authentication(String, String)}'s super user for "allowed everything".
 */
public final class AclUser {
  /** The actions of RocketMQ 5.3's ACL 2.0 ({@code org.apache.rocketmq.common.action.Action}). */
  public static final Set<String> ACTIONS =
      Set.of("ALL", "ANY", "PUB", "SUB", "CREATE", "UPDATE", "DELETE", "GET", "LIST");

  // Type:name, the name literal, a prefix ending in '*', or '*' (ACL 2.0 resource syntax).
  private static final Pattern RESOURCE =
      Pattern.compile("^\\*$|^(Cluster|Namespace|Topic|Group):([%|a-zA-Z0-9_-]{1,127}\\*?|\\*)$");

  private final String username;
  private final String password;
  private final Map<String, List<String>> grants;

  private AclUser(Builder b) {
    this.username = b.username;
    this.password = b.password;
    Map<String, List<String>> g = new LinkedHashMap<>();
    b.grants.forEach((k, v) -> g.put(k, List.copyOf(v)));
    this.grants = Map.copyOf(g);
  }

  /**
   * Starts a builder.
   *
   * @param username the access key ({@code [a-zA-Z0-9_-]}, at most 64 chars)
   * @param password the secret key, not blank, without line breaks
   * @return the builder
   */
  public static Builder custom(String username, String password) {
    return new Builder(username, password);
  }

  /**
   * The user name (the client's access key).
   *
   * @return the name
   */
  public String username() {
    return username;
  }

  /**
   * The password (the client's secret key).
   *
   * @return the password
   */
  public String password() {
    return password;
  }

  /**
   * What the user may do: resource ({@code Topic:orders}, {@code Group:g1}, {@code Topic:pre*},
   * {@code *}) to allowed actions.
   *
   * @return the grants, unmodifiable
   */
  public Map<String, List<String>> grants() {
    return grants;
  }

  @Override
  public String toString() {
    // Never print the password.
    return "AclUser{" + username + ", grants=" + grants + '}';
  }

  /** Builder of {@link AclUser}. */
  public static final class Builder {
    private final String username;
    private final String password;
    private final Map<String, List<String>> grants = new LinkedHashMap<>();

    private Builder(String username, String password) {
      if (username == null || !username.matches("[a-zA-Z0-9_-]{1,64}")) {
        throw new IllegalArgumentException(
            "username must match [a-zA-Z0-9_-]{1,64}, was " + username);
      }
      if (password == null
          || password.isBlank()
          || password.indexOf('\n') >= 0
          || password.indexOf('\r') >= 0) {
        throw new IllegalArgumentException("password must not be blank nor contain line breaks");
      }
      this.username = username;
      this.password = password;
    }

    /**
     * Allows publishing to a topic ({@code Topic:<topic>} PUB).
     *
     * @param topic the topic, or a prefix ending in {@code *}
     * @return this
     */
    public Builder publish(String topic) {
      return allow("Topic:" + topic, "PUB");
    }

    /**
     * Allows consuming a topic in a group ({@code Topic:<topic>} and {@code Group:<group>} SUB).
     *
     * @param topic the topic, or a prefix ending in {@code *}
     * @param group the consumer group, or a prefix ending in {@code *}
     * @return this
     */
    public Builder subscribe(String topic, String group) {
      allow("Topic:" + topic, "SUB");
      return allow("Group:" + group, "SUB");
    }

    /**
     * Allows actions on a resource; adds to what was allowed on it before.
     *
     * @param resource {@code Topic:<name>}, {@code Group:<name>}, {@code Cluster:<name>}, {@code
     *     Namespace:<name>} (name literal, a prefix ending in {@code *}, or {@code *}), or {@code
     *     *}
     * @param actions one or more of {@link #ACTIONS}
     * @return this
     */
    public Builder allow(String resource, String... actions) {
      if (resource == null || !RESOURCE.matcher(resource).matches()) {
        throw new IllegalArgumentException(
            "resource must be Type:name (Cluster, Namespace, Topic, Group) or *, was " + resource);
      }
      if (resource.contains(":")) {
        String name = resource.substring(resource.indexOf(':') + 1);
        if (!name.equals("*")) {
          ControlProtocol.checkName(
              name.endsWith("*") ? name.substring(0, name.length() - 1) : name);
        }
      }
      if (actions == null || actions.length == 0) {
        throw new IllegalArgumentException("actions must not be empty");
      }
      List<String> list = grants.computeIfAbsent(resource, k -> new ArrayList<>());
      for (String a : actions) {
        if (!ACTIONS.contains(a)) {
          throw new IllegalArgumentException("action must be one of " + ACTIONS + ", was " + a);
        }
        if (!list.contains(a)) {
          list.add(a);
        }
      }
      return this;
    }

    /**
     * Builds the user.
     *
     * @return the immutable user
     */
    public AclUser build() {
      Objects.requireNonNull(username);
      return new AclUser(this);
    }
  }
}
