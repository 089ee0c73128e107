package dev.warden.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.audit.AuditEvent;
import dev.warden.testkit.SecretColumnsExample;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Red-team findings of session 6 (issue 11: one tokenizer, client large objects, range constructors, client
 * encodings, bounded results, whole error fields, backend pids) against the driver, on a real PostgreSQL. Secrets
 * are seeded in an encrypted column ({@code ssn}) and a rules-only one ({@code hkid}, plaintext at rest); each
 * test checks that the role never gets a secret (result, error, audit trail) and that the refusal is audited once.
 */
class RedTeamSession6IT {

    private static final String SSN = SecretColumnsExample.SSN;
    private static final String HKID = SecretColumnsExample.HKID;

    private SecretColumnsExample example;

    @BeforeEach
    void seed() throws Exception {
        example = SecretColumnsExample.create();
    }

    private Connection as(String role) throws SQLException {
        return example.db().as(example.policyDirectory(), role, SecretColumnsExample.purposeOf(role));
    }

    // ---------------------------------------------------------------- standard_conforming_strings within one call

    /**
     * Found: Warden asked the server for {@code standard_conforming_strings} before a call and read the whole text
     * with it, but pgjdbc sends each statement of a text (and each of a batch) as its own Parse, which the server
     * reads after running the statements before it. {@code SET standard_conforming_strings = off; SELECT 'a\',
     * $$' , hkid FROM customers --$$}: Warden saw a string and a dollar-quoted string (no protected table, passed
     * through unanalysed); the server, its setting turned off by the first statement, read {@code 'a\', $$'} as one
     * string and then {@code hkid FROM customers}: the plaintext of a rules-only column to a role that may not read
     * it. Fixed by shape: a text holding a backslash in a plain string that runs more than one statement, or follows
     * others in a batch, is judged as the server may read it either way.
     */
    @Test
    void anEarlierStatementOfTheSameCallCannotChangeHowALaterOneIsRead() throws Exception {
        String hideHkid = "SELECT 'a\\', $$' , hkid FROM customers --$$";
        String hideSsn = "SELECT 'a\\', $$' , ssn FROM customers --$$";
        for (String role : List.of("analyst", "billing")) {
            for (String turnOff : List.of("SET standard_conforming_strings = off",
                    "SELECT set_config('standard_conforming_strings', 'off', false)",
                    "DO $d$BEGIN PERFORM set_config('standard_conforming_strings', 'off', false); END$d$")) {
                for (String hide : List.of(hideHkid, hideSsn)) {
                    assertRefusedNamingBackslash(role, turnOff + "; " + hide);
                    // the same in a batch: each text guarded when added, run after the ones before it
                    int before = example.settledEventCount();
                    try (Connection c = as(role); Statement s = c.createStatement()) {
                        s.addBatch(turnOff.startsWith("SELECT") ? "DO $d$BEGIN PERFORM set_config("
                                + "'standard_conforming_strings', 'off', false); END$d$" : turnOff);
                        String copy = "INSERT INTO notes (val) " + hide.replace("', $$' ,", "' || $$' ||");
                        SQLException e = assertThrows(SQLException.class, () -> s.addBatch(copy), role + ": " + copy);
                        assertEquals("0A000", e.getSQLState(), e.getMessage());
                        assertTrue(e.getMessage().contains("standard_conforming_strings"), e.getMessage());
                    }
                    assertEquals("refused", example.awaitEvents(before + 1).get(before).decision());
                }
            }
        }
        assertNothingCopied();
        // a text touching no protected table either way still runs as with pgjdbc, backslash and all
        try (Connection c = as("analyst"); Statement s = c.createStatement()) {
            assertFalse(s.execute("SET standard_conforming_strings = on; SELECT 'C:\\dir' AS path"));
            assertTrue(s.getMoreResults());
            try (ResultSet rs = s.getResultSet()) {
                assertTrue(rs.next());
                assertEquals("C:\\dir", rs.getString(1));
            }
        }
        assertTrailHoldsNoSecret();
    }

    // ---------------------------------------------------------------- large objects from server code

    /**
     * Found: a trigger on a protected table holding rules-only columns is handed their plaintext, and one that
     * sends it on makes writes to the table refused; but the outlet words never held the client large-object
     * functions Warden now allows to clients ({@code lowrite}, {@code lo_open}, {@code lo_creat}), so a trigger
     * (made outside Warden) writing {@code NEW.hkid} into a large object let support's update of hkid, or anyone's
     * update of the row, store the plaintext where any role reads it back with {@code loread}. Fixed by rule: every
     * built-in Warden refuses in server code counts as an outlet (one list decides both), directly or through a
     * function the trigger calls.
     */
    @Test
    void aTriggerWritingALargeObjectMakesWritesToItsProtectedTableRefused() throws Exception {
        try (Connection raw = example.db().raw(); Statement s = raw.createStatement()) {
            s.execute("CREATE FUNCTION keep_in_lo(v text) RETURNS int LANGUAGE sql"
                    + " AS $$ SELECT lowrite(lo_open(lo_creat(-1), 131072), convert_to(v, 'UTF8')) $$");
            s.execute("CREATE FUNCTION customers_lo() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                    + " PERFORM lowrite(lo_open(lo_creat(-1), 131072), convert_to(NEW.hkid, 'UTF8')); RETURN NEW; END $$");
            s.execute("CREATE FUNCTION customers_lo_via() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                    + " PERFORM keep_in_lo(NEW.hkid); RETURN NEW; END $$");
        }
        for (String function : List.of("customers_lo", "customers_lo_via")) {
            try (Connection raw = example.db().raw(); Statement s = raw.createStatement()) {
                s.execute("CREATE TRIGGER red_lo BEFORE UPDATE ON customers FOR EACH ROW EXECUTE FUNCTION "
                        + function + "()");
            }
            try (Connection c = as("analyst"); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS red_refresh (i int)");  // DDL through Warden re-reads the catalog
            }
            for (String[] write : List.of(new String[] {"support", "UPDATE customers SET hkid = 'C1234567(8)' WHERE id = "},
                    new String[] {"analyst", "UPDATE customers SET name = 'Anne' WHERE id = "})) {
                int before = example.settledEventCount();
                try (Connection c = as(write[0]); Statement s = c.createStatement()) {
                    SQLException e = assertThrows(SQLException.class, () -> s.execute(write[1] + example.id()),
                            function + ": " + write[1]);
                    assertEquals("0A000", e.getSQLState(), e.getMessage());
                    assertTrue(e.getMessage().contains(function), e.getMessage());
                    assertNoSecret(e.getMessage());
                }
                assertEquals("refused", example.awaitEvents(before + 1).get(before).decision());
            }
            try (Connection raw = example.db().raw(); Statement s = raw.createStatement()) {
                s.execute("DROP TRIGGER red_lo ON customers");
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_largeobject_metadata")) {
                    assertTrue(rs.next());
                    assertEquals(0, rs.getInt(1), "no large object was written");
                }
            }
        }
        assertTrailHoldsNoSecret();
    }

    // ---------------------------------------------------------------- range constructors

    /**
     * Found: the constructors {@code CREATE TYPE ... AS RANGE} makes now count as built-ins, also for a range whose
     * {@code subtype_diff} is a user's function. A GiST index over such a range on a protected table hands that
     * function the bounds, the plaintext of a rules-only column, at every write (it may store or send them), and a
     * write was no longer refused: the constructor in the index expression was the only function Warden saw. Fixed
     * by rule: a range constructor counts as a built-in only when the range's subtype_diff and canonical functions
     * are built-ins; otherwise it is as opaque as any function Warden cannot read.
     */
    @Test
    void aRangeWithAUserSubtypeDiffIsNotABuiltIn() throws Exception {
        try (Connection raw = example.db().raw(); Statement s = raw.createStatement()) {
            // declared immutable, as a subtype_diff must be; a notification is allowed there and reaches listeners
            s.execute("CREATE FUNCTION keep_diff(a text, b text) RETURNS float8 LANGUAGE plpgsql IMMUTABLE AS $$"
                    + " BEGIN PERFORM pg_notify('loot', a); RETURN 0; END $$");
            s.execute("CREATE TYPE kept_span AS RANGE (subtype = text, subtype_diff = keep_diff)");
            s.execute("CREATE TYPE plain_span AS RANGE (subtype = text)");
        }
        try (Connection c = as("analyst"); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS red_refresh (i int)");  // DDL through Warden re-reads the catalog
        }
        try (Connection c = as("support"); Statement s = c.createStatement()) {
            // a plain range's constructor stays a built-in (psycopg2's range tests): support may compute on hkid
            try (ResultSet rs = s.executeQuery("SELECT plain_span(hkid, hkid) FROM customers WHERE id = "
                    + example.id())) {
                assertTrue(rs.next());
            }
            SQLException e = assertThrows(SQLException.class,
                    () -> s.executeQuery("SELECT kept_span(hkid, hkid) FROM customers"));
            assertEquals("0A000", e.getSQLState(), e.getMessage());
            assertTrue(e.getMessage().contains("kept_span"), e.getMessage());
        }
        try (Connection raw = example.db().raw(); Statement s = raw.createStatement()) {
            s.execute("CREATE INDEX customers_hkid_span ON customers USING gist (kept_span(hkid, hkid))");
        }
        try (Connection c = as("analyst"); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS red_refresh2 (i int)");
        }
        for (String[] write : List.of(new String[] {"support", "UPDATE customers SET hkid = 'C1234567(8)' WHERE id = "},
                new String[] {"analyst", "UPDATE customers SET name = 'Anne' WHERE id = "})) {
            try (Connection c = as(write[0]); Statement s = c.createStatement()) {
                SQLException e = assertThrows(SQLException.class, () -> s.execute(write[1] + example.id()), write[1]);
                assertEquals("0A000", e.getSQLState(), e.getMessage());
                assertTrue(e.getMessage().contains("kept_span"), e.getMessage());
            }
        }
        assertNothingCopied();
        assertTrailHoldsNoSecret();
    }

    // ---------------------------------------------------------------- helpers

    /** Refused (0A000 naming the setting), nothing secret in any result or error, one refused audit event. */
    private void assertRefusedNamingBackslash(String role, String sql) throws Exception {
        int before = example.settledEventCount();
        try (Connection c = as(role); Statement s = c.createStatement()) {
            SQLException e = assertThrows(SQLException.class, () -> readAllResults(s, sql, role), role + ": " + sql);
            assertEquals("0A000", e.getSQLState(), role + ": " + sql + " -> " + e.getMessage());
            assertTrue(e.getMessage().contains("standard_conforming_strings"), e.getMessage());
            assertNoSecret(e.getMessage());
        }
        List<AuditEvent> events = example.awaitEvents(before + 1);
        assertEquals(before + 1, events.size(), "one audit event for " + sql);
        assertEquals("refused", events.get(before).decision(), sql);
        assertTrailHoldsNoSecret();
    }

    /** Every result of every statement of {@code sql}, checked for secrets. */
    private static void readAllResults(Statement s, String sql, String role) throws SQLException {
        boolean isResult = s.execute(sql);
        while (true) {
            if (isResult) {
                try (ResultSet rs = s.getResultSet()) {
                    while (rs.next()) {
                        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                            String v = String.valueOf(rs.getString(i));
                            assertFalse(v.contains(HKID.substring(1)) || v.contains(SSN.substring(1)),
                                    role + " got a secret through " + sql + ": " + v);
                        }
                    }
                }
            } else if (s.getUpdateCount() == -1) {
                return;
            }
            isResult = s.getMoreResults();
        }
    }

    private void assertNothingCopied() throws Exception {
        try (Connection raw = example.db().raw(); Statement s = raw.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM notes WHERE val IS NOT NULL")) {
            assertTrue(rs.next());
            assertEquals(0, rs.getInt(1), "no protected value was copied at rest");
        }
    }

    private static void assertNoSecret(String text) {
        assertFalse(text.contains(HKID.substring(1)) || text.contains(SSN.substring(1)), text);
    }

    private void assertTrailHoldsNoSecret() throws Exception {
        String trail = example.trail();
        assertFalse(trail.contains(HKID.substring(1)) || trail.contains(SSN.substring(1)), "the trail holds no secret");
    }
}
