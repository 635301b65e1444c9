package io.reliablemq.spring.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.reliablemq.spring.JsonCodec;
import java.io.IOException;
import java.lang.reflect.Type;
import java.util.Objects;

/** The {@link JsonCodec} of Spring Boot 3.5: Jackson 2 ({@code com.fasterxml.jackson}). */
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
    } catch (JsonProcessingException e) {
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
    return mapper.readValue(json, mapper.getTypeFactory().constructType(type));
  }
}
