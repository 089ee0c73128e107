package dev.warden.audit;

import static dev.warden.audit.AuditFixtures.KEY;
import static dev.warden.audit.AuditFixtures.statement;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.audit.AuditSinkConfig.Durability;
import dev.warden.audit.AuditSinkConfig.FailureMode;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The table sink on in-memory H2: quick checks of the SQL it issues; PostgreSQL in DatabaseAuditSinkIT. */
class DatabaseAuditSinkTest {

    @Test
    void writesAndReadsBackASealedChainOnH2() throws Exception {
        String url = "jdbc:h2:mem:audit_" + System.nanoTime() + ";DB_CLOSE_DELAY=-1";
        DatabaseAuditSink.Config c = new DatabaseAuditSink.Config(url, null, "audit.trail_events", Durability.ASYNC,
                FailureMode.FAIL_CLOSED, 64, Duration.ofMillis(10));
        try (var conn = java.sql.DriverManager.getConnection(url); var s = conn.createStatement()) {
            s.execute("CREATE SCHEMA audit");
        }
        try (DatabaseAuditSink sink = new DatabaseAuditSink(c, KEY)) {
            for (int i = 1; i <= 300; i++) {
                sink.record(statement(i));
            }
        }
        List<ChainedEvent> events = AuditTrailReader.readTable(url, null, "audit.trail_events");
        assertEquals(301, events.size());
        assertTrue(new AuditVerifier(KEY).verifyLines("h2", AuditTrailReader.readTableLines(url, null,
                "audit.trail_events"), false).ok());
    }

    @Test
    void restartAfterACrashWritesAnAlarmAndContinuesTheChain() throws Exception {
        String url = "jdbc:h2:mem:audit_" + System.nanoTime() + ";DB_CLOSE_DELAY=-1";
        DatabaseAuditSink.Config c = DatabaseAuditSink.Config.defaults(url, null);
        try (DatabaseAuditSink sink = new DatabaseAuditSink(c, KEY)) {
            sink.record(statement(1));
            sink.record(statement(2));
        }
        try (var conn = java.sql.DriverManager.getConnection(url); var s = conn.createStatement()) {
            s.execute("DELETE FROM warden_audit WHERE event_type = 'seal'"); // as if killed before close
        }
        try (DatabaseAuditSink sink = new DatabaseAuditSink(c, KEY)) {
            sink.record(statement(3));
        }
        List<ChainedEvent> events = AuditTrailReader.readTable(url, null, "warden_audit");
        assertEquals(List.of("statement", "statement", "alarm", "statement", "seal"),
                events.stream().map(e -> e.event().type()).toList());
        assertTrue(events.get(2).event().reason().startsWith("previous run ended without a seal after seq 2"));
        assertEquals(3, events.get(2).seq());
        assertTrue(new AuditVerifier(KEY).verifyLines("h2", AuditTrailReader.readTableLines(url, null,
                "warden_audit"), false).ok());
    }

    @Test
    void auditTableIsNeverWrittenThroughWarden() {
        assertThrows(IllegalArgumentException.class, () -> DatabaseAuditSink.Config.defaults(
                "jdbc:warden:postgresql://localhost/app", null));
    }

    @Test
    void tableNameMustBeAnIdentifier() {
        assertThrows(IllegalArgumentException.class, () -> new DatabaseAuditSink.Config("jdbc:h2:mem:x", null,
                "audit; DROP TABLE users", Durability.ASYNC, FailureMode.FAIL_CLOSED, 1, Duration.ofMillis(1)));
    }
}
