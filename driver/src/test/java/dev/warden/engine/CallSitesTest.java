package dev.warden.engine;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which stack frames are never the application's call site: matched at a package or class boundary only. */
class CallSitesTest {

    @Test
    void wardenJdbcPoolsAndFrameworksAreSkippedAtAPackageBoundary() {
        for (String name : List.of("dev.warden.jdbc.WardenPreparedStatement", "java.lang.reflect.Method",
                "jdk.internal.reflect.DirectMethodHandleAccessor", "org.postgresql.jdbc.PgStatement",
                "com.zaxxer.hikari.pool.HikariProxyPreparedStatement", "org.hibernate.sql.exec.internal.JdbcSelect",
                "org.springframework.jdbc.core.JdbcTemplate$1")) {
            assertTrue(CallSites.skipped(name, List.of()), name);
        }
        for (String name : List.of("com.acme.Orders", "javafx.App", "dev.warden.observe.ObserveModeIT",
                "dev.wardenx.Thing", "org.hibernatex.Thing")) {
            assertFalse(CallSites.skipped(name, List.of()), name);
        }
    }

    @Test
    void thePolicysPrefixesSkipPackagesAndClassesWithTheirNestedClasses() {
        List<String> skip = List.of("com.acme.db", "com.acme.Repository");
        assertTrue(CallSites.skipped("com.acme.db.CustomerDao", skip));
        assertTrue(CallSites.skipped("com.acme.Repository", skip));
        assertTrue(CallSites.skipped("com.acme.Repository$Jdbc", skip));
        assertFalse(CallSites.skipped("com.acme.dbtools.Main", skip));
        assertFalse(CallSites.skipped("com.acme.RepositoryTest", skip));
    }
}
