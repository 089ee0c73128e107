package dev.warden.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.audit.AuditEvent;
import dev.warden.audit.AuditReport;
import dev.warden.audit.ReportTable;
import dev.warden.crypto.WardenKeyset;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * "Who has seen this row" across audit-key rotations: the trail holds a row's hash under the audit key that was
 * primary when it was read, so the row's hashes under every audit key find every read, each with its key era.
 */
class RowKeyErasTest {

    private static AuditEvent read(String user, Instant time, String rowKeyHash) {
        return new AuditEvent(AuditEvent.STATEMENT, time, "ev-" + user, "s", user, "support", "customer-service",
                "psql", null, "SELECT", "SELECT email FROM customers WHERE id = ?", "v1", List.of("customers"),
                Map.of("customers.email", "plaintext"), List.of(), List.of("customers.id"), 1, "allowed", null, null,
                3, List.of(rowKeyHash));
    }

    @Test
    void aRowReadBeforeAndAfterAnAuditKeyRotationIsFoundInBothEras() {
        WardenKeyset before = WardenKeyset.generate();
        WardenKeyset after = before.rotate();
        String oldHash = RowKeys.hash(before, "customers", "42");
        String newHash = RowKeys.hash(after, "customers", "42");
        assertNotEquals(oldHash, newHash);

        List<String> hashes = RowKeys.hashesUnderEveryKey(after, "customers", "42");
        assertEquals(List.of(newHash, oldHash), hashes, "the current key's first, then the older one");
        assertEquals(List.of(oldHash), RowKeys.hashesUnderEveryKey(before, "customers", "42"));

        Instant t = Instant.parse("2026-12-01T10:00:00Z");
        AuditReport report = AuditReport.of(List.of(read("alice", t, oldHash), read("bob", t.plusSeconds(60), newHash),
                read("carol", t.plusSeconds(120), RowKeys.hash(after, "customers", "43"))), null, null);
        ReportTable viewers = report.rowKeyViewers(hashes);
        assertEquals(2, viewers.rows().size(), viewers.toString());
        assertEquals("alice", viewers.cell(0, "user"));
        assertEquals("bob", viewers.cell(1, "user"));
        String oldMacId = before.primaryKeyIds().replaceAll(".*mac=", "");
        String newMacId = after.primaryKeyIds().replaceAll(".*mac=", "");
        assertEquals("id " + oldMacId, viewers.cell(0, "audit key"), "the era of the old key, named by its id");
        assertEquals("id " + newMacId + " (current)", viewers.cell(1, "audit key"));
    }
}
