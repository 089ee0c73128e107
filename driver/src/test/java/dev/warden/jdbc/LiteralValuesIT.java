package dev.warden.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.testkit.CustomersExample;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Literals as PostgreSQL reads them (issue 12, part 4): a signed number, a literal cast to the column's own type
 * ({@code '2024-01-01'::date}, {@code CAST('1.50' AS numeric)}, {@code DATE '…'}) and NULL are values wherever a
 * value may stand: written into protected columns and compared with deterministic ones, with what is stored and
 * matched being what the server would store on a plaintext twin table. A cast that would change the value (to
 * another type, with a modifier) and a number the server would store in another form are refused.
 */
class LiteralValuesIT {

    private static final String COLUMNS = """
                score:
                  encrypt: deterministic
                  type: integer
                  read: { support: plaintext }
                  write: [support]
                balance:
                  encrypt: deterministic
                  type: numeric
                  read: { support: plaintext }
                  write: [support]
                opened:
                  encrypt: deterministic
                  type: date
                  read: { support: plaintext }
                  write: [support]
                credit_limit:
            """;
    private static final String[] ROWS = {
            "('a', -5, -42.125, '2024-01-01'::date, DATE '1990-02-03', 'a@x.org')",
            "('b', 3, CAST('1.50' AS numeric), DATE '2024-01-02', '1991-12-31'::date, '-7')",
            "('c', - 5, 0.5, CAST('2024-01-01' AS date), NULL, NULL)",
            "('d', NULL, -0.25, NULL, CAST('2000-02-29' AS date), '12.5')"};

    private CustomersExample db;
    private Path policy;

    @BeforeEach
    void writeBothTwins() throws Exception {
        db = CustomersExample.create();
        policy = CustomersExample.newPolicyDirectoryWith("    credit_limit:\n", COLUMNS);
        try (Connection raw = db.raw(); Statement s = raw.createStatement()) {
            s.execute("ALTER TABLE customers ADD COLUMN score bytea, ADD COLUMN balance bytea, ADD COLUMN opened bytea");
            s.execute("CREATE TABLE customers_plain (id serial, name text, score int, balance numeric, opened date,"
                    + " birth_date date, email text)");
        }
        try (Connection support = db.as(policy, "support", "customer-service"); Statement s = support.createStatement();
             Connection raw = db.raw(); Statement plain = raw.createStatement()) {
            for (String row : ROWS) {
                String insert = "INSERT INTO %s (name, score, balance, opened, birth_date, email) VALUES " + row;
                s.executeUpdate(insert.formatted("customers"));
                plain.executeUpdate(insert.formatted("customers_plain"));
            }
        }
    }

    @Test
    void writtenValuesAreWhatTheServerStoresOnPlaintext() throws Exception {
        String sql = "SELECT name, score, balance, opened, birth_date, email FROM customers";
        try (Connection support = db.as(policy, "support", "customer-service"); Connection raw = db.raw()) {
            assertEquals(rows(raw, sql.replace("customers", "customers_plain")), rows(support, sql));
        }
        try (Connection raw = db.raw(); Statement s = raw.createStatement();
             ResultSet rs = s.executeQuery("SELECT score, balance, opened FROM customers")) {
            while (rs.next()) {
                for (int i = 1; i <= 3; i++) {
                    byte[] stored = rs.getBytes(i);
                    String text = stored == null ? "" : new String(stored, StandardCharsets.ISO_8859_1);
                    assertFalse(text.contains("42.125") || text.contains("2024-01"), text);
                }
            }
        }
    }

    @Test
    void comparedValuesMatchWhatTheyMatchOnPlaintext() throws Exception {
        List<String> filters = List.of("score = -5", "score = - 5", "score <> -5", "score IN (-5, 3)",
                "score = ANY (ARRAY[-5, 7])", "balance = -42.125", "balance = CAST('-42.1250' AS numeric)",
                "balance = -0.25", "balance = 1.5", "opened = '2024-01-01'::date", "opened = DATE '2024-01-01'",
                "opened = CAST('2024-01-02' AS date)", "(score = -5 OR balance = 0.5)", "NOT score = -5",
                "email = '-7'", "birth_date IS NULL");
        try (Connection support = db.as(policy, "support", "customer-service"); Connection raw = db.raw()) {
            for (String filter : filters) {
                String sql = "SELECT name FROM customers WHERE " + filter;
                List<String> expected = rows(raw, sql.replace("customers", "customers_plain"));
                assertFalse(expected.isEmpty(), sql);
                assertEquals(expected, rows(support, sql), sql);
            }
        }
    }

    @Test
    void literalsWhoseValueTheServerWouldChangeAreRefused() throws Exception {
        List<String> refused = List.of(
                "INSERT INTO customers (name, score) VALUES ('x', CAST('5' AS numeric))",
                "INSERT INTO customers (name, balance) VALUES ('x', CAST('1.555' AS numeric(10,2)))",
                "INSERT INTO customers (name, balance) VALUES ('x', '1.5'::numeric::int)",
                "INSERT INTO customers (name, score) VALUES ('x', -5::int)",
                "INSERT INTO customers (name, score) VALUES ('x', 5 - 10)",
                "INSERT INTO customers (name, email) VALUES ('x', DATE '2024-01-01')",
                "INSERT INTO customers (name, email) VALUES ('x', 007)",
                "INSERT INTO customers (name, email) VALUES ('x', 1e3)",
                "INSERT INTO customers (name, email) VALUES ('x', -0)",
                "SELECT name FROM customers WHERE opened = '2024-01-01'::timestamp",
                "SELECT name FROM customers WHERE score = -?::int");
        try (Connection support = db.as(policy, "support", "customer-service"); Statement s = support.createStatement()) {
            for (String sql : refused) {
                SQLException e = assertThrows(SQLException.class, () -> {
                    if (sql.contains("?")) support.prepareStatement(sql).close();
                    else s.execute(sql);
                }, sql);
                assertEquals("0A000", e.getSQLState(), sql + ": " + e.getMessage());
                assertTrue(e.getMessage().contains("customers."), e.getMessage());
                assertFalse(e.getMessage().contains("2024") || e.getMessage().contains("1.5"), e.getMessage());
            }
        }
        try (Connection support = db.as(policy, "support", "customer-service"); Statement s = support.createStatement()) {
            // the column's own type, but not a value of it: refused as the server would refuse it (22P02 there)
            SQLException e = assertThrows(SQLException.class,
                    () -> s.execute("INSERT INTO customers (name, score) VALUES ('x', '1.5'::int)"));
            assertEquals("22023", e.getSQLState(), e.getMessage());
        }
        try (Connection raw = db.raw(); Statement s = raw.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM customers")) {
            assertTrue(rs.next());
            assertEquals(ROWS.length, rs.getInt(1), "nothing refused was written");
        }
    }

    /** Each row as text; numbers in their canonical form (Warden keeps a numeric's value, not its scale). */
    private static List<String> rows(Connection c, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            int width = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= width; i++) {
                    Object v = rs.getObject(i);
                    if (v instanceof BigDecimal d) v = d.stripTrailingZeros().toPlainString();
                    row.append(v).append('|');
                }
                out.add(row.toString());
            }
        }
        out.sort(null);
        return out;
    }
}
