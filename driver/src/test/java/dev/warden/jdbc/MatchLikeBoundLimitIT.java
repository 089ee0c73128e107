package dev.warden.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.testkit.CustomersExample;
import dev.warden.testkit.MatchColumnsExample;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * LIMIT, OFFSET and FETCH FIRST given as parameters of a statement with a LIKE through a match index (how ORMs
 * paginate: {@code ... like ? order by id limit ? offset ?}) answer as PostgreSQL does on a plaintext twin: the
 * counts bound at each execution of one prepared statement, 0, past the end, NULL (no limit / no offset), negative
 * (PostgreSQL's errors 2201W and 2201X), across pages where the index's false positives are dense, so that the
 * first candidate bound (8 × (OFFSET + LIMIT), at least 64) runs out and the statement runs again. And {@code LIKE
 * NULL} written inline answers no row, as PostgreSQL does.
 */
class MatchLikeBoundLimitIT {

    static CustomersExample db;
    static Path policy;

    /** 'Chan%' has every row as a candidate (the index folds case) and only each 9th row as a match. */
    @BeforeAll
    static void seed() throws Exception {
        db = CustomersExample.create();
        MatchColumnsExample.addNicknameAndCompanions(db);
        policy = MatchColumnsExample.policyDirectory(MatchColumnsExample.POLICY);
        MatchColumnsExample.seedDenseChanTwin(db, policy, 450);
    }

    /** (LIMIT, OFFSET) pairs; null is SQL NULL. 50 rows match 'Chan%'. */
    static final Long[][] PAGES = {{10L, 0L}, {10L, 20L}, {10L, 40L}, {10L, 45L}, {10L, 50L}, {10L, 1000L},
            {0L, 0L}, {0L, 30L}, {1L, 49L}, {3L, 7L}, {100L, 0L}, {null, 0L}, {null, 33L}, {5L, null}, {null, null},
            {25L, 25L}, {7L, 14L}, {1L, 0L}};

    @Test
    void boundLimitAndOffsetAnswerAsTheTwinAtEachExecution() throws Exception {
        List<String> statements = List.of(
                "SELECT id, nickname FROM TABLE WHERE nickname LIKE ? ORDER BY id LIMIT ? OFFSET ?",
                "SELECT id, nickname FROM TABLE WHERE nickname LIKE ? ORDER BY id DESC LIMIT ? OFFSET ?",
                "SELECT id, nickname FROM TABLE WHERE nickname ILIKE ? ORDER BY id OFFSET ? LIMIT ?",
                "SELECT id, nickname FROM TABLE WHERE nickname LIKE ? ORDER BY id"
                        + " FETCH FIRST ? ROWS ONLY OFFSET ? ROWS",
                "SELECT id FROM TABLE WHERE id > 3 AND nickname NOT LIKE ? ORDER BY id LIMIT ? OFFSET ?",
                // Hibernate 6 on PostgreSQL
                "select c1_0.id,c1_0.nickname from TABLE c1_0 where c1_0.nickname like ? escape '' order by c1_0.id"
                        + " offset ? rows fetch first ? rows only");
        try (Connection support = db.as(policy, "support", null); Connection raw = db.raw()) {
            for (String sql : statements) {
                String pattern = sql.contains("ILIKE") ? "%HAN 1%" : "Chan%";
                try (PreparedStatement w = support.prepareStatement(sql.replace("TABLE", "customers"));
                     PreparedStatement t = raw.prepareStatement(sql.replace("TABLE", "twin"))) {
                    w.setString(1, pattern);
                    t.setString(1, pattern);
                    // the same prepared statement, executed with each page's counts
                    for (Long[] page : PAGES) {
                        boolean offsetFirst = sql.indexOf("ffset ?") < sql.indexOf("imit ?")
                                || sql.indexOf("ffset ?") < sql.indexOf("irst ?");
                        for (PreparedStatement p : new PreparedStatement[] {w, t}) {
                            setCount(p, offsetFirst ? 3 : 2, page[0]);
                            setCount(p, offsetFirst ? 2 : 3, page[1]);
                        }
                        assertEquals(MatchLikeIT.rows(t.executeQuery()), MatchLikeIT.rows(w.executeQuery()),
                                sql + " LIMIT " + page[0] + " OFFSET " + page[1]);
                    }
                }
            }
        }
    }

    @Test
    void aBoundLimitAloneOrAnOffsetAloneAnswersAsTheTwin() throws Exception {
        try (Connection support = db.as(policy, "support", null); Connection raw = db.raw()) {
            for (String tail : List.of("LIMIT ?", "OFFSET ?", "LIMIT ALL OFFSET ?", "OFFSET 5 LIMIT ?",
                    "LIMIT 4 OFFSET ?", "FETCH FIRST ? ROW ONLY")) {
                String sql = "SELECT id FROM TABLE WHERE nickname LIKE ? ORDER BY id " + tail;
                for (long n : new long[] {0, 1, 9, 30, 49, 50, 51, 500}) {
                    try (PreparedStatement w = support.prepareStatement(sql.replace("TABLE", "customers"));
                         PreparedStatement t = raw.prepareStatement(sql.replace("TABLE", "twin"))) {
                        for (PreparedStatement p : new PreparedStatement[] {w, t}) {
                            p.setString(1, "Chan%");
                            p.setLong(2, n);
                        }
                        assertEquals(MatchLikeIT.rows(t.executeQuery()), MatchLikeIT.rows(w.executeQuery()),
                                sql + " with " + n);
                        assertTrue(w.execute(), "execute() too, as frameworks and the gateway call it");
                        t.execute();
                        assertEquals(MatchLikeIT.rows(t.getResultSet()), MatchLikeIT.rows(w.getResultSet()),
                                sql + " with " + n + " through execute()");
                    }
                }
            }
        }
    }

    @Test
    void numbersOfOtherTypesAreCoercedAsPostgresCoercesThem() throws Exception {
        String sql = "SELECT id FROM TABLE WHERE nickname LIKE ? ORDER BY id LIMIT ? OFFSET ?";
        try (Connection support = db.as(policy, "support", null); Connection raw = db.raw();
             PreparedStatement w = support.prepareStatement(sql.replace("TABLE", "customers"));
             PreparedStatement t = raw.prepareStatement(sql.replace("TABLE", "twin"))) {
            for (PreparedStatement p : new PreparedStatement[] {w, t}) {
                p.setString(1, "Chan%");
                p.setInt(2, 4);
                p.setBigDecimal(3, new java.math.BigDecimal("2.5"));  // numeric rounds half away from zero: 3
            }
            assertEquals(MatchLikeIT.rows(t.executeQuery()), MatchLikeIT.rows(w.executeQuery()));
            for (PreparedStatement p : new PreparedStatement[] {w, t}) {
                p.setShort(2, (short) 2);
                p.setObject(3, 11L);
            }
            assertEquals(MatchLikeIT.rows(t.executeQuery()), MatchLikeIT.rows(w.executeQuery()));
        }
    }

    @Test
    void negativeOrUnboundCountsFailAsPostgresFails() throws Exception {
        String sql = "SELECT id FROM TABLE WHERE nickname LIKE ? ORDER BY id LIMIT ? OFFSET ?";
        long[][] bad = {{-1, 0}, {0, -1}, {-1, -1}, {5, -10}};
        try (Connection support = db.as(policy, "support", null); Connection raw = db.raw();
             PreparedStatement w = support.prepareStatement(sql.replace("TABLE", "customers"));
             PreparedStatement t = raw.prepareStatement(sql.replace("TABLE", "twin"))) {
            for (long[] counts : bad) {
                for (PreparedStatement p : new PreparedStatement[] {w, t}) {
                    p.setString(1, "Chan%");
                    p.setLong(2, counts[0]);
                    p.setLong(3, counts[1]);
                }
                SQLException expected = assertThrows(SQLException.class, () -> t.executeQuery().close());
                SQLException actual = assertThrows(SQLException.class, () -> w.executeQuery().close());
                assertEquals(expected.getSQLState(), actual.getSQLState(), actual.getMessage());
                String message = ((org.postgresql.util.PSQLException) expected).getServerErrorMessage().getMessage();
                assertTrue(actual.getMessage().endsWith(message), actual.getMessage() + " is not " + message);
            }
            // the statement still answers with good counts afterwards
            w.setLong(2, 2);
            w.setLong(3, 1);
            t.setLong(2, 2);
            t.setLong(3, 1);
            assertEquals(MatchLikeIT.rows(t.executeQuery()), MatchLikeIT.rows(w.executeQuery()));
            for (PreparedStatement p : new PreparedStatement[] {w, t}) {
                p.clearParameters();
                p.setString(1, "Chan%");
                p.setLong(2, 3);
            }
            SQLException expected = assertThrows(SQLException.class, () -> t.executeQuery().close());
            SQLException actual = assertThrows(SQLException.class, () -> w.executeQuery().close());
            assertEquals(expected.getSQLState(), actual.getSQLState(), actual.getMessage());
        }
    }

    @Test
    void likeNullWrittenInlineAnswersNoRowAsPostgres() throws Exception {
        try (Connection support = db.as(policy, "support", null); Connection raw = db.raw();
             Statement w = support.createStatement(); Statement t = raw.createStatement()) {
            for (String where : List.of("nickname LIKE NULL", "nickname NOT LIKE NULL", "nickname ILIKE NULL",
                    "nickname NOT ILIKE NULL", "id > 3 AND nickname LIKE NULL ESCAPE '!'",
                    "nickname LIKE NULL AND nickname LIKE 'Chan%'")) {
                String sql = "SELECT id, nickname FROM TABLE WHERE " + where + " ORDER BY id LIMIT 5";
                List<List<String>> expected = MatchLikeIT.rows(t.executeQuery(sql.replace("TABLE", "twin")));
                assertTrue(expected.isEmpty(), where);
                assertEquals(expected, MatchLikeIT.rows(w.executeQuery(sql.replace("TABLE", "customers"))), where);
            }
        }
    }

    private static void setCount(PreparedStatement p, int index, Long value) throws SQLException {
        if (value == null) p.setNull(index, Types.BIGINT); else p.setLong(index, value);
    }
}
