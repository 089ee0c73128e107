package dev.warden.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.testkit.CustomersExample;
import dev.warden.testkit.OrderColumnsExample;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Red team, session 9: ranges on order columns ({@code order: true}) through the driver. Neighbours of the supported
 * shapes, odd bound types and values, roles without the filter right and writes that could skip the order index,
 * each compared with PostgreSQL on the plaintext twin {@code ledger_twin}.
 */
class RedTeamSession9RangeIT {

    private static CustomersExample db;
    private static Path policy;

    @BeforeAll
    static void seed() throws Exception {
        db = CustomersExample.create();
        policy = OrderColumnsExample.policyDirectory(OrderColumnsExample.POLICY);
        OrderColumnsExample.createWithCompanions(db, policy);
        try (Connection support = db.as(policy, "support", null); Connection raw = db.raw()) {
            for (Connection c : new Connection[] {support, raw}) {
                String t = c == raw ? "ledger_twin" : "ledger";
                try (Statement s = c.createStatement()) {
                    s.executeUpdate("INSERT INTO " + t + " (id, amount, balance, price, born, created, label) VALUES"
                            + " (1, 1, 1, 1.5, '2000-01-01', '2020-01-01 00:00:00', 'a'),"
                            + " (2, 2, 2, 2.5, '2000-01-02', '2020-01-01 12:00:00', 'b'),"
                            + " (3, 3, 3, 3.5, '2000-01-03', '2020-01-02 00:00:00', 'c'),"
                            + " (4, 3, 4, 4.5, '2000-01-04', '2020-01-03 00:00:00', 'd'),"
                            + " (5, 10, 5, 5.5, '2000-01-05', '2020-01-04 00:00:00', 'e')");
                    s.executeUpdate("INSERT INTO " + t + " (id) VALUES (6)");
                }
            }
        }
    }

    /** Shapes next to the supported ones: each is refused (0A000) or answers exactly as PostgreSQL on the twin. */
    @Test
    void neighboursOfASupportedRangeAreRefusedOrAnswerAsTheTwin() throws Exception {
        String[] wheres = {
            "NOT (amount < 3)", "(amount < 3) IS TRUE", "(amount < 3) IS NOT FALSE", "(amount) < 3", "amount::text < '3'",
            "- amount < -2", "amount < ALL(ARRAY[3])", "amount < (SELECT 3)", "ROW(amount) < ROW(3)",
            "CASE WHEN amount < 3 THEN true ELSE false END", "COALESCE(amount < 3, true)", "amount < 3 OR TRUE",
            "(amount < 3) = true", "amount < 5 AND NOT (amount < 3)", "amount < '3'", "amount < ' 3 '",
            "amount < 99999999999999999999", "price < 'NaN'", "price < 'Infinity'", "price < '-0'", "price < -0.0",
            "created < '2020-01-02 00:00:00Z'", "created < 'infinity'", "created < 'today'", "born < 'infinity'",
            "born < '2000-01-03 12:00'", "created < '2020-01-02'::date", "created < DATE '2020-01-02'",
            "born < '2000-01-03'::timestamp", "created > '2020-01-01 12:00:00+08'", "created > '2020-01-01T12:00:00'",
            "born < 'J2451547'", "label < 'c' COLLATE \"C\"", "label COLLATE \"POSIX\" < 'c'",
            "label COLLATE pg_catalog.\"C\" < 'c'", "amount < 3 AND amount < 3", "amount BETWEEN SYMMETRIC 3 AND 1",
            "amount BETWEEN 1 AND 3 AND amount NOT BETWEEN 2 AND 2", "3 > amount", "amount <= +3", "amount < -(-3)",
            "amount < 3::int", "amount < 3 IS NOT NULL",
        };
        String[] selects = {
            "SELECT id FROM %s WHERE amount < 4 ORDER BY id FETCH FIRST 1 ROWS WITH TIES",
            "SELECT id FROM %s WHERE amount < 4 ORDER BY id FOR UPDATE",
            "SELECT id FROM %s WHERE amount < 4 ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED",
            "SELECT id, amount < 3 FROM %s ORDER BY id",
            "SELECT id FROM %s ORDER BY CASE WHEN amount < 3 THEN 0 ELSE 1 END, id",
            "SELECT id FROM (SELECT id, amount FROM %s) s WHERE amount < 3 ORDER BY id",
            "WITH s AS (SELECT id, amount FROM %s) SELECT id FROM s WHERE amount < 3 ORDER BY id",
            "SELECT 1 WHERE EXISTS (SELECT 1 FROM %s WHERE amount < 0)",
            "SELECT id FROM %s WHERE amount < 3 UNION ALL SELECT 0 ORDER BY 1",
            "SELECT id FROM %s WHERE amount < 3 ORDER BY id LIMIT NULL",
            "SELECT id FROM %s WHERE amount < 3 ORDER BY id OFFSET 1",
            "SELECT id FROM %s WHERE amount < 4 ORDER BY amount, id",
            "SELECT id FROM %s WHERE amount < 4 ORDER BY amount DESC, id LIMIT 2",
            "SELECT id, (SELECT count(*) FROM %1$s) FROM %1$s WHERE amount < 3 ORDER BY id",
            "SELECT id, count(*) OVER () FROM %s WHERE amount < 3 ORDER BY id",
            "SELECT id FROM %s t WHERE t.amount < 3 AND t.id IN (SELECT id FROM %1$s) ORDER BY id",
            "SELECT id, generate_series(1, 2) FROM %s WHERE amount < 3 ORDER BY id",
            "SELECT id FROM ONLY %s WHERE amount < 3 ORDER BY id",
            "SELECT id FROM %s WHERE amount < 3 ORDER BY id; SELECT 1",
            "SELECT id FROM %s WHERE amount < 3 AND id < 100 ORDER BY id LIMIT 1 OFFSET 0",
            "SELECT id FROM %s WHERE amount < 3 GROUP BY id ORDER BY id",
            "SELECT DISTINCT id %% 2 FROM %s WHERE amount < 4 ORDER BY 1",
        };
        try (Connection support = db.as(policy, "support", null); Connection raw = db.raw()) {
            for (String w : wheres) {
                refusedOrSame(w, run(raw, "SELECT id FROM ledger_twin WHERE " + w + " ORDER BY id"),
                        run(support, "SELECT id FROM ledger WHERE " + w + " ORDER BY id"));
            }
            for (String q : selects) {
                refusedOrSame(q, run(raw, q.formatted("ledger_twin")), run(support, q.formatted("ledger")));
            }
        }
    }

    /**
     * Finding: setTimestamp/setDate with a Calendar on a protected parameter ignored the calendar, so a range bound
     * (and a written value) was the JVM zone's date-time, not the one pgjdbc sends and PostgreSQL compares or stores.
     */
    @Test
    void aCalendarBoundOrValueIsTheDateTimePostgresSees() throws Exception {
        java.util.Calendar tokyo = java.util.Calendar.getInstance(java.util.TimeZone.getTimeZone("Asia/Tokyo"));
        java.util.Calendar la = java.util.Calendar.getInstance(java.util.TimeZone.getTimeZone("America/Los_Angeles"));
        try (Connection support = db.as(policy, "support", null); Connection raw = db.raw()) {
            for (java.util.Calendar cal : new java.util.Calendar[] {tokyo, la}) {
                String where = "created < ?";
                String[] got = new String[2];
                String[] days = new String[2];
                int k = 0;
                for (Connection c : new Connection[] {raw, support}) {
                    String t = c == raw ? "ledger_twin" : "ledger";
                    try (PreparedStatement ps = c.prepareStatement("SELECT id FROM " + t + " WHERE " + where + " ORDER BY id");
                         PreparedStatement pd = c.prepareStatement("SELECT id FROM " + t + " WHERE born < ? ORDER BY id")) {
                        ps.setTimestamp(1, Timestamp.valueOf("2020-01-02 00:00:00"), cal);
                        got[k] = ids(ps.executeQuery());
                        pd.setDate(1, Date.valueOf("2000-01-03"), cal);
                        days[k] = ids(pd.executeQuery());
                    }
                    k++;
                }
                assertEquals(got[0], got[1], "setTimestamp with " + cal.getTimeZone().getID());
                assertEquals(days[0], days[1], "setDate with " + cal.getTimeZone().getID());
            }
            // the value written is the one PostgreSQL stores on the twin
            for (Connection c : new Connection[] {raw, support}) {
                String t = c == raw ? "ledger_twin" : "ledger";
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + t + " (id, created, born) VALUES (?, ?, ?)")) {
                    ps.setInt(1, 50);
                    ps.setTimestamp(2, Timestamp.valueOf("2020-01-02 00:00:00.123456"), la);
                    ps.setDate(3, Date.valueOf("2000-01-03"), la);
                    ps.executeUpdate();
                }
            }
            try {
                String q = "SELECT id, created, born FROM %s WHERE id = 50";
                assertEquals(run(raw, q.formatted("ledger_twin")), run(support, q.formatted("ledger")));
                q = "SELECT id FROM %s WHERE created >= '2020-01-01 16:00:00.123456' AND born <= '2000-01-02' ORDER BY id";
                assertEquals(run(raw, q.formatted("ledger_twin")), run(support, q.formatted("ledger")));
            } finally {
                for (Connection c : new Connection[] {raw, support}) {
                    try (Statement s = c.createStatement()) {
                        s.executeUpdate("DELETE FROM " + (c == raw ? "ledger_twin" : "ledger") + " WHERE id = 50");
                    }
                }
            }
        }
    }

    /**
     * Finding: a string bound on an integer column was read as a number ('3.0', '1e1', out of range answered), where
     * PostgreSQL reads it as the column's type and refuses it.
     */
    @Test
    void aStringBoundOnAnIntegerColumnIsReadAsPostgresReadsIt() throws Exception {
        String[][] cases = {
            {"amount < '3.0'", "22P02"}, {"amount < '1e1'", "22P02"}, {"amount < '99999999999999999999'", "22003"},
            {"balance < '9223372036854775808'", "22003"}, {"amount < ''", "22P02"},
        };
        try (Connection support = db.as(policy, "support", null); Connection raw = db.raw()) {
            for (String[] c : cases) {
                String twin = run(raw, "SELECT id FROM ledger_twin WHERE " + c[0] + " ORDER BY id");
                assertTrue(twin.startsWith("ERR " + c[1]), c[0] + " on the twin: " + twin);
                String warden = run(support, "SELECT id FROM ledger WHERE " + c[0] + " ORDER BY id");
                // PostgreSQL's error, or a refusal (0A000) of a text Warden does not read
                assertTrue(warden.startsWith("ERR " + c[1]) || warden.startsWith("ERR 0A000"), c[0] + ": " + warden);
                assertFalse(warden.contains("99999") || warden.contains("3.0") || warden.contains("1e1"),
                        "the message names no bound: " + warden);
            }
            for (String ok : new String[] {"amount < '3'", "amount < ' +3 '", "amount > '-2147483648'",
                "balance <= '9223372036854775807'", "price < '1e1'"}) {
                assertEquals(run(raw, "SELECT id FROM ledger_twin WHERE " + ok + " ORDER BY id"),
                        run(support, "SELECT id FROM ledger WHERE " + ok + " ORDER BY id"), ok);
            }
        }
    }

    /** A role without the filter right is refused every spelling of a range (it could bisect values otherwise). */
    @Test
    void aRoleWithoutTheFilterRightIsRefusedEverySpelling() throws Exception {
        String[] wheres = {"amount < 3", "3 > amount", "amount BETWEEN 1 AND 3", "amount NOT BETWEEN 1 AND 3",
            "ledger.\"amount\" < 3", "amount < 3 OR TRUE", "(amount < 3) IS TRUE", "amount_order IS NOT NULL",
            "NOT (amount >= 3)", "CASE WHEN amount < 3 THEN true END", "amount <= ? AND id > 0"};
        try (Connection billing = db.as(policy, "billing", null)) {
            for (String w : wheres) {
                String got = w.contains("?") ? runP(billing, "SELECT id FROM ledger WHERE " + w, 3)
                        : run(billing, "SELECT id FROM ledger WHERE " + w + " ORDER BY id");
                assertTrue(got.startsWith("ERR 42501") || got.startsWith("ERR 0A000"), w + ": " + got);
            }
        }
    }

    /** Writes that would skip the order index are refused; the ones answered keep it in step with the value. */
    @Test
    void writesNeverLeaveTheIndexBehind() throws Exception {
        String[] refused = {
            "INSERT INTO ledger (id, amount) SELECT 100, amount FROM ledger WHERE id = 1",
            "UPDATE ledger SET amount = amount WHERE id = 1", "UPDATE ledger SET amount = balance WHERE id = 1",
            "INSERT INTO ledger (id, amount) VALUES (101, DEFAULT)",
            "INSERT INTO ledger (id, amount) VALUES (1, 7) ON CONFLICT (id) DO UPDATE SET amount = ledger.amount",
            "INSERT INTO ledger (id, amount, amount_order) VALUES (102, 1, NULL)",
            "INSERT INTO ledger (id, \"AMOUNT_ORDER\") VALUES (103, NULL)",
            "UPDATE ledger SET \"amount_order\" = NULL WHERE id = 1", "UPDATE ledger SET (amount, price) = (4, 4.5) WHERE id = 5",
            "UPDATE ledger SET amount = (SELECT 4) WHERE id = 5",
            "INSERT INTO ledger (id, amount) VALUES (104, 4) RETURNING amount_order",
            "INSERT INTO ledger (id, amount) VALUES (1, 7) ON CONFLICT (id) DO UPDATE SET amount = EXCLUDED.amount + 1",
            "INSERT INTO ledger (id, amount) VALUES (106, 7) ON CONFLICT (id) DO UPDATE SET amount = EXCLUDED.price",
            "DELETE FROM ledger WHERE amount < 3", "UPDATE ledger SET label = 'x' WHERE amount < 3",
            "MERGE INTO ledger l USING (SELECT 1 AS id) s ON l.id = s.id WHEN MATCHED THEN UPDATE SET amount = 9",
        };
        try (Connection support = db.as(policy, "support", null); Connection raw = db.raw()) {
            for (String q : refused) {
                String got = run(support, q);
                assertTrue(got.startsWith("ERR "), q + ": " + got);
            }
            try {
                run(support, "INSERT INTO ledger (id, amount) VALUES (60, 7)");
                assertEquals("upd 1", run(support, "INSERT INTO ledger (id, amount) VALUES (60, 7) ON CONFLICT (id)"
                        + " DO UPDATE SET amount = 80"));
                run(support, "INSERT INTO ledger (id, amount) VALUES (61, 7)");
                assertEquals("upd 1", run(support, "UPDATE ledger l SET amount = 81 FROM ledger_twin t WHERE t.id = 1"
                        + " AND l.id = 61"));
                assertEquals("[60, 61]", run(support, "SELECT id FROM ledger WHERE amount >= 80 AND amount <= 81 ORDER BY id"));
                assertEquals("[]", run(support, "SELECT id FROM ledger WHERE amount BETWEEN 7 AND 7 AND id >= 60"));
                assertEquals("[]", run(raw, "SELECT id FROM ledger WHERE (amount IS NULL) <> (amount_order IS NULL)"));
            } finally {
                run(support, "DELETE FROM ledger WHERE id IN (60, 61)");
            }
        }
    }

    private static org.postgresql.util.PGobject pg(String type, String value) {
        try {
            org.postgresql.util.PGobject o = new org.postgresql.util.PGobject();
            o.setType(type);
            o.setValue(value);
            return o;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Neither the audit trail nor a refusal carries a range's bound (a guessed value of the column). */
    @Test
    void noBoundReachesTheAuditTrailOrAnError() throws Exception {
        String[] statements = {
            "SELECT id FROM ledger WHERE amount < 31337 ORDER BY id", "SELECT id FROM ledger WHERE amount BETWEEN 31337 AND 31338",
            "SELECT id FROM ledger WHERE label COLLATE \"C\" < 'guessedsecret'", "SELECT id FROM ledger WHERE amount < '31337.0'",
            "SELECT id FROM ledger WHERE amount < 31337 OR id = 1", "SELECT id FROM ledger WHERE price < 'guessedsecret'",
            "SELECT id FROM ledger WHERE born < 'guessedsecret'", "SELECT id FROM ledger WHERE amount < '313370000000000000000'",
        };
        try (Connection support = db.as(policy, "support", null); Connection billing = db.as(policy, "billing", null)) {
            for (Connection c : new Connection[] {support, billing}) {
                for (String q : statements) {
                    String got = run(c, q);
                    assertFalse(got.contains("31337") || got.contains("guessedsecret"), q + ": " + got);
                }
                try (PreparedStatement ps = c.prepareStatement("SELECT id FROM ledger WHERE label COLLATE \"C\" >= ?")) {
                    ps.setString(1, "guessedsecret");
                    ps.executeQuery().close();
                } catch (SQLException e) {
                    assertFalse(e.getMessage().contains("guessedsecret"), e.getMessage());
                }
            }
            String sentinel = "SELECT id FROM ledger WHERE amount < ? AND id = ?";
            try (PreparedStatement ps = support.prepareStatement(sentinel)) {
                ps.setInt(1, 1);
                ps.setInt(2, 1);
                ps.executeQuery().close();
            }
            var files = dev.warden.audit.AuditTrailFiles.expand(List.of(policy));
            boolean seen = false;
            for (int attempt = 0; attempt < 200 && !seen; attempt++) {
                for (var e : dev.warden.audit.AuditTrailReader.readFiles(files)) {
                    if (sentinel.equals(e.event().fingerprint())) seen = true;
                }
                if (!seen) Thread.sleep(20);
            }
            assertTrue(seen, "the sentinel reached the audit trail");
            for (Path f : files) {
                String text = java.nio.file.Files.readString(f);
                assertFalse(text.contains("31337") || text.contains("guessedsecret"), "a bound in the audit trail " + f);
            }
        }
    }

    /** Text ranges where the 15-byte prefix ties, outside the BMP and around U+FFFF, with every operator. */
    @Test
    void textRangesBeyondThePrefixAndOutsideTheBmpAnswerAsTheTwin() throws Exception {
        String[] labels = {"abcdefghijklmno", "abcdefghijklmnoa", "abcdefghijklmno\u0000x".replace("\u0000", ""),
            "abcdefghijklmnoZ", "\uFFFF", "\uD800\uDC00", "\uFFFFa", "\uD83D\uDE00", "\u00E9", "e\u0301", " ", "a\tb",
            "ééééééééé", "éééééééé", "\uD83D\uDE00\uD83D\uDE00\uD83D\uDE00\uD83D\uDE01"};
        String[] bounds = {"abcdefghijklmno", "abcdefghijklmnoa", "abcdefghijklmnoZ", "\uFFFF", "\uD800\uDC00",
            "\uD83D\uDE00", "ééééééééé", "\uD83D\uDE00\uD83D\uDE00\uD83D\uDE00\uD83D\uDE00", "", "\u00E9a"};
        try (Connection support = db.as(policy, "support", null); Connection raw = db.raw()) {
            try {
                for (Connection c : new Connection[] {support, raw}) {
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + (c == raw ? "ledger_twin" : "ledger")
                            + " (id, label) VALUES (?, ?)")) {
                        for (int i = 0; i < labels.length; i++) {
                            ps.setInt(1, 200 + i);
                            ps.setString(2, labels[i]);
                            ps.addBatch();
                        }
                        ps.executeBatch();
                    }
                }
                for (String op : new String[] {"<", "<=", ">", ">="}) {
                    for (String b : bounds) {
                        String where = "label COLLATE \"C\" " + op + " ? AND id >= 200";
                        assertEquals(runP(raw, "SELECT id FROM ledger_twin WHERE " + where + " ORDER BY id", b),
                                runP(support, "SELECT id FROM ledger WHERE " + where + " ORDER BY id", b), where + " " + b);
                    }
                }
            } finally {
                run(support, "DELETE FROM ledger WHERE id >= 200");
                run(raw, "DELETE FROM ledger_twin WHERE id >= 200");
            }
        }
    }

    /** Finding: getString of a decrypted timestamp said {@code 2020-01-01 00:00:00.0}; PostgreSQL's text has no ".0". */
    @Test
    void getStringOfADecryptedTimestampIsPostgresText() throws Exception {
        String q = "SELECT id, created FROM %s WHERE created >= '2020-01-01' ORDER BY id";
        try (Connection support = db.as(policy, "support", null); Connection raw = db.raw()) {
            try {
                for (Connection c : new Connection[] {support, raw}) {
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + (c == raw ? "ledger_twin" : "ledger")
                            + " (id, created) VALUES (?, ?)")) {
                        ps.setInt(1, 300);
                        ps.setObject(2, java.time.LocalDateTime.parse("2020-06-01T10:00:00.120000"));
                        ps.addBatch();
                        ps.setInt(1, 301);
                        ps.setObject(2, java.time.LocalDateTime.parse("2020-06-01T10:00:00.000001"));
                        ps.addBatch();
                        ps.executeBatch();
                    }
                }
                assertEquals(run(raw, q.formatted("ledger_twin")), run(support, q.formatted("ledger")));
            } finally {
                run(support, "DELETE FROM ledger WHERE id >= 300");
                run(raw, "DELETE FROM ledger_twin WHERE id >= 300");
            }
        }
    }

    /** Refused with 0A000 (or PostgreSQL's own error on the twin), or the twin's answer exactly. */
    private static void refusedOrSame(String what, String twin, String warden) {
        if (warden.startsWith("ERR")) {
            assertTrue(warden.startsWith("ERR 0A000") || twin.startsWith(warden.substring(0, 9)), what + ": " + warden);
            return;
        }
        assertEquals(twin, warden, what);
    }

    private static String run(Connection c, String sql) {
        try (Statement s = c.createStatement()) {
            boolean rs = s.execute(sql);
            return rs ? ids(s.getResultSet()) : "upd " + s.getUpdateCount();
        } catch (SQLException e) {
            return "ERR " + e.getSQLState() + " " + e.getMessage();
        }
    }

    private static String exec(Connection c, String sql) {
        try (Statement s = c.createStatement()) {
            boolean rs = s.execute(sql);
            return rs ? "rows " + ids(s.getResultSet()) : "upd " + s.getUpdateCount();
        } catch (SQLException e) {
            return "ERR " + e.getSQLState() + " " + e.getMessage();
        }
    }

    private static String runP(Connection c, String sql, Object v) {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, v);
            return ids(ps.executeQuery());
        } catch (SQLException e) {
            return "ERR " + e.getSQLState() + " " + e.getMessage();
        }
    }

    private static String ids(ResultSet rs) throws SQLException {
        List<String> out = new ArrayList<>();
        try (rs) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder b = new StringBuilder();
                for (int i = 1; i <= n; i++) b.append(i > 1 ? "/" : "").append(rs.getString(i));
                out.add(b.toString());
            }
        }
        return out.toString();
    }
}
