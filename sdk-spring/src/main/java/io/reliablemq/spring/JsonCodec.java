package io.reliablemq.spring;

import java.io.IOException;
import java.lang.reflect.Type;

/**
 * Writes payloads as JSON and reads them back. Each starter supplies one over the application's
 * Jackson mapper: Jackson 3 ({@code tools.jackson}) on Spring Boot 4, Jackson 2 ({@code
 * com.fasterxml.jackson}) on Spring Boot 3.5; an application may define its own bean instead.
 */
public interface JsonCodec {
  /**
   * The JSON of a value.
   *
   * @param value the value, not null
   * @return the JSON bytes
   * @throws IllegalArgumentException when the value cannot be written; the message names the type,
   *     never the value
   */
  byte[] write(Object value);

  /**
   * Reads JSON as a value of a type.
   *
   * @param json the JSON bytes
   * @param type the target type, possibly generic
   * @return the value
   * @throws IOException when the bytes are not JSON of that type
   */
  Object read(byte[] json, Type type) throws IOException;
}
