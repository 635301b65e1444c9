package io.reliablemq.client;

import java.time.Duration;
import java.util.Objects;
import org.apache.rocketmq.client.apis.SessionCredentialsProvider;

/**
 * How to reach a RocketMQ 5 proxy: endpoints, credentials, namespace, request timeout and TLS.
 * Immutable; build with {@link #custom()}.
 *
 * <p>TLS caveat: when {@link #sslEnabled()} is true the RocketMQ client encrypts the connection but
 * trusts <em>any</em> server certificate (it uses an insecure trust manager). Treat it as
 * encryption against passive eavesdropping only, never as verified TLS.
 */
public final class ClientSettings {
  /** The client's own default request timeout, kept as ours. */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(3);

  private final String endpoints;
  private final SessionCredentialsProvider credentialsProvider;
  private final String namespace;
  private final Duration requestTimeout;
  private final boolean sslEnabled;
  private final Duration reconnectProbeInterval;

  /** How often the SDK probes the endpoints while the broker looks unreachable, by default. */
  public static final Duration DEFAULT_RECONNECT_PROBE_INTERVAL = Duration.ofMillis(300);

  private ClientSettings(Builder b) {
    this.reconnectProbeInterval = b.reconnectProbeInterval;
    this.endpoints = b.endpoints;
    this.credentialsProvider = b.credentialsProvider;
    this.namespace = b.namespace;
    this.requestTimeout = b.requestTimeout;
    this.sslEnabled = b.sslEnabled;
  }

  /**
   * Starts a builder.
   *
   * @return a new builder; {@link Builder#endpoints(String)} is required
   */
  public static Builder custom() {
    return new Builder();
  }

  /**
   * Settings for a proxy at the given endpoints with every other value at its default.
   *
   * @param endpoints {@code host:port[;host:port...]} of the RocketMQ proxy
   * @return the settings
   */
  public static ClientSettings of(String endpoints) {
    return custom().endpoints(endpoints).build();
  }

  /**
   * The proxy endpoints.
   *
   * @return {@code host:port[;host:port...]}
   */
  public String endpoints() {
    return endpoints;
  }

  /**
   * The credentials provider, called by the client on every request (so a rotating provider works).
   *
   * @return the provider, or {@code null} when the proxy has no ACL
   */
  public SessionCredentialsProvider credentialsProvider() {
    return credentialsProvider;
  }

  /**
   * The RocketMQ namespace.
   *
   * @return the namespace, empty when none
   */
  public String namespace() {
    return namespace;
  }

  /**
   * The timeout of one request to the proxy (one send attempt).
   *
   * @return the timeout
   */
  public Duration requestTimeout() {
    return requestTimeout;
  }

  /**
   * Whether the connection uses TLS (unverified: see the class comment).
   *
   * @return true when TLS is on
   */
  public boolean sslEnabled() {
    return sslEnabled;
  }

  /**
   * How often (with 20% jitter) the SDK tries a TCP connect to the endpoints while a client looks
   * cut off (circuit open, replay backing off, a consumer that lost the broker). The 5.2.0 client
   * waits out gRPC's reconnect backoff (up to 120 s) even when the proxy is back; once a probe
   * connects, the SDK replaces that client with a new one, which connects at once. {@link
   * Duration#ZERO} turns the probing (and the replacement) off.
   *
   * @return the interval, 300 ms by default
   */
  public Duration reconnectProbeInterval() {
    return reconnectProbeInterval;
  }

  @Override
  public String toString() {
    // Never print credentials.
    return "ClientSettings{endpoints="
        + endpoints
        + ", namespace="
        + namespace
        + ", requestTimeout="
        + requestTimeout
        + ", sslEnabled="
        + sslEnabled
        + ", reconnectProbeInterval="
        + reconnectProbeInterval
        + ", credentials="
        + (credentialsProvider == null ? "none" : "set")
        + '}';
  }

  /** Builder of {@link ClientSettings}; validates on every setter and in {@link #build()}. */
  public static final class Builder {
    private String endpoints;
    private SessionCredentialsProvider credentialsProvider;
    private String namespace = "";
    private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
    private boolean sslEnabled = true;
    private Duration reconnectProbeInterval = DEFAULT_RECONNECT_PROBE_INTERVAL;

    private Builder() {}

    /**
     * Sets how often the endpoints are probed while a client looks cut off (see {@link
     * ClientSettings#reconnectProbeInterval()}).
     *
     * @param interval zero (off), or 50 ms to 1 minute
     * @return this builder
     */
    public Builder reconnectProbeInterval(Duration interval) {
      Objects.requireNonNull(interval, "reconnectProbeInterval must not be null");
      if (!interval.isZero()
          && (interval.compareTo(Duration.ofMillis(50)) < 0
              || interval.compareTo(Duration.ofMinutes(1)) > 0)) {
        throw new IllegalArgumentException(
            "reconnectProbeInterval must be 0 or between 50 ms and 1 minute, was " + interval);
      }
      this.reconnectProbeInterval = interval;
      return this;
    }

    /**
     * Sets the proxy endpoints.
     *
     * @param endpoints {@code host:port[;host:port...]}, not blank
     * @return this builder
     */
    public Builder endpoints(String endpoints) {
      if (endpoints == null || endpoints.isBlank()) {
        throw new IllegalArgumentException("endpoints must not be blank");
      }
      this.endpoints = endpoints.trim();
      return this;
    }

    /**
     * Sets the credentials provider (RocketMQ 5 ACL).
     *
     * @param credentialsProvider the provider, or null for none
     * @return this builder
     */
    public Builder credentialsProvider(SessionCredentialsProvider credentialsProvider) {
      this.credentialsProvider = credentialsProvider;
      return this;
    }

    /**
     * Sets the namespace.
     *
     * @param namespace the namespace, not null (empty for none)
     * @return this builder
     */
    public Builder namespace(String namespace) {
      this.namespace = Objects.requireNonNull(namespace, "namespace must not be null");
      return this;
    }

    /**
     * Sets the timeout of one request.
     *
     * @param requestTimeout positive, at most one minute
     * @return this builder
     */
    public Builder requestTimeout(Duration requestTimeout) {
      Objects.requireNonNull(requestTimeout, "requestTimeout must not be null");
      if (requestTimeout.isNegative()
          || requestTimeout.isZero()
          || requestTimeout.compareTo(Duration.ofMinutes(1)) > 0) {
        throw new IllegalArgumentException(
            "requestTimeout must be > 0 and <= 1 minute, was " + requestTimeout);
      }
      this.requestTimeout = requestTimeout;
      return this;
    }

    /**
     * Turns TLS on or off (on by default, as in the client).
     *
     * @param sslEnabled true for TLS
     * @return this builder
     */
    public Builder sslEnabled(boolean sslEnabled) {
      this.sslEnabled = sslEnabled;
      return this;
    }

    /**
     * Builds the settings.
     *
     * @return immutable settings
     * @throws IllegalArgumentException when endpoints were not set
     */
    public ClientSettings build() {
      if (endpoints == null) {
        throw new IllegalArgumentException("endpoints must be set");
      }
      return new ClientSettings(this);
    }
  }
}
