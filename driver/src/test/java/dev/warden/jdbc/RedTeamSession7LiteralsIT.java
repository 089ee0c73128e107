package dev.warden.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.testkit.CustomersExample;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Red team, session 7: literal shapes next to the supported ones (LiteralValuesIT). Every accepted shape must
 * store what PostgreSQL stores on a plaintext twin, else be refused. Found: a number cast to text
 * ({@code 1e3::text}, {@code CAST(00 AS text)}) was stored as written where the server stores the number it
 * prints ({@code 1000}, {@code 0}); a timestamp string with more than 6 fractional digits was stored truncated
 * where the server rounds ({@code .1234567} is {@code .123457}, {@code 10:00:00.9999999} is {@code 10:00:01}); a
 * Java Timestamp or LocalDateTime with nanoseconds was truncated where pgjdbc rounds it for a plaintext column.
 */
class RedTeamSession7LiteralsIT {

    private static final String COLUMNS = """
                t:
                  encrypt: deterministic
                  read: { support: plaintext }
                  write: [support]
                ts:
                  encrypt: randomized
                  type: timestamp
                  read: { support: plaintext }
                  write: [support]
                credit_limit:
            """;

    private CustomersExample db;
    private Path policy;

    @BeforeEach
    void twins() throws Exception {
        db = CustomersExample.create();
        policy = CustomersExample.newPolicyDirectoryWith("    credit_limit:\n", COLUMNS);
        try (Connection raw = db.raw(); Statement s = raw.createStatement()) {
            s.execute("ALTER TABLE customers ADD COLUMN t bytea, ADD COLUMN ts bytea");
            s.execute("CREATE TABLE customers_plain (id int, name text, t text, ts timestamp)");
        }
    }

    /** Shapes the engine takes as values: each must store what the server stores on the twin. */
    private static final List<String> TEXT_VALUES = List.of("5::text", "CAST(-5 AS text)", "1.50::text",
            "'x'::varchar", "E'a\\\\b'", "$t$it's$t$", "N'x'", "'{a}'", "('x')");

    @Test
    void everyAcceptedTextShapeStoresWhatTheServerStores() throws Exception {
        try (Connection support = db.as(policy, "support", "customer-service"); Connection raw = db.raw()) {
            for (String value : TEXT_VALUES) {
                assertEquals(stored(raw, "customers_plain", "t", value), stored(support, "customers", "t", value), value);
            }
        }
    }

    @Test
    void aNumberCastToTextInAnotherFormThanTheServerPrintsIsRefused() throws Exception {
        try (Connection support = db.as(policy, "support", "customer-service"); Statement s = support.createStatement()) {
            for (String value : List.of("1e3::text", "CAST(00 AS text)", "CAST(007 AS text)", "-0::text",
                    "0x10::text", "CAST(.5 AS varchar)")) {
                SQLException e = assertThrows(SQLException.class,
                        () -> s.executeUpdate("INSERT INTO customers (name, t) VALUES ('n', " + value + ")"), value);
                assertTrue(e.getSQLState().equals("0A000"), value + ": " + e.getSQLState() + " " + e.getMessage());
                assertTrue(e.getMessage().contains("customers.t"), e.getMessage());
                SQLException where = assertThrows(SQLException.class,
                        () -> s.executeQuery("SELECT name FROM customers WHERE t = " + value), value);
                assertEquals("0A000", where.getSQLState(), value);
            }
        }
        try (Connection raw = db.raw(); Statement s = raw.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT count(*) FROM customers WHERE t IS NOT NULL")) {
            assertTrue(rs.next());
            assertEquals(0, rs.getInt(1), "nothing was written");
        }
    }

    @Test
    void aTimestampWithMoreThanMicrosecondsIsRefusedAsTheServerWouldRoundIt() throws Exception {
        try (Connection support = db.as(policy, "support", "customer-service"); Connection raw = db.raw()) {
            for (String value : List.of("TIMESTAMP '2024-01-01 10:00:00.123456'", "'2024-01-01 10:00:00.5'",
                    "'2024-01-01T10:00:00'", "'2024-01-01'")) {
                assertEquals(stored(raw, "customers_plain", "ts", value), stored(support, "customers", "ts", value), value);
            }
            for (String value : List.of("TIMESTAMP '2024-01-01 10:00:00.1234567'", "'2024-01-01 10:00:00.9999999'",
                    "'2024-01-01 10:00:00.12345678901'::timestamp")) {
                try (Statement s = support.createStatement()) {
                    SQLException e = assertThrows(SQLException.class,
                            () -> s.executeUpdate("INSERT INTO customers (name, ts) VALUES ('n', " + value + ")"), value);
                    assertEquals("22023", e.getSQLState(), value + ": " + e.getMessage());
                    assertTrue(e.getMessage().contains("6 fractional digits"), e.getMessage());
                }
            }
            try (PreparedStatement ps = support.prepareStatement("INSERT INTO customers (name, ts) VALUES ('n', ?)")) {
                SQLException e = assertThrows(SQLException.class, () -> {
                    ps.setString(1, "2024-01-01 10:00:00.9999999");
                    ps.executeUpdate();
                });
                assertEquals("22023", e.getSQLState(), e.getMessage());
            }
        }
    }

    @Test
    void aJavaTimestampWithNanosecondsIsStoredAsPgjdbcStoresItInAPlaintextColumn() throws Exception {
        try (Connection support = db.as(policy, "support", "customer-service"); Connection raw = db.raw()) {
            for (int nanos : new int[] {123_456_499, 123_456_500, 123_456_700, 999_999_500, 999_999_499}) {
                java.time.LocalDateTime t = java.time.LocalDateTime.of(2024, 1, 1, 10, 0, 0, nanos);
                for (Object value : List.of(t, java.sql.Timestamp.valueOf(t))) {
                    assertEquals(storedParameter(raw, "customers_plain", value),
                            storedParameter(support, "customers", value), value + " (" + value.getClass() + ")");
                }
            }
        }
    }

    private static String storedParameter(Connection c, String table, Object value) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.executeUpdate("DELETE FROM " + table);
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (name, ts) VALUES ('n', ?)")) {
            ps.setObject(1, value);
            ps.executeUpdate();
        }
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT ts FROM " + table)) {
            assertTrue(rs.next());
            return String.valueOf(rs.getObject(1, java.time.LocalDateTime.class));
        }
    }

    /** Writes {@code value} into {@code column} of a fresh row and reads it back as the connection shows it. */
    private static String stored(Connection c, String table, String column, String value) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.executeUpdate("DELETE FROM " + table);
            s.executeUpdate("INSERT INTO " + table + " (name, " + column + ") VALUES ('n', " + value + ")");
            try (ResultSet rs = s.executeQuery("SELECT " + column + " FROM " + table)) {
                assertTrue(rs.next());
                Object read = column.equals("ts") ? rs.getTimestamp(1) : rs.getString(1);
                assertFalse(rs.next());
                return String.valueOf(read);
            }
        }
    }
}
