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
import dev.warden.testkit.SortTwins;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ORDER BY over encrypted columns beyond the twin comparison ({@link WardenSortTwinPropertyIT}): the row cap
 * (54000 before any row), the read right it needs (42501), the shapes still refused (0A000), a sort key the select
 * list does not show, output names and positions, what the database sees, and the audit record.
 */
class WardenSortIT {

    private static CustomersExample db;
    private static Path policy;

    @BeforeAll
    static void setUp() throws Exception {
        db = CustomersExample.create();
        policy = SortTwins.seedTenRows(db);
    }

    private static List<Integer> ids(ResultSet rs) throws SQLException {
        List<Integer> ids = new ArrayList<>();
        while (rs.next()) ids.add(rs.getInt(1));
        return ids;
    }

    @Test
    void aSortKeyTheSelectListDoesNotShowIsHiddenFromTheResultAndItsMetadata() throws Exception {
        String sql = "SELECT id FROM ledger ORDER BY n DESC, id";
        try (Connection reader = db.as(policy, "reader", null); PreparedStatement ps = reader.prepareStatement(sql)) {
            assertEquals(1, ps.getMetaData().getColumnCount());
            try (ResultSet rs = ps.executeQuery()) {
                assertEquals(1, rs.getMetaData().getColumnCount());
                assertThrows(SQLException.class, () -> rs.findColumn("n"));
                // NULLs first for DESC (ids 1, 4, 7, 10 hold NULL), then 4, 3, 1, 0, -2, -3 for ids 2, 3, 5, 6, 8, 9
                assertEquals(List.of(1, 4, 7, 10, 2, 3, 5, 6, 8, 9), ids(rs));
            }
        }
    }

    @Test
    void outputNamesPositionsAndQualifiedNamesAreSortKeys() throws Exception {
        try (Connection reader = db.as(policy, "reader", null); Statement s = reader.createStatement()) {
            List<Integer> expected = List.of(9, 8, 6, 5, 3, 2, 1, 4, 7, 10);
            try (ResultSet rs = s.executeQuery("SELECT id, n AS score FROM ledger l ORDER BY score NULLS LAST, id")) {
                assertEquals(expected, ids(rs));
            }
            try (ResultSet rs = s.executeQuery("SELECT id, n FROM ledger l ORDER BY 2, 1")) {
                assertEquals(expected, ids(rs));
            }
            try (ResultSet rs = s.executeQuery("SELECT l.id FROM ledger l WHERE big <> 3 ORDER BY l.n ASC NULLS FIRST, l.id"
                    + " LIMIT 3 OFFSET 1")) {
                assertEquals(List.of(7, 10, 9), ids(rs));
            }
            // numerics by value: 1.5 sorts above -2 whatever the scale; text by code point under "C"
            try (ResultSet rs = s.executeQuery("SELECT id FROM ledger ORDER BY amount DESC, label COLLATE \"C\" DESC"
                    + " LIMIT 2")) {
                assertEquals(List.of(9, 7), ids(rs));
            }
        }
    }

    @Test
    void textIsSortedWithoutCollateOnlyWhenTheDatabaseDefaultIsC() throws Exception {
        boolean codePoint;
        try (Connection raw = db.raw()) {
            codePoint = dev.warden.testkit.CodePointCollation.isDefault(raw);
        }
        try (Connection reader = db.as(policy, "reader", null); Statement s = reader.createStatement()) {
            String sql = "SELECT id FROM ledger ORDER BY label DESC LIMIT 2";
            if (codePoint) {
                try (ResultSet rs = s.executeQuery(sql)) {
                    assertEquals(List.of(10, 9), ids(rs));
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
    void moreRowsThanTheCapAreRefusedBeforeAnyRowNamingTheCapTheColumnAndThePolicyKey() throws Exception {
        try (Connection raw = db.raw(); Statement s = raw.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS ledger_big AS SELECT * FROM ledger WITH NO DATA");
        }
        try (Connection reader = db.as(policy, "reader", null); Statement w = reader.createStatement()) {
            w.executeUpdate("DELETE FROM ledger WHERE id > 100");
            try (PreparedStatement ins = reader.prepareStatement("INSERT INTO ledger (id, n) VALUES (?, ?)")) {
                for (int i = 101; i <= 100 + SortTwins.CAP; i++) {
                    ins.setInt(1, i);
                    ins.setInt(2, i);
                    ins.executeUpdate();
                }
            }
            // 70 rows: over the cap of 60, even with a LIMIT (Warden must see every row to find the first)
            SQLException e = assertThrows(SQLException.class,
                    () -> w.executeQuery("SELECT id, n FROM ledger ORDER BY n LIMIT 1"));
            assertEquals("54000", e.getSQLState());
            assertTrue(e.getMessage().contains("ledger.n") && e.getMessage().contains(String.valueOf(SortTwins.CAP))
                    && e.getMessage().contains("sort-row-cap (" + policy.resolve("policy.yaml") + ":2)"),
                    e.getMessage());
            // a WHERE that brings it under the cap answers
            try (ResultSet rs = w.executeQuery("SELECT id FROM ledger WHERE big IS NOT NULL ORDER BY n, id LIMIT 2")) {
                assertEquals(List.of(9, 8), ids(rs));
            }
            w.executeUpdate("DELETE FROM ledger WHERE id > 100");
        }
    }

    @Test
    void onlyARoleThatReadsTheColumnInPlaintextMaySortByIt() throws Exception {
        try (Connection viewer = db.as(policy, "viewer", null); Statement s = viewer.createStatement()) {
            SQLException e = assertThrows(SQLException.class,
                    () -> s.executeQuery("SELECT id FROM ledger ORDER BY amount"));
            assertEquals("42501", e.getSQLState());
            assertTrue(e.getMessage().contains("ledger.amount"), e.getMessage());
            try (ResultSet rs = s.executeQuery("SELECT id FROM ledger ORDER BY n NULLS FIRST, id LIMIT 1")) {
                assertEquals(List.of(1), ids(rs));
            }
        }
    }

    @Test
    void shapesWardenDoesNotFullyUnderstandStayRefused() throws Exception {
        List<String> refused = List.of(
                "SELECT id FROM ledger ORDER BY n + 1",
                "SELECT id FROM ledger ORDER BY coalesce(n, 0)",
                "SELECT id FROM ledger ORDER BY label COLLATE \"en_US\"",
                "SELECT grp FROM ledger GROUP BY grp ORDER BY max(n)",
                "SELECT DISTINCT ON (n) id FROM ledger ORDER BY n",
                "SELECT id, row_number() OVER (ORDER BY n) FROM ledger",
                "SELECT id FROM ledger ORDER BY n USING <",
                "SELECT id FROM ledger WHERE id IN (SELECT id FROM ledger ORDER BY n LIMIT 3) ORDER BY n",
                "SELECT id FROM (SELECT id, n FROM ledger ORDER BY n) x",
                "SELECT id, n FROM ledger UNION ALL SELECT id, n FROM ledger ORDER BY n",
                "WITH x AS (SELECT id, n FROM ledger) SELECT id FROM x ORDER BY n",
                "SELECT id FROM ledger ORDER BY n FOR UPDATE",
                "SELECT min(n) FROM ledger ORDER BY 1");
        try (Connection reader = db.as(policy, "reader", null); Statement s = reader.createStatement()) {
            for (String sql : refused) {
                SQLException e = assertThrows(SQLException.class, () -> s.executeQuery(sql).close(), sql);
                assertEquals("0A000", e.getSQLState(), sql + ": " + e.getMessage());
            }
        }
    }

    @Test
    void theDatabaseSeesNoOrderByAndTheAuditRecordsTheKeyAsRead() throws Exception {
        String sql = "SELECT id FROM ledger ORDER BY day DESC, at, id";
        try (Connection reader = db.as(policy, "reader", null); Statement s = reader.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            assertEquals(10, ids(rs).size());
        }
        AuditEvent event = null;
        for (int attempt = 0; attempt < 100 && event == null; attempt++) {
            for (ChainedEvent e : AuditTrailReader.readFiles(AuditTrailFiles.expand(List.of(policy)))) {
                if (sql.equals(e.event().fingerprint())) event = e.event();
            }
            if (event == null) Thread.sleep(20);
        }
        assertTrue(event != null, "no audit event for " + sql);
        assertEquals("allowed", event.decision());
        assertEquals("plaintext", event.columnsRead().get("ledger.day"));
        assertEquals("plaintext", event.columnsRead().get("ledger.at"));
        assertEquals(10, event.rows());
        assertFalse(Collections.unmodifiableMap(event.columnsRead()).containsKey("ledger.n"));
    }
}
