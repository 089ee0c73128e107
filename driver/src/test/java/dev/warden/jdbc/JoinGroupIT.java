package dev.warden.jdbc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.engine.EngineConfig;
import dev.warden.engine.Reencryption;
import dev.warden.testkit.CustomersExample;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Equi-joins between two protected columns that the policy puts in one {@code join-group}: both encrypted under
 * the group's binding, so equal values are equal ciphertexts across the tables and the database's join is the
 * plaintext's join (compared with plaintext twin tables). Outside a group the comparison is refused, saying how
 * to allow it; a column that joins a group keeps its old rows readable only after {@code warden keys reencrypt}.
 */
class JoinGroupIT {

    private static final String LEADS = """
              leads:
                email:
                  encrypt: deterministic
                  read: { support: plaintext, analyst: masked }
                  mask: email
                  write: [support]
                  JOIN
            """;
    private static final String[][] CUSTOMERS = {{"Ann", "ann@example.com"}, {"Bob", "bob@example.com"},
            {"Cid", "cid@example.com"}, {"Nil", null}};
    private static final String[][] LEAD_ROWS = {{"fair", "ann@example.com"}, {"web", "ann@example.com"},
            {"call", "cid@example.com"}, {"mail", "zed@example.com"}, {"none", null}};

    private CustomersExample db;
    private Path grouped;

    @BeforeEach
    void seed() throws Exception {
        db = CustomersExample.create();
        try (Connection raw = db.raw(); Statement s = raw.createStatement()) {
            s.execute("CREATE TABLE leads (id serial PRIMARY KEY, source text, email bytea)");
            s.execute("CREATE TABLE customers_plain (id serial PRIMARY KEY, name text, email text)");
            s.execute("CREATE TABLE leads_plain (id serial PRIMARY KEY, source text, email text)");
        }
        grouped = policy(true);
        insert(grouped);
    }

    /** The example policy with the leads table; both email columns in group {@code contact} when asked. */
    private static Path policy(boolean group) throws Exception {
        Path dir = CustomersExample.newPolicyDirectory();
        Path file = dir.resolve("policy.yaml");
        String yaml = Files.readString(file);
        String join = group ? "join-group: contact" : "";
        yaml = yaml.replace("      purposes: [customer-service, order-processing]\n",
                "      purposes: [customer-service, order-processing]\n      " + join + "\n");
        yaml = yaml.replace("\naudit:", "\n" + LEADS.replace("JOIN", join) + "\naudit:");
        Files.writeString(file, yaml);
        return dir;
    }

    private void insert(Path policy) throws SQLException {
        try (Connection support = db.as(policy, "support", "customer-service"); Connection raw = db.raw()) {
            for (String[] row : CUSTOMERS) {
                for (Connection c : List.of(support, raw)) {
                    String table = c == raw ? "customers_plain" : "customers";
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (name, email) VALUES (?, ?)")) {
                        ps.setString(1, row[0]);
                        ps.setString(2, row[1]);
                        ps.executeUpdate();
                    }
                }
            }
            for (String[] row : LEAD_ROWS) {
                for (Connection c : List.of(support, raw)) {
                    String table = c == raw ? "leads_plain" : "leads";
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (source, email) VALUES (?, ?)")) {
                        ps.setString(1, row[0]);
                        ps.setString(2, row[1]);
                        ps.executeUpdate();
                    }
                }
            }
        }
    }

    private static final List<String> JOINS = List.of(
            "SELECT c.name, l.source, l.email FROM customers c JOIN leads l ON c.email = l.email",
            "SELECT c.name, l.source FROM customers c LEFT JOIN leads l ON l.email = c.email",
            "SELECT name, source FROM customers JOIN leads USING (email)",
            "SELECT name FROM customers WHERE email IN (SELECT email FROM leads)",
            "SELECT name FROM customers WHERE email NOT IN (SELECT email FROM leads WHERE email IS NOT NULL)",
            "SELECT c.email, count(*) FROM customers c JOIN leads l ON c.email = l.email GROUP BY c.email");

    @Test
    void joinsOnColumnsOfOneGroupAnswerWhatThePlaintextTwinsAnswer() throws Exception {
        try (Connection support = db.as(grouped, "support", "customer-service"); Connection raw = db.raw()) {
            for (String sql : JOINS) {
                List<String> expected = rows(raw, twin(sql));
                assertFalse(expected.isEmpty(), sql);
                assertEquals(expected, rows(support, sql), sql);
            }
        }
    }

    @Test
    void equalValuesAreEqualCiphertextsAcrossTheGroupAndNoneIsPlaintext() throws Exception {
        try (Connection raw = db.raw(); Statement s = raw.createStatement();
             ResultSet rs = s.executeQuery("SELECT c.email, l.email FROM customers c, leads l WHERE c.name = 'Ann'"
                     + " AND l.source = 'fair'")) {
            assertTrue(rs.next());
            assertArrayEquals(rs.getBytes(1), rs.getBytes(2));
            assertFalse(new String(rs.getBytes(1), StandardCharsets.ISO_8859_1).contains("ann@"));
        }
    }

    @Test
    void aRoleWithoutTheFilterRightMayNotJoin() throws Exception {
        try (Connection analyst = db.as(grouped, "analyst", null); Statement s = analyst.createStatement()) {
            SQLException e = assertThrows(SQLException.class, () -> s.executeQuery(JOINS.get(0)));
            assertEquals("42501", e.getSQLState(), e.getMessage());
            assertTrue(e.getMessage().contains("may not filter on customers.email"), e.getMessage());
        }
    }

    @Test
    void outsideAGroupTheJoinIsRefusedSayingHowToAllowIt() throws Exception {
        Path apart = policy(false);
        try (Connection support = db.as(apart, "support", "customer-service"); Statement s = support.createStatement()) {
            for (String sql : JOINS) {
                SQLException e = assertThrows(SQLException.class, () -> s.executeQuery(sql), sql);
                assertEquals("0A000", e.getSQLState(), sql + ": " + e.getMessage());
                assertTrue(e.getMessage().contains("join-group"), e.getMessage());
            }
            // a protected column compared with an unprotected one is no join of a group either
            SQLException e = assertThrows(SQLException.class,
                    () -> s.executeQuery("SELECT c.name FROM customers c JOIN leads l ON c.email = l.source"));
            assertEquals("0A000", e.getSQLState());
            assertTrue(e.getMessage().contains("compared with unprotected column leads.source"), e.getMessage());
        }
    }

    @Test
    void aColumnThatJoinsAGroupIsReadableAgainOnceReencrypted() throws Exception {
        CustomersExample fresh = CustomersExample.create();
        try (Connection raw = fresh.raw(); Statement s = raw.createStatement()) {
            s.execute("CREATE TABLE leads (id serial PRIMARY KEY, source text, email bytea)");
        }
        Path apart = policy(false);
        try (Connection support = fresh.as(apart, "support", "customer-service");
             Statement s = support.createStatement()) {
            s.executeUpdate("INSERT INTO customers (name, email) VALUES ('Ann', 'ann@example.com')");
            s.executeUpdate("INSERT INTO leads (source, email) VALUES ('fair', 'ann@example.com')");
        }
        Path joined = CustomersExample.copyOfPolicyDirectory(apart);
        Files.writeString(joined.resolve("policy.yaml"), Files.readString(grouped.resolve("policy.yaml")));
        try (Connection support = fresh.as(joined, "support", "customer-service"); Statement s = support.createStatement()) {
            SQLException e = assertThrows(SQLException.class, () -> rowsOf(s, "SELECT email FROM customers"));
            assertEquals("XX001", e.getSQLState(), e.getMessage());
        }
        Reencryption r = Reencryption.open(new EngineConfig(joined.resolve("policy.yaml").toString(),
                "file:" + joined.resolve("demo-master-key.txt")));
        for (String table : List.of("customers", "leads")) {
            try (Connection raw = fresh.raw()) {
                Reencryption.Result result = r.run(raw, new Reencryption.Options(table, Set.of(), 10, false), null);
                assertEquals(1, result.rowsUpdated(), table);
            }
        }
        try (Connection support = fresh.as(joined, "support", "customer-service"); Statement s = support.createStatement()) {
            assertEquals(List.of("ann@example.com|"), rowsOf(s, "SELECT email FROM customers"));
            assertEquals(List.of("Ann|fair|"), rowsOf(s, "SELECT c.name, l.source FROM customers c JOIN leads l"
                    + " ON c.email = l.email"));
        }
    }

    private static String twin(String sql) {
        return sql.replace(" customers", " customers_plain").replace(" leads", " leads_plain");
    }

    private static List<String> rows(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            return rowsOf(s, sql);
        }
    }

    private static List<String> rowsOf(Statement s, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (ResultSet rs = s.executeQuery(sql)) {
            int width = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= width; i++) row.append(rs.getString(i)).append('|');
                out.add(row.toString());
            }
        }
        out.sort(null);
        return out;
    }
}
