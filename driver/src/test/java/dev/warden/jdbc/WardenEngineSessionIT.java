package dev.warden.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.engine.EngineSession;
import dev.warden.testkit.CustomersExample;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

/**
 * The engine's session interface as the gateway uses it, on a {@code jdbc:warden:} connection to a real
 * PostgreSQL (the customers example): one object per connection that is never the real connection; the real
 * connection reaches a COPY starter only for a COPY the engine allowed; internal reads are not audited and may
 * not name a protected table; the transaction status and the result metadata are the server's.
 */
class WardenEngineSessionIT {

    private CustomersExample db;

    @BeforeEach
    void createDatabase() throws SQLException {
        db = CustomersExample.create();
        try (Connection raw = db.raw(); Statement st = raw.createStatement()) {
            // made outside Warden (which refuses it), before the engine first reads the server-side objects
            st.execute("CREATE VIEW contact_list AS SELECT name, email FROM customers");
        }
        try (Connection support = db.as("support", "customer-service");
             PreparedStatement ps = support.prepareStatement(
                     "insert into customers(id, name, email, phone) values (?, ?, ?, ?)")) {
            ps.setInt(1, 1);
            ps.setString(2, "Ann");
            ps.setString(3, "ann@example.com");
            ps.setString(4, "+33 6 12 34 56 78");
            ps.executeUpdate();
        }
    }

    @Test
    void oneSessionPerConnectionThatIsNotTheRealConnection() throws SQLException {
        try (Connection c = db.as("analyst")) {
            assertTrue(c.isWrapperFor(EngineSession.class));
            EngineSession s = c.unwrap(EngineSession.class);
            assertSame(s, c.unwrap(EngineSession.class), "obtained once, kept by the connection");
            assertFalse(s instanceof Connection, "the session is no way around the engine");
        }
    }

    @Test
    void copyReachesTheRealConnectionOnlyWhenTheEngineAllowedIt() throws Exception {
        try (Connection c = db.as("support", "customer-service")) {
            EngineSession s = c.unwrap(EngineSession.class);
            AtomicBoolean started = new AtomicBoolean();
            SQLException refused = assertThrows(SQLException.class, () -> s.copy("COPY customers TO STDOUT",
                    (real, sql) -> started.getAndSet(true)));
            assertEquals("0A000", refused.getSQLState());
            assertFalse(started.get(), "the real connection never reached the starter");

            ByteArrayOutputStream out = new ByteArrayOutputStream();
            long rows = s.copy("COPY (select 1 as a, 'x' as b) TO STDOUT",
                    (real, sql) -> {
                        try {
                            return real.unwrap(PGConnection.class).getCopyAPI().copyOut(sql, out);
                        } catch (java.io.IOException e) {
                            throw new SQLException(e);
                        }
                    });
            assertEquals(1, rows);
            assertEquals("1\tx\n", out.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void tellsWhatNamesNoProtectedTableNorAViewThatMayReadOne() throws SQLException {
        try (Connection c = db.as("analyst")) {
            EngineSession s = c.unwrap(EngineSession.class);
            assertTrue(s.namesNoProtectedTable("COPY (select g from generate_series(1, 3) g) TO STDOUT (FORMAT binary)"));
            assertFalse(s.namesNoProtectedTable("COPY (select email from customers) TO STDOUT"));
            assertFalse(s.namesNoProtectedTable("COPY (select * from public.customers) TO STDOUT (FORMAT csv)"));
            assertFalse(s.namesNoProtectedTable("COPY (select * from contact_list) TO STDOUT"));
        }
    }

    @Test
    void internalReadsAreNotAuditedAndMayNotNameAProtectedTable() throws Exception {
        try (Connection c = db.as("analyst")) {
            EngineSession s = c.unwrap(EngineSession.class);
            String version = s.readInternally("SELECT pg_catalog.current_setting(?) AS internal_read_marker",
                    List.of("server_version_num"), rs -> rs.next() ? rs.getString(1) : null);
            assertTrue(Integer.parseInt(version) >= 100000, version);
            assertThrows(IllegalArgumentException.class, () -> s.readInternally(
                    "SELECT email AS refused_internal_marker FROM customers", List.of(), rs -> rs.next()));
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT 1 AS client_marker")) {
                rs.next();
            }
        }
        String trail = trailOnce("client_marker");
        assertFalse(trail.contains("internal_read_marker"), "the internal read is not on the trail");
        // a marker of its own: other tests of this JVM read customers.email through the same trail
        assertFalse(trail.contains("refused_internal_marker"), "the refused internal read never ran");
    }

    @Test
    void transactionStatusIsTheServersReadyForQuery() throws SQLException {
        try (Connection c = db.as("analyst")) {
            EngineSession s = c.unwrap(EngineSession.class);
            assertEquals('I', s.transactionStatus());
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("SELECT 1");
                assertEquals('T', s.transactionStatus());
                s.failTransactionBlock();
                assertEquals('E', s.transactionStatus(), "the block is failed on the server");
            }
            c.rollback();
            assertEquals('I', s.transactionStatus());
        }
    }

    @Test
    void resultMetadataTellsProtectedColumnsAndTheServersOwnDescription() throws SQLException {
        try (Connection c = db.as("support", "customer-service");
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT id, email FROM customers")) {
            EngineSession s = c.unwrap(EngineSession.class);
            ResultSetMetaData md = rs.getMetaData();
            assertFalse(s.isProtected(md, 1));
            assertTrue(s.isProtected(md, 2));
            ResultSetMetaData server = s.serverMetaData(md);
            assertEquals(md.getColumnTypeName(1), server.getColumnTypeName(1));
            assertNotEquals(md.getColumnTypeName(2), server.getColumnTypeName(2),
                    "the server describes the column that holds the ciphertext");
        }
    }

    /** The trail once the event holding {@code marker} is written (events are written in order). */
    private static String trailOnce(String marker) throws Exception {
        for (int attempt = 0; attempt < 100; attempt++) {
            StringBuilder all = new StringBuilder();
            for (Path f : CustomersExample.auditFiles()) all.append(Files.readString(f));
            if (all.indexOf(marker) >= 0) return all.toString();
            Thread.sleep(50);
        }
        throw new AssertionError("no audit event holds " + marker);
    }
}
