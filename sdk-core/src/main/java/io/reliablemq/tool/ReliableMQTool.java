package io.reliablemq.tool;

import io.reliablemq.fallback.tool.FallbackTool;
import io.reliablemq.relay.tool.RelayCommand;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * {@code java -jar reliablemq-core-<version>-fallback-tool.jar relay ...} runs the {@link
 * RelayCommand backlog relay}; {@code store ...}, or the store options as before, run the {@link
 * FallbackTool fallback store tool}.
 */
public final class ReliableMQTool {
  private ReliableMQTool() {}

  /**
   * Runs the tool and exits with its status.
   *
   * @param args the command line
   */
  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /**
   * Runs the tool.
   *
   * @param args the command line
   * @param out where results go
   * @param err where errors go
   * @return the subcommand's exit status, 2 on bad usage
   */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0) {
      err.println("usage: relay --help | store --store DIR [...] count|list|unpark|delete|ddl");
      return 2;
    }
    List<String> rest = Arrays.asList(args).subList(1, args.length);
    switch (args[0]) {
      case "relay":
        return RelayCommand.run(rest, out, err);
      case "store":
        return FallbackTool.run(rest.toArray(new String[0]), out, err);
      default:
        // The store tool's original form, without a subcommand, keeps working.
        return FallbackTool.run(args, out, err);
    }
  }
}
