package io.reliablemq.examples.flashsale;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.reliablemq.spring.ReliableTemplate;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcConnectionPool;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * The shop's Spring Boot application. ReliableMQ's beans ({@code ReliableTemplate}, the listener
 * registry, the fallback store and replayer, the dedup store, the transactional sender) come from
 * the starter's auto-configuration; the shop only adds its database and its order service.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class FlashSaleApplication {
  /** Created by Spring. */
  public FlashSaleApplication() {}

  @Bean(destroyMethod = "dispose")
  JdbcConnectionPool dataSource(Environment env) {
    // The business database: an embedded H2 file, opened in-process (no H2 server is started).
    String path = env.getRequiredProperty("flashsale.work-dir") + "/business";
    JdbcConnectionPool pool = JdbcConnectionPool.create("jdbc:h2:file:" + path, "sa", "");
    pool.setMaxConnections(64);
    new JdbcTemplate(pool).execute(OrderService.SCHEMA);
    return pool;
  }

  @Bean
  PlatformTransactionManager transactionManager(DataSource dataSource) {
    return new DataSourceTransactionManager(dataSource);
  }

  @Bean
  JdbcTemplate jdbcTemplate(DataSource dataSource) {
    return new JdbcTemplate(dataSource);
  }

  @Bean
  MeterRegistry meterRegistry() {
    return new SimpleMeterRegistry();
  }

  @Bean
  OrderService orderService(JdbcTemplate jdbc, ReliableTemplate template, Environment env) {
    return new OrderService(
        jdbc, template, env.getProperty("flashsale.topics.timeouts", "flash-order-timeouts"));
  }
}
