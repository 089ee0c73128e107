package dev.warden.spring.boot;

import dev.warden.jdbc.WardenDataSource;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * Wraps the application's DataSource beans with Warden when {@code warden.policy} is set (and
 * {@code warden.enabled} is not false): no code change, the application keeps its pool and its pool's
 * configuration. Registered in {@code META-INF/spring/...AutoConfiguration.imports}.
 */
@AutoConfiguration
@ConditionalOnClass({DataSource.class, DelegatingDataSource.class, WardenDataSource.class})
@ConditionalOnProperty(prefix = "warden", name = "policy")
@ConditionalOnBooleanProperty(name = "warden.enabled", matchIfMissing = true)
@EnableConfigurationProperties(WardenProperties.class)
public class WardenAutoConfiguration {

    /**
     * Static, as bean post-processors must be, so that registering it does not create this configuration
     * early; the properties are looked up at the first DataSource, when every post-processor is in place.
     */
    @Bean
    static WardenDataSourcePostProcessor wardenDataSourcePostProcessor(ObjectProvider<WardenProperties> properties) {
        return new WardenDataSourcePostProcessor(properties::getObject);
    }
}
