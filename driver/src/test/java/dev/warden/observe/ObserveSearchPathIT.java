package dev.warden.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.audit.AuditEvent;
import dev.warden.testkit.ObserveExample;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Observe mode records what enforcement would do to the table a name resolves to on the session's search_path:
 * the same text prepared by the same role means {@code public.customers} on one path (enforcement masks its email
 * for analyst) and {@code legacy.customers} on another (held to the same rules, as a table named like a protected
 * one, but lacking the policy's columns: enforcement refuses it, 42703). Each execution is recorded for the table
 * it read. (Prepared guards were cached by text and role alone in observe mode: the first path's observation was
 * recorded for both.)
 */
class ObserveSearchPathIT {

    private static final String EMAILS = "SELECT email FROM customers";

    @Test
    void aPreparedTextIsObservedForTheTableItsNameResolvesToOnEachSearchPath() throws Exception {
        for (boolean plainFirst : new boolean[] {true, false}) {
            ObserveExample app = ObserveExample.create("mode: observe\n");
            try (Connection raw = app.db().raw(); Statement s = raw.createStatement()) {
                s.execute("CREATE SCHEMA legacy");
                s.execute("CREATE TABLE legacy.customers (id int, email text)");
                s.execute("INSERT INTO legacy.customers VALUES (1, 'plain@example.com')");
                s.execute("INSERT INTO customers (name, email) VALUES ('Ann', '" + ObserveExample.EMAIL + "')");
                s.execute("GRANT USAGE ON SCHEMA legacy TO PUBLIC");
                s.execute("GRANT SELECT ON ALL TABLES IN SCHEMA legacy TO PUBLIC");
            }
            for (boolean plain : new boolean[] {plainFirst, !plainFirst}) {
                // a new connection each time: the cache of prepared guards is the engine's, not the connection's
                try (Connection analyst = app.as("analyst")) {
                    if (plain) {
                        try (Statement s = analyst.createStatement()) {
                            s.execute("SET search_path = legacy, public");
                        }
                    }
                    try (PreparedStatement ps = analyst.prepareStatement(EMAILS); ResultSet rs = ps.executeQuery()) {
                        assertTrue(rs.next());
                        assertEquals(plain ? "plain@example.com" : ObserveExample.EMAIL, rs.getString(1),
                                "observe mode runs the statement as written");
                    }
                }
            }
            List<AuditEvent> events = awaitEvents(app, 2);
            AuditEvent plainEvent = events.get(plainFirst ? 0 : 1);
            AuditEvent protectedEvent = events.get(plainFirst ? 1 : 0);
            assertEquals(AuditEvent.WOULD_REFUSE, plainEvent.decision(), "legacy.customers lacks the policy's"
                    + " columns (plain path first: " + plainFirst + "): " + plainEvent);
            assertEquals("42703", plainEvent.sqlState(), plainEvent.toString());
            assertTrue(plainEvent.reason().contains("legacy.customers"), plainEvent.reason());
            assertEquals(AuditEvent.WOULD_MASK, protectedEvent.decision(), "public.customers.email is masked for"
                    + " analyst (plain path first: " + plainFirst + "): " + protectedEvent);
            assertTrue(protectedEvent.reason().contains("customers.email"), protectedEvent.reason());
        }
    }

    /** The statement events of {@link #EMAILS}, once there are {@code count} (written asynchronously: polled). */
    private static List<AuditEvent> awaitEvents(ObserveExample app, int count) throws Exception {
        for (int attempt = 0; attempt < 250; attempt++) {
            List<AuditEvent> found = app.statementEvents().stream().filter(e -> EMAILS.equals(e.fingerprint()))
                    .toList();
            if (found.size() >= count) return found;
            Thread.sleep(20);
        }
        throw new AssertionError("fewer than " + count + " events for " + EMAILS + " in " + app.statementEvents());
    }
}
