package dev.warden.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.audit.AuditEvent;
import dev.warden.crypto.MasterKey;
import dev.warden.crypto.WardenKeyset;
import dev.warden.testkit.CustomersExample;
import dev.warden.testkit.SecretColumnsExample;
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
 * Issue 10 as an attacker would try it, on a real PostgreSQL: classes 1 (special syntax hides a column),
 * 3 (a write copies a protected column out) and 10 (another spelling of a guarded shape). Each test seeds a
 * secret in an encrypted column ({@code ssn}, deterministic) and in a rules-only one ({@code hkid},
 * {@code encrypt: none}), and checks that no role that may not see it gets it: not in a result, not in an
 * error message, not in the audit trail, not copied at rest; refused statements get 0A000 or 42501 naming the
 * column, and leave exactly one audit event each.
 */
class FailClosedAnalysisIT {

    private static final String SSN = SecretColumnsExample.SSN;
    private static final String HKID = SecretColumnsExample.HKID;
    private static final String EMAIL = SecretColumnsExample.EMAIL;

    private SecretColumnsExample example;
    private CustomersExample db;
    private Path dir;
    private int id;

    @BeforeEach
    void seed() throws Exception {
        example = SecretColumnsExample.create();
        db = example.db();
        dir = example.policyDirectory();
        id = example.id();
    }

    private Connection as(String role, String purpose) throws SQLException {
        return db.as(dir, role, purpose);
    }

    // ---------------------------------------------------------------- class 1: special syntax

    @Test
    void specialSyntaxOnAnEncryptedColumnIsRefusedForEveryRole() throws Exception {
        for (String role : List.of("analyst", "support", "billing")) {
            for (String sql : List.of(
                    "SELECT substring(ssn FROM 1) FROM customers",
                    "SELECT id FROM customers WHERE position('1' IN ssn) = 1",
                    "SELECT overlay(ssn PLACING '' FROM 1 FOR 0) FROM customers",
                    "SELECT s FROM (SELECT substring(ssn FROM 1) AS s FROM customers) x",
                    "SELECT trim(both from ssn) FROM customers")) {
                assertRefused(role, sql, "customers.ssn", SSN);
            }
            // a whole-row reference reads every column: the refusal names the first protected one
            assertRefused(role, "SELECT (c).ssn FROM customers c", "customers.", SSN);
        }
    }

    @Test
    void specialSyntaxOnARulesOnlyColumnIsRefusedToRolesWithoutPlaintext() throws Exception {
        for (String role : List.of("analyst", "billing")) {
            for (String sql : List.of(
                    "SELECT substring(hkid FROM 1) FROM customers",
                    "SELECT id FROM customers WHERE position('7' IN hkid) = 2",
                    "SELECT overlay(hkid PLACING 'x' FROM 1 FOR 1) FROM customers",
                    "SELECT s FROM (SELECT substring(hkid FROM 2) AS s FROM customers) x",
                    "SELECT trim(leading 'B' from hkid) FROM customers",
                    "SELECT extract(year FROM hkid::date) FROM customers",
                    "SELECT hkid AT TIME ZONE 'UTC' FROM customers",
                    "SELECT id FROM customers WHERE (hkid, id) = ('x', 1)",
                    "SELECT id FROM customers WHERE hkid IS DISTINCT FROM 'x'")) {
                assertRefused(role, sql, "customers.hkid", HKID);
            }
            // the quoted collation is respelled for JSqlParser (ParserSpelling): COLLATE is computed on the column
            assertRefused(role, "SELECT id FROM customers WHERE hkid COLLATE \"C\" > 'A'", "customers.hkid", HKID);
            assertRefused(role, "SELECT (c).hkid FROM customers c", "customers.", HKID);
        }
        // the role that reads it in plaintext may compute on it, as before
        try (Connection support = as("support", "customer-service"); Statement s = support.createStatement();
             ResultSet rs = s.executeQuery("SELECT substring(hkid FROM 2) FROM customers")) {
            assertTrue(rs.next());
            assertEquals(HKID.substring(1), rs.getString(1));
        }
    }

    // ---------------------------------------------------------------- class 3: copies

    @Test
    void aWriteMayNotCopyAProtectedColumnOutEvenForItsReaders() throws Exception {
        List<String> encrypted = List.of(
                "INSERT INTO notes (id, b) SELECT id, ssn FROM customers",
                "INSERT INTO notes SELECT id, name, ssn FROM customers",
                "INSERT INTO notes (id, b) SELECT id, x FROM (SELECT id, ssn AS x FROM customers) s",
                "WITH s AS (SELECT id, ssn FROM customers) INSERT INTO notes (id, b) SELECT id, ssn FROM s",
                "INSERT INTO notes (id, b) VALUES (1, (SELECT ssn FROM customers LIMIT 1))",
                "UPDATE customers SET phone = ssn");
        List<String> rulesOnly = List.of(
                "INSERT INTO notes (id, val) SELECT id, hkid FROM customers",
                "INSERT INTO notes (id, val) SELECT id, upper(hkid) FROM customers",
                "INSERT INTO notes (id, val) SELECT s.id, s.v FROM (SELECT id, substring(hkid FROM 1) v FROM customers) s",
                "WITH s AS (SELECT id, lower(hkid) v FROM customers) INSERT INTO notes (id, val) SELECT id, v FROM s");
        try (Connection raw = db.raw(); Statement s = raw.createStatement()) {
            s.execute("INSERT INTO notes (id, val) VALUES (" + id + ", 'x')");
        }
        List<String> updates = List.of(
                "UPDATE notes SET val = c.hkid FROM customers c WHERE c.id = notes.id",
                "UPDATE notes SET val = (SELECT hkid FROM customers LIMIT 1)",
                "UPDATE customers SET name = hkid");
        for (String role : List.of("analyst", "billing", "support")) {
            for (String sql : encrypted) assertRefused(role, sql, "customers.ssn", SSN);
            for (String sql : rulesOnly) assertRefused(role, sql, "customers.hkid", HKID);
            for (String sql : updates) assertRefused(role, sql, "customers.hkid", HKID);
        }
        try (Connection raw = db.raw(); Statement s = raw.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*), max(val), max(b::text) FROM notes")) {
            assertTrue(rs.next());
            assertEquals(1, rs.getInt(1), "nothing was copied");
            assertEquals("x", rs.getString(2));
            assertEquals(null, rs.getString(3));
        }
        try (Connection raw = db.raw(); Statement s = raw.createStatement();
             ResultSet rs = s.executeQuery("SELECT name, phone FROM customers")) {
            assertTrue(rs.next());
            assertEquals("Ann", rs.getString(1));
            assertEquals(null, rs.getString(2));
        }
    }

    @Test
    void filtersOnProtectedColumnsInsideWritesStillWork() throws Exception {
        try (Connection support = as("support", "customer-service");
             PreparedStatement ps = support.prepareStatement(
                     "INSERT INTO notes (id, val) SELECT id, name FROM customers WHERE email = ? AND hkid IS NOT NULL")) {
            ps.setString(1, EMAIL);
            assertEquals(1, ps.executeUpdate());
        }
        try (Connection raw = db.raw(); Statement s = raw.createStatement();
             ResultSet rs = s.executeQuery("SELECT val FROM notes")) {
            assertTrue(rs.next());
            assertEquals("Ann", rs.getString(1));
        }
    }

    // ---------------------------------------------------------------- class 10: ON CONFLICT spellings

    @Test
    void everyOnConflictSpellingIsRefusedDuringARotation() throws Exception {
        Path rotated = CustomersExample.copyOfPolicyDirectory(dir);
        MasterKey master = MasterKey.resolve("file:" + rotated.resolve("demo-master-key.txt"));
        Path keysetFile = rotated.resolve("demo-keyset.json");
        WardenKeyset.read(keysetFile, master).rotate().write(keysetFile, master);
        List<String> spellings = List.of(
                "INSERT INTO customers (name, email) VALUES ('Hal', ?) ON CONFLICT (email) DO UPDATE SET name = EXCLUDED.name",
                "INSERT INTO customers (name, email) VALUES ('Hal', ?) ON CONFLICT ON CONSTRAINT customers_email_key"
                        + " DO UPDATE SET name = EXCLUDED.name",
                "INSERT INTO customers (name, email) VALUES ('Hal', ?) ON CONFLICT ON CONSTRAINT \"customers_email_key\""
                        + " DO NOTHING",
                "INSERT INTO customers (name, email) VALUES ('Hal', ?) ON CONFLICT DO NOTHING");
        for (String sql : spellings) {
            try (Connection warden = db.as(rotated, "support", "customer-service")) {
                // refused when prepared or when run, whichever comes first
                SQLException e = assertThrows(SQLException.class, () -> {
                    try (PreparedStatement ps = warden.prepareStatement(sql)) {
                        ps.setString(1, EMAIL);
                        ps.executeUpdate();
                    }
                }, sql);
                assertEquals("0A000", e.getSQLState(), sql + ": " + e.getMessage());
                assertTrue(e.getMessage().contains("customers.email"), e.getMessage());
                assertFalse(e.getMessage().contains(EMAIL), e.getMessage());
            }
        }
        try (Connection raw = db.raw(); Statement s = raw.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM customers")) {
            assertTrue(rs.next());
            assertEquals(1, rs.getInt(1), "no duplicate was inserted");
        }
        // with one key every spelling works and arbitrates on the one ciphertext of the value
        for (String sql : spellings) {
            try (Connection warden = as("support", "customer-service"); PreparedStatement ps = warden.prepareStatement(sql)) {
                ps.setString(1, EMAIL);
                ps.executeUpdate();
            }
        }
        try (Connection raw = db.raw(); Statement s = raw.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM customers")) {
            assertTrue(rs.next());
            assertEquals(1, rs.getInt(1));
        }
    }

    @Test
    void anUnknownConstraintNameIsRefusedOnAProtectedTable() throws Exception {
        try (Connection warden = as("support", "customer-service"); Statement s = warden.createStatement()) {
            SQLException e = assertThrows(SQLException.class, () -> s.executeUpdate(
                    "INSERT INTO customers (name) VALUES ('Hal') ON CONFLICT ON CONSTRAINT no_such DO NOTHING"));
            assertEquals("0A000", e.getSQLState(), e.getMessage());
            assertTrue(e.getMessage().contains("no_such"), e.getMessage());
        }
    }

    // ---------------------------------------------------------------- helpers

    /** The statement is refused with 0A000 or 42501 naming the column, leaks nothing, and leaves one event. */
    private void assertRefused(String role, String sql, String column, String secret) throws Exception {
        int before = example.settledEventCount();
        String purpose = role.equals("analyst") ? null : "customer-service";
        try (Connection c = as(role, purpose); Statement s = c.createStatement()) {
            SQLException e = assertThrows(SQLException.class, () -> {
                if (s.execute(sql)) {
                    try (ResultSet rs = s.getResultSet()) {
                        while (rs.next()) {
                            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                                assertFalse(String.valueOf(rs.getString(i)).contains(secret.substring(1)),
                                        role + " got the secret through " + sql);
                            }
                        }
                    }
                }
            }, role + ": " + sql);
            assertTrue(e.getSQLState().equals("0A000") || e.getSQLState().equals("42501"),
                    role + ": " + sql + " -> " + e.getSQLState() + " " + e.getMessage());
            assertTrue(e.getMessage().contains(column), role + ": " + sql + " -> " + e.getMessage());
            assertFalse(e.getMessage().contains(secret), e.getMessage());
        }
        List<AuditEvent> events = example.awaitEvents(before + 1);
        assertEquals(before + 1, events.size(), "one audit event for " + sql);
        AuditEvent last = events.get(events.size() - 1);
        assertEquals("refused", last.decision(), sql);
        if (column.startsWith("customers.") && column.length() > "customers.".length()) {
            // the event names what the statement tried to reach, not columnsRead {}
            assertTrue(last.columnsRead().containsKey(column) || last.columnsWritten().contains(column)
                    || last.columnsFiltered().contains(column), sql + " -> " + last);
        }
        String trail = example.trail();
        assertFalse(trail.contains(secret) || trail.contains(secret.substring(1)), "the trail holds no secret");
    }
}
