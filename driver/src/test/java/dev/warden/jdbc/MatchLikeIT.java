package dev.warden.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.audit.AuditEvent;
import dev.warden.audit.AuditTrailFiles;
import dev.warden.audit.AuditTrailReader;
import dev.warden.audit.ChainedEvent;
import dev.warden.testkit.CustomersExample;
import dev.warden.testkit.MatchColumnsExample;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * LIKE, NOT LIKE and ILIKE on match columns answer exactly what PostgreSQL answers on the plaintext: every
 * statement runs through Warden on the encrypted table and directly on a plaintext twin with the same rows, and
 * the results (rows, order, values) must be equal; LIMIT, OFFSET and FETCH FIRST apply to the re-checked rows.
 * Placements where false positives of the index could change an answer Warden cannot re-check are refused.
 */
class MatchLikeIT {

    static final String[] NICKNAMES = {"Chan Tai Man", "chan siu ming", "CHAN", "Ah Chan", "Chen", "Chang", "wong",
            "Wong Kar Wai", "50% off", "under_score", "back\\slash", "", null, "Ünïcödé Chan", "ΣΊΣΥΦΟΣ", "straße",
            "ﬁnal", "a", "ab", "abc", "chanchan", "%", "_", "x_y%z", "Tai Chan Man", "İstanbul", "ıi"};
    static final String[] EMAILS = {"tm.chan@example.hk", "siu@example.hk", "c@example.com", "ah@EXAMPLE.HK",
            "chen@example.hk.evil", "chang@example.org", "wong@example.hk", "kar@wai.hk", "off@example.hk",
            "u_s@example.hk", "b@example.hk", "e@example.hk", null, "u@example.hk", "s@example.gr", "s@example.de",
            "f@example.hk", "a@a.a", "ab@a.a", "abc@a.a", "cc@example.hk", "p@example.hk", "q@example.hk",
            "x@example.hk", "tcm@example.hk", "i@example.tr", "ii@example.tr"};

    static CustomersExample db;
    static Path policy;

    @BeforeAll
    static void seed() throws Exception {
        db = CustomersExample.create();
        MatchColumnsExample.addNicknameAndCompanions(db);
        policy = MatchColumnsExample.policyDirectory(MatchColumnsExample.POLICY);
        try (Connection raw = db.raw(); Statement s = raw.createStatement()) {
            // customers as the application sees it (without the companions email_match and nickname_match)
            s.execute("CREATE TABLE twin (id int PRIMARY KEY, name text, email text, phone bytea, card_number text,"
                    + " birth_date bytea, credit_limit bytea, country text, nickname text)");
        }
        try (Connection support = db.as(policy, "support", null);
             PreparedStatement ps = support.prepareStatement(
                     "INSERT INTO customers (id, name, email, nickname) VALUES (?, ?, ?, ?)");
             Connection raw = db.raw();
             PreparedStatement twin = raw.prepareStatement(
                     "INSERT INTO twin (id, name, email, nickname) VALUES (?, ?, ?, ?)")) {
            for (int i = 0; i < NICKNAMES.length; i++) {
                for (PreparedStatement p : new PreparedStatement[] {ps, twin}) {
                    p.setInt(1, i + 1);
                    p.setString(2, "n" + i);
                    p.setString(3, EMAILS[i]);
                    p.setString(4, NICKNAMES[i]);
                    p.executeUpdate();
                }
            }
        }
    }

    static final List<String> PATTERNS = List.of("chan%", "Chan%", "%chan%", "%Chan", "%an%", "Ch_n%", "%_an%",
            "%\\%%", "%\\_%", "%@example.hk", "%@example.hk%", "%example.h_", "Wong%", "%Kar%", "ab_", "abc",
            "%ünï%", "%ΣΥΦ%", "%straße", "%STRASSE", "%ﬁn%", "%chanchan%", "x\\_y\\%z", "%İst%", "%ıi", "%c%h%a%n%");

    /** Patterns without 3 consecutive literal characters (2 at an end): refused, the index cannot narrow them. */
    static final List<String> TOO_SHORT_FOR_LIKE = List.of("%an%", "%_an%", "%\\%%", "%\\_%", "%ﬁn%", "%c%h%a%n%");

    @Test
    void likeAndNotLikeAnswerAsPostgresOnPlaintext() throws Exception {
        try (Connection support = db.as(policy, "support", null); Connection raw = db.raw()) {
            for (String column : List.of("nickname", "email")) {
                List<String> tooShort = new ArrayList<>();
                for (String pattern : PATTERNS) {
                    for (String op : List.of("NOT LIKE", "LIKE")) {
                        String where = column + " " + op + " ?";
                        try {
                            compare(support, raw, "SELECT id, " + column + " FROM TABLE WHERE " + where
                                    + " ORDER BY id", pattern);
                        } catch (SQLException e) {
                            assertTrue(op.equals("LIKE") && e.getMessage().contains("too short"), e.getMessage());
                            tooShort.add(pattern);
                            continue;
                        }
                        compare(support, raw, "SELECT id FROM TABLE WHERE " + where + " AND id > 2 ORDER BY id DESC"
                                + " LIMIT 3 OFFSET 1", pattern);
                        if (op.equals("LIKE")) {
                            compareInline(support, raw, "SELECT name FROM TABLE WHERE " + column + " LIKE "
                                    + literal(pattern) + " ORDER BY name FETCH FIRST 2 ROWS ONLY");
                        }
                    }
                }
                assertEquals(TOO_SHORT_FOR_LIKE, tooShort, column);
            }
            // ESCAPE: another character, none at all
            compareInline(support, raw, "SELECT id FROM TABLE WHERE nickname LIKE '%!% off' ESCAPE '!' ORDER BY id");
            compareInline(support, raw, "SELECT id FROM TABLE WHERE nickname LIKE 'back\\%' ESCAPE '' ORDER BY id");
            compareInline(support, raw, "SELECT id FROM TABLE WHERE nickname LIKE 'back\\slash' ESCAPE '' ORDER BY id");
            compareInline(support, raw, "SELECT id FROM TABLE WHERE nickname NOT LIKE '_%' ORDER BY id");
            // two LIKEs on two columns, with an alias
            compareInline(support, raw, "SELECT c.id FROM TABLE c WHERE c.nickname LIKE '%chan%' AND c.email LIKE"
                    + " '%.hk' ORDER BY c.id");
            // a NULL pattern matches nothing
            compare(support, raw, "SELECT id FROM TABLE WHERE nickname LIKE ? ORDER BY id", null);
        }
    }

    @Test
    void iLikeAnswersAsPostgresOnPlaintext() throws Exception {
        try (Connection support = db.as(policy, "support", null); Connection raw = db.raw()) {
            List<String> tooShort = new ArrayList<>();
            for (String pattern : PATTERNS) {
                try {
                    compare(support, raw, "SELECT id FROM TABLE WHERE nickname ILIKE ? ORDER BY id", pattern);
                } catch (SQLException e) {
                    // ILIKE leaves out of its query tokens only the characters the database folds unlike the index
                    assertTrue(e.getMessage().contains("too short"), e.getMessage());
                    tooShort.add(pattern);
                }
                compare(support, raw, "SELECT id FROM TABLE WHERE email NOT ILIKE ? ORDER BY id", pattern);
                compare(support, raw, "SELECT id FROM TABLE WHERE nickname NOT ILIKE ? ORDER BY id", pattern);
            }
            // cased non-ASCII characters give tokens too where the database folds them as the index does
            assertEquals(TOO_SHORT_FOR_LIKE.stream().sorted().toList(), tooShort.stream().sorted().toList());
        }
    }

    @Test
    void selectStarShowsTheTableWithoutItsIndex() throws Exception {
        try (Connection support = db.as(policy, "support", null); Connection raw = db.raw()) {
            compare(support, raw, "SELECT * FROM TABLE WHERE nickname LIKE ? ORDER BY id", "%Chan%");
            compare(support, raw, "SELECT * FROM TABLE WHERE email LIKE ? ORDER BY id DESC LIMIT 2 OFFSET 1",
                    "%example.hk");
            compareInline(support, raw, "SELECT * FROM TABLE WHERE id = 3");
            compareInline(support, raw, "SELECT t.*, t.id FROM TABLE t ORDER BY id");
            compareInline(support, raw, "SELECT * FROM TABLE a JOIN TABLE b ON b.id = a.id + 1 ORDER BY a.id");
            compareInline(support, raw, "SELECT * FROM (SELECT * FROM TABLE WHERE id < 5) s ORDER BY id");
            try (PreparedStatement ps = support.prepareStatement("SELECT * FROM customers WHERE nickname LIKE ?");
                 PreparedStatement twin = raw.prepareStatement("SELECT * FROM twin")) {
                // described before it runs, as after
                assertEquals(labels(twin.getMetaData()), labels(ps.getMetaData()));
                ps.setString(1, "%Chan%");
                try (ResultSet rs = ps.executeQuery()) {
                    assertEquals(labels(twin.getMetaData()), labels(rs.getMetaData()));
                    assertThrows(SQLException.class, () -> rs.findColumn("nickname_match"));
                }
            }
        }
        try (Connection billing = db.as(policy, "billing", null); Statement s = billing.createStatement();
             ResultSet rs = s.executeQuery("SELECT * FROM customers WHERE id = 1")) {
            assertTrue(rs.next());
            assertEquals("tm.chan@example.hk", rs.getString("email"));
            assertFalse(rs.getString("nickname").contains("Chan"), "masked for billing");
        }
    }

    @Test
    void aLimitRunsAgainForMoreCandidatesWhenTooFewOfTheFirstMatch() throws Exception {
        // 600 candidates of 'Chan%' (the index folds case) of which only the last 5 by id match
        try (Connection support = db.as(policy, "support", null);
             PreparedStatement ps = support.prepareStatement(
                     "INSERT INTO customers (id, name, email, nickname) VALUES (?, ?, ?, ?)");
             Connection raw = db.raw();
             PreparedStatement twin = raw.prepareStatement(
                     "INSERT INTO twin (id, name, email, nickname) VALUES (?, ?, ?, ?)")) {
            for (int i = 0; i < 600; i++) {
                for (PreparedStatement p : new PreparedStatement[] {ps, twin}) {
                    p.setInt(1, 1000 + i);
                    p.setString(2, "bulk" + i);
                    p.setString(3, "bulk" + i + "@example.org");
                    p.setString(4, (i >= 595 ? "Chan " : "chan ") + i);
                    p.addBatch();
                }
            }
            ps.executeBatch();
            twin.executeBatch();
        }
        try (Connection support = db.as(policy, "support", null); Connection raw = db.raw()) {
            for (String tail : List.of("ORDER BY id LIMIT 3", "ORDER BY id DESC LIMIT 2 OFFSET 4",
                    "ORDER BY id OFFSET 4 ROWS FETCH FIRST 3 ROWS ONLY", "ORDER BY id LIMIT 0", "ORDER BY id LIMIT 100")) {
                String sql = "SELECT id, nickname FROM TABLE WHERE id >= 1000 AND nickname LIKE ? " + tail;
                compare(support, raw, sql, "Chan%");
                compareInline(support, raw, sql.replace("?", "'Chan%'"));
            }
            // without ORDER BY any matching rows are PostgreSQL's answer: as many, each matching, none twice
            try (PreparedStatement ps = support.prepareStatement(
                    "SELECT id, nickname FROM customers WHERE id >= 1000 AND nickname LIKE ? LIMIT 4")) {
                ps.setString(1, "Chan%");
                List<List<String>> rows = rows(ps.executeQuery());
                assertEquals(4, rows.size());
                assertEquals(4, rows.stream().map(r -> r.get(0)).distinct().count());
                assertTrue(rows.stream().allMatch(r -> r.get(1).startsWith("Chan ")), rows::toString);
            }
        }
    }

    @Test
    void theAuditRecordsTheLikeColumnAsFiltered() throws Exception {
        String sql = "SELECT id, name FROM customers WHERE nickname LIKE ? AND email ILIKE ? ORDER BY id";
        int expected;
        try (Connection raw = db.raw(); PreparedStatement ps = raw.prepareStatement(sql.replace("customers", "twin"))) {
            ps.setString(1, "%Chan%");
            ps.setString(2, "%EXAMPLE.hk");
            expected = rows(ps.executeQuery()).size();
        }
        try (Connection support = db.as(policy, "support", null); PreparedStatement ps = support.prepareStatement(sql)) {
            ps.setString(1, "%Chan%");
            ps.setString(2, "%EXAMPLE.hk");
            assertEquals(expected, rows(ps.executeQuery()).size());
        }
        AuditEvent like = null;
        for (int attempt = 0; attempt < 100 && like == null; attempt++) {
            for (ChainedEvent e : AuditTrailReader.readFiles(AuditTrailFiles.expand(List.of(policy)))) {
                if (sql.equals(e.event().fingerprint())) like = e.event();
            }
            if (like == null) Thread.sleep(20);
        }
        assertTrue(like != null, "no audit event for " + sql);
        assertEquals("allowed", like.decision());
        assertEquals(List.of("customers.nickname", "customers.email"), like.columnsFiltered());
        assertTrue(like.columnsRead().isEmpty(), "the re-checked values are not read: " + like.columnsRead());
        assertEquals(expected, like.rows());
        String line = String.join("\n", java.nio.file.Files.readAllLines(AuditTrailFiles.expand(List.of(policy)).get(0)));
        assertFalse(line.contains("Chan") || line.contains("EXAMPLE"), "no pattern in the trail");
    }

    private static List<String> labels(java.sql.ResultSetMetaData meta) throws SQLException {
        List<String> out = new ArrayList<>();
        for (int i = 1; i <= meta.getColumnCount(); i++) out.add(meta.getColumnLabel(i) + ":" + meta.getColumnType(i));
        return out;
    }

    @Test
    void theResultShowsOnlyTheStatementsColumnsAndOnlyMatchingRows() throws Exception {
        try (Connection support = db.as(policy, "support", null);
             PreparedStatement ps = support.prepareStatement("SELECT id FROM customers WHERE nickname LIKE ?")) {
            assertEquals(1, ps.getMetaData().getColumnCount());
            ps.setString(1, "%chan%");
            try (ResultSet rs = ps.executeQuery()) {
                assertEquals(1, rs.getMetaData().getColumnCount());
                assertThrows(SQLException.class, () -> rs.findColumn("nickname"));
                assertTrue(rs.next());
                assertThrows(SQLException.class, () -> rs.getString(2));
                assertThrows(SQLException.class, rs::previous);
            }
        }
    }

    @Test
    void placementsTheIndexCannotAnswerExactlyAreRefused() throws Exception {
        List<String> refused = List.of(
                "SELECT count(*) FROM customers WHERE nickname LIKE 'chan%'",
                "SELECT max(id) FROM customers WHERE nickname LIKE 'chan%'",
                "SELECT id FROM customers WHERE nickname LIKE 'chan%' OR id = 1",
                "SELECT id FROM customers WHERE NOT (nickname LIKE 'chan%')",
                "SELECT id FROM customers WHERE id IN (SELECT id FROM customers WHERE nickname LIKE 'chan%')",
                "SELECT id FROM customers c WHERE EXISTS (SELECT 1 FROM customers d WHERE d.nickname LIKE 'chan%')",
                "SELECT c.id FROM customers c JOIN orders o ON o.customer_id = c.id AND c.nickname LIKE 'chan%'",
                "SELECT DISTINCT name FROM customers WHERE nickname LIKE 'chan%'",
                "SELECT name FROM customers WHERE nickname LIKE 'chan%' GROUP BY name",
                "UPDATE customers SET name = 'x' WHERE nickname LIKE 'chan%'",
                "DELETE FROM customers WHERE nickname LIKE 'chan%'",
                "SELECT id FROM customers WHERE nickname LIKE 'chan%' UNION ALL SELECT id FROM customers",
                "SELECT id FROM customers WHERE nickname LIKE 'c%'",
                "SELECT id FROM customers WHERE nickname LIKE '%ab%'",
                "SELECT id FROM customers WHERE nickname LIKE 'a_c%'",
                "SELECT id FROM customers WHERE nickname LIKE name");
        try (Connection support = db.as(policy, "support", null); Statement s = support.createStatement()) {
            for (String sql : refused) {
                SQLException e = assertThrows(SQLException.class, () -> s.execute(sql), sql);
                assertEquals("0A000", e.getSQLState(), sql + ": " + e.getMessage());
                assertFalse(e.getMessage().contains("chan"), "no pattern in the message: " + e.getMessage());
            }
            SQLException shortPattern = assertThrows(SQLException.class,
                    () -> s.executeQuery("SELECT id FROM customers WHERE nickname LIKE 'c%'"));
            assertTrue(shortPattern.getMessage().contains("too short for its match index"), shortPattern.getMessage());
            SQLException aggregate = assertThrows(SQLException.class,
                    () -> s.executeQuery("SELECT count(*) FROM customers WHERE nickname LIKE 'chan%'"));
            assertTrue(aggregate.getMessage().contains("aggregate"), aggregate.getMessage());
        }
        try (Connection billing = db.as(policy, "billing", null); Statement s = billing.createStatement()) {
            SQLException e = assertThrows(SQLException.class,
                    () -> s.executeQuery("SELECT id FROM customers WHERE nickname LIKE 'chan%'"));
            assertEquals("42501", e.getSQLState(), e.getMessage());
        }
        try (Connection support = db.as(policy, "support", null);
             PreparedStatement ps = support.prepareStatement("SELECT id FROM customers WHERE nickname LIKE ?")) {
            SQLException e = assertThrows(SQLException.class, () -> ps.setString(1, "%c_"));
            assertEquals("0A000", e.getSQLState());
        }
    }

    @Test
    void postgresErrorsOfBadPatternsAreKept() throws Exception {
        try (Connection support = db.as(policy, "support", null); Statement s = support.createStatement();
             Connection raw = db.raw(); Statement r = raw.createStatement()) {
            for (String where : List.of("LIKE 'chan\\'", "LIKE 'chan%' ESCAPE 'ab'")) {
                SQLException expected = assertThrows(SQLException.class,
                        () -> r.executeQuery("SELECT id FROM twin WHERE nickname " + where).next());
                SQLException actual = assertThrows(SQLException.class,
                        () -> s.executeQuery("SELECT id FROM customers WHERE nickname " + where).next());
                assertEquals(expected.getSQLState(), actual.getSQLState(), actual.getMessage());
            }
        }
    }

    private static String literal(String pattern) {
        return "'" + pattern.replace("'", "''") + "'";
    }

    private static void compare(Connection warden, Connection raw, String template, String pattern) throws Exception {
        List<List<String>> expected;
        List<List<String>> actual;
        try (PreparedStatement ps = raw.prepareStatement(template.replace("TABLE", "twin"))) {
            ps.setString(1, pattern);
            expected = rows(ps.executeQuery());
        }
        try (PreparedStatement ps = warden.prepareStatement(template.replace("TABLE", "customers"))) {
            ps.setString(1, pattern);
            actual = rows(ps.executeQuery());
        }
        assertEquals(expected, actual, template + " with " + pattern);
    }

    private static void compareInline(Connection warden, Connection raw, String template) throws Exception {
        try (Statement a = raw.createStatement(); Statement b = warden.createStatement()) {
            assertEquals(rows(a.executeQuery(template.replace("TABLE", "twin"))),
                    rows(b.executeQuery(template.replace("TABLE", "customers"))), template);
        }
    }

    static List<List<String>> rows(ResultSet rs) throws SQLException {
        List<List<String>> out = new ArrayList<>();
        try (rs) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<String> row = new ArrayList<>();
                for (int i = 1; i <= n; i++) row.add(rs.getString(i));
                out.add(row);
            }
        }
        return out;
    }
}
