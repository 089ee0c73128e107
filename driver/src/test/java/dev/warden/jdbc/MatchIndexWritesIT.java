package dev.warden.jdbc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.crypto.MatchIndex;
import dev.warden.crypto.WardenKeyset;
import dev.warden.testkit.CustomersExample;
import dev.warden.testkit.MatchColumnsExample;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A column with {@code match: true} keeps its keyed n-gram index in the companion column {@code <column>_match}:
 * every write through Warden (INSERT with parameters or literals, several VALUES rows, batches, UPDATE, SET NULL,
 * upserts from EXCLUDED) stores the tokens of exactly the value written, read back at rest with plain pgjdbc;
 * the companion itself can be neither read nor written by a statement; a keyset without a match key and a table
 * without the companion are named at once.
 */
class MatchIndexWritesIT {

    private static final String POLICY = MatchColumnsExample.POLICY;

    private CustomersExample db;
    private Path policy;
    private WardenKeyset keyset;

    @BeforeEach
    void seed() throws Exception {
        db = CustomersExample.create();
        MatchColumnsExample.addNicknameAndCompanions(db);
        policy = MatchColumnsExample.policyDirectory(POLICY);
        keyset = MatchColumnsExample.keyset(policy);
    }

    @Test
    void everyWriteShapeStoresTheTokensOfTheValueWritten() throws Exception {
        try (Connection support = db.as(policy, "support", null)) {
            try (PreparedStatement ps = support.prepareStatement(
                    "INSERT INTO customers (name, email, nickname) VALUES (?, ?, ?)")) {
                ps.setString(1, "one");
                ps.setString(2, "Chan.Tai.Man@example.hk");
                ps.setString(3, "Ah Man");
                ps.executeUpdate();
                // a batch: every row keeps its own companion
                ps.setString(1, "two");
                ps.setString(2, "wong@example.com");
                ps.setNull(3, java.sql.Types.VARCHAR);
                ps.addBatch();
                ps.setString(1, "three");
                ps.setString(2, "Lee@Example.HK");
                ps.setString(3, "");
                ps.addBatch();
                ps.executeBatch();
            }
            try (Statement s = support.createStatement()) {
                s.executeUpdate("INSERT INTO customers (name, email) VALUES ('four', 'a@b.c'), ('five', 'ü@ß.de')");
                s.executeUpdate("INSERT INTO customers (email, name) VALUES ('six@x.org', 'six')"
                        + " ON CONFLICT (email) DO UPDATE SET email = EXCLUDED.email, nickname = NULL");
            }
            try (PreparedStatement ps = support.prepareStatement(
                    "UPDATE customers SET nickname = ?, email = ? WHERE name = ?")) {
                ps.setString(1, "Siu Ming");
                ps.setString(2, "ming@example.hk");
                ps.setString(3, "four");
                assertEquals(1, ps.executeUpdate());
            }
            try (Statement s = support.createStatement()) {
                assertEquals(1, s.executeUpdate("UPDATE customers SET nickname = NULL WHERE name = 'one'"));
            }
        }
        assertCompanions("one", "Chan.Tai.Man@example.hk", null);
        assertCompanions("two", "wong@example.com", null);
        assertCompanions("three", "Lee@Example.HK", "");
        assertCompanions("four", "ming@example.hk", "Siu Ming");
        assertCompanions("five", "ü@ß.de", null);
        assertCompanions("six", "six@x.org", null);
    }

    @Test
    void anUpsertFromExcludedKeepsTheCompanionInStep() throws Exception {
        try (Connection support = db.as(policy, "support", null);
             PreparedStatement ps = support.prepareStatement("INSERT INTO customers (name, email) VALUES (?, ?)"
                     + " ON CONFLICT (email) DO UPDATE SET name = EXCLUDED.name, email = EXCLUDED.email")) {
            ps.setString(1, "first");
            ps.setString(2, "same@example.hk");
            ps.executeUpdate();
            ps.setString(1, "second");
            ps.setString(2, "same@example.hk");
            ps.executeUpdate();
        }
        assertCompanions("second", "same@example.hk", null);
    }

    @Test
    void theCompanionCanBeNeitherReadNorWrittenThroughWarden() throws Exception {
        List<String> refused = List.of(
                "SELECT email_match FROM customers",
                "SELECT name FROM customers WHERE email_match @> '{1}'",
                "UPDATE customers SET email_match = '{1}'",
                "INSERT INTO customers (name, email_match) VALUES ('x', '{1}')",
                "SELECT c.nickname_match FROM customers c");
        try (Connection support = db.as(policy, "support", null); Statement s = support.createStatement()) {
            for (String sql : refused) {
                SQLException e = assertThrows(SQLException.class, () -> s.execute(sql), sql);
                assertEquals("0A000", e.getSQLState(), sql + ": " + e.getMessage());
                assertTrue(e.getMessage().contains("is the match index Warden keeps for customers."), e.getMessage());
            }
        }
    }

    @Test
    void writesWardenCannotKeepInStepAreRefused() throws Exception {
        try (Connection support = db.as(policy, "support", null); Statement s = support.createStatement()) {
            SQLException mixed = assertThrows(SQLException.class, () -> s.executeUpdate(
                    "INSERT INTO customers (name, email) VALUES ('a', 'a@y.z'), ('b', NULL)"));
            assertEquals("0A000", mixed.getSQLState(), mixed.getMessage());
            assertTrue(mixed.getMessage().contains("customers.email keeps a match index"), mixed.getMessage());
        }
        try (Connection raw = db.raw(); Statement s = raw.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM customers")) {
            rs.next();
            assertEquals(0, rs.getInt(1));
        }
    }

    @Test
    void anInsertWithoutAColumnListFillsTheColumnsTheApplicationKnowsAndTheIndex() throws Exception {
        // customers as the application sees it: id, name, email, phone, card_number, birth_date, credit_limit,
        // country, nickname (the companions email_match and nickname_match are Warden's)
        try (Connection support = db.as(policy, "support", null)) {
            try (Statement s = support.createStatement()) {
                assertEquals(1, s.executeUpdate("INSERT INTO customers VALUES (DEFAULT, 'lit', 'lit@example.hk', NULL,"
                        + " NULL, NULL, NULL, 'HK', 'Chan Lit')"));
            }
            try (PreparedStatement ps = support.prepareStatement(
                    "INSERT INTO customers VALUES (?, ?, ?, NULL, NULL, NULL, NULL, ?, ?)")) {
                ps.setInt(1, 100);
                ps.setString(2, "param");
                ps.setString(3, "param@example.hk");
                ps.setString(4, "HK");
                ps.setString(5, "Wong Param");
                assertEquals(1, ps.executeUpdate());
            }
            // one value more (for the companion): refused, like any VALUES row of another width on a protected table
            try (Statement s = support.createStatement()) {
                SQLException tooMany = assertThrows(SQLException.class, () -> s.executeUpdate("INSERT INTO customers"
                        + " VALUES (DEFAULT, 'x', 'x@y.z', NULL, NULL, NULL, NULL, 'HK', 'n', '{1}')"));
                assertEquals("0A000", tooMany.getSQLState(), tooMany.getMessage());
            }
            try (PreparedStatement ps = support.prepareStatement(
                    "SELECT name, country FROM customers WHERE nickname LIKE ? ORDER BY name")) {
                ps.setString(1, "%Lit");
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals("lit", rs.getString(1));
                    assertEquals("HK", rs.getString(2));
                }
            }
        }
        assertCompanions("lit", "lit@example.hk", "Chan Lit");
        assertCompanions("param", "param@example.hk", "Wong Param");
    }

    @Test
    void aKeysetWithoutAMatchKeyIsNamedAtStartUp() throws Exception {
        Path dir = CustomersExample.newPolicyDirectory();
        Files.writeString(dir.resolve("policy.yaml"), POLICY);  // the demo keyset, written before match keys
        SQLException e = assertThrows(SQLException.class, () -> db.as(dir, "support", null).close());
        assertTrue(e.getMessage().contains("has no match key") && e.getMessage().contains("warden keys add-match-key")
                && e.getMessage().contains("customers.email (policy line"), e.getMessage());
    }

    @Test
    void aTableWithoutTheCompanionIsNamed() throws Exception {
        try (Connection raw = db.raw(); Statement s = raw.createStatement()) {
            s.execute("ALTER TABLE customers DROP COLUMN email_match");
        }
        try (Connection support = db.as(policy, "support", null); Statement s = support.createStatement()) {
            SQLException e = assertThrows(SQLException.class, () -> s.executeQuery("SELECT email FROM customers"));
            assertEquals("42703", e.getSQLState());
            assertTrue(e.getMessage().contains("needs the companion column email_match of type bigint[]")
                    && e.getMessage().contains("warden schema"), e.getMessage());
        }
    }

    private void assertCompanions(String name, String email, String nickname) throws Exception {
        try (Connection raw = db.raw();
             PreparedStatement ps = raw.prepareStatement(
                     "SELECT email_match, nickname_match, email FROM customers WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), name);
                assertArrayEquals(tokens("customers.email", email), longs(rs.getArray(1)), name + " email");
                if (nickname == null) {
                    assertNull(rs.getArray(2), name + " nickname");
                } else {
                    assertArrayEquals(tokens("customers.nickname", nickname), longs(rs.getArray(2)), name + " nickname");
                }
                // the ciphertext at rest is no plaintext
                assertTrue(!new String(rs.getBytes(3), java.nio.charset.StandardCharsets.UTF_8).contains(email));
            }
        }
    }

    private long[] tokens(String column, String value) throws Exception {
        MatchIndex index = keyset.matchIndex(column);
        return index.valueTokens(value);
    }

    private static long[] longs(Array array) throws SQLException {
        if (array == null) return null;
        Long[] boxed = (Long[]) array.getArray();
        long[] out = Arrays.stream(boxed).mapToLong(Long::longValue).toArray();
        Arrays.sort(out);
        return out;
    }
}
