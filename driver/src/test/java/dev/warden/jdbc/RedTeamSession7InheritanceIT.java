package dev.warden.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.testkit.SecretColumnsExample;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Red-team finding of session 7 against the driver: tables sharing rows with a protected table through inheritance
 * or partitioning, made by a DBA outside Warden (Warden refuses INHERIT, INHERITS and PARTITION OF on a protected
 * table, but not what is done without it). Found: {@code SELECT hkid FROM people}, where {@code customers INHERIT
 * people}, named no protected table and passed through unanalysed, handing the analyst (who may not read it) the
 * plaintext of the rules-only {@code hkid} and the ciphertext of {@code ssn}; an UPDATE through the parent wrote
 * into the protected table's columns unencrypted. Fixed by construction: every table in the inheritance line of a
 * protected table (its ancestors, its descendants and partitions), and every view over one, is a server-side relation
 * Warden refuses to read or write through, like a view over the protected table.
 */
class RedTeamSession7InheritanceIT {

    private SecretColumnsExample example;

    @BeforeEach
    void seed() throws Exception {
        example = SecretColumnsExample.create();
        try (Connection raw = example.db().raw(); Statement s = raw.createStatement()) {
            s.execute("CREATE TABLE people (id int, name text, hkid text, ssn bytea)");
            s.execute("ALTER TABLE customers INHERIT people");
            s.execute("CREATE TABLE customers_2025 () INHERITS (customers)");
            s.execute("INSERT INTO customers_2025 SELECT * FROM ONLY customers");
        }
        // the next schema change through Warden makes it read the database's objects again
        try (Connection c = as("analyst"); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE refresh_objects (i int)");
        }
    }

    private Connection as(String role) throws SQLException {
        return example.db().as(example.policyDirectory(), role, SecretColumnsExample.purposeOf(role));
    }

    private static void assertRefused(Connection c, String sql) {
        SQLException e = assertThrows(SQLException.class, () -> {
            try (Statement s = c.createStatement()) {
                if (s.execute(sql)) {
                    try (ResultSet rs = s.getResultSet()) {
                        while (rs.next()) {
                            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                                String v = rs.getString(i);
                                assertFalse(v != null && (v.contains(SecretColumnsExample.HKID)
                                        || v.contains(SecretColumnsExample.SSN)), sql + " returned " + v);
                            }
                        }
                    }
                }
            }
        }, sql);
        assertEquals("0A000", e.getSQLState(), e.getMessage());
        assertFalse(e.getMessage().contains(SecretColumnsExample.HKID), e.getMessage());
    }

    @Test
    void readingOrWritingThroughAnInheritanceRelativeIsRefused() throws Exception {
        try (Connection analyst = as("analyst"); Connection billing = as("billing")) {
            for (Connection c : List.of(analyst, billing)) {
                assertRefused(c, "SELECT name, hkid FROM people");
                assertRefused(c, "SELECT hkid, ssn FROM customers_2025");
                assertRefused(c, "SELECT * FROM public.\"people\" WHERE hkid LIKE 'B%'");
            }
            assertRefused(billing, "UPDATE people SET hkid = 'written around Warden'");
            assertRefused(billing, "DELETE FROM customers_2025 RETURNING hkid");
        }
        try (Connection raw = example.db().raw(); Statement s = raw.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM customers WHERE hkid = 'written around Warden'")) {
            assertTrue(rs.next());
            assertEquals(0, rs.getInt(1));
        }
    }

    @Test
    void theProtectedTableStillReadsByThePolicy() throws Exception {
        try (Connection support = as("support"); Statement s = support.createStatement();
             ResultSet rs = s.executeQuery("SELECT hkid FROM customers WHERE hkid IS NOT NULL")) {
            int rows = 0;
            while (rs.next()) {
                assertEquals(SecretColumnsExample.HKID, rs.getString(1));
                rows++;
            }
            assertEquals(2, rows);  // Ann's row and its copy in the inheritance child
        }
    }
}
