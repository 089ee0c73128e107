package dev.warden.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.audit.AuditEvent;
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
 * Red-team findings against the analyzer, on a real PostgreSQL: shapes that were not covered by
 * {@link FailClosedAnalysisIT}, {@link ServerComputeIT} and the other issue 10 tests, each found to leak and
 * then closed. Secrets are seeded in an encrypted column ({@code ssn}, deterministic) and a rules-only one
 * ({@code hkid}, {@code encrypt: none}); the checks are those of {@link FailClosedAnalysisIT}: the role never
 * gets the secret (result, error text, audit trail), nothing is copied at rest, the refusal is 0A000 or 42501
 * and names what it refuses, one audit event per statement.
 */
class RedTeamAnalysisIT {

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

    private static String purposeOf(String role) {
        return SecretColumnsExample.purposeOf(role);
    }

    // ---------------------------------------------------------------- lexer desync: standard_conforming_strings

    /**
     * Found: with {@code standard_conforming_strings} off, {@code 'a\' -- '} is one string to the server, while
     * Warden's lexer (reading it with the setting on) ends the string at the backslash and sees a comment after
     * it. The protected table then sat in what Warden took for a comment, the statement passed through
     * unanalysed, and the server returned the plaintext. The backslash check only ran for statements Warden had
     * already found to touch a protected table.
     */
    @Test
    void aBackslashStringCannotHideAProtectedTableWhenStringsAreNotStandard() throws Exception {
        for (String role : List.of("analyst", "billing")) {
            String hidden = "SELECT 'a\\' -- ', (SELECT hkid FROM customers LIMIT 1) AS x\n";
            String hiddenSsn = "SELECT 'a\\' -- ', (SELECT ssn FROM customers LIMIT 1) AS x\n";
            int before = example.settledEventCount();
            try (Connection c = as(role, purposeOf(role)); Statement s = c.createStatement()) {
                s.execute("SET standard_conforming_strings = off");
                for (String sql : List.of(hidden, hiddenSsn)) {
                    SQLException e = assertThrows(SQLException.class, () -> readAll(s, sql, role), role + ": " + sql);
                    assertEquals("0A000", e.getSQLState(), e.getMessage());
                    assertTrue(e.getMessage().contains("standard_conforming_strings"), e.getMessage());
                    assertNoSecret(e.getMessage());
                }
                // the same text prepared, and run after the setting changed
                s.execute("SET standard_conforming_strings = on");
                try (PreparedStatement ps = c.prepareStatement(hidden)) {
                    s.execute("SET standard_conforming_strings = off");
                    SQLException e = assertThrows(SQLException.class, () -> {
                        try (ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) assertNoSecret(String.valueOf(rs.getString(2)));
                        }
                    });
                    assertEquals("0A000", e.getSQLState(), e.getMessage());
                }
                // a statement touching no protected table and holding no backslash still passes as with pgjdbc
                try (ResultSet rs = s.executeQuery("SELECT 'plain' -- customers\n")) {
                    assertTrue(rs.next());
                    assertEquals("plain", rs.getString(1));
                }
            }
            List<AuditEvent> events = example.awaitEvents(before + 3);
            long refused = events.stream().skip(before).filter(e -> "refused".equals(e.decision())).count();
            assertEquals(3, refused, "one refusal event per refused execution: " + events.subList(before, events.size()));
            assertTrailHoldsNoSecret();
        }
    }

    // ---------------------------------------------------------------- name resolution: search_path

    /**
     * Found: the column lists of tables were cached under the bare name for every session, read along the
     * search_path of whichever session asked first. A session that put a schema holding its own
     * {@code customers} (the policy's column names, another order) first on its search_path cached that shape;
     * then, in any session, {@code SELECT t.j FROM customers AS t(a, ..., j)} was analysed as reading an
     * unprotected column while the server read {@code public.customers.hkid}: plaintext to a role that may not
     * read it, and to a role that sees it masked.
     */
    @Test
    void aSameNamedTableInAnotherSchemaCannotShiftTheColumnsOfAProtectedTable() throws Exception {
        String byPosition = "SELECT t.j FROM customers AS t(a, b, c, d, e, f, g, h, i, j)";
        String derived = "SELECT x.j FROM (SELECT * FROM customers) AS x(a, b, c, d, e, f, g, h, i, j)";
        try (Connection analyst = as("analyst", null); Statement s = analyst.createStatement()) {
            s.execute("CREATE SCHEMA s2");
            s.execute("CREATE TABLE s2.customers (id int, name text, email bytea, phone bytea, card_number text,"
                    + " birth_date bytea, credit_limit bytea, ssn bytea, hkid text, country text)");
            s.execute("SET search_path = s2, public");
            // a statement in the shadowed session: whatever Warden decides, nothing secret comes back
            try {
                readAll(s, "SELECT id FROM customers", "analyst");
            } catch (SQLException refused) {
                assertNoSecret(refused.getMessage());
            }
            s.execute("RESET search_path");
        }
        // every other session reads public.customers by its own shape (shapes are cached per relation, never per
        // bare name): refused or masked per the rule of the column at that position, never another's plaintext
        for (String role : List.of("analyst", "billing")) {
            for (String sql : List.of(byPosition, derived)) assertNoSecretReaches(role, sql);
        }
        try (Connection raw = db.raw(); Statement s = raw.createStatement()) {
            s.execute("DROP TABLE s2.customers");
        }
        // a temporary table shadows public.customers without any SET: the session that has it is analysed on its
        // own table (held to the customers rules), and nothing secret comes back
        try (Connection analyst = as("analyst", null); Statement s = analyst.createStatement()) {
            s.execute("CREATE TEMP TABLE customers (id int, name text, email bytea, phone bytea, card_number text,"
                    + " birth_date bytea, credit_limit bytea, ssn bytea, hkid text, country text)");
            try {
                readAll(s, byPosition, "analyst");
            } catch (SQLException refused) {
                assertNoSecret(refused.getMessage());
            }
            // other sessions never see that temporary table while it exists
            for (String role : List.of("analyst", "billing")) assertNoSecretReaches(role, byPosition);
        }
        for (String role : List.of("analyst", "billing")) assertNoSecretReaches(role, byPosition);
        // the schema-qualified name is never ambiguous: the rules apply by position as by name
        try (Connection support = as("support", "customer-service"); Statement s = support.createStatement();
             ResultSet rs = s.executeQuery("SELECT t.j FROM public.customers AS t(a, b, c, d, e, f, g, h, i, j)")) {
            assertTrue(rs.next());
            assertEquals(HKID, rs.getString(1));
        }
        assertRefused("analyst", "SELECT t.j FROM public.customers AS t(a, b, c, d, e, f, g, h, i, j)", "customers.hkid");
    }

    // ---------------------------------------------------------------- overloads of the built-ins Warden allows

    /**
     * Found: PostgreSQL picks among same-named functions and operators by argument types, whatever the schema.
     * An aggregate {@code count(text)} or an operator {@code =(text, integer)} created through Warden (their
     * bodies name no protected table) took over {@code count(hkid)} (allowed to every role) and
     * {@code hkid = ?} bound as an integer (allowed to a masked reader), and ran over every stored rules-only
     * value, copying it into a table the attacker reads.
     */
    @Test
    void aUserOverloadOfCountOrEqualsCannotRunOverProtectedValues() throws Exception {
        try (Connection billing = as("billing", "customer-service"); Statement s = billing.createStatement()) {
            s.execute("CREATE FUNCTION leak_count(bigint, text) RETURNS bigint LANGUAGE sql"
                    + " AS 'INSERT INTO notes (id, val) VALUES (21, $2); SELECT coalesce($1, 0) + 1'");
            s.execute("CREATE AGGREGATE count(text) (SFUNC = leak_count, STYPE = bigint, INITCOND = '0')");
        }
        assertRefused("analyst", "SELECT count(hkid) FROM customers", "function public.count");
        assertRefused("billing", "SELECT count(hkid) FROM customers", "function public.count");
        assertNothingCopied();
        try (Connection raw = db.raw(); Statement s = raw.createStatement()) {
            s.execute("DROP AGGREGATE count(text)");
        }
        try (Connection billing = as("billing", "customer-service"); Statement s = billing.createStatement()) {
            s.execute("CREATE FUNCTION leak_eq(text, int) RETURNS boolean LANGUAGE sql"
                    + " AS 'INSERT INTO notes (id, val) VALUES (20, $1); SELECT false'");
            s.execute("CREATE OPERATOR = (LEFTARG = text, RIGHTARG = int, FUNCTION = leak_eq)");
        }
        int before = example.settledEventCount();
        try (Connection billing = as("billing", "customer-service")) {
            // refused when prepared or when run, whichever comes first
            SQLException e = assertThrows(SQLException.class, () -> {
                try (PreparedStatement ps = billing.prepareStatement("SELECT id FROM customers WHERE hkid = ?")) {
                    ps.setInt(1, 5);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) assertNoSecret(String.valueOf(rs.getString(1)));
                    }
                }
            });
            assertEquals("0A000", e.getSQLState(), e.getMessage());
            assertTrue(e.getMessage().contains("operator public.="), e.getMessage());
        }
        assertEquals(before + 1, example.awaitEvents(before + 1).size(), "one audit event");
        assertNothingCopied();
        assertTrailHoldsNoSecret();
        // statements touching no protected table are not concerned
        try (Connection billing = as("billing", "customer-service"); Statement s = billing.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM notes")) {
            assertTrue(rs.next());
        }
    }

    /**
     * Found: Warden's own catalog reads ran under the session's function resolution: a user
     * {@code to_regclass(varchar)} (pgjdbc binds a String as varchar, an exact match that wins over the built-in's
     * text) pointed the read of {@code customers}' column order at a decoy table with the policy's column names in
     * another order, and {@code SELECT t.j FROM customers AS t(a, ..., j)} then read {@code hkid} as an
     * unprotected column. The catalog reads now qualify every function, operator and type they use.
     */
    @Test
    void aUserOverloadCannotAnswerWardensOwnCatalogReads() throws Exception {
        try (Connection billing = as("billing", "customer-service"); Statement s = billing.createStatement()) {
            s.execute("CREATE TABLE decoy (id int, name text, email bytea, phone bytea, card_number text,"
                    + " birth_date bytea, credit_limit bytea, ssn bytea, hkid text, country text)");
            s.execute("CREATE FUNCTION to_regclass(varchar) RETURNS regclass LANGUAGE sql"
                    + " AS 'SELECT pg_catalog.to_regclass(''decoy'')'");
        }
        String byPosition = "SELECT t.j FROM customers AS t(a, b, c, d, e, f, g, h, i, j)";
        assertRefused("analyst", byPosition, "customers.hkid");
        assertRefused("billing", byPosition.replace("t.j", "t.j || ''"), "customers.hkid");
        try (Connection billing = as("billing", "customer-service"); Statement s = billing.createStatement();
             ResultSet rs = s.executeQuery(byPosition)) {
            assertTrue(rs.next());
            assertEquals("******2(1)", rs.getString(1), "masked by position, as by name");
        }
    }

    private void assertNothingCopied() throws Exception {
        try (Connection raw = db.raw(); Statement s = raw.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM notes WHERE val IS NOT NULL")) {
            assertTrue(rs.next());
            assertEquals(0, rs.getInt(1), "no protected value was copied at rest");
        }
    }

    // ---------------------------------------------------------------- helpers

    private static void readAll(Statement s, String sql, String role) throws SQLException {
        if (s.execute(sql)) {
            try (ResultSet rs = s.getResultSet()) {
                while (rs.next()) {
                    for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                        String v = String.valueOf(rs.getString(i));
                        assertFalse(v.contains(HKID.substring(1)) || v.contains(SSN.substring(1)),
                                role + " got a secret through " + sql + ": " + v);
                    }
                }
            }
        }
    }

    /** Refused or answered, the statement brings {@code role} no secret, in its result or its error. */
    private void assertNoSecretReaches(String role, String sql) throws Exception {
        try (Connection c = as(role, purposeOf(role)); Statement s = c.createStatement()) {
            readAll(s, sql, role);
        } catch (SQLException refused) {
            assertNoSecret(refused.getMessage());
        }
        assertTrailHoldsNoSecret();
    }

    private static void assertNoSecret(String text) {
        assertFalse(text.contains(HKID.substring(1)) || text.contains(SSN.substring(1)), text);
    }

    /** The statement is refused with 0A000 or 42501 naming {@code what}, leaks nothing, and leaves one event. */
    private void assertRefused(String role, String sql, String what) throws Exception {
        int before = example.settledEventCount();
        try (Connection c = as(role, purposeOf(role)); Statement s = c.createStatement()) {
            SQLException e = assertThrows(SQLException.class, () -> readAll(s, sql, role), role + ": " + sql);
            assertTrue(e.getSQLState().equals("0A000") || e.getSQLState().equals("42501"),
                    role + ": " + sql + " -> " + e.getSQLState() + " " + e.getMessage());
            assertTrue(e.getMessage().contains(what), role + ": " + sql + " -> " + e.getMessage());
            assertNoSecret(e.getMessage());
        }
        List<AuditEvent> events = example.awaitEvents(before + 1);
        assertEquals(before + 1, events.size(), "one audit event for " + sql);
        assertEquals("refused", events.get(events.size() - 1).decision(), sql);
        assertTrailHoldsNoSecret();
    }

    private void assertTrailHoldsNoSecret() throws Exception {
        String trail = example.trail();
        assertFalse(trail.contains(HKID.substring(1)) || trail.contains(SSN.substring(1)), "the trail holds no secret");
    }
}
