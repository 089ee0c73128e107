package dev.warden.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.IMetricsTracker;
import dev.warden.testkit.CustomersExample;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * A HikariCP pool over {@code jdbc:warden:} with {@link WardenExceptionOverride} keeps its physical
 * connections through Warden's refusals, and still evicts one whose backend is gone. "Physical connection"
 * is the PostgreSQL backend: its {@code pg_backend_pid()}, asked on the very connection handle that was just
 * refused (HikariCP closes an evicted handle at once, so an eviction would fail that query too), and the
 * number of connections the pool creates (its metrics tracker; HikariCP does not count the first one it opens
 * at start-up there, so the tests compare counts, never an absolute number).
 */
class WardenExceptionOverrideIT {

    private static final int POOL_SIZE = 2;

    private CustomersExample db;

    @BeforeEach
    void customerWithAnEmailThatDoesNotOpen() throws SQLException {
        db = CustomersExample.create();
        try (Connection support = db.as("support", "customer-service")) {
            support.createStatement().executeUpdate(
                    "INSERT INTO customers (name, email, phone) VALUES ('Jane', 'jane@example.com', '555-0100')");
        }
        try (Connection raw = db.raw()) {
            // a valid ciphertext of another column: it fails to open as an email (XX001)
            raw.createStatement().execute("UPDATE customers SET email = phone");
        }
    }

    @Test
    void aThousandRefusalsLeaveThePoolsPhysicalConnectionsInPlace() throws Exception {
        AtomicInteger created = new AtomicInteger();
        try (HikariDataSource pool = pool(created, true)) {
            Set<Integer> backends = fullPoolBackends(pool);
            int createdBefore = created.get();
            Set<Integer> seen = new HashSet<>();
            // both connections borrowed at once: HikariCP would otherwise hand the same one out every time
            for (int i = 0; i < 1_000; i += 2) {
                try (Connection a = pool.getConnection(); Connection b = pool.getConnection()) {
                    refuse(a, i % 3);
                    refuse(b, (i + 1) % 3);
                    seen.add(backendPid(a));
                    seen.add(backendPid(b));
                }
            }
            assertEquals(backends, seen, "refusals ran on the pool's first connections, and only on them");
            assertEquals(createdBefore, created.get(), "HikariCP opened no replacement connection");
            assertEquals(POOL_SIZE, pool.getHikariPoolMXBean().getTotalConnections());
        }
    }

    @Test
    void withoutTheOverrideHikariEvictsAConnectionOnAnUnsupportedShape() throws Exception {
        // why the override exists, and proof that the test above would see an eviction
        AtomicInteger created = new AtomicInteger();
        try (HikariDataSource pool = pool(created, false)) {
            fullPoolBackends(pool);
            try (Connection c = pool.getConnection()) {
                refuse(c, 1);
                SQLException closed = assertThrows(SQLException.class, () -> backendPid(c));
                assertEquals("Connection is closed", closed.getMessage(), "HikariCP's handle of an evicted connection");
            }
        }
    }

    @Test
    void aConnectionWhoseBackendWasTerminatedIsStillEvicted() throws Exception {
        AtomicInteger created = new AtomicInteger();
        try (HikariDataSource pool = pool(created, true)) {
            fullPoolBackends(pool);
            int createdBefore = created.get();
            int terminated;
            try (Connection c = pool.getConnection()) {
                terminated = backendPid(c);
                try (Connection raw = db.raw()) {
                    raw.createStatement().execute("SELECT pg_terminate_backend(" + terminated + ")");
                }
                // a statement on a protected table: its error goes through Warden's redaction first
                SQLException lost = assertThrows(SQLException.class,
                        () -> c.createStatement().executeQuery("SELECT name, phone FROM customers"));
                String state = lost.getSQLState();
                assertTrue(state.startsWith("08") || state.startsWith("57P0"), state + ": " + lost.getMessage());
                assertThrows(SQLException.class, () -> backendPid(c), "the evicted handle is closed");
            }
            try (Connection a = pool.getConnection(); Connection b = pool.getConnection()) {
                assertNotEquals(terminated, backendPid(a));
                assertNotEquals(terminated, backendPid(b));
            }
            assertEquals(createdBefore + 1, created.get(), "one replacement connection");
        }
    }

    /** One Warden refusal on {@code c}: a policy denial, an unsupported shape, a ciphertext that does not open. */
    private static void refuse(Connection c, int kind) throws SQLException {
        try (Statement s = c.createStatement()) {
            switch (kind) {
                case 0 -> assertRefused("42501", () -> s.executeUpdate("UPDATE customers SET card_number = '1' WHERE id = 1"));
                case 1 -> assertRefused("0A000", () -> s.executeQuery("SELECT name FROM customers ORDER BY lower(email)"));
                default -> {
                    try (ResultSet rs = s.executeQuery("SELECT email FROM customers")) {
                        assertTrue(rs.next());
                        assertRefused("XX001", () -> rs.getString(1));
                    }
                }
            }
        }
    }

    private static void assertRefused(String sqlState, Executable statement) {
        SQLException e = assertThrows(SQLException.class, statement);
        assertEquals(sqlState, e.getSQLState(), e.getMessage());
    }

    private static int backendPid(Connection c) throws SQLException {
        try (ResultSet rs = c.createStatement().executeQuery("SELECT pg_backend_pid()")) {
            assertTrue(rs.next());
            return rs.getInt(1);
        }
    }

    /** The backends of all the pool's connections, borrowed at once (so the pool is full afterwards). */
    private static Set<Integer> fullPoolBackends(HikariDataSource pool) throws SQLException {
        try (Connection a = pool.getConnection(); Connection b = pool.getConnection()) {
            Set<Integer> backends = Set.of(backendPid(a), backendPid(b));
            assertFalse(backends.size() < POOL_SIZE);
            return backends;
        }
    }

    private HikariDataSource pool(AtomicInteger created, boolean withOverride) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(db.wardenUrl());
        config.setDataSourceProperties(CustomersExample.properties("support", "customer-service"));
        config.setMaximumPoolSize(POOL_SIZE);
        config.setMinimumIdle(POOL_SIZE);
        if (withOverride) {
            // by name, as an application's configuration names it
            config.setExceptionOverrideClassName("dev.warden.jdbc.WardenExceptionOverride");
        }
        config.setMetricsTrackerFactory((poolName, stats) -> new IMetricsTracker() {
            @Override
            public void recordConnectionCreatedMillis(long millis) {
                created.incrementAndGet();
            }
        });
        return new HikariDataSource(config);
    }
}
