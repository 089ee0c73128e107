package dev.warden.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.testkit.CustomersExample;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * {@code unwrap(PGConnection.class)} on a Warden connection gives LISTEN/NOTIFY to applications (and to the
 * gateway) without handing out the real connection: notifications arrive as the database sent them, and
 * every part of pgjdbc's interface that could run SQL or move data past the engine is refused.
 */
class PgConnectionViewIT {

    private CustomersExample db;

    @BeforeEach
    void createDatabase() {
        db = CustomersExample.create();
    }

    private static int backendPid(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** The notifications {@code pg} receives within 10 s, stopping at the first batch. */
    private static PGNotification[] received(PGConnection pg) throws SQLException {
        PGNotification[] n = pg.getNotifications(10_000);
        assertNotNull(n, "no notification within 10 s");
        return n;
    }

    @Test
    void aListeningWardenConnectionReceivesNotificationsFromOtherSessionsAndItself() throws SQLException {
        try (Connection listener = db.as("analyst"); Connection other = db.raw()) {
            listener.createStatement().execute("LISTEN orders_ready");
            PGConnection pg = listener.unwrap(PGConnection.class);
            assertTrue(listener.isWrapperFor(PGConnection.class));
            other.createStatement().execute("NOTIFY orders_ready, 'order 42 is ready'");
            PGNotification[] n = received(pg);
            assertEquals(1, n.length);
            assertEquals("orders_ready", n[0].getName());
            assertEquals("order 42 is ready", n[0].getParameter());
            assertEquals(backendPid(other), n[0].getPID());

            listener.createStatement().execute("NOTIFY orders_ready, 'from myself'");
            n = received(pg);
            assertEquals("from myself", n[0].getParameter());
            assertEquals(pg.getBackendPID(), n[0].getPID(), "a self-notification carries the session's own pid");
            assertEquals(backendPid(listener), pg.getBackendPID());
        }
    }

    @Test
    void channelsAndPayloadsMayBeNamedLikeAProtectedTable() throws SQLException {
        // LISTEN, UNLISTEN and NOTIFY read and write no table, whatever their words say
        try (Connection listener = db.as("analyst"); Connection notifier = db.as("analyst")) {
            listener.createStatement().execute("LISTEN customers");
            notifier.createStatement().execute("NOTIFY customers, 'customers.email changed'");
            PGNotification[] n = received(listener.unwrap(PGConnection.class));
            assertEquals("customers", n[0].getName());
            assertEquals("customers.email changed", n[0].getParameter());
            listener.createStatement().execute("UNLISTEN customers");
        }
    }

    @Test
    void aPayloadBuiltFromAProtectedColumnIsTheCiphertextTheDatabaseHolds() throws SQLException {
        try (Connection raw = db.raw(); Statement s = raw.createStatement()) {
            s.execute("CREATE FUNCTION announce_customer() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN "
                    + "PERFORM pg_notify('customer_events', encode(NEW.email, 'base64')); RETURN NEW; END$$");
            s.execute("CREATE TRIGGER announce AFTER INSERT ON customers FOR EACH ROW EXECUTE FUNCTION announce_customer()");
        }
        try (Connection listener = db.as("support", "customer-service");
             Connection writer = db.as("support", "customer-service")) {
            listener.createStatement().execute("LISTEN customer_events");
            try (PreparedStatement ps = writer.prepareStatement(
                    "INSERT INTO customers (name, email, country) VALUES (?, ?, ?)")) {
                ps.setString(1, "Jane Doe");
                ps.setString(2, "jane.doe@example.com");
                ps.setString(3, "HK");
                ps.executeUpdate();
            }
            PGNotification[] n = received(listener.unwrap(PGConnection.class));
            String stored;
            try (Connection raw = db.raw(); Statement s = raw.createStatement();
                 ResultSet rs = s.executeQuery("SELECT email FROM customers")) {
                rs.next();
                stored = Base64.getMimeEncoder().encodeToString(rs.getBytes(1));
            }
            assertEquals(stored.replaceAll("\\s", ""), n[0].getParameter().replaceAll("\\s", ""),
                    "the payload is what the database sent: ciphertext, not decrypted by Warden");
            assertFalse(n[0].getParameter().contains("jane"));
        }
    }

    @Test
    void theViewRunsNoSqlAndMovesNoData() throws SQLException {
        try (Connection c = db.as("analyst"); Connection rawConnection = db.raw()) {
            PGConnection pg = c.unwrap(PGConnection.class);
            assertFalse(pg instanceof Connection, "a view, not the real connection");
            assertEquals("\"a\"\"b\"", pg.escapeIdentifier("a\"b"));
            // every forwarded signature answers as pgjdbc does
            PGConnection real = rawConnection.unwrap(PGConnection.class);
            assertEquals(real.escapeLiteral("it's"), pg.escapeLiteral("it's"));
            assertEquals("on", pg.getParameterStatus("standard_conforming_strings"));
            assertEquals("on", pg.getParameterStatuses().get("standard_conforming_strings"));
            assertEquals(real.getPreferQueryMode(), pg.getPreferQueryMode());
            assertEquals(real.getAutosave(), pg.getAutosave());
            assertEquals(real.getPrepareThreshold(), pg.getPrepareThreshold());
            assertEquals(real.getDefaultFetchSize(), pg.getDefaultFetchSize());
            assertEquals(real.getAdaptiveFetch(), pg.getAdaptiveFetch());
            assertEquals(0, pg.getNotifications().length);
            pg.cancelQuery();

            assertEquals("0A000", assertThrows(SQLException.class, pg::getCopyAPI).getSQLState());
            assertEquals("0A000", assertThrows(SQLException.class, pg::getLargeObjectAPI).getSQLState());
            assertEquals("0A000", assertThrows(SQLException.class, pg::getFastpathAPI).getSQLState());
            assertEquals("0A000", assertThrows(SQLException.class,
                    () -> pg.alterUserPassword("postgres", "x".toCharArray(), null)).getSQLState());
            assertEquals("0A000", assertThrows(SQLException.class, () -> pg.createArrayOf("int4", new int[] {1}))
                    .getSQLState());
            assertThrows(UnsupportedOperationException.class, pg::getReplicationAPI);
            assertThrows(UnsupportedOperationException.class, () -> pg.addDataType("x", "java.lang.String"));
            assertThrows(UnsupportedOperationException.class, () -> pg.setPrepareThreshold(1));
            assertEquals("0A000", assertThrows(SQLException.class,
                    () -> c.unwrap(org.postgresql.core.BaseConnection.class)).getSQLState());
            assertFalse(c.isWrapperFor(org.postgresql.core.BaseConnection.class));
        }
    }
}
