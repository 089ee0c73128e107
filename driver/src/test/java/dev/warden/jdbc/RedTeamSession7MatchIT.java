package dev.warden.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.testkit.CustomersExample;
import dev.warden.testkit.MatchColumnsExample;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Red team, session 7: LIKE and ILIKE through match indexes, against a plaintext twin. Each statement either
 * answers exactly as PostgreSQL does on the plaintext or is refused; it never answers differently.
 */
class RedTeamSession7MatchIT {

    static final String[] NICKNAMES = {"xabcx", "abcabc", "ab", null, "", "ABC", "zzabc", "abc", "x?abc",
            "\uA7C0abc", "\uA7C1abc"};

    static CustomersExample db;
    static Path policy;

    @BeforeAll
    static void seed() throws Exception {
        db = CustomersExample.create();
        MatchColumnsExample.addNicknameAndCompanions(db);
        policy = MatchColumnsExample.policyDirectory(MatchColumnsExample.POLICY);
        try (Connection raw = db.raw(); Statement s = raw.createStatement()) {
            s.execute("CREATE TABLE twin (id int PRIMARY KEY, name text, email text, nickname text)");
        }
        try (Connection support = db.as(policy, "support", null);
             PreparedStatement ps = support.prepareStatement(
                     "INSERT INTO customers (id, name, email, nickname) VALUES (?, ?, ?, ?)");
             Connection raw = db.raw();
             PreparedStatement twin = raw.prepareStatement("INSERT INTO twin VALUES (?, ?, ?, ?)")) {
            for (int i = 0; i < NICKNAMES.length; i++) {
                for (PreparedStatement p : new PreparedStatement[] {ps, twin}) {
                    p.setInt(1, i + 1);
                    p.setString(2, "n" + i);
                    p.setString(3, "e" + i + "@x.hk");
                    p.setString(4, NICKNAMES[i]);
                    p.executeUpdate();
                }
            }
        }
    }

    /**
     * Finding: {@code LIMIT 1+1} was read as LIMIT 1, the {@code +1} left in the statement sent (there it extended
     * the ORDER BY), so one row came back where PostgreSQL gives two. A count that is not the whole clause is now
     * refused; the plain forms still answer as PostgreSQL.
     */
    @Test
    void aLimitThatIsAnExpressionIsRefusedNotMisread() throws Exception {
        try (Connection support = db.as(policy, "support", null); Statement s = support.createStatement();
             Connection raw = db.raw()) {
            for (String tail : List.of("LIMIT 1+1", "LIMIT 1 + 1", "OFFSET 1 * 2", "OFFSET 1 ROWS - 1",
                    "FETCH FIRST 1 ROWS ONLY || 'x'", "LIMIT 2::int")) {
                String sql = "SELECT id FROM customers WHERE nickname LIKE '%abc%' ORDER BY id " + tail;
                SQLException e = assertThrows(SQLException.class, () -> MatchLikeIT.rows(s.executeQuery(sql)), sql);
                assertEquals("0A000", e.getSQLState(), sql + ": " + e.getMessage());
            }
            for (String tail : List.of("LIMIT 2", "LIMIT 2 OFFSET 1", "OFFSET 1 LIMIT 1", "OFFSET 1 ROWS FETCH NEXT 2"
                    + " ROWS ONLY", "LIMIT 1 FOR UPDATE", "LIMIT NULL")) {
                String sql = "SELECT id FROM TABLE WHERE nickname LIKE '%abc%' ORDER BY id " + tail;
                try (Statement r = raw.createStatement()) {
                    assertEquals(MatchLikeIT.rows(r.executeQuery(sql.replace("TABLE", "twin"))),
                            MatchLikeIT.rows(s.executeQuery(sql.replace("TABLE", "customers"))), sql);
                }
            }
        }
    }

    /**
     * Finding: the values to re-check were appended before the first FROM of the statement, which in
     * {@code SELECT a IS DISTINCT FROM b, ... FROM t} is the select list's: the statement sent was a syntax error.
     */
    @Test
    void isDistinctFromInTheSelectListKeepsTheHiddenColumnsBeforeTheFromClause() throws Exception {
        try (Connection support = db.as(policy, "support", null); Statement s = support.createStatement();
             Connection raw = db.raw(); Statement r = raw.createStatement()) {
            String sql = "SELECT id IS DISTINCT FROM 2, id IS NOT DISTINCT FROM 7, id FROM TABLE WHERE nickname"
                    + " LIKE '%abc%' ORDER BY id";
            assertEquals(MatchLikeIT.rows(r.executeQuery(sql.replace("TABLE", "twin"))),
                    MatchLikeIT.rows(s.executeQuery(sql.replace("TABLE", "customers"))));
        }
    }

    /**
     * Finding: an ESCAPE that is not a literal ({@code ESCAPE NULL}, an expression) was taken as no ESCAPE at all:
     * the re-check would have used the backslash, and the statement sent kept a dangling {@code ESCAPE ...} the
     * server rejected with a syntax error; a cast after the pattern stayed behind the index tokens (42883 from the
     * server). Both are now refused (0A000) before anything is sent.
     */
    @Test
    void anEscapeThatIsNotALiteralIsRefused() throws Exception {
        try (Connection support = db.as(policy, "support", null); Statement s = support.createStatement()) {
            for (String escape : List.of("NULL", "'!' || ''", "chr(33)", "'!'::text", "CAST('!' AS text)")) {
                String sql = "SELECT id FROM customers WHERE nickname LIKE '%abc%' ESCAPE " + escape;
                SQLException e = assertThrows(SQLException.class, () -> s.executeQuery(sql), sql);
                assertEquals("0A000", e.getSQLState(), sql + ": " + e.getMessage());
            }
            // the same for a pattern with a cast, which stayed behind the index tokens in the statement sent
            for (String pattern : List.of("'%abc%'::text", "'%abc%'::varchar(2)")) {
                String sql = "SELECT id FROM customers WHERE nickname LIKE " + pattern;
                SQLException e = assertThrows(SQLException.class, () -> s.executeQuery(sql), sql);
                assertEquals("0A000", e.getSQLState(), sql + ": " + e.getMessage());
            }
        }
    }

    /**
     * Finding: a pattern under NOT LIKE has no placeholder in the statement sent, so an execution with it never
     * bound answered with no rows (PostgreSQL: "No value specified for parameter 1", 22023), and after
     * clearParameters() the pattern of the previous execution was silently used again.
     */
    @Test
    void aNotLikePatternMustBeBoundForEachExecution() throws Exception {
        try (Connection support = db.as(policy, "support", null);
             PreparedStatement ps = support.prepareStatement(
                     "SELECT id FROM customers WHERE nickname NOT LIKE ? AND nickname LIKE ? ORDER BY id");
             Connection raw = db.raw();
             PreparedStatement twin = raw.prepareStatement(
                     "SELECT id FROM twin WHERE nickname NOT LIKE ? AND nickname LIKE ? ORDER BY id")) {
            ps.setString(2, "%abc%");
            twin.setString(2, "%abc%");
            SQLException expected = assertThrows(SQLException.class, () -> twin.executeQuery());
            SQLException unbound = assertThrows(SQLException.class, () -> MatchLikeIT.rows(ps.executeQuery()));
            assertEquals(expected.getSQLState(), unbound.getSQLState(), unbound.getMessage());
            ps.setString(1, "x%");
            twin.setString(1, "x%");
            assertEquals(MatchLikeIT.rows(twin.executeQuery()), MatchLikeIT.rows(ps.executeQuery()));
            ps.clearParameters();
            ps.setString(2, "%abc%");
            SQLException cleared = assertThrows(SQLException.class, () -> MatchLikeIT.rows(ps.executeQuery()));
            assertEquals(expected.getSQLState(), cleared.getSQLState(), cleared.getMessage());
            ps.setNull(1, java.sql.Types.VARCHAR);
            twin.setNull(1, java.sql.Types.VARCHAR);
            assertEquals(MatchLikeIT.rows(twin.executeQuery()), MatchLikeIT.rows(ps.executeQuery()), "NOT LIKE NULL");
        }
    }

    /**
     * Finding: a pattern parameter of another type (setObject with an Integer, a date, bytes) was matched as its
     * text where PostgreSQL has no such LIKE (42883), and a string with an unpaired surrogate was matched as given
     * where the real driver sends it as '?' (so PostgreSQL finds "x?abc"). Both are now refused like the same
     * value written to the column (22023), the message naming neither value nor pattern.
     */
    @Test
    void aPatternParameterIsAcceptedOnlyAsTextOfValidUnicode() throws Exception {
        try (Connection support = db.as(policy, "support", null);
             PreparedStatement ps = support.prepareStatement("SELECT id FROM customers WHERE nickname LIKE ?");
             PreparedStatement not = support.prepareStatement("SELECT id FROM customers WHERE nickname NOT LIKE ?")) {
            for (Object odd : new Object[] {12345, 1.5, new byte[] {65, 66, 67}, java.time.LocalDate.of(2020, 1, 2),
                    "x\uD800abc"}) {
                for (PreparedStatement p : List.of(ps, not)) {
                    SQLException e = assertThrows(SQLException.class, () -> {
                        p.setObject(1, odd);
                        MatchLikeIT.rows(p.executeQuery());
                    }, String.valueOf(odd));
                    assertEquals("22023", e.getSQLState(), e.getMessage());
                    assertFalse(e.getMessage().contains("abc") || e.getMessage().contains("12345"), e.getMessage());
                }
            }
            ps.setObject(1, new StringBuilder("%abc"));
            assertEquals(List.of(List.of("2"), List.of("7"), List.of("8"), List.of("9"), List.of("10"), List.of("11")),
                    MatchLikeIT.rows(ps.executeQuery()).stream().sorted(java.util.Comparator.comparing(
                            r -> Integer.parseInt(r.get(0)))).toList());
        }
    }

    /**
     * Finding (fixed in session 8): ILIKE folded with the JVM's Unicode tables ({@link Character#toLowerCase(int)}), the
     * database with its C library's: when they differ (JDK 17 knows Unicode 13, glibc 2.36 Unicode 14, which added
     * U+A7C0/U+A7C1), Warden's answer differs from PostgreSQL's both ways: the index misses a row (a code point
     * the JVM thinks uncased is used in a query token) and the re-check keeps or drops a row the database would not.
     * Warden now reads the database's own lower-case map once per server and ctype ({@code ILikeFolding}), folds
     * with it in the re-check, and leaves out of the query tokens the code points whose database case class has
     * more than one index fold.
     */
    @Test
    void iLikeFoldsAsTheDatabaseDoesEvenWhereTheJvmsUnicodeDiffers() throws Exception {
        try (Connection support = db.as(policy, "support", null); Connection raw = db.raw()) {
            for (String pattern : List.of("\uA7C0abc", "\uA7C1abc")) {
                for (String op : List.of("ILIKE", "NOT ILIKE")) {
                    String sql = "SELECT id FROM TABLE WHERE nickname " + op + " ? ORDER BY id";
                    try (PreparedStatement a = raw.prepareStatement(sql.replace("TABLE", "twin"));
                         PreparedStatement b = support.prepareStatement(sql.replace("TABLE", "customers"))) {
                        a.setString(1, pattern);
                        b.setString(1, pattern);
                        assertEquals(MatchLikeIT.rows(a.executeQuery()), MatchLikeIT.rows(b.executeQuery()),
                                op + " " + pattern);
                    }
                }
            }
        }
    }

    /**
     * Finding (session 8): {@code UPDATE ... SET nickname = 'x'::text} on a match column sent the ciphertext with the
     * cast still after it ({@code '\\x..'::bytea::text}: 42804 from the server). A literal cast to the column's own
     * type is now a value, replaced whole, in SET and in VALUES, with its index written beside it; a cast to another
     * type is refused (0A000).
     */
    @Test
    void aLiteralCastToTheColumnsTypeIsWrittenLikeThePlainLiteral() throws Exception {
        try (Connection support = db.as(policy, "support", null); Statement s = support.createStatement();
             Connection raw = db.raw(); Statement r = raw.createStatement()) {
            for (String table : List.of("customers", "twin")) {
                Statement st = table.equals("twin") ? r : s;
                st.executeUpdate("UPDATE " + table + " SET nickname = 'qqcastqq'::text WHERE id = 3");
                st.executeUpdate("UPDATE " + table + " SET name = 'n', nickname = CAST('rrcastrr' AS varchar) WHERE id = 4");
                st.executeUpdate("INSERT INTO " + table + " (id, name, email, nickname) VALUES (100, 'x', 'y',"
                        + " 'sscastss'::text)");
            }
            try {
                for (String pattern : List.of("%cast%", "qq%", "%rr", "sscastss")) {
                    String sql = "SELECT id, nickname FROM TABLE WHERE nickname LIKE '" + pattern + "' ORDER BY id";
                    assertEquals(MatchLikeIT.rows(r.executeQuery(sql.replace("TABLE", "twin"))),
                            MatchLikeIT.rows(s.executeQuery(sql.replace("TABLE", "customers"))), sql);
                }
                SQLException e = assertThrows(SQLException.class,
                        () -> s.executeUpdate("UPDATE customers SET nickname = '5'::int WHERE id = 3"));
                assertEquals("0A000", e.getSQLState(), e.getMessage());
            } finally {
                for (String table : List.of("customers", "twin")) {
                    Statement st = table.equals("twin") ? r : s;
                    st.executeUpdate("DELETE FROM " + table + " WHERE id = 100");
                    st.executeUpdate("UPDATE " + table + " SET nickname = '" + NICKNAMES[2] + "' WHERE id = 3");
                    st.executeUpdate("UPDATE " + table + " SET name = 'n3', nickname = NULL WHERE id = 4");
                }
            }
        }
    }

    /**
     * A row whose companion is NULL while its value is not (written before match: true was turned on, or by a
     * writer whose policy lacks it, until {@code warden keys reencrypt} runs) was never a candidate of
     * {@code col_match @> tokens}: LIKE missed it, where PostgreSQL on the plaintext finds it. Warden now sends
     * {@code (col_match @> tokens OR col_match IS NULL AND col IS NOT NULL)} (a partial index from
     * {@code warden schema} keeps the second arm cheap), and re-checks such rows like every candidate.
     */
    @Test
    void aRowWithoutItsCompanionIsStillFound() throws Exception {
        try (Connection raw = db.raw(); Statement s = raw.createStatement()) {
            s.executeUpdate("UPDATE customers SET nickname_match = NULL WHERE id = 1");
        }
        try (Connection support = db.as(policy, "support", null); Statement s = support.createStatement()) {
            assertTrue(MatchLikeIT.rows(s.executeQuery("SELECT id FROM customers WHERE nickname LIKE '%xabc%'"))
                    .contains(List.of("1")));
        } finally {
            try (Connection support = db.as(policy, "support", null); Statement s = support.createStatement()) {
                s.executeUpdate("UPDATE customers SET nickname = 'xabcx' WHERE id = 1");
            }
        }
    }
}
