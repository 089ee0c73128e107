package dev.warden.jdbc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.audit.AuditEvent;
import dev.warden.audit.AuditTrailFiles;
import dev.warden.audit.AuditTrailReader;
import dev.warden.audit.ChainedEvent;
import dev.warden.testkit.CustomersExample;
import dev.warden.testkit.OrderColumnsExample;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Ranges on order columns ({@code order: true}) through the driver: what is stored (a right ciphertext of 17 + 64n
 * bytes in {@code <column>_order}, different for equal values, NULL for NULL), answers equal to the plaintext twin's
 * for every operator and type with literals and parameters, refusals of what the index cannot answer (with SQLState
 * and a message saying what would allow it), and the audit record.
 */
class OrderRangeIT {

    private static CustomersExample db;
    private static Path policy;

    private static final Object[][] ROWS = {
        {1, -5, -9_000_000_000L, new BigDecimal("-1.50"), Date.valueOf("1999-12-31"),
            Timestamp.valueOf("2020-01-01 00:00:00"), "apple", "n1"},
        {2, 0, 0L, new BigDecimal("0"), Date.valueOf("2000-01-01"), Timestamp.valueOf("2020-01-01 00:00:00.000001"),
            "Apple", "n2"},
        {3, 7, 9_000_000_000L, new BigDecimal("2.5"), Date.valueOf("2024-02-29"), Timestamp.valueOf("2023-06-15 12:30:00"),
            "apples and pears and more", "n3"},
        {4, 7, Long.MAX_VALUE, new BigDecimal("2.50"), Date.valueOf("0001-01-01"), Timestamp.valueOf("1969-12-31 23:59:59"),
            "apples and pears and less", "n4"},
        {5, Integer.MIN_VALUE, Long.MIN_VALUE, new BigDecimal("123456789.123456789"), Date.valueOf("2100-06-01"),
            Timestamp.valueOf("2100-01-01 00:00:00"), "épée", "n5"},
        {6, Integer.MAX_VALUE, 42L, new BigDecimal("-0.001"), Date.valueOf("2000-01-02"),
            Timestamp.valueOf("2000-01-01 10:00:00"), "\uD83D\uDE00 emoji", "n6"},
        {7, null, null, null, null, null, null, null},
        {8, 100, 100L, new BigDecimal("100"), Date.valueOf("2000-01-01"), Timestamp.valueOf("2020-01-01 00:00:00"),
            "", "n8"},
    };

    @BeforeAll
    static void seed() throws Exception {
        db = CustomersExample.create();
        policy = OrderColumnsExample.policyDirectory(OrderColumnsExample.POLICY);
        OrderColumnsExample.createWithCompanions(db, policy);
        String insert = "INSERT INTO %s (id, amount, balance, price, born, created, label, note)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
        try (Connection support = db.as(policy, "support", null); Connection raw = db.raw();
             PreparedStatement w = support.prepareStatement(insert.formatted("ledger"));
             PreparedStatement r = raw.prepareStatement(insert.formatted("ledger_twin"))) {
            for (Object[] row : ROWS) {
                for (PreparedStatement ps : new PreparedStatement[] {w, r}) {
                    for (int i = 0; i < row.length; i++) ps.setObject(i + 1, row[i]);
                    ps.addBatch();
                }
            }
            w.executeBatch();
            r.executeBatch();
        }
    }

    @Test
    void theCompanionHoldsARightCiphertextNeverThePlaintext() throws Exception {
        try (Connection raw = db.raw(); Statement s = raw.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, amount_order, price_order, label_order, born_order, label"
                     + " FROM ledger ORDER BY id")) {
            while (rs.next()) {
                byte[] amount = rs.getBytes(2);
                if (rs.getInt(1) == 7) {
                    assertNull(amount, "NULL value, NULL companion");
                    assertNull(rs.getBytes(4));
                    continue;
                }
                assertEquals(17 + 64 * 8, amount.length);
                assertEquals(17 + 64 * 15, rs.getBytes(3).length);
                assertEquals(17 + 64 * 15, rs.getBytes(4).length);
                assertEquals(17 + 64 * 8, rs.getBytes(5).length);
                String hex = HexFormat.of().formatHex(rs.getBytes(4));
                assertFalse(hex.contains(HexFormat.of().formatHex("apple".getBytes(StandardCharsets.UTF_8))),
                        "no plaintext in the order index");
                assertFalse(rs.getString(6).contains("apple"));
            }
        }
        // rows 3 and 4 hold equal amounts (7): their right ciphertexts differ (randomized)
        try (Connection raw = db.raw(); Statement s = raw.createStatement();
             ResultSet rs = s.executeQuery("SELECT amount_order FROM ledger WHERE id IN (3, 4) ORDER BY id")) {
            assertTrue(rs.next());
            byte[] a = rs.getBytes(1);
            assertTrue(rs.next());
            assertFalse(java.util.Arrays.equals(a, rs.getBytes(1)));
        }
    }

    @Test
    void rangesWithParametersAnswerAsThePlaintextTwin() throws Exception {
        Object[][] cases = {
            {"amount < ?", 7}, {"amount <= ?", 7}, {"amount > ?", -5}, {"amount >= ?", 0}, {"? < amount", 0},
            {"? >= amount", 7}, {"amount > ?", new BigDecimal("6.5")}, {"amount <= ?", new BigDecimal("6.5")},
            {"amount < ?", 9_000_000_000L}, {"amount > ?", -9_000_000_000L}, {"amount < ?", null},
            {"balance < ?", 0L}, {"balance >= ?", Long.MAX_VALUE}, {"balance > ?", Long.MIN_VALUE},
            {"price < ?", new BigDecimal("2.5")}, {"price <= ?", new BigDecimal("2.500")}, {"price > ?", -1},
            {"price >= ?", new BigDecimal("123456789.1234567890000000000000001")},
            {"born < ?", Date.valueOf("2000-01-01")}, {"born >= ?", Date.valueOf("2000-01-02")},
            {"born > ?", java.time.LocalDate.of(1, 1, 1)},
            {"created < ?", Timestamp.valueOf("2020-01-01 00:00:00.000001")},
            {"created >= ?", Timestamp.valueOf("2020-01-01 00:00:00")}, {"created > ?", Date.valueOf("2020-01-01")},
            {"label COLLATE \"C\" < ?", "apples and pears and mor"}, {"label COLLATE \"C\" >= ?", "apples and pears and less"},
            {"label COLLATE \"C\" > ?", "Apple"}, {"label COLLATE \"C\" <= ?", ""}, {"label COLLATE \"C\" > ?", "épée"},
            {"label COLLATE \"C\" > ?", "\uFFFF"},
        };
        try (Connection support = db.as(policy, "support", null); Connection raw = db.raw()) {
            for (Object[] c : cases) {
                String where = (String) c[0];
                assertEquals(twin(raw, where, c[1]), warden(support, where, c[1]), where + " with " + c[1]);
            }
        }
    }

    @Test
    void betweenAndLiteralsAnswerAsThePlaintextTwin() throws Exception {
        String[] wheres = {
            "amount BETWEEN 0 AND 7", "amount NOT BETWEEN 0 AND 7", "amount BETWEEN 7 AND 0", "amount < 7.5",
            "amount >= -5 AND balance < 100", "price BETWEEN -1.5 AND 2.5", "price > 2.5", "price <= -0.0010",
            "born BETWEEN '2000-01-01' AND '2024-12-31'", "born < '2000-01-01'",
            "created BETWEEN '2020-01-01' AND '2023-06-15 12:30:00'",
            "label COLLATE \"C\" BETWEEN 'apple' AND 'apples and pears and less'",
            "label COLLATE \"C\" NOT BETWEEN 'a' AND 'b'", "amount > NULL AND id > 0", "NULL >= amount", "amount < 8 AND label COLLATE \"C\" > 'a'",
        };
        try (Connection support = db.as(policy, "support", null); Connection raw = db.raw()) {
            for (String where : wheres) {
                assertEquals(twin(raw, where), warden(support, where), where);
                try (Statement s = support.createStatement()) {
                    assertEquals(twin(raw, where), ids(s.executeQuery("SELECT id FROM ledger WHERE " + where
                            + " ORDER BY id")), "plain statement: " + where);
                }
            }
            // BETWEEN with parameters, both prepared and re-executed with other values
            try (PreparedStatement w = support.prepareStatement(
                         "SELECT id, amount FROM ledger WHERE amount BETWEEN ? AND ? ORDER BY id");
                 PreparedStatement r = raw.prepareStatement(
                         "SELECT id, amount FROM ledger_twin WHERE amount BETWEEN ? AND ? ORDER BY id")) {
                int[][] bounds = {{-5, 7}, {0, 0}, {Integer.MIN_VALUE, Integer.MAX_VALUE}, {8, 7}};
                for (int[] b : bounds) {
                    for (PreparedStatement ps : new PreparedStatement[] {w, r}) {
                        ps.setInt(1, b[0]);
                        ps.setInt(2, b[1]);
                    }
                    assertEquals(rows(r.executeQuery()), rows(w.executeQuery()), b[0] + ".." + b[1]);
                }
            }
        }
    }

    @Test
    void aLimitAppliesToTheRowsThatPass() throws Exception {
        try (Connection support = db.as(policy, "support", null); Connection raw = db.raw()) {
            String sql = "SELECT id FROM %s WHERE amount >= ? ORDER BY id LIMIT 2 OFFSET 1";
            try (PreparedStatement w = support.prepareStatement(sql.formatted("ledger"));
                 PreparedStatement r = raw.prepareStatement(sql.formatted("ledger_twin"))) {
                w.setInt(1, 0);
                r.setInt(1, 0);
                assertEquals(ids(r.executeQuery()), ids(w.executeQuery()));
            }
            String qualified = "SELECT l.id FROM %s l WHERE l.amount < ? AND ? <= l.\"amount\" ORDER BY l.id";
            try (PreparedStatement w = support.prepareStatement(qualified.formatted("ledger"));
                 PreparedStatement r = raw.prepareStatement(qualified.formatted("ledger_twin"))) {
                for (PreparedStatement ps : new PreparedStatement[] {w, r}) {
                    ps.setInt(1, 100);
                    ps.setLong(2, -5L);
                }
                assertEquals(ids(r.executeQuery()), ids(w.executeQuery()), "qualified and quoted");
            }
        }
    }

    @Test
    void writesKeepTheIndexInStep() throws Exception {
        try (Connection support = db.as(policy, "support", null); Statement s = support.createStatement()) {
            s.executeUpdate("DELETE FROM ledger WHERE id >= 100");
            s.executeUpdate("INSERT INTO ledger (id, amount, label) VALUES (100, 555, 'zz'), (101, 556, 'zy')");
            try (PreparedStatement ps = support.prepareStatement("UPDATE ledger SET amount = ? WHERE id = ?")) {
                ps.setInt(1, 557);
                ps.setInt(2, 100);
                assertEquals(1, ps.executeUpdate());
            }
            s.executeUpdate("UPDATE ledger SET amount = NULL WHERE id = 101");
            try (ResultSet rs = s.executeQuery("SELECT id, amount FROM ledger WHERE amount > 556 AND amount < 600")) {
                assertTrue(rs.next());
                assertEquals(100, rs.getInt(1));
                assertEquals(557, rs.getInt(2));
                assertFalse(rs.next());
            }
            try (Connection raw = db.raw(); Statement r = raw.createStatement();
                 ResultSet rs = r.executeQuery("SELECT amount_order FROM ledger WHERE id = 101")) {
                assertTrue(rs.next());
                assertNull(rs.getBytes(1), "SET amount = NULL nulls the index");
            }
        } finally {
            try (Connection support = db.as(policy, "support", null); Statement s = support.createStatement()) {
                s.executeUpdate("DELETE FROM ledger WHERE id >= 100");
            }
        }
    }

    @Test
    void whatTheIndexCannotAnswerIsRefusedSayingWhatWouldAllowIt() throws Exception {
        try (Connection support = db.as(policy, "support", null); Statement s = support.createStatement()) {
            String[][] refused = {
                {"SELECT id FROM ledger WHERE amount < 5 OR id = 1", "0A000", "order index cannot answer exactly"},
                {"SELECT id FROM ledger WHERE abs(amount) < 5", "0A000", "ledger.amount"},
                {"SELECT id FROM ledger WHERE amount < balance", "0A000", "another column"},
                {"SELECT id FROM ledger WHERE note < 'x'", "0A000", "add order: true to ledger.note"},
                {"SELECT id FROM ledger WHERE amount < 5::int", "0A000", "without a cast"},
                {"SELECT amount_order FROM ledger", "0A000", "order index Warden keeps for ledger.amount"},
                {"UPDATE ledger SET amount_order = NULL", "0A000", "order index Warden keeps"},
                {"UPDATE ledger SET note = 'x' WHERE amount < 5", "0A000", "order index cannot answer exactly"},
                {"SELECT count(*) FROM ledger WHERE amount < 5", "0A000", "order index cannot answer exactly"},
                {"SELECT id FROM ledger WHERE label < 'b'", null, null},
            };
            for (String[] r : refused) {
                if (r[1] == null) continue;
                SQLException e = assertThrows(SQLException.class, () -> s.executeQuery(r[0]), r[0]);
                assertEquals(r[1], e.getSQLState(), r[0] + ": " + e.getMessage());
                assertTrue(e.getMessage().contains(r[2]), r[0] + ": " + e.getMessage());
            }
        }
        try (Connection billing = db.as(policy, "billing", null); Statement s = billing.createStatement()) {
            SQLException e = assertThrows(SQLException.class, () -> s.executeQuery("SELECT id FROM ledger WHERE amount < 5"));
            assertEquals("42501", e.getSQLState(), e.getMessage());
        }
    }

    @Test
    void aTextRangeFollowsTheDatabaseCollation() throws Exception {
        boolean codePoint;
        try (Connection raw = db.raw()) {
            codePoint = dev.warden.testkit.CodePointCollation.isDefault(raw);
        }
        try (Connection support = db.as(policy, "support", null); Statement s = support.createStatement()) {
            String sql = "SELECT id FROM ledger WHERE label < 'b' ORDER BY id";
            if (codePoint) {
                try (Connection raw = db.raw()) {
                    assertEquals(twin(raw, "label < 'b'"), ids(s.executeQuery(sql)));
                }
            } else {
                SQLException e = assertThrows(SQLException.class, () -> s.executeQuery(sql));
                assertEquals("0A000", e.getSQLState());
                assertTrue(e.getMessage().contains("ledger.label") && e.getMessage().contains("COLLATE \"C\""),
                        e.getMessage());
            }
        }
    }

    @Test
    void theAuditRecordsTheRangeColumnAsFiltered() throws Exception {
        String sql = "SELECT id FROM ledger WHERE amount BETWEEN ? AND ? AND price > ? ORDER BY id";
        try (Connection support = db.as(policy, "support", null); PreparedStatement ps = support.prepareStatement(sql)) {
            ps.setInt(1, -100);
            ps.setInt(2, 100);
            ps.setBigDecimal(3, BigDecimal.ZERO);
            assertEquals(List.of(3, 4, 8), ids(ps.executeQuery()));
        }
        AuditEvent event = null;
        for (int attempt = 0; attempt < 200 && event == null; attempt++) {
            for (ChainedEvent e : AuditTrailReader.readFiles(AuditTrailFiles.expand(List.of(policy)))) {
                if (sql.equals(e.event().fingerprint())) event = e.event();
            }
            if (event == null) Thread.sleep(20);
        }
        assertNotNull(event, "no audit event for " + sql);
        assertEquals("allowed", event.decision());
        assertEquals(List.of("ledger.amount", "ledger.price"), event.columnsFiltered());
        assertEquals(3, event.rows());
    }

    // ---- helpers

    private static List<Integer> twin(Connection raw, String where, Object... values) throws SQLException {
        return query(raw, "SELECT id FROM ledger_twin WHERE " + where + " ORDER BY id", values);
    }

    private static List<Integer> warden(Connection warden, String where, Object... values) throws SQLException {
        return query(warden, "SELECT id FROM ledger WHERE " + where + " ORDER BY id", values);
    }

    private static List<Integer> query(Connection c, String sql, Object... values) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                if (values[i] == null) ps.setNull(i + 1, java.sql.Types.INTEGER);
                else ps.setObject(i + 1, values[i]);
            }
            return ids(ps.executeQuery());
        }
    }

    private static List<Integer> ids(ResultSet rs) throws SQLException {
        List<Integer> out = new ArrayList<>();
        try (rs) {
            while (rs.next()) out.add(rs.getInt(1));
        }
        return out;
    }

    private static List<String> rows(ResultSet rs) throws SQLException {
        List<String> out = new ArrayList<>();
        try (rs) {
            while (rs.next()) out.add(rs.getInt(1) + ":" + rs.getObject(2));
        }
        return out;
    }
}
