package io.reliablemq.test.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The line protocol between {@code EmbeddedRocketMQ} or {@code EmbeddedRocketMQCluster} (parent)
 * and {@link BrokerLauncher} or {@link ClusterNodeLauncher} (child). The parent writes one command
 * per line to the child's stdin; the child answers one line on its original stdout. Words are
 * separated by single spaces; names never contain spaces.
 */
public final class ControlProtocol {
  /** Child to parent: the stack is up and serves routes. */
  public static final String READY = "READY";

  /** Child to parent: the command succeeded. */
  public static final String OK = "OK";

  /** Child to parent prefix: the command failed; the rest of the line is the reason. */
  public static final String ERR = "ERR";

  /** Child to parent prefix: startup failed; the rest of the line is the reason. */
  public static final String FAILED = "FAILED";

  /** Parent to child: {@code CREATE_TOPIC <name> <NORMAL|FIFO|DELAY|TRANSACTION> <queues>}. */
  public static final String CREATE_TOPIC = "CREATE_TOPIC";

  /** Parent to child: {@code CREATE_GROUP <name> <fifo:true|false>}. */
  public static final String CREATE_GROUP = "CREATE_GROUP";

  /**
   * Parent to a broker: {@code LOAD_USERS}; create or update the ACL 2.0 users of the users file
   * ({@link AclConfig#USERS_FILE}) and replace their ACLs.
   */
  public static final String LOAD_USERS = "LOAD_USERS";

  /** Parent to a broker: {@code DELETE_USER <name>}; delete an ACL 2.0 user and its ACL. */
  public static final String DELETE_USER = "DELETE_USER";

  /** Parent to child: shut down gracefully and exit. */
  public static final String SHUTDOWN = "SHUTDOWN";

  /**
   * Parent to a cluster node: {@code ROUTE <topic> [fresh]}; the reply's payload lists the write
   * queues per broker group the node (NameServer or proxy) routes the topic to, as {@code
   * broker-a:8,broker-b:8} (empty if it knows no route). {@code fresh} makes a proxy drop its
   * cached route first.
   */
  public static final String ROUTE = "ROUTE";

  /**
   * Parent to a broker: {@code REGISTER}; a full, synchronous registration with every NameServer.
   */
  public static final String REGISTER = "REGISTER";

  /**
   * Parent to a broker: {@code MESSAGES <topic>}; the payload is the sum of the max offsets of the
   * topic's queues in this broker's store (the messages it holds, minus any expired).
   */
  public static final String MESSAGES = "MESSAGES";

  /**
   * Parent to a broker: {@code ROLE}; the payload describes the broker's part in its group as
   * comma-separated {@code key=value} pairs (see {@link #fields}): {@code role} ({@code MASTER},
   * {@code SLAVE} or {@code NONE} while a controller-mode broker has no role yet), {@code id} (its
   * broker id: 0 for a classic master, the controller-assigned id in controller mode), {@code
   * epoch} (the master epoch it knows, 0 outside controller mode) and {@code inSync} (a master's
   * in-sync replica ids, including its own, {@code |}-separated; empty otherwise).
   */
  public static final String ROLE = "ROLE";

  /**
   * Parent to a NameServer: {@code CONTROLLER}; the payload is {@code leader}, {@code follower} or
   * {@code none} (no controller runs in it).
   */
  public static final String CONTROLLER = "CONTROLLER";

  /**
   * Parent to a NameServer or proxy: {@code MASTER <topic> <group>}; the payload is the address the
   * node routes the group's master of that topic to (brokerId 0 in its route), empty if none. A
   * proxy answers from its route cache as a send would see it.
   */
  public static final String MASTER = "MASTER";

  /**
   * Parent to a NameServer: {@code ADDRS <group>}; the payload lists the group's registered brokers
   * as {@code id=address} pairs, comma-separated.
   */
  public static final String ADDRS = "ADDRS";

  /** Names allowed for topics and groups (RocketMQ's own rule, max 127 chars). */
  private static final Pattern NAME = Pattern.compile("^[%|a-zA-Z0-9_-]{1,127}$");

  private ControlProtocol() {}

  /**
   * A parsed command line.
   *
   * @param name the command word
   * @param args the arguments after it
   */
  public record Command(String name, List<String> args) {
    /**
     * Returns an argument.
     *
     * @param i zero-based index
     * @return the argument
     * @throws IllegalArgumentException if it is missing
     */
    public String arg(int i) {
      if (i >= args.size()) {
        throw new IllegalArgumentException(name + ": missing argument " + (i + 1));
      }
      return args.get(i);
    }
  }

  /**
   * Parses one command line.
   *
   * @param line the line, without terminator
   * @return the command
   * @throws IllegalArgumentException if the line is blank
   */
  public static Command parse(String line) {
    String trimmed = line.strip();
    if (trimmed.isEmpty()) {
      throw new IllegalArgumentException("empty command");
    }
    List<String> words = new ArrayList<>(Arrays.asList(trimmed.split(" +")));
    return new Command(words.remove(0), List.copyOf(words));
  }

  /**
   * Formats a CREATE_TOPIC command.
   *
   * @param name topic name
   * @param type message type name
   * @param queues read and write queue count
   * @return the line
   */
  public static String createTopic(String name, String type, int queues) {
    checkName(name);
    if (queues < 1 || queues > 1024) {
      throw new IllegalArgumentException("queues must be within 1..1024: " + queues);
    }
    return CREATE_TOPIC + " " + name + " " + type + " " + queues;
  }

  /**
   * Formats a CREATE_GROUP command.
   *
   * @param name group name
   * @param fifo whether the group consumes orderly
   * @return the line
   */
  public static String createGroup(String name, boolean fifo) {
    checkName(name);
    return CREATE_GROUP + " " + name + " " + fifo;
  }

  /**
   * Formats a success reply carrying a payload (no spaces, no line breaks).
   *
   * @param payload the payload
   * @return the line
   */
  public static String ok(String payload) {
    return payload.isEmpty() ? OK : OK + " " + flatten(payload);
  }

  /**
   * The payload of a success reply.
   *
   * @param reply a reply line
   * @return the payload ({@code ""} if none), or null if the reply is not a success
   */
  public static String okPayload(String reply) {
    if (OK.equals(reply)) {
      return "";
    }
    return reply.startsWith(OK + " ") ? reply.substring(OK.length() + 1) : null;
  }

  /**
   * Formats an error reply; line breaks in the reason are flattened.
   *
   * @param reason why
   * @return the line
   */
  public static String error(String reason) {
    return ERR + " " + flatten(reason);
  }

  /**
   * Formats a startup failure reply; line breaks in the reason are flattened.
   *
   * @param reason why
   * @return the line
   */
  public static String failed(String reason) {
    return FAILED + " " + flatten(reason);
  }

  /**
   * Checks a topic or group name against RocketMQ's rule.
   *
   * @param name the name
   * @throws IllegalArgumentException if it is not allowed
   */
  public static void checkName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "name must match " + NAME.pattern() + " (RocketMQ topic/group rule): " + name);
    }
  }

  /**
   * Parses a payload of comma-separated {@code key=value} pairs (as {@link #ROLE}'s).
   *
   * @param payload the payload
   * @return the pairs in order; a part without {@code =} maps to {@code ""}
   */
  public static Map<String, String> fields(String payload) {
    Map<String, String> fields = new LinkedHashMap<>();
    for (String part : payload.split(",")) {
      if (part.isEmpty()) {
        continue;
      }
      int eq = part.indexOf('=');
      if (eq < 0) {
        fields.put(part, "");
      } else {
        fields.put(part.substring(0, eq), part.substring(eq + 1));
      }
    }
    return fields;
  }

  private static String flatten(String s) {
    return String.valueOf(s).replace('\r', ' ').replace('\n', ' ');
  }
}
