package io.reliablemq.spring.internal;

import io.reliablemq.consumer.ReceivedMessage;
import io.reliablemq.spring.JsonCodec;
import java.io.IOException;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Converts payloads to message bodies and back: {@code byte[]} and {@link String} (UTF-8) as they
 * are, everything else as JSON through the starter's {@link JsonCodec}.
 */
public final class PayloadConverter {
  private final JsonCodec codec;

  /**
   * Creates a converter.
   *
   * @param codec the JSON codec
   */
  public PayloadConverter(JsonCodec codec) {
    this.codec = Objects.requireNonNull(codec, "codec");
  }

  /**
   * The body of a payload.
   *
   * @param payload bytes, a string or a JSON-serializable object
   * @return the body
   * @throws IllegalArgumentException when the payload is null or cannot be serialized
   */
  public byte[] toBody(Object payload) {
    if (payload == null) {
      throw new IllegalArgumentException("payload must not be null");
    }
    if (payload instanceof byte[] bytes) {
      return bytes;
    }
    if (payload instanceof String s) {
      return s.getBytes(StandardCharsets.UTF_8);
    }
    return codec.write(payload);
  }

  /**
   * The argument a listener method gets for a message.
   *
   * @param message the message
   * @param type the parameter type
   * @return the message, its body, its body as a string, or the body read as JSON
   * @throws IOException when the body is not JSON of that type
   */
  public Object fromMessage(ReceivedMessage message, Type type) throws IOException {
    if (type == ReceivedMessage.class) {
      return message;
    }
    if (type == byte[].class) {
      return message.body();
    }
    if (type == String.class) {
      return message.bodyAsString();
    }
    return codec.read(message.body(), type);
  }
}
