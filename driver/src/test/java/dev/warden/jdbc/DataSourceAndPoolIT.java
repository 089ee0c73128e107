package dev.warden.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.warden.testkit.CustomersExample;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Properties;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** Warden behind HikariCP (URL and wrapped DataSource), and on H2 as well as PostgreSQL. */
class DataSourceAndPoolIT {

    @Test
    void hikariPoolOfWardenUrlsEncryptsAndDecrypts() throws SQLException {
        CustomersExample db = CustomersExample.create();
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(db.wardenUrl());
        config.setDataSourceProperties(CustomersExample.properties("support", "customer-service"));
        config.setMaximumPoolSize(2);
        try (HikariDataSource pool = new HikariDataSource(config)) {
            for (int i = 0; i < 5; i++) {
                try (Connection c = pool.getConnection();
                     PreparedStatement ps = c.prepareStatement("INSERT INTO customers (name, email) VALUES (?, ?)")) {
                    ps.setString(1, "n" + i);
                    ps.setString(2, "pooled" + i + "@example.com");
                    ps.executeUpdate();
                }
            }
            try (Connection c = pool.getConnection();
                 PreparedStatement ps = c.prepareStatement("SELECT name FROM customers WHERE email = ?")) {
                ps.setString(1, "pooled3@example.com");
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals("n3", rs.getString(1));
                }
            }
        }
        try (Connection raw = db.raw(); ResultSet rs = raw.createStatement().executeQuery(
                "SELECT count(*) FROM customers WHERE encode(email, 'escape') LIKE '%pooled%'")) {
            rs.next();
            assertEquals(0, rs.getInt(1), "no plaintext at rest");
        }
    }

    @Test
    void wrappedDataSourceAppliesThePolicy() throws SQLException {
        CustomersExample db = CustomersExample.create();
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(db.rawUrl());
        config.setUsername("postgres");
        try (HikariDataSource pool = new HikariDataSource(config)) {
            WardenDataSource support = new WardenDataSource(pool, CustomersExample.POLICY.toString(), "support");
            support.setPurpose("customer-service");
            support.setMasterKey("file:" + CustomersExample.MASTER_KEY);
            try (Connection c = support.getConnection()) {
                c.createStatement().executeUpdate("INSERT INTO customers (name, email) VALUES ('Ann', 'ann@example.com')");
            }
            WardenDataSource analyst = new WardenDataSource(pool, CustomersExample.POLICY.toString(), "analyst");
            analyst.setMasterKey("file:" + CustomersExample.MASTER_KEY);
            try (Connection c = analyst.getConnection();
                 ResultSet rs = c.createStatement().executeQuery("SELECT email FROM customers")) {
                assertTrue(rs.next());
                assertEquals("a**@example.com", rs.getString(1));
            }
            SQLException e = assertThrows(SQLException.class, () -> support.unwrap(HikariDataSource.class));
            assertEquals("0A000", e.getSQLState());
        }
    }

    @Test
    void checkSettingsReportsPolicyRoleAndPurposeErrorsWithoutConnecting() throws SQLException {
        // a DataSource that fails the test if Warden opened a connection to check its settings
        DataSource noConnections = (DataSource) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
                    throw new AssertionError("checkSettings called " + method.getName());
                });
        WardenDataSource support = new WardenDataSource(noConnections, CustomersExample.POLICY.toString(), "support");
        support.setPurpose("customer-service");
        support.setMasterKey("file:" + CustomersExample.MASTER_KEY);
        support.checkSettings();

        support.setPurpose("marketing");
        assertRefused("28000", "may not act for purpose 'marketing'", support::checkSettings);
        support.setRole(null);
        assertRefused("28000", "no role given", support::checkSettings);
        support.setRole("auditor");
        assertRefused("28000", "unknown role 'auditor'", support::checkSettings);
        WardenDataSource noPolicy = new WardenDataSource(noConnections, null, "support");
        assertRefused("28000", "no policy given", noPolicy::checkSettings);
        WardenDataSource missing = new WardenDataSource(noConnections,
                CustomersExample.DIRECTORY.resolve("missing.yaml").toString(), "support");
        assertRefused("28000", "missing.yaml", missing::checkSettings);
    }

    private static void assertRefused(String sqlState, String message, org.junit.jupiter.api.function.Executable call) {
        SQLException e = assertThrows(SQLException.class, call);
        assertEquals(sqlState, e.getSQLState());
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void worksOnH2WithPreparedStatements() throws Exception {
        Path dir = Files.createTempDirectory("warden-h2");
        Path policy = dir.resolve("policy.yaml");
        Files.writeString(policy, "keyset: " + CustomersExample.DIRECTORY.resolve("demo-keyset.json") + "\n"
                + "roles:\n  app: {}\n  viewer: {}\n"
                + "tables:\n  people:\n    ssn:\n      encrypt: deterministic\n"
                + "      read: { app: plaintext, viewer: masked }\n      mask: last4\n      write: [app]\n"
                + "    note:\n      encrypt: randomized\n      read: { app: plaintext }\n      write: [app]\n");
        String url = "jdbc:h2:mem:warden" + System.nanoTime() + ";DB_CLOSE_DELAY=-1";
        try (Connection raw = DriverManager.getConnection(url)) {
            raw.createStatement().execute("CREATE TABLE people (id INT PRIMARY KEY, ssn VARBINARY(200), note VARCHAR(200))");
            Properties p = CustomersExample.properties("app", null);
            p.remove("user");
            p.remove("password");
            p.setProperty("warden.policy", policy.toString());
            try (Connection app = DriverManager.getConnection("jdbc:warden:" + url.substring(5), p)) {
                try (PreparedStatement ps = app.prepareStatement("INSERT INTO people (id, ssn, note) VALUES (?, ?, ?)")) {
                    ps.setInt(1, 1);
                    ps.setString(2, "123-45-6789");
                    ps.setString(3, "called twice");
                    ps.executeUpdate();
                }
                try (PreparedStatement ps = app.prepareStatement("SELECT id, ssn, note FROM people WHERE ssn = ?")) {
                    ps.setString(1, "123-45-6789");
                    try (ResultSet rs = ps.executeQuery()) {
                        assertTrue(rs.next());
                        assertEquals("123-45-6789", rs.getString("ssn"));
                        // base64 ciphertext in a text column, read through H2's getString
                        assertEquals("called twice", rs.getString("note"));
                    }
                }
            }
            p.setProperty("warden.role", "viewer");
            try (Connection viewer = DriverManager.getConnection("jdbc:warden:" + url.substring(5), p);
                 ResultSet rs = viewer.createStatement().executeQuery("SELECT ssn FROM people")) {
                assertTrue(rs.next());
                assertEquals("*******6789", rs.getString(1));
            }
            try (ResultSet rs = raw.createStatement().executeQuery("SELECT ssn FROM people")) {
                rs.next();
                assertFalse(new String(rs.getBytes(1), java.nio.charset.StandardCharsets.ISO_8859_1).contains("6789"));
            }
        }
    }
}
