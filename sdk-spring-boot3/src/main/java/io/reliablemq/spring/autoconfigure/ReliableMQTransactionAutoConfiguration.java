package io.reliablemq.spring.autoconfigure;

import io.reliablemq.spring.internal.RequireBoot3;
import io.reliablemq.spring.internal.config.ReliableMQTransactionConfiguration;
import javax.sql.DataSource;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Import;

/**
 * The {@code TransactionalSender} over the application's {@link DataSource}, when {@code
 * reliablemq.transaction.enabled=true} (the beans of {@link ReliableMQTransactionConfiguration}).
 */
@AutoConfiguration(
    afterName = {
      "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration",
      "org.springframework.boot.autoconfigure.jdbc.DataSourceTransactionManagerAutoConfiguration"
    })
@Conditional(RequireBoot3.class)
@ConditionalOnClass(DataSource.class)
@ConditionalOnProperty(prefix = "reliablemq.transaction", name = "enabled", havingValue = "true")
@ConditionalOnSingleCandidate(DataSource.class)
@EnableConfigurationProperties(ReliableMQProperties.class)
@Import(ReliableMQTransactionConfiguration.class)
public class ReliableMQTransactionAutoConfiguration {

  /** Creates the configuration (instantiated by Spring). */
  public ReliableMQTransactionAutoConfiguration() {}
}
