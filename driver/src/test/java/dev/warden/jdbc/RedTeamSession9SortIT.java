package dev.warden.jdbc;

import dev.warden.testkit.CustomersExample;
import dev.warden.testkit.SortTwins;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Red team, session 9: ORDER BY over encrypted columns sorted by Warden (option D), its neighbours and its result
 * set. Each query answered through Warden is compared with PostgreSQL's answer on the plaintext twin
 * ({@code ledger_twin}); a shape PostgreSQL refuses must not be answered.
 */
class RedTeamSession9SortIT {
    private static CustomersExample db;
    private static Path policy;

    @BeforeAll
    static void setUp() throws Exception {
        db = CustomersExample.create();
        policy = SortTwins.policyDirectory();
        try (Connection raw = db.raw()) {
            SortTwins.create(raw);
            try (Statement s = raw.createStatement()) {
                s.execute("ALTER TABLE ledger ADD COLUMN memo text");
                s.execute("ALTER TABLE ledger_twin ADD COLUMN memo text");
            }
        }
        List<SortTwins.Row> rows = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            rows.add(new SortTwins.Row(i % 3 == 0 ? null : 5 - i, (long) i, new BigDecimal(i % 2 == 0 ? "1.5" : "-2"),
                    null, null, "v" + (i % 4), i % 4, "n" + (9 - i)));
        }
        try (Connection reader = db.as(policy, "reader", null); Connection raw = db.raw()) {
            SortTwins.write(reader, raw, rows);
            try (Statement s = raw.createStatement()) {
                s.execute("UPDATE ledger SET memo = 'm' || (id * 7 % 10)");
                s.execute("UPDATE ledger_twin SET memo = 'm' || (id * 7 % 10)");
            }
        }
    }

    /** The rows of {@code sql} as text, or "ERR state" when it fails. */
    private static String run(Connection c, String sql) {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            ResultSetMetaData md = rs.getMetaData();
            StringBuilder b = new StringBuilder();
            while (rs.next()) {
                b.append('[');
                for (int i = 1; i <= md.getColumnCount(); i++) b.append(rs.getString(i)).append(i < md.getColumnCount() ? "," : "");
                b.append(']');
            }
            return b.toString();
        } catch (SQLException e) {
            return "ERR " + e.getSQLState();
        }
    }

    /** Through Warden as reader: PostgreSQL's answer on the twin, or an error where PostgreSQL gives one. */
    private static void assertAsTwin(String sql) throws Exception {
        try (Connection reader = db.as(policy, "reader", null); Connection raw = db.raw()) {
            String warden = run(reader, sql);
            String twin = run(raw, sql.replace("FROM ledger", "FROM ledger_twin").replace(", ledger m", ", ledger_twin m"));
            if (twin.startsWith("ERR")) {
                assertTrue(warden.startsWith("ERR"), sql + ": answered " + warden + ", PostgreSQL: " + twin);
            } else if (!warden.startsWith("ERR")) {
                assertEquals(twin, warden, sql);
            }
        }
    }

    @Test
    void anOutputNameFollowedByCollateIsTheTableColumnAsInPostgresql() throws Exception {
        // PostgreSQL looks output names up only for a bare name: "note COLLATE ..." is the table's note
        assertAsTwin("SELECT id, memo AS note FROM ledger ORDER BY note COLLATE \"C\", n, id");
        assertAsTwin("SELECT id, note AS memo FROM ledger ORDER BY memo COLLATE \"C\" DESC, n, id");
        assertAsTwin("SELECT id, memo AS note FROM ledger ORDER BY note, n, id");
        // and an encrypted table column behind an output of that name is sorted by Warden, not the output
        assertAsTwin("SELECT id, n AS label FROM ledger ORDER BY label COLLATE \"C\", id");
        assertAsTwin("SELECT id, label AS n FROM ledger ORDER BY n COLLATE \"C\", id");
    }

    @Test
    void collateOnAPositionOrANonTextEncryptedKeyIsAnErrorAsInPostgresql() throws Exception {
        assertAsTwin("SELECT id, note FROM ledger ORDER BY 2 COLLATE \"C\", n, id");
        assertAsTwin("SELECT id, label FROM ledger ORDER BY 2 COLLATE \"C\", id");
        assertAsTwin("SELECT id, amount FROM ledger ORDER BY amount COLLATE \"C\", id");
        assertAsTwin("SELECT id, n FROM ledger ORDER BY ledger.n COLLATE \"POSIX\" DESC, id");
        assertAsTwin("SELECT id, day FROM ledger ORDER BY day COLLATE pg_catalog.\"C\", id");
        // text still sorts
        assertAsTwin("SELECT id, label FROM ledger ORDER BY label COLLATE \"C\" DESC, id");
    }

    @Test
    void neighboursOfTheSortedShapeAnswerAsPostgresqlOrFail() throws Exception {
        for (String sql : List.of(
                "SELECT * FROM ledger ORDER BY 2, 1",
                "SELECT id, l.* FROM ledger l ORDER BY 3, 1",
                "SELECT n AS id, id AS n FROM ledger ORDER BY id, n",
                "SELECT id AS n, n AS id FROM ledger ORDER BY n",
                "SELECT id, n AS amount FROM ledger ORDER BY amount, id",
                "SELECT id FROM ledger ORDER BY 1, 1",
                "SELECT id, n FROM ledger ORDER BY n, n DESC, id",
                "SELECT id, n FROM ledger ORDER BY \"n\" /* c */ DESC -- x\n NULLS LAST, id",
                "SELECT id, n FROM ledger ORDER BY N, ID",
                "SELECT id, n FROM ledger ORDER BY \"N\"",
                "SELECT id, n FROM ledger ORDER BY 3",
                "SELECT id, n FROM ledger ORDER BY n ASC NULLS FIRST, id LIMIT ALL",
                "SELECT id, n FROM ledger ORDER BY n FETCH NEXT 2 ROWS WITH TIES",
                "SELECT id, n FROM ledger ORDER BY n, id OFFSET 2 ROWS FETCH NEXT 3 ROWS ONLY",
                "SELECT id, n FROM ledger ORDER BY n, id OFFSET 1 LIMIT 2",
                "SELECT id, n FROM ledger ORDER BY n, id LIMIT 1+1",
                "SELECT id, label FROM ledger ORDER BY label COLLATE \"c\", id",
                "SELECT id, n FROM ledger, generate_series(1,2) g ORDER BY n, id, g",
                "SELECT id FROM ledger l ORDER BY ledger.n, id",
                "SELECT id FROM ledger ORDER BY n, 'x', id",
                "SELECT id FROM ledger ORDER BY n, 1",
                "SELECT id, grp FROM ledger ORDER BY grp DESC NULLS LAST, n, id",
                "SELECT id, note FROM ledger ORDER BY note COLLATE \"C\", n, id",
                "SELECT id, $$order by$$ AS g FROM ledger ORDER BY n, id",
                // the table twice: the qualified key is that FROM item's column (sent bare it was ambiguous)
                "SELECT l.id FROM ledger l, ledger m WHERE m.id = l.id % 10 + 1 ORDER BY m.n DESC, l.id",
                "SELECT l.id, m.label FROM ledger l, ledger m WHERE m.id = 11 - l.id ORDER BY m.label COLLATE \"C\", l.n, l.id")) {
            assertAsTwin(sql);
        }
    }

    @Test
    void aSortedResultDoesNotAnswerPositionQuestionsFromTheDatabasesOrder() throws Exception {
        try (Connection reader = db.as(policy, "reader", null); Statement s = reader.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, n FROM ledger ORDER BY n, id LIMIT 3 OFFSET 2")) {
            // the database's result was read to its end to sort it: its position is not the application's
            for (java.util.concurrent.Callable<Boolean> position : List.<java.util.concurrent.Callable<Boolean>>of(
                    rs::isBeforeFirst, rs::isAfterLast, rs::isFirst)) {
                SQLException e = assertThrows(SQLException.class, position::call);
                assertEquals("0A000", e.getSQLState());
            }
            assertTrue(rs.next());
            assertEquals(6, rs.getInt(1));
            assertThrows(SQLException.class, rs::isFirst);
        }
    }

    @Test
    void anUpdatableResultOfAProtectedTableCannotDeleteOrRefreshRows() throws Exception {
        try (Connection reader = db.as(policy, "reader", null);
             Statement s = reader.createStatement(ResultSet.TYPE_SCROLL_INSENSITIVE, ResultSet.CONCUR_UPDATABLE);
             ResultSet rs = s.executeQuery("SELECT id, grp FROM ledger ORDER BY n, id")) {
            assertTrue(rs.next());
            assertEquals(9, rs.getInt(1));
            SQLException refresh = assertThrows(SQLException.class, rs::refreshRow);
            assertEquals("0A000", refresh.getSQLState());
            SQLException delete = assertThrows(SQLException.class, rs::deleteRow);
            assertEquals("0A000", delete.getSQLState());
            SQLException insert = assertThrows(SQLException.class, rs::moveToInsertRow);
            assertEquals("0A000", insert.getSQLState());
        }
        try (Connection raw = db.raw(); Statement s = raw.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM ledger WHERE id = 9")) {
            rs.next();
            assertEquals(1, rs.getInt(1), "row 9 deleted behind Warden's back");
        }
    }

    @Test
    void maxRowsAfterOffsetAndReboundLimitOffsetWithAFetchSize() throws Exception {
        try (Connection reader = db.as(policy, "reader", null); Connection raw = db.raw()) {
            for (Connection c : List.of(reader, raw)) {
                String table = c == raw ? "ledger_twin" : "ledger";
                StringBuilder b = new StringBuilder();
                try (Statement s = c.createStatement()) {
                    s.setMaxRows(2);
                    try (ResultSet rs = s.executeQuery("SELECT id FROM " + table + " ORDER BY n, id OFFSET 3")) {
                        while (rs.next()) b.append(rs.getInt(1)).append(' ');
                    }
                }
                try (java.sql.PreparedStatement ps = c.prepareStatement("SELECT id FROM " + table
                        + " WHERE grp <> ? ORDER BY n DESC, id LIMIT ? OFFSET ?")) {
                    ps.setInt(1, 3);
                    ps.setInt(2, 4);
                    ps.setInt(3, 1);
                    ps.setFetchSize(1);
                    for (int k = 0; k < 2; k++) {
                        try (ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) b.append(rs.getInt(1)).append(' ');
                        }
                    }
                }
                if (c == reader) System.setProperty("rt9.sort.warden", b.toString());
                else assertEquals(b.toString(), System.getProperty("rt9.sort.warden"));
            }
        }
    }

    @Test
    void aRoleThatSeesTheColumnMaskedMaySortByItUnderNoSpelling() throws Exception {
        try (Connection viewer = db.as(policy, "viewer", null); Statement s = viewer.createStatement()) {
            for (String sql : List.of("SELECT id, amount FROM ledger ORDER BY 2",
                    "SELECT id, amount AS x FROM ledger ORDER BY x", "SELECT id, amount AS n FROM ledger ORDER BY n",
                    "SELECT id FROM ledger l ORDER BY l.amount DESC", "SELECT id FROM ledger ORDER BY \"amount\", id",
                    "SELECT id FROM ledger ORDER BY id, amount LIMIT 1",
                    "SELECT id FROM public.ledger ORDER BY public.ledger.amount NULLS FIRST")) {
                SQLException e = assertThrows(SQLException.class, () -> s.executeQuery(sql).close(), sql);
                assertEquals("42501", e.getSQLState(), sql);
                assertTrue(e.getMessage().contains("ledger.amount"), e.getMessage());
            }
        }
    }

    @Test
    void rangesLikeAndSortCombinedAnswerAsThePlaintextTwin() throws Exception {
        CustomersExample orderDb = CustomersExample.create();
        Path orderPolicy = dev.warden.testkit.OrderColumnsExample.policyDirectory(
                dev.warden.testkit.OrderColumnsExample.POLICY);
        dev.warden.testkit.OrderColumnsExample.createWithCompanions(orderDb, orderPolicy);
        String insert = "INSERT INTO %s (id, amount, balance, price, born, created, label, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
        try (Connection support = orderDb.as(orderPolicy, "support", null); Connection raw = orderDb.raw();
             java.sql.PreparedStatement w = support.prepareStatement(insert.formatted("ledger"));
             java.sql.PreparedStatement r = raw.prepareStatement(insert.formatted("ledger_twin"))) {
            for (int id = 1; id <= 20; id++) {
                Object[] row = {id, id % 7 == 0 ? null : (id * 5) % 11 - 5, (long) (id % 4), new BigDecimal(id % 2 == 0 ? "1.50" : "1.5").add(BigDecimal.valueOf(id % 3)),
                        java.time.LocalDate.of(2000 + id % 5, 1, 1), java.time.LocalDateTime.of(2020, 1, 1, 0, 0).plusMinutes(id % 6),
                        id % 5 == 0 ? null : "ab" + (char) ('a' + id % 4) + "x", "n" + id % 3};
                for (java.sql.PreparedStatement ps : List.of(w, r)) {
                    for (int c = 0; c < row.length; c++) ps.setObject(c + 1, row[c]);
                    ps.executeUpdate();
                }
            }
        }
        List<String> queries = List.of(
                "SELECT id, amount, price FROM ledger WHERE amount BETWEEN -3 AND 4 ORDER BY price DESC, amount, id LIMIT 5 OFFSET 2",
                "SELECT id, price FROM ledger WHERE price >= 2.5 ORDER BY price, id",
                "SELECT id FROM ledger WHERE amount > -2 AND label < 'abc' ORDER BY label COLLATE \"C\" DESC NULLS LAST, amount NULLS FIRST, id",
                "SELECT id, price FROM ledger WHERE born >= '2002-01-01' ORDER BY born DESC, created, price, id FETCH FIRST 4 ROWS ONLY",
                "SELECT id, amount FROM ledger WHERE amount NOT BETWEEN 0 AND 2 ORDER BY 2 DESC, 1 OFFSET 3 ROWS",
                "SELECT id, note FROM ledger WHERE created < '2020-01-01 00:04' ORDER BY note COLLATE \"C\", amount, id LIMIT 6");
        try (Connection support = orderDb.as(orderPolicy, "support", null); Connection raw = orderDb.raw()) {
            for (String sql : queries) {
                String twin = run(raw, sql.replace("FROM ledger", "FROM ledger_twin"));
                String warden = run(support, sql);
                assertTrue(!twin.startsWith("ERR") && twin.length() > 8, sql + ": " + twin);
                assertEquals(twin, warden, sql);
            }
            String sql = "SELECT id, price FROM %s WHERE amount >= ? AND price < ? ORDER BY price DESC, amount, id LIMIT ? OFFSET ?";
            StringBuilder[] out = {new StringBuilder(), new StringBuilder()};
            Connection[] cs = {support, raw};
            for (int k = 0; k < 2; k++) {
                try (java.sql.PreparedStatement ps = cs[k].prepareStatement(sql.formatted(k == 0 ? "ledger" : "ledger_twin"))) {
                    for (int[] b : new int[][] {{-2, 3, 4, 1}, {0, 9, 100, 0}, {-5, 2, 0, 0}}) {
                        ps.setInt(1, b[0]);
                        ps.setBigDecimal(2, BigDecimal.valueOf(b[1]));
                        ps.setInt(3, b[2]);
                        ps.setInt(4, b[3]);
                        try (ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) out[k].append(rs.getInt(1)).append(':').append(rs.getString(2)).append(' ');
                        }
                        out[k].append("| ");
                    }
                }
            }
            assertEquals(out[1].toString(), out[0].toString());
        }
    }
}
