package dev.warden.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.testkit.CountTypes;
import dev.warden.testkit.CustomersExample;
import dev.warden.testkit.MatchColumnsExample;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Red team, session 8: LIMIT/OFFSET/FETCH counts bound as parameters next to a LIKE through a match index, and
 * {@code LIKE NULL} written inline (sent as FALSE). Each shape is either refused (0A000/42501) or answers exactly as
 * PostgreSQL on a plaintext twin.
 */
class RedTeamSession8LimitIT {

    static CustomersExample db;
    static Path policy;

    interface Binder {
        void bind(PreparedStatement p) throws SQLException;
    }

    @BeforeAll
    static void seed() throws Exception {
        db = CustomersExample.create();
        MatchColumnsExample.addNicknameAndCompanions(db);
        policy = MatchColumnsExample.policyDirectory(MatchColumnsExample.POLICY);
        MatchColumnsExample.seedDenseChanTwin(db, policy, 200);
    }

    private static final Set<String> REFUSALS = Set.of("0A000", "42501");

    /** Runs sql on the twin and as role on customers; null when they agree or Warden refuses, else why not. */
    static String compare(String role, String sql, Binder binder) throws Exception {
        try (Connection w = db.as(policy, role, null); Connection raw = db.raw()) {
            return compare(w, raw, sql, binder);
        }
    }

    static String compare(Connection w, Connection raw, String sql, Binder binder) throws Exception {
        List<List<String>> expected = null;
        SQLException expectedError = null;
        try (PreparedStatement t = raw.prepareStatement(sql.replace("TABLE", "twin"))) {
            binder.bind(t);
            expected = MatchLikeIT.rows(t.executeQuery());
        } catch (SQLException e) {
            expectedError = e;
        }
        try (PreparedStatement p = w.prepareStatement(sql.replace("TABLE", "customers"))) {
            binder.bind(p);
            List<List<String>> actual = MatchLikeIT.rows(p.executeQuery());
            if (expectedError != null) {
                return sql + ": answered " + actual + " where PostgreSQL fails " + expectedError.getSQLState()
                        + " " + expectedError.getMessage();
            }
            return expected.equals(actual) ? null : sql + ": answered " + actual + " instead of " + expected;
        } catch (SQLException e) {
            if (REFUSALS.contains(e.getSQLState())) return null;
            if (expectedError != null && expectedError.getSQLState().equals(e.getSQLState())) return null;
            return sql + ": failed " + e.getSQLState() + " " + e.getMessage() + " where PostgreSQL "
                    + (expectedError == null ? "answers " + expected : "fails " + expectedError.getSQLState());
        }
    }

    static void assertAllAgree(String role, List<String> sqls, Binder binder) throws Exception {
        List<String> wrong = new ArrayList<>();
        for (String sql : sqls) {
            String why = compare(role, sql, binder);
            if (why != null) wrong.add(why);
        }
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    }

    @Test
    void boundCountsInNestedShapesAreRefusedOrExact() throws Exception {
        assertAllAgree("support", List.of(
                "SELECT id FROM (SELECT id, nickname FROM TABLE WHERE nickname LIKE ? ORDER BY id LIMIT ?) s ORDER BY id",
                "WITH s AS (SELECT id FROM TABLE WHERE nickname LIKE ? ORDER BY id LIMIT ?) SELECT id FROM s ORDER BY id",
                "SELECT id FROM TABLE WHERE nickname LIKE ? UNION ALL SELECT id FROM TABLE ORDER BY id LIMIT ?",
                "(SELECT id FROM TABLE WHERE nickname LIKE ? ORDER BY id LIMIT ?) UNION ALL (SELECT 0) ORDER BY 1",
                "SELECT id FROM TABLE WHERE id IN (SELECT id FROM TABLE WHERE nickname LIKE ? ORDER BY id LIMIT ?) ORDER BY id",
                "SELECT id FROM TABLE WHERE nickname LIKE ? AND id IN (SELECT id FROM TABLE ORDER BY id LIMIT ?) ORDER BY id",
                "SELECT id FROM TABLE WHERE nickname LIKE ? AND id < (SELECT max(id) FROM (SELECT id FROM TABLE ORDER BY id LIMIT ?) x) ORDER BY id",
                "SELECT id, (SELECT count(*) FROM (SELECT 1 FROM TABLE LIMIT ?) y) FROM TABLE WHERE nickname LIKE ? ORDER BY id"
                        .replace("LIMIT ?) y) FROM TABLE WHERE nickname LIKE ?", "LIMIT 3) y) FROM TABLE WHERE nickname LIKE ? LIMIT ?")),
                p -> { p.setString(1, "Chan%"); p.setInt(2, 7); });
    }

    @Test
    void boundCountsInExpressionsAreRefusedOrExact() throws Exception {
        assertAllAgree("support", List.of(
                "SELECT id FROM TABLE WHERE nickname LIKE ? ORDER BY id LIMIT (? + 1)",
                "SELECT id FROM TABLE WHERE nickname LIKE ? ORDER BY id LIMIT ?::int",
                "SELECT id FROM TABLE WHERE nickname LIKE ? ORDER BY id LIMIT CAST(? AS bigint)",
                "SELECT id FROM TABLE WHERE nickname LIKE ? ORDER BY id LIMIT (?)",
                "SELECT id FROM TABLE WHERE nickname LIKE ? ORDER BY id LIMIT -?",
                "SELECT id FROM TABLE WHERE nickname LIKE ? ORDER BY id OFFSET (?) ROWS",
                "SELECT id FROM TABLE WHERE nickname LIKE ? ORDER BY id OFFSET 1 ROWS FETCH NEXT ? ROWS WITH TIES",
                "SELECT id FROM TABLE WHERE nickname LIKE ? ORDER BY id FETCH FIRST ? ROWS WITH TIES",
                "SELECT id FROM TABLE WHERE nickname LIKE ? ORDER BY id FETCH FIRST (?) ROWS ONLY",
                "SELECT id FROM TABLE WHERE nickname LIKE ? ORDER BY id FETCH FIRST ? ROW ONLY",
                "SELECT id FROM TABLE WHERE nickname LIKE ? ORDER BY id LIMIT ? FOR UPDATE",
                "SELECT id FROM TABLE WHERE nickname LIKE ? ORDER BY id LIMIT ? FOR SHARE SKIP LOCKED"),
                p -> { p.setString(1, "Chan%"); p.setInt(2, 3); });
        assertAllAgree("support", List.of(
                "SELECT id FROM TABLE WHERE nickname LIKE ? ORDER BY id OFFSET ? ROWS FETCH NEXT ? ROWS WITH TIES",
                "SELECT id FROM TABLE WHERE nickname LIKE ? ORDER BY id OFFSET ? ROWS FETCH NEXT ? ROWS ONLY",
                "SELECT id FROM TABLE WHERE nickname LIKE ? ORDER BY id LIMIT ?, ?",
                "SELECT id FROM TABLE WHERE nickname LIKE ? ORDER BY id LIMIT ? OFFSET ? FOR UPDATE"),
                p -> { p.setString(1, "Chan%"); p.setInt(2, 1); p.setInt(3, 4); });
    }

    @Test
    void oddCountTypesAnswerOrFailAsPostgres() throws Exception {
        String sql = "SELECT id FROM TABLE WHERE nickname LIKE ? ORDER BY id LIMIT ? OFFSET ?";
        List<String> wrong = new ArrayList<>();
        Object[][] counts = {
                {Long.MAX_VALUE, 0L}, {0L, Long.MAX_VALUE}, {Long.MAX_VALUE, Long.MAX_VALUE},
                {new BigDecimal("9223372036854775808"), 0L}, {1e20, 0L}, {1e18, 0L}, {3.5, 0L}, {2.5f, 0L},
                {-0.4, 0L}, {0L, -0.4}, {true, 0L}, {Integer.MAX_VALUE, 1},
                {new BigDecimal("-0.5"), 0L}, {new BigDecimal("1e2"), 0L}, {Double.NaN, 0L},
                {(byte) 3, 0L}, {new java.math.BigInteger("4"), 0L}};
        for (Object[] c : counts) {
            String why = compare("support", sql, p -> {
                p.setString(1, "Chan%");
                p.setObject(2, c[0]);
                p.setObject(3, c[1]);
            });
            if (why != null) wrong.add(c[0] + "/" + c[1] + " (" + c[0].getClass().getSimpleName() + "): " + why);
        }
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    }

    /**
     * Finding: pgjdbc sends a String as varchar, and PostgreSQL refuses a varchar LIMIT/OFFSET (42804) whatever it
     * holds; Warden coerced it (answered "5", 22P02 for "abc"), reading the count from the value alone, without the
     * type it was bound with (the gateway binds untyped text as Types.OTHER, which PostgreSQL does coerce).
     */
    @Test
    void aCountBoundAsVarcharFailsAsPostgres() throws Exception {
        String sql = "SELECT id FROM TABLE WHERE nickname LIKE ? ORDER BY id LIMIT ? OFFSET ?";
        List<String> wrong = new ArrayList<>();
        for (String[] c : new String[][] {{"abc", "0"}, {"5", "1"}, {" 5 ", "0"}, {"1.5", "0"}, {"-1", "-1"}}) {
            for (Binder b : List.<Binder>of(
                    p -> { p.setString(1, "Chan%"); p.setString(2, c[0]); p.setInt(3, 0); },
                    p -> { p.setString(1, "Chan%"); p.setInt(2, 3); p.setObject(3, c[1]); },
                    p -> { p.setString(1, "Chan%"); p.setObject(2, c[0], java.sql.Types.VARCHAR); p.setInt(3, -1); },
                    p -> { p.setString(1, "Chan%"); p.setNull(2, java.sql.Types.VARCHAR); p.setInt(3, 0); },
                    p -> { p.setString(1, "Chan%"); p.setObject(2, c[0], java.sql.Types.OTHER); p.setInt(3, 0); })) {
                String why = compare("support", sql, b);
                if (why != null) wrong.add(why);
            }
        }
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    }

    /**
     * A count typed text (pgjdbc's PGobject of type text) or character varying (a String, or a PGobject of type
     * varchar) fails 42804 with PostgreSQL's own message, which names that type; Warden said "character varying"
     * whatever the type.
     */
    @Test
    void aCountTypedTextOrVarcharFailsWithPostgresMessageNamingThatType() throws Exception {
        String sql = "SELECT id FROM TABLE WHERE nickname LIKE ? ORDER BY id LIMIT ?";
        for (String type : List.of("text", "varchar")) {
            String expected;
            try (Connection raw = db.raw()) {
                expected = CountTypes.postgresRefusal(raw, type, type.equals("text") ? "text" : "character varying");
            }
            Object count = CountTypes.typed(type, "5");
            List<Binder> binders = new ArrayList<>(List.<Binder>of(p -> { p.setString(1, "Chan%"); p.setObject(2, count); }));
            if (type.equals("varchar")) binders.add(p -> { p.setString(1, "Chan%"); p.setString(2, "5"); });
            for (Binder b : binders) {
                for (String table : List.of("twin", "customers")) {
                    try (Connection c = table.equals("twin") ? db.raw() : db.as(policy, "support", null);
                         PreparedStatement p = c.prepareStatement(sql.replace("TABLE", table))) {
                        b.bind(p);
                        SQLException e = assertThrows(SQLException.class, () -> p.executeQuery().close(), table);
                        assertEquals("42804", e.getSQLState(), table + ": " + e.getMessage());
                        assertTrue(e.getMessage().contains(expected), type + " on " + table + ": " + e.getMessage());
                    }
                }
            }
        }
    }

    @Test
    void streamingWithFetchSizeOneAcrossRunsAgainAnswersAsTheTwin() throws Exception {
        String sql = "SELECT id, nickname FROM TABLE WHERE nickname LIKE ? ORDER BY id LIMIT ? OFFSET ?";
        try (Connection w = db.as(policy, "support", null); Connection raw = db.raw();
             PreparedStatement p = w.prepareStatement(sql.replace("TABLE", "customers"));
             PreparedStatement t = raw.prepareStatement(sql.replace("TABLE", "twin"))) {
            w.setAutoCommit(false);
            raw.setAutoCommit(false);
            for (PreparedStatement s : new PreparedStatement[] {p, t}) {
                s.setFetchSize(1);
                s.setString(1, "Chan 1%");
            }
            for (int limit : new int[] {1, 5, 9, 12, 20}) {
                for (int offset : new int[] {0, 3, 8}) {
                    for (PreparedStatement s : new PreparedStatement[] {p, t}) {
                        s.setInt(2, limit);
                        s.setInt(3, offset);
                    }
                    assertEquals(MatchLikeIT.rows(t.executeQuery()), MatchLikeIT.rows(p.executeQuery()),
                            limit + "/" + offset);
                }
            }
            w.commit();
        }
    }

    @Test
    void maxRowsFetchSizeAndReexecution() throws Exception {
        String sql = "SELECT id FROM TABLE WHERE nickname LIKE ? ORDER BY id LIMIT ? OFFSET ?";
        try (Connection w = db.as(policy, "support", null); Connection raw = db.raw();
             PreparedStatement p = w.prepareStatement(sql.replace("TABLE", "customers"));
             PreparedStatement t = raw.prepareStatement(sql.replace("TABLE", "twin"))) {
            w.setAutoCommit(false);
            raw.setAutoCommit(false);
            int[][] cases = {{0, 0, 10, 0}, {3, 1, 10, 0}, {2, 1, 1, 5}, {10, 0, 3, 1}, {0, 0, 50, 2}, {7, 3, 0, 1}};
            for (int[] c : cases) {
                for (PreparedStatement s : new PreparedStatement[] {p, t}) {
                    s.setMaxRows(c[0]);
                    s.setFetchSize(c[1]);
                    s.setString(1, "Chan%");
                    s.setInt(2, c[2]);
                    s.setInt(3, c[3]);
                }
                assertEquals(MatchLikeIT.rows(t.executeQuery()), MatchLikeIT.rows(p.executeQuery()),
                        java.util.Arrays.toString(c));
                assertTrue(p.execute());
                t.execute();
                assertEquals(MatchLikeIT.rows(t.getResultSet()), MatchLikeIT.rows(p.getResultSet()),
                        "execute() " + java.util.Arrays.toString(c));
            }
        }
    }

    /** Finding: setMaxRows was passed to the database, which capped the candidates, not the rows that pass. */
    @Test
    void maxRowsCapsTheRowsThatPassNotTheCandidates() throws Exception {
        try (Connection w = db.as(policy, "support", null); Connection raw = db.raw();
             Statement p = w.createStatement(); Statement t = raw.createStatement()) {
            for (String tail : List.of("", " LIMIT 10", " LIMIT 2", " OFFSET 3", " FETCH FIRST 40 ROWS ONLY")) {
                String sql = "SELECT id, nickname FROM TABLE WHERE nickname LIKE 'Chan%' ORDER BY id" + tail;
                for (int max : new int[] {1, 3, 5, 100}) {
                    p.setMaxRows(max);
                    t.setMaxRows(max);
                    assertEquals(max, p.getMaxRows());
                    assertEquals(MatchLikeIT.rows(t.executeQuery(sql.replace("TABLE", "twin"))),
                            MatchLikeIT.rows(p.executeQuery(sql.replace("TABLE", "customers"))), sql + " max " + max);
                    // a statement without a LIKE still has the database apply it
                    assertEquals(MatchLikeIT.rows(t.executeQuery("SELECT id FROM twin ORDER BY id")),
                            MatchLikeIT.rows(p.executeQuery("SELECT id FROM customers ORDER BY id")), "max " + max);
                }
            }
        }
    }

    @Test
    void likeNullInOtherPlacesIsRefusedOrExact() throws Exception {
        List<String> wheres = List.of("nickname LIKE NULL OR id < 5", "NOT (nickname LIKE NULL)",
                "NOT nickname LIKE NULL", "(CASE WHEN nickname LIKE NULL THEN true ELSE id < 4 END)",
                "nickname LIKE NULL ESCAPE '!'", "nickname LIKE NULL::text", "nickname LIKE CAST(NULL AS text)",
                "nickname LIKE (NULL)", "(nickname LIKE NULL) IS NULL", "(nickname LIKE NULL) IS NOT TRUE",
                "coalesce(nickname LIKE NULL, true) AND id < 4", "nickname NOT LIKE NULL IS NULL",
                "id < 4 AND NOT nickname ILIKE NULL", "nickname LIKE NULL = false",
                "id IN (SELECT id FROM TABLE WHERE nickname LIKE NULL) OR id < 3",
                "nickname LIKE NULL ESCAPE NULL", "nickname LIKE NULL ESCAPE ''", "nickname ~~ NULL",
                "nickname !~~ NULL", "nickname ~~* NULL", "nickname SIMILAR TO NULL", "email LIKE NULL OR id = 1",
                "email NOT LIKE NULL IS NULL AND id < 3");
        List<String> sqls = new ArrayList<>();
        for (String where : wheres) sqls.add("SELECT id FROM TABLE WHERE " + where + " ORDER BY id LIMIT 5");
        sqls.add("SELECT id, nickname LIKE NULL FROM TABLE ORDER BY id LIMIT 5");
        sqls.add("SELECT id, nickname NOT ILIKE NULL AS x FROM TABLE WHERE id < 4 ORDER BY id");
        sqls.add("SELECT id FROM TABLE ORDER BY nickname LIKE NULL, id LIMIT 5");
        sqls.add("SELECT id FROM TABLE WHERE nickname LIKE NULL UNION SELECT 1 ORDER BY 1");
        sqls.add("WITH x AS (SELECT id FROM TABLE WHERE nickname LIKE NULL) SELECT count(*) FROM x");
        sqls.add("SELECT count(*) FROM TABLE WHERE NOT (nickname LIKE NULL)");
        assertAllAgree("support", sqls, p -> { });
    }

    @Test
    void likeNullOnAColumnTheRoleMayNotFilterIsRefused() throws Exception {
        for (String where : List.of("nickname ILIKE NULL", "nickname LIKE NULL", "nickname NOT LIKE NULL",
                "nickname NOT ILIKE NULL", "id > 3 AND nickname LIKE NULL ESCAPE '!'", "c.nickname LIKE NULL")) {
            String sql = "SELECT id FROM customers c WHERE " + where + " ORDER BY id";
            try (Connection billing = db.as(policy, "billing", null); Statement s = billing.createStatement()) {
                SQLException e = assertThrows(SQLException.class, () -> s.executeQuery(sql).close(), where);
                assertEquals("42501", e.getSQLState(), where + ": " + e.getMessage());
            }
        }
    }

    /** LIKE NULL is refused for a role exactly when a LIKE with a real pattern is refused for it (42501). */
    @Test
    void likeNullIsRefusedWheneverARealPatternIsRefused() throws Exception {
        List<String> wrong = new ArrayList<>();
        for (String role : List.of("billing", "support")) {
            for (String column : List.of("email", "nickname", "c.email", "\"nickname\"")) {
                for (String op : List.of("LIKE", "NOT LIKE", "ILIKE", "NOT ILIKE")) {
                    String real = refusal(role, "SELECT id FROM customers c WHERE " + column + " " + op
                            + " '%xample%' ORDER BY id");
                    String nul = refusal(role, "SELECT id FROM customers c WHERE " + column + " " + op
                            + " NULL ORDER BY id");
                    if ("42501".equals(real) && !"42501".equals(nul)) {
                        wrong.add(role + " " + column + " " + op + " NULL: " + nul + " where a pattern is 42501");
                    }
                }
            }
        }
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    }

    /** Dollar parameters in SQL-level PREPARE, multi-statement text, a count bound untyped or as NULL varchar. */
    @Test
    void otherCountSpellingsAreRefusedOrExact() throws Exception {
        List<String> wrong = new ArrayList<>();
        try (Connection w = db.as(policy, "support", null); Connection raw = db.raw();
             Statement ws = w.createStatement(); Statement ts = raw.createStatement()) {
            for (String[] shape : new String[][] {
                    {"PREPARE pl(bigint) AS SELECT id FROM TABLE WHERE nickname LIKE 'Chan%' ORDER BY id LIMIT $1",
                            "EXECUTE pl(3)"},
                    {"PREPARE pm(text) AS SELECT id FROM TABLE WHERE nickname LIKE $1 ORDER BY id LIMIT 4",
                            "EXECUTE pm('Chan%')"}}) {
                List<List<String>> expected = null;
                String expectedState = null;
                try {
                    ts.execute(shape[0].replace("TABLE", "twin"));
                    expected = MatchLikeIT.rows(ts.executeQuery(shape[1]));
                } catch (SQLException e) {
                    expectedState = e.getSQLState();
                }
                try {
                    ws.execute(shape[0].replace("TABLE", "customers"));
                    List<List<String>> actual = MatchLikeIT.rows(ws.executeQuery(shape[1]));
                    if (!actual.equals(expected)) wrong.add(shape[0] + ": " + actual + " instead of " + expected);
                } catch (SQLException e) {
                    if (!REFUSALS.contains(e.getSQLState()) && !e.getSQLState().equals(expectedState)) {
                        wrong.add(shape[0] + ": " + e.getSQLState() + " " + e.getMessage());
                    }
                }
            }
        }
        for (String sql : List.of(
                "SELECT id FROM TABLE WHERE nickname LIKE 'Chan%' ORDER BY id LIMIT $1",
                "SELECT id FROM TABLE WHERE nickname LIKE 'Chan%' ORDER BY id LIMIT 3; SELECT 1",
                "SELECT 1; SELECT id FROM TABLE WHERE nickname LIKE 'Chan%' ORDER BY id LIMIT 3")) {
            String why = compare("support", sql, p -> { });
            if (why != null) wrong.add(why);
        }
        String sql = "SELECT id FROM TABLE WHERE nickname LIKE ? ORDER BY id LIMIT ? OFFSET ?";
        for (Binder b : List.<Binder>of(
                p -> { p.setString(1, "Chan%"); p.setObject(2, "3", java.sql.Types.OTHER); p.setInt(3, 1); },
                p -> { p.setString(1, "Chan%"); p.setObject(2, 3, java.sql.Types.BIGINT); p.setNull(3, java.sql.Types.BIGINT); },
                p -> { p.setString(1, "Chan%"); p.setObject(2, 3L, java.sql.Types.NUMERIC); p.setObject(3, 1, java.sql.Types.SMALLINT); },
                p -> { p.setString(1, "Chan%"); p.setNull(2, java.sql.Types.OTHER); p.setInt(3, 2); })) {
            String why = compare("support", sql, b);
            if (why != null) wrong.add(why);
        }
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    }

    private static String refusal(String role, String sql) throws Exception {
        try (Connection c = db.as(policy, role, null); Statement s = c.createStatement()) {
            s.executeQuery(sql).close();
            return "answered";
        } catch (SQLException e) {
            return e.getSQLState();
        }
    }
}
