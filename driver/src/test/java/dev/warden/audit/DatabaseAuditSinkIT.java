package dev.warden.audit;

import static dev.warden.audit.AuditFixtures.KEY;
import static dev.warden.audit.AuditFixtures.statement;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.audit.AuditSinkConfig.Durability;
import dev.warden.audit.AuditSinkConfig.FailureMode;
import dev.warden.testkit.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The table sink against a real PostgreSQL. */
class DatabaseAuditSinkIT {

    private static Properties user() {
        Properties p = new Properties();
        p.setProperty("user", EmbeddedPostgres.USER);
        return p;
    }

    private static DatabaseAuditSink.Config config(String url, Durability d) {
        return new DatabaseAuditSink.Config(url, user(), "warden_audit", d, FailureMode.FAIL_CLOSED, 1024,
                Duration.ofMillis(20));
    }

    @Test
    void writesQueryableChainedRowsThatVerify() throws Exception {
        String url = EmbeddedPostgres.freshDatabase();
        try (DatabaseAuditSink sink = new DatabaseAuditSink(config(url, Durability.SYNC), KEY)) {
            for (int i = 1; i <= 20; i++) {
                sink.record(statement(i));
            }
            // sync: committed when record returns
            try (Connection c = EmbeddedPostgres.rawConnection(url); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*) FROM warden_audit")) {
                rs.next();
                assertEquals(20, rs.getLong(1));
            }
        }
        try (Connection c = EmbeddedPostgres.rawConnection(url); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT role_name, purpose, decision, event_type, event_time"
                     + " FROM warden_audit WHERE seq = 3")) {
            assertTrue(rs.next());
            assertEquals("analyst", rs.getString(1));
            assertEquals("billing", rs.getString(2));
            assertEquals("allowed", rs.getString(3));
            assertEquals("statement", rs.getString(4));
            assertEquals(statement(3).time(), rs.getObject(5, java.time.OffsetDateTime.class).toInstant());
        }
        List<ChainedEvent> events = AuditTrailReader.readTable(url, user(), "warden_audit");
        assertEquals(21, events.size());
        assertEquals(statement(7), events.get(6).event());
        AuditVerification v = new AuditVerifier(KEY).verifyLines(url, AuditTrailReader.readTableLines(url, user(),
                "warden_audit"), false);
        assertTrue(v.ok() && v.sealed(), v.render());
    }

    @Test
    void restartContinuesTheChainAndEditsInTheTableAreDetected() throws Exception {
        String url = EmbeddedPostgres.freshDatabase();
        for (int run = 0; run < 2; run++) {
            try (DatabaseAuditSink sink = new DatabaseAuditSink(config(url, Durability.ASYNC), KEY)) {
                for (int i = 1; i <= 50; i++) {
                    sink.record(statement(run * 50 + i));
                }
            }
        }
        List<String> lines = AuditTrailReader.readTableLines(url, user(), "warden_audit");
        assertEquals(102, lines.size());
        assertTrue(new AuditVerifier(KEY).verifyLines("db", lines, false).ok());
        try (Connection c = EmbeddedPostgres.rawConnection(url); Statement s = c.createStatement()) {
            s.execute("UPDATE warden_audit SET event_json = replace(event_json, '\"analyst\"', '\"admin\"')"
                    + " WHERE seq = 10");
            s.execute("DELETE FROM warden_audit WHERE seq = 20");
        }
        AuditVerification v = new AuditVerifier(KEY).verifyLines("db",
                AuditTrailReader.readTableLines(url, user(), "warden_audit"), false);
        assertEquals(List.of(AuditVerification.Kind.EDITED, AuditVerification.Kind.DELETED),
                v.errors().stream().map(AuditVerification.Finding::kind).sorted().toList(), v.render());
    }

    @Test
    void unreachableDatabaseFailsClosed() throws Exception {
        DatabaseAuditSink.Config c = config("jdbc:postgresql://localhost:1/nowhere?connectTimeout=1", Durability.ASYNC);
        try (DatabaseAuditSink sink = new DatabaseAuditSink(c, KEY)) {
            assertFalse(sink.isHealthy());
            AuditUnavailableException e = assertThrows(AuditUnavailableException.class, () -> sink.record(statement(1)));
            assertTrue(e.getMessage().contains("jdbc:postgresql://localhost:1/nowhere table warden_audit"),
                    e.getMessage());
        }
    }
}
