package io.reliablemq.spring.internal;

import io.reliablemq.spring.JsonCodec;
import java.io.IOException;
import java.lang.reflect.Type;
import java.util.Objects;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/** The {@link JsonCodec} of Spring Boot 4: Jackson 3 ({@code tools.jackson}), Boot 4's default. */
public final class JacksonCodec implements JsonCodec {
  private final ObjectMapper mapper;

  /**
   * A codec over a mapper.
   *
   * @param mapper the application's mapper
   */
  public JacksonCodec(ObjectMapper mapper) {
    this.mapper = Objects.requireNonNull(mapper, "mapper");
  }

  /**
   * A codec over a mapper with the modules on the class path, for applications without one.
   *
   * @return the codec
   */
  public static JacksonCodec ofDefaults() {
    return new JacksonCodec(JsonMapper.builder().findAndAddModules().build());
  }

  @Override
  public byte[] write(Object value) {
    try {
      return mapper.writeValueAsBytes(value);
    } catch (JacksonException e) {
      // The message names the type, never the payload.
      throw new IllegalArgumentException(
          "cannot serialize a "
              + value.getClass().getName()
              + " to JSON: "
              + e.getOriginalMessage(),
          e);
    }
  }

  @Override
  public Object read(byte[] json, Type type) throws IOException {
    try {
      return mapper.readValue(json, mapper.getTypeFactory().constructType(type));
    } catch (JacksonException e) {
      // Jackson 3 throws unchecked; the listener container handles a bad body as an IOException.
      throw new IOException(e.getOriginalMessage(), e);
    }
  }
}
