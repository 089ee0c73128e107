package dev.warden.spring.boot;

import dev.warden.jdbc.WardenDataSource;
import java.sql.SQLException;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.jdbc.datasource.DelegatingDataSource;
import org.springframework.jdbc.datasource.lookup.AbstractRoutingDataSource;
import org.springframework.util.ClassUtils;
import org.springframework.util.StringUtils;

/**
 * Replaces each DataSource bean (or each one named in {@code warden.data-source-beans}) with a
 * {@link WardenDelegatingDataSource} over it, once the bean is initialised (its pool properties bound), except
 * a Spring proxy bean over one it already wrapped; a routing DataSource over wrapped beans stops the start.
 * Checks the settings at that moment, so that a misconfiguration stops the application at start-up with
 * Warden's message rather than failing its first query; and checks that every bean named in
 * {@code warden.data-source-beans} is a DataSource, so that a misspelt name cannot leave the real one unwrapped.
 * Thread-safe: the container calls it.
 */
class WardenDataSourcePostProcessor implements BeanPostProcessor, BeanFactoryAware, SmartInitializingSingleton {

    private static final boolean HIKARI_PRESENT = ClassUtils.isPresent("com.zaxxer.hikari.HikariDataSource",
            WardenDataSourcePostProcessor.class.getClassLoader());

    private final Supplier<WardenProperties> properties;

    private BeanFactory beanFactory;

    WardenDataSourcePostProcessor(Supplier<WardenProperties> properties) {
        this.properties = properties;
    }

    @Override
    public void setBeanFactory(BeanFactory beanFactory) {
        this.beanFactory = beanFactory;
    }

    @Override
    public void afterSingletonsInstantiated() {
        for (String name : properties.get().getDataSourceBeans()) {
            // by type, not by instantiating: a lazy DataSource is wrapped when it is created
            if (!beanFactory.containsBean(name) || !beanFactory.isTypeMatch(name, DataSource.class)) {
                throw new WardenStartupException(name, "Warden: warden.data-source-beans names '" + name
                        + "', which is not a DataSource bean of this application", null);
            }
        }
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (!(bean instanceof DataSource pool) || bean instanceof WardenDelegatingDataSource
                || bean instanceof WardenDataSource) {
            return bean;
        }
        WardenProperties settings = properties.get();
        if (!settings.getDataSourceBeans().isEmpty() && !settings.getDataSourceBeans().contains(beanName)) {
            return bean;
        }
        // a proxy bean (TransactionAwareDataSourceProxy, LazyConnectionDataSourceProxy...) over a pool bean
        // this post-processor wrapped: Warden a second time would encrypt values twice
        if (behindWarden(pool)) return bean;
        if (pool instanceof AbstractRoutingDataSource router
                && router.getResolvedDataSources().values().stream().anyMatch(WardenDataSourcePostProcessor::behindWarden)) {
            throw new WardenStartupException(beanName, "Warden: DataSource bean '" + beanName + "' routes to"
                    + " DataSource beans that Warden wraps, and would be wrapped itself: name the beans to wrap in"
                    + " warden.data-source-beans (the routing bean, or the beans it routes to)", null);
        }
        if (HIKARI_PRESENT) {
            try {
                HikariPoolSettings.adjust(pool, beanName);
            } catch (IllegalStateException e) {
                throw new WardenStartupException(beanName, "Warden: " + e.getMessage(), e);
            }
        }
        WardenDataSource warden = new WardenDataSource(pool, textOrNull(settings.getPolicy()), textOrNull(settings.getRole()));
        warden.setPurpose(textOrNull(settings.getPurpose()));
        warden.setMasterKey(textOrNull(settings.getMasterKey()));
        try {
            warden.checkSettings();
        } catch (SQLException e) {
            // Warden's messages name the file, line, role or key reference and never a protected value
            throw new WardenStartupException(beanName, "DataSource bean '" + beanName + "': " + e.getMessage()
                    + " [SQLState " + e.getSQLState() + "]", e);
        }
        return new WardenDelegatingDataSource(pool, warden);
    }

    /** Whether connections of {@code dataSource} already come through a DataSource this class made. */
    private static boolean behindWarden(DataSource dataSource) {
        for (DataSource d = dataSource; d instanceof DelegatingDataSource delegating; d = delegating.getTargetDataSource()) {
            if (d instanceof WardenDelegatingDataSource) return true;
        }
        return false;
    }

    private static String textOrNull(String value) {
        return StringUtils.hasText(value) ? value.trim() : null;
    }
}
