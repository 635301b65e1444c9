package io.reliablemq.internal.jdbc;

import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Validation of the user-supplied names that reach a JDBC URL or SQL text: store directories, file
 * names and table prefixes. Every store config validates through here, so the rule that keeps
 * configuration from injecting SQL or H2 URL settings lives in one place.
 */
public final class StoreNames {
  /** Letters, digits and underscores, starting with a letter, at most 63 characters. */
  public static final Pattern IDENTIFIER = Pattern.compile("^[A-Za-z][A-Za-z0-9_]{0,62}$");

  private StoreNames() {}

  /**
   * Validates an identifier (file name, table prefix).
   *
   * @param field the config field, for the message
   * @param value the value
   * @param maxLength the longest allowed
   * @return the value
   * @throws IllegalArgumentException naming the field and the rule
   */
  public static String identifier(String field, String value, int maxLength) {
    if (value == null || !IDENTIFIER.matcher(value).matches()) {
      throw new IllegalArgumentException(
          field
              + " must match ^[A-Za-z][A-Za-z0-9_]{0,62}$ (a letter, then letters, digits, _),"
              + " was "
              + (value == null ? "null" : '"' + value + '"'));
    }
    if (value.length() > maxLength) {
      throw new IllegalArgumentException(
          field + " must be at most " + maxLength + " characters, was " + value.length());
    }
    return value;
  }

  /**
   * Validates a store directory and makes it absolute.
   *
   * @param directory the directory
   * @return its absolute, normalised form
   * @throws IllegalArgumentException when it holds {@code ;} or control characters
   */
  public static Path directory(Path directory) {
    Objects.requireNonNull(directory, "directory");
    Path abs = directory.toAbsolutePath().normalize();
    String text = abs.toString();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      // ';' separates H2 URL settings: a path holding one could switch settings on.
      if (c == ';' || Character.isISOControl(c)) {
        throw new IllegalArgumentException(
            "directory must not contain ';' or control characters, was " + text);
      }
    }
    return abs;
  }
}
