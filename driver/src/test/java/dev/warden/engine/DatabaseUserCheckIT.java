package dev.warden.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.testkit.CustomersExample;
import dev.warden.testkit.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A database superuser (or a user that may become one, or reach the server's files) is outside what Warden can
 * stop: the driver warns once per engine, database and user, at the first connection, and never per statement.
 */
class DatabaseUserCheckIT {

    private final List<LogRecord> warnings = new ArrayList<>();
    private final Logger logger = Logger.getLogger("dev.warden.database");
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLevel() == Level.WARNING) {
                synchronized (warnings) {
                    warnings.add(record);
                }
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    private CustomersExample db;

    @BeforeEach
    void rolesOfEveryKind() throws SQLException {
        db = CustomersExample.create();
        logger.addHandler(capture);
        try (Connection raw = db.raw(); Statement s = raw.createStatement()) {
            for (String sql : new String[] {
                    "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'wd_app') THEN"
                            + " CREATE ROLE wd_app LOGIN; CREATE ROLE wd_files LOGIN IN ROLE pg_read_server_files;"
                            + " CREATE ROLE wd_su NOLOGIN SUPERUSER; CREATE ROLE wd_admin LOGIN IN ROLE wd_su;"
                            + " END IF; END $$",
                    "GRANT ALL ON ALL TABLES IN SCHEMA public TO wd_app",
                    "GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO wd_app"}) {
                s.execute(sql);
            }
        }
    }

    @AfterEach
    void stopCapturing() {
        logger.removeHandler(capture);
    }

    private Connection rawAs(String user) throws SQLException {
        return DriverManager.getConnection(db.rawUrl(), user, "");
    }

    @Test
    void superusersTheirMembersAndServerFileRolesAreNamedOrdinaryRolesAreNot() throws SQLException {
        try (Connection c = rawAs(EmbeddedPostgres.USER)) {
            List<String> powers = DatabaseUserCheck.powers(c);
            assertTrue(powers.contains(EmbeddedPostgres.USER), powers.toString());
            String warning = DatabaseUserCheck.warning(EmbeddedPostgres.USER, powers);
            assertTrue(warning.contains("'postgres' is a superuser") && warning.contains("read the server's files"),
                    warning);
        }
        try (Connection c = rawAs("wd_admin")) {
            assertEquals(List.of("wd_su"), DatabaseUserCheck.powers(c), "may SET ROLE to a superuser");
        }
        try (Connection c = rawAs("wd_files")) {
            assertEquals(List.of("pg_read_server_files"), DatabaseUserCheck.powers(c));
        }
        try (Connection c = rawAs("wd_app")) {
            assertEquals(List.of(), DatabaseUserCheck.powers(c));
            assertNull(DatabaseUserCheck.warning("wd_app", List.of()));
        }
        try (Connection c = rawAs("wd_app")) {
            c.setAutoCommit(false);
            DatabaseUserCheck.powers(c);
            // pgjdbc refuses this in the middle of a transaction: the check left none open
            c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
        }
    }

    @Test
    void theDriverWarnsOncePerEngineDatabaseAndUserAtTheFirstConnection() throws SQLException {
        Path policy = CustomersExample.newPolicyDirectory();  // its own engine
        for (int i = 0; i < 3; i++) {
            try (Connection c = db.as(policy, "support", "customer-service"); Statement s = c.createStatement()) {
                s.executeQuery("SELECT count(*) FROM orders").close();
                s.executeQuery("SELECT count(*) FROM orders").close();
            }
        }
        assertEquals(1, superuserWarnings("'postgres'"), "once, not per connection or statement");

        Properties app = CustomersExample.properties(policy, "support", "customer-service");
        app.setProperty("user", "wd_app");
        try (Connection c = DriverManager.getConnection(db.wardenUrl(), app)) {
            c.createStatement().executeQuery("SELECT count(*) FROM orders").close();
        }
        assertEquals(0, superuserWarnings("'wd_app'"), "an ordinary role is not warned about");
        Properties admin = CustomersExample.properties(policy, "support", "customer-service");
        admin.setProperty("user", "wd_admin");
        DriverManager.getConnection(db.wardenUrl(), admin).close();
        assertEquals(1, superuserWarnings("'wd_admin'"));
    }

    private int superuserWarnings(String user) {
        synchronized (warnings) {
            return (int) warnings.stream().filter(r -> r.getMessage().contains("database user " + user)).count();
        }
    }
}
