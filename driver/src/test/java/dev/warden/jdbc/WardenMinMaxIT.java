package dev.warden.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
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
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * MIN and MAX over encrypted columns beyond the twin comparison ({@link WardenMinMaxTwinPropertyIT}): the row cap
 * (54000 before any value), the read right it needs (42501), the shapes still refused (0A000), the text collation
 * rule, what the database sees, and the audit record.
 */
class WardenMinMaxIT {

    private static CustomersExample db;
    private static Path policy;

    @BeforeAll
    static void setUp() throws Exception {
        db = CustomersExample.create();
        policy = SortTwins.seedTenRows(db);
    }

    @Test
    void aWhereNarrowsTheRowsAndAnAllNullColumnGivesNull() throws Exception {
        try (Connection reader = db.as(policy, "reader", null); Statement s = reader.createStatement();
             ResultSet rs = s.executeQuery("SELECT min(n), max(n) AS top, MAX(day) FROM ledger WHERE grp = 1")) {
            // grp = 1 holds ids 2, 6, 10: n = 4, 0, NULL; day is NULL everywhere
            assertTrue(rs.next());
            assertEquals(0, rs.getInt(1));
            assertEquals(4, rs.getInt("top"));
            assertNull(rs.getObject(3));
            assertTrue(rs.wasNull());
            assertEquals("max", rs.getMetaData().getColumnLabel(3));
            assertFalse(rs.next());
        }
    }

    @Test
    void moreRowsThanTheCapAreRefusedBeforeAnyValueNamingTheCapTheColumnAndThePolicyKey() throws Exception {
        try (Connection reader = db.as(policy, "reader", null); Statement w = reader.createStatement()) {
            w.executeUpdate("DELETE FROM ledger WHERE id > 100");
            try (PreparedStatement ins = reader.prepareStatement("INSERT INTO ledger (id, n) VALUES (?, ?)")) {
                for (int i = 101; i <= 100 + SortTwins.CAP; i++) {
                    ins.setInt(1, i);
                    ins.setInt(2, i);
                    ins.executeUpdate();
                }
            }
            // 70 rows: over the cap of 60
            SQLException e = assertThrows(SQLException.class, () -> w.executeQuery("SELECT max(n) FROM ledger"));
            assertEquals("54000", e.getSQLState());
            assertTrue(e.getMessage().contains("MAX(ledger.n)") && e.getMessage().contains(String.valueOf(SortTwins.CAP))
                    && e.getMessage().contains("sort-row-cap (" + policy.resolve("policy.yaml") + ":2)"),
                    e.getMessage());
            try (PreparedStatement p = reader.prepareStatement("SELECT max(n) FROM ledger WHERE id > ?")) {
                p.setInt(1, 0);
                assertEquals("54000", assertThrows(SQLException.class, p::executeQuery).getSQLState());
                // a WHERE that brings it under the cap answers
                p.setInt(1, 50);
                try (ResultSet rs = p.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals(100 + SortTwins.CAP, rs.getInt(1));
                }
            }
            w.executeUpdate("DELETE FROM ledger WHERE id > 100");
        }
    }

    @Test
    void onlyARoleThatReadsTheColumnInPlaintextMayAggregateIt() throws Exception {
        try (Connection viewer = db.as(policy, "viewer", null); Statement s = viewer.createStatement()) {
            SQLException e = assertThrows(SQLException.class, () -> s.executeQuery("SELECT max(amount) FROM ledger"));
            assertEquals("42501", e.getSQLState());
            assertTrue(e.getMessage().contains("ledger.amount"), e.getMessage());
            try (ResultSet rs = s.executeQuery("SELECT min(n) FROM ledger")) {
                assertTrue(rs.next());
                assertEquals(-3, rs.getInt(1));
            }
        }
    }

    @Test
    void textIsComparedWithoutCollateOnlyWhenTheDatabaseDefaultIsC() throws Exception {
        boolean codePoint;
        try (Connection raw = db.raw()) {
            codePoint = dev.warden.testkit.CodePointCollation.isDefault(raw);
        }
        try (Connection reader = db.as(policy, "reader", null); Statement s = reader.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT max(label COLLATE \"C\") FROM ledger")) {
                assertTrue(rs.next());
                assertEquals("v9", rs.getString(1));
            }
            String sql = "SELECT min(label) FROM ledger";
            if (codePoint) {
                try (ResultSet rs = s.executeQuery(sql)) {
                    assertTrue(rs.next());
                    assertEquals("v0", rs.getString(1));
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
    void shapesWardenDoesNotAnswerStayRefusedSayingWhatIsSupported() throws Exception {
        List<String> refused = List.of(
                "SELECT min(n) FROM ledger GROUP BY grp",
                "SELECT grp, min(n) FROM ledger GROUP BY grp",
                "SELECT min(n) FROM ledger HAVING min(n) > 0",
                "SELECT min(n + 1) FROM ledger",
                "SELECT min(coalesce(n, 0)) FROM ledger",
                "SELECT min(n), id FROM ledger",
                "SELECT min(n) + 1 FROM ledger",
                "SELECT min(DISTINCT n) FROM ledger",
                "SELECT DISTINCT min(n) FROM ledger",
                "SELECT min(n) FILTER (WHERE grp = 1) FROM ledger",
                "SELECT min(n) OVER () FROM ledger",
                "SELECT min(n) FROM ledger ORDER BY 1",
                "SELECT min(n) FROM ledger LIMIT 1",
                "SELECT min(n), count(*) FROM ledger",
                "SELECT min(n), max(grp) FROM ledger",
                "SELECT min(label COLLATE \"en_US\") FROM ledger",
                "SELECT id FROM ledger WHERE n = (SELECT max(n) FROM ledger)",
                "SELECT (SELECT max(n) FROM ledger)",
                "WITH x AS (SELECT max(n) AS m FROM ledger) SELECT m FROM x",
                "SELECT max(l.n) FROM ledger l JOIN ledger k ON k.id = l.id",
                "SELECT max(n) FROM ledger UNION ALL SELECT max(n) FROM ledger");
        try (Connection reader = db.as(policy, "reader", null); Statement s = reader.createStatement()) {
            for (String sql : refused) {
                SQLException e = assertThrows(SQLException.class, () -> s.executeQuery(sql).close(), sql);
                assertEquals("0A000", e.getSQLState(), sql + ": " + e.getMessage());
            }
            SQLException e = assertThrows(SQLException.class, () -> s.executeQuery("SELECT min(n), id FROM ledger"));
            assertTrue(e.getMessage().contains("SELECT MIN(col) | MAX(col)"), e.getMessage());
        }
    }

    @Test
    void theAuditRecordsTheAggregatedColumnsAsReadAndOneRow() throws Exception {
        String sql = "SELECT max(amount), min(big) FROM ledger WHERE note IS NOT NULL";
        try (Connection reader = db.as(policy, "reader", null); Statement s = reader.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            assertTrue(rs.next());
            assertEquals(0, new BigDecimal("1.5").compareTo(rs.getBigDecimal(1)));
            assertEquals(0L, rs.getLong(2));
            assertFalse(rs.next());
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
        assertEquals("plaintext", event.columnsRead().get("ledger.amount"));
        assertEquals("plaintext", event.columnsRead().get("ledger.big"));
        assertEquals(1, event.rows());
    }
}
