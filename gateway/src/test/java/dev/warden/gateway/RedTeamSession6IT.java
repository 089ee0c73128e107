package dev.warden.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.audit.AuditEvent;
import dev.warden.testkit.SecretColumnsExample;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * Red-team findings of session 6 (issue 11) through the gateway, in both session-io modes (the failsafe
 * executions): users {@code ann} (analyst: reads neither secret), {@code bil} (billing: ssn plaintext, hkid
 * masked) and {@code sup} (support: hkid plaintext, ssn masked) on {@link SecretColumnsExample}. Each shape is
 * sent as a simple query (one Query message holding several statements, as psql and psycopg2 send them) and
 * through the extended protocol.
 */
class RedTeamSession6IT {

    static SecretColumnsExample example;
    static PolicyGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        example = SecretColumnsExample.create();
        Path dir = example.policyDirectory();
        gateway = PolicyGateway.start(example.db().wardenUrl(), dir, 2,
                PolicyGateway.user("ann", "analyst", null),
                PolicyGateway.user("bil", "billing", "customer-service"),
                PolicyGateway.user("sup", "support", "customer-service"));
        try (Connection raw = example.db().raw(); Statement s = raw.createStatement()) {
            // made outside Warden, as a DBA would: constraint violations then quote the rules-only value
            s.execute("CREATE UNIQUE INDEX customers_hkid_key ON customers (hkid)");
            s.execute("ALTER TABLE customers ADD CONSTRAINT hkid_short CHECK (length(hkid) < 20)");
        }
    }

    @AfterAll
    static void stop() {
        if (gateway != null) gateway.close();
    }

    /**
     * The driver finding (see the driver's {@code RedTeamSession6IT}) through the gateway: a statement of the same
     * Query turning {@code standard_conforming_strings} off cannot make a later one read a protected table Warden
     * took for string text; each statement is judged as the server reads it when it runs.
     */
    @Test
    void anEarlierStatementOfTheSameQueryCannotChangeHowALaterOneIsRead() throws Exception {
        for (String user : List.of("ann", "bil")) {
            for (boolean simple : List.of(true, false)) {
                for (String hidden : List.of("hkid", "ssn")) {
                    String sql = "SET standard_conforming_strings = off; SELECT 'a\\', $$' , " + hidden
                            + " FROM customers --$$";
                    int before = example.settledEventCount();
                    try (Connection c = gateway.connect(user, simple); Statement s = c.createStatement()) {
                        SQLException e = assertThrows(SQLException.class, () -> readAll(s, sql), user + ": " + sql);
                        assertEquals("0A000", e.getSQLState(), e.getMessage());
                        assertTrue(e.getMessage().contains("standard_conforming_strings"), e.getMessage());
                        assertNoSecret(e.getMessage());
                    }
                    List<AuditEvent> events = example.awaitEvents(before + 2);
                    assertEquals(List.of("0A000"), events.subList(before, events.size()).stream()
                            .filter(e -> "refused".equals(e.decision())).map(AuditEvent::sqlState).toList(), sql);
                }
            }
        }
        assertTrailHoldsNoSecret();
    }

    /**
     * A point SELECT (bounded by the table's primary key, so the gateway runs it as one autocommit statement) is
     * masked, refused and audited exactly as any other read: billing sees hkid masked and ssn in plaintext,
     * support the reverse, analyst is refused (42501), one event each.
     */
    @Test
    void aPointSelectOnAProtectedTableIsMaskedRefusedAndAuditedAsBefore() throws Exception {
        for (boolean simple : List.of(true, false)) {
            int before = example.settledEventCount();
            try (Connection c = gateway.connect("bil", simple);
                 PreparedStatement ps = c.prepareStatement("SELECT hkid, ssn FROM customers WHERE id = ?")) {
                ps.setInt(1, example.id());
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertNoSecret(rs.getString(1));
                    assertEquals(SecretColumnsExample.SSN, rs.getString(2));
                }
            }
            try (Connection c = gateway.connect("sup", simple); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT ssn, hkid FROM customers WHERE id = " + example.id())) {
                assertTrue(rs.next());
                assertNoSecret(rs.getString(1));
                assertEquals(SecretColumnsExample.HKID, rs.getString(2));
            }
            try (Connection c = gateway.connect("ann", simple); Statement s = c.createStatement()) {
                SQLException e = assertThrows(SQLException.class,
                        () -> s.executeQuery("SELECT hkid FROM customers WHERE id = " + example.id()));
                assertEquals("42501", e.getSQLState(), e.getMessage());
            }
            List<AuditEvent> events = example.awaitEvents(before + 3);
            List<String> reads = events.subList(before, events.size()).stream()
                    .filter(e -> e.tables().contains("customers") || e.tables().contains("public.customers"))
                    .map(e -> e.role() + ":" + e.decision()).sorted().toList();
            assertEquals(List.of("analyst:refused", "billing:allowed", "support:allowed"), reads);
        }
        assertTrailHoldsNoSecret();
    }

    /**
     * Every error field the gateway now forwards (detail, where, internal query, schema/table/column/constraint,
     * file/line/routine) holds no value of a rules-only column, for the role that wrote it too: unique and check
     * violations and a failed cast of hkid.
     */
    @Test
    void everyForwardedErrorFieldIsFreeOfProtectedValues() throws Exception {
        String hkid = SecretColumnsExample.HKID;
        for (boolean simple : List.of(true, false)) {
            try (Connection c = gateway.connect("sup", simple); Statement s = c.createStatement()) {
                for (String sql : List.of(
                        "INSERT INTO customers (name, email, hkid) VALUES ('Zed', 'z@x', '" + hkid + "')",
                        "INSERT INTO customers (name, email, hkid) VALUES ('Zed', 'z@x', repeat('" + hkid + "', 3))",
                        "SELECT hkid::int FROM customers",
                        "UPDATE customers SET hkid = '" + hkid + "' || hkid WHERE id = " + example.id())) {
                    PSQLException e = assertThrows(PSQLException.class, () -> s.execute(sql), sql);
                    assertNoSecret(e.getMessage());
                    ServerErrorMessage m = e.getServerErrorMessage();
                    assertTrue(m != null, sql);
                    for (String field : new String[] {m.toString(), m.getDetail(), m.getHint(), m.getWhere(),
                            m.getInternalQuery(), m.getSchema(), m.getTable(), m.getColumn(), m.getConstraint(),
                            m.getDatatype(), m.getFile(), m.getRoutine()}) {
                        assertNoSecret(String.valueOf(field));
                    }
                }
            }
        }
        assertTrailHoldsNoSecret();
    }

    // ---------------------------------------------------------------- helpers

    /** Every result of every statement of {@code sql}, checked for secrets. */
    static void readAll(Statement s, String sql) throws SQLException {
        boolean isResult = s.execute(sql);
        while (true) {
            if (isResult) {
                try (ResultSet rs = s.getResultSet()) {
                    while (rs.next()) {
                        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) assertNoSecret(rs.getString(i));
                    }
                }
            } else if (s.getUpdateCount() == -1) {
                return;
            }
            isResult = s.getMoreResults();
        }
    }

    static void assertNoSecret(String text) {
        if (text == null) return;
        assertFalse(text.contains(SecretColumnsExample.HKID.substring(1))
                || text.contains(SecretColumnsExample.SSN.substring(1)), text);
    }

    static void assertTrailHoldsNoSecret() throws Exception {
        assertNoSecret(example.trail());
    }
}
