package dev.warden.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.testkit.CustomersExample;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The scale of a protected numeric: PostgreSQL's unconstrained numeric keeps the scale written ({@code 1.50} reads
 * 1.50). A randomized numeric column does too, for literals and parameters, exactly as a plaintext twin. A
 * deterministic numeric column compares ciphertexts, so each value has one encoding (its canonical form): it reads
 * back {@code 1.5} for {@code 1.50} (documented in docs/supported-sql.md), and {@code = 1.50} matches 1.5 as in
 * PostgreSQL.
 */
class NumericScaleIT {

    private static final String COLUMNS = """
                amount:
                  encrypt: randomized
                  type: numeric
                  read: { support: plaintext }
                  write: [support]
                balance:
                  encrypt: deterministic
                  type: numeric
                  read: { support: plaintext }
                  filter: [support]
                  write: [support]
                credit_limit:
            """;

    private static final String[] LITERALS = {"1.50", "-0.0", "1e2", "100.000", "CAST('2.50' AS numeric)",
            "'3.1400'::numeric", "-42.1250", "0.00", "7"};
    private static final String[] PARAMETERS = {"1.50", "-0.0", "1E+2", "100.000", "0.000", "12345678901234567890.123"};

    private CustomersExample db;
    private Path policy;

    @BeforeEach
    void twins() throws Exception {
        db = CustomersExample.create();
        policy = CustomersExample.newPolicyDirectoryWith("    credit_limit:\n", COLUMNS);
        try (Connection raw = db.raw(); Statement s = raw.createStatement()) {
            s.execute("ALTER TABLE customers ADD COLUMN amount bytea, ADD COLUMN balance bytea");
            s.execute("CREATE TABLE customers_plain (id serial, name text, amount numeric, balance numeric)");
        }
        try (Connection support = db.as(policy, "support", "customer-service"); Statement s = support.createStatement();
             Connection raw = db.raw(); Statement plain = raw.createStatement()) {
            int n = 0;
            for (String literal : LITERALS) {
                String insert = "INSERT INTO %s (name, amount, balance) VALUES ('l" + n++ + "', " + literal + ", "
                        + literal + ")";
                s.executeUpdate(insert.formatted("customers"));
                plain.executeUpdate(insert.formatted("customers_plain"));
            }
            for (String value : PARAMETERS) {
                for (Connection c : List.of(support, raw)) {
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + (c == raw ? "customers_plain"
                            : "customers") + " (name, amount, balance) VALUES (?, ?, ?)")) {
                        ps.setString(1, "p" + n);
                        ps.setBigDecimal(2, new BigDecimal(value));
                        ps.setBigDecimal(3, new BigDecimal(value));
                        ps.executeUpdate();
                    }
                }
                n++;
            }
        }
    }

    @Test
    void aRandomizedNumericKeepsTheScaleWrittenAsPostgresDoes() throws Exception {
        String sql = "SELECT name, amount FROM customers ORDER BY name";
        try (Connection support = db.as(policy, "support", "customer-service"); Connection raw = db.raw()) {
            List<String> expected = rows(raw, sql.replace("customers", "customers_plain"));
            assertTrue(expected.contains("l0|1.50|1.50"), expected.toString());
            assertEquals(expected, rows(support, sql));
        }
    }

    @Test
    void aDeterministicNumericReadsInItsCanonicalFormAndComparesAsPostgres() throws Exception {
        try (Connection support = db.as(policy, "support", "customer-service"); Connection raw = db.raw()) {
            String sql = "SELECT name, balance FROM customers ORDER BY name";
            List<String> expected = new ArrayList<>();
            for (String row : rows(raw, sql.replace("customers", "customers_plain"))) {
                String[] cells = row.split("\\|");
                BigDecimal canonical = new BigDecimal(cells[1]);
                canonical = canonical.signum() == 0 ? BigDecimal.ZERO : canonical.stripTrailingZeros();
                expected.add(cells[0] + "|" + canonical.toPlainString() + "|" + canonical.toPlainString());
            }
            assertEquals(expected, rows(support, sql));
            for (String filter : List.of("balance = 1.50", "balance = 1.5", "balance = 100", "balance = 1e2",
                    "balance = 0", "balance IN (2.5, 3.14)", "balance <> 1.500")) {
                String query = "SELECT name FROM customers WHERE " + filter + " ORDER BY name";
                assertEquals(rows(raw, query.replace("customers", "customers_plain")), rows(support, query), filter);
            }
            try (PreparedStatement ps = support.prepareStatement("SELECT name FROM customers WHERE balance = ?");
                 PreparedStatement twin = raw.prepareStatement("SELECT name FROM customers_plain WHERE balance = ?")) {
                for (String value : List.of("1.5", "1.5000", "100.0", "-0.00")) {
                    ps.setBigDecimal(1, new BigDecimal(value));
                    twin.setBigDecimal(1, new BigDecimal(value));
                    assertEquals(collect(twin.executeQuery()), collect(ps.executeQuery()), value);
                }
            }
        }
    }

    /** Each row as name|getString|getBigDecimal, in the query's order. */
    private static List<String> rows(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return collect(rs);
        }
    }

    private static List<String> collect(ResultSet rs) throws SQLException {
        List<String> out = new ArrayList<>();
        try (rs) {
            int width = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder row = new StringBuilder(rs.getString(1));
                if (width > 1) {
                    BigDecimal d = rs.getBigDecimal(2);
                    row.append('|').append(rs.getString(2)).append('|').append(d == null ? null : d.toPlainString());
                }
                out.add(row.toString());
            }
        }
        return out;
    }
}
