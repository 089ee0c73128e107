package dev.warden.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.audit.AuditEvent;
import dev.warden.audit.AuditSink;
import dev.warden.audit.AuditUnavailableException;
import dev.warden.engine.EngineConfig;
import dev.warden.engine.WardenEngine;
import dev.warden.testkit.CustomersExample;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, class 9, in the driver: once the audit trail has stopped for good (its writer thread died), every
 * statement is refused with 58000 before it runs, protected or not, including one prepared while the trail
 * was healthy; nothing is returned.
 */
class AuditStoppedIT {

    /** A sink that keeps events until told its writer died; then refuses, as a dead writer does. */
    static final class StoppableSink implements AuditSink {
        final List<AuditEvent> events = new CopyOnWriteArrayList<>();
        volatile boolean stopped;

        @Override
        public void record(AuditEvent event) throws AuditUnavailableException {
            if (stopped) throw new AuditUnavailableException("writer thread has stopped", null);
            events.add(event);
        }

        @Override
        public boolean isHealthy() {
            return !stopped;
        }

        @Override
        public boolean isStopped() {
            return stopped;
        }

        @Override
        public void close() {
        }
    }

    @Test
    void aStoppedTrailRefusesEveryStatementWith58000BeforeItRuns() throws Exception {
        CustomersExample example = CustomersExample.create();
        StoppableSink sink = new StoppableSink();
        WardenEngine engine = WardenEngine.open(new EngineConfig(CustomersExample.POLICY.toString(),
                "file:" + CustomersExample.MASTER_KEY), sink);
        java.util.Properties props = CustomersExample.properties("support", "customer-service");
        WardenSettings settings = WardenSettings.parse(example.wardenUrl(), props);
        try (Connection c = WardenDriver.open(engine, example.raw(), settings)) {
            try (PreparedStatement ins = c.prepareStatement("insert into customers(name, email, country) values ('S', ?, 'FR')")) {
                ins.setString(1, "stopped.trail@example.com");
                assertEquals(1, ins.executeUpdate());
            }
            PreparedStatement prepared = c.prepareStatement("select email from customers where email = ?");
            prepared.setString(1, "stopped.trail@example.com");
            try (ResultSet rs = prepared.executeQuery()) {
                assertTrue(rs.next());
            }
            int before = sink.events.size();

            sink.stopped = true;
            try (Statement s = c.createStatement()) {
                for (String sql : List.of("select 1", "select email from customers",
                        "insert into customers(name, country) values ('T', 'FR')")) {
                    SQLException e = assertThrows(SQLException.class, () -> s.execute(sql), sql);
                    assertEquals("58000", e.getSQLState(), sql + ": " + e.getMessage());
                }
            }
            SQLException e = assertThrows(SQLException.class, prepared::executeQuery);
            assertEquals("58000", e.getSQLState(), "a statement prepared before the stop: " + e.getMessage());
            assertFalse(e.getMessage().contains("stopped.trail@example.com"));
            assertEquals(before, sink.events.size());
        }
        try (Connection raw = example.raw(); Statement s = raw.createStatement();
             ResultSet rs = s.executeQuery("select count(*) from customers where name = 'T'")) {
            rs.next();
            assertEquals(0, rs.getInt(1), "the refused insert did not run");
        }
    }
}
