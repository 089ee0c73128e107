package dev.warden.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.audit.AuditEvent;
import dev.warden.audit.AuditTrailFiles;
import dev.warden.audit.AuditTrailReader;
import dev.warden.audit.ChainedEvent;
import dev.warden.sql.SqlLexer;
import dev.warden.testkit.CustomersExample;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Class 11 of issue 10 through the driver: a statement on a protected table nested too deeply for the parser
 * (1,000 parentheses, 300 scalar subqueries) is refused at once with 0A000 and one audit event, naming the limit
 * and never a value; the same statement on unprotected tables still goes straight to PostgreSQL.
 */
class ParserLimitsIT {

    private static final String EMAIL = "jane.doe@example.com";

    private CustomersExample db;
    private Path policy;

    @BeforeEach
    void createDatabase() throws SQLException {
        db = CustomersExample.create();
        policy = CustomersExample.newPolicyDirectory();
        try (Connection support = db.as(policy, "support", "customer-service");
             PreparedStatement ps = support.prepareStatement("INSERT INTO customers (name, email) VALUES (?, ?)")) {
            ps.setString(1, "Jane Doe");
            ps.setString(2, EMAIL);
            ps.executeUpdate();
        }
    }

    @Test
    void deeplyNestedStatementsOnAProtectedTableAreRefusedWithOneEventEach() throws Exception {
        String parentheses = "SELECT name FROM customers WHERE email = '" + EMAIL + "' AND "
                + "(".repeat(1000) + "id = 1" + ")".repeat(1000);
        String subqueries = "SELECT " + "(SELECT ".repeat(300) + "email FROM customers" + ")".repeat(300)
                + " WHERE email = '" + EMAIL + "'";
        String inSubqueries = "SELECT name FROM customers WHERE id IN "
                + "(SELECT id FROM customers WHERE id IN ".repeat(9) + "(1)" + ")".repeat(9);
        try (Connection support = db.as(policy, "support", "customer-service"); Statement s = support.createStatement()) {
            for (String sql : List.of(parentheses, subqueries, inSubqueries, parentheses)) {
                int before = events(sql).size();
                SQLException e = assertThrows(SQLException.class, () -> s.executeQuery(sql));
                assertEquals("0A000", e.getSQLState(), e.getMessage());
                assertTrue(e.getMessage().contains("cannot be fully analysed")
                        && e.getMessage().contains("deep; Warden analyses at most"), e.getMessage());
                assertFalse(e.getMessage().contains("jane"), e.getMessage());
                List<AuditEvent> after = awaitEvents(sql, before + 1);
                assertEquals(before + 1, after.size(), "one event per statement");
                AuditEvent event = after.get(after.size() - 1);
                assertEquals("refused", event.decision());
                assertEquals("0A000", event.sqlState());
                assertFalse(String.valueOf(event).contains("jane"), "no value in the trail");
            }
            // prepared, it is refused when prepared, before any value is bound
            SQLException prepared = assertThrows(SQLException.class, () -> support.prepareStatement(
                    "SELECT name FROM customers WHERE " + "(".repeat(1000) + "email = ?" + ")".repeat(1000)));
            assertEquals("0A000", prepared.getSQLState(), prepared.getMessage());
            // and the connection goes on as before
            try (ResultSet rs = s.executeQuery("SELECT name FROM customers WHERE email = '" + EMAIL + "'")) {
                assertTrue(rs.next());
                assertEquals("Jane Doe", rs.getString(1));
            }
        }
    }

    @Test
    void deepNestingOnUnprotectedTablesTakesTheFastPathToPostgresql() throws Exception {
        try (Connection analyst = db.as(policy, "analyst", null); Statement s = analyst.createStatement();
             ResultSet rs = s.executeQuery("SELECT " + "(".repeat(1000) + "count(*)" + ")".repeat(1000)
                     + " FROM orders")) {
            assertTrue(rs.next());
            assertEquals(0, rs.getInt(1));
        }
    }

    private List<AuditEvent> events(String sql) throws Exception {
        String fingerprint = SqlLexer.lex(sql).normalized();
        return AuditTrailReader.readFiles(AuditTrailFiles.expand(List.of(policy))).stream().map(ChainedEvent::event)
                .filter(e -> AuditEvent.STATEMENT.equals(e.type()) && fingerprint.equals(e.fingerprint())).toList();
    }

    private List<AuditEvent> awaitEvents(String sql, int expected) throws Exception {
        for (int attempt = 0; attempt < 100 && events(sql).size() < expected; attempt++) {
            Thread.sleep(50);  // the trail is written asynchronously, flushed within 50 ms
        }
        Thread.sleep(100);  // and nothing more arrives
        return events(sql);
    }
}
