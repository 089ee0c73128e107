package dev.warden.spring.boot;

import com.zaxxer.hikari.HikariDataSource;
import dev.warden.jdbc.WardenExceptionOverride;
import java.util.Locale;
import javax.sql.DataSource;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * What Warden adjusts on a HikariCP pool before wrapping it. A class of its own so that HikariCP's classes are
 * loaded only when HikariCP is on the class path (the caller checks). Stateless.
 */
final class HikariPoolSettings {

    private static final Log log = LogFactory.getLog(HikariPoolSettings.class);

    private HikariPoolSettings() {
    }

    /**
     * Refuses a pool that already opens {@code jdbc:warden:} connections (Warden twice would encrypt values
     * twice), and gives the pool {@link WardenExceptionOverride} when the application set no override. Warden
     * wraps the pool, so its own refusals never pass through HikariCP's proxies; the database's own 0A000
     * (feature not supported) does, and HikariCP would evict a good connection for it.
     */
    static void adjust(DataSource dataSource, String beanName) {
        if (!(dataSource instanceof HikariDataSource pool)) return;
        String url = pool.getJdbcUrl();
        if (url != null && url.toLowerCase(Locale.ROOT).startsWith("jdbc:warden:")
                || "dev.warden.jdbc.WardenDriver".equals(pool.getDriverClassName())) {
            throw new IllegalStateException("DataSource bean '" + beanName + "' already connects through the"
                    + " jdbc:warden: driver, and warden.policy would wrap it a second time: give the pool the"
                    + " database's own URL (spring.datasource.url=jdbc:postgresql://...) or remove warden.policy");
        }
        if (pool.getExceptionOverrideClassName() != null || pool.getExceptionOverride() != null) return;
        try {
            pool.setExceptionOverrideClassName(WardenExceptionOverride.class.getName());
        } catch (IllegalStateException started) {
            // the pool was started before the post-processor saw it (configuration sealed): refusals will evict
            log.warn("HikariCP pool of DataSource bean '" + beanName + "' was already started: set"
                    + " spring.datasource.hikari.exception-override-class-name=" + WardenExceptionOverride.class.getName()
                    + " so that Warden's refusals do not close its connections");
        }
    }
}
