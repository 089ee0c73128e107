package dev.warden.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.audit.AuditEvent;
import dev.warden.engine.EngineConfig;
import dev.warden.engine.WardenEngine;
import dev.warden.testkit.ObserveExample;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Observe mode on a real PostgreSQL holding plaintext (a database before migration): an application's statements
 * run exactly as written and answer as the database does, while each statement enforcement would change leaves a
 * {@code would-refuse} (with the SQLState and message enforcement gives), {@code would-mask} or
 * {@code would-encrypt} event naming the application's call site. The same statements under the same policy in
 * enforce mode encrypt, mask and refuse as before. A reload may end observe mode but never start it.
 *
 * <p>In a package of its own: Warden's packages are never a call site, and this test plays the application.
 */
class ObserveModeIT {

    private static final String INSERT = "INSERT INTO customers (name, email, phone, hkid) VALUES (?, ?, ?, ?)";
    private static final String BY_EMAIL = "SELECT name, email FROM customers WHERE email = ?";
    private static final String LIKE = "SELECT name FROM customers WHERE email LIKE ?";
    private static final String EMAILS = "SELECT email FROM customers";
    private static final String PHONES = "SELECT phone FROM customers";
    private static final String SET_HKID = "UPDATE customers SET hkid = ? WHERE name = ?";
    private static final String NOTES = "SELECT count(*) FROM notes";
    /** Runs the statements, so is no call site ({@code observe.call-site-skip}): the test method calling it is. */
    private static final String SKIP = "observe: { call-site-skip: [dev.warden.observe.ObserveModeIT$Statements] }\n";

    /** Held: java.util.logging keeps loggers weakly, and a collected one would take the handler with it. */
    private final Logger policyLogger = Logger.getLogger("dev.warden.policy");
    private final List<LogRecord> policyLog = new CopyOnWriteArrayList<>();
    private final Handler logCapture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            policyLog.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void captureLog() {
        policyLogger.addHandler(logCapture);
    }

    @AfterEach
    void removeCapture() {
        policyLogger.removeHandler(logCapture);
    }

    @Test
    void statementsRunAsWrittenAndLeaveWouldEventsWithTheirCallSites() throws Exception {
        ObserveExample app = ObserveExample.create("mode: observe\n" + SKIP);
        int insertLine, byEmailLine, likeLine, maskLine, deniedLine, literalLine;
        try (Connection support = app.as("support"); Connection analyst = app.as("analyst")) {
            insertLine = line(); assertEquals(1, Statements.update(support, INSERT, "Ann", ObserveExample.EMAIL, ObserveExample.PHONE, ObserveExample.HKID));
            byEmailLine = line(); assertEquals(List.of("Ann"), Statements.column(support, BY_EMAIL, ObserveExample.EMAIL));
            likeLine = line(); assertEquals(List.of("Ann"), Statements.column(support, LIKE, "%@example.com"));
            maskLine = line(); assertEquals(List.of(ObserveExample.EMAIL), Statements.column(analyst, EMAILS));
            deniedLine = line(); assertEquals(List.of(ObserveExample.PHONE), Statements.column(analyst, PHONES));
            assertEquals(1, Statements.update(support, SET_HKID, "C123456(7)", "Ann"));
            assertEquals(List.of("0"), Statements.column(support, NOTES));
            // a plain statement with an inline literal, run here rather than through Statements
            try (Statement s = support.createStatement()) {
                literalLine = line(); ResultSet rs = s.executeQuery("SELECT name FROM customers WHERE phone = '" + ObserveExample.PHONE + "'");
                assertTrue(rs.next());
                assertEquals("Ann", rs.getString(1));
            }
        }
        // nothing was encrypted: the database holds what the application wrote
        try (Connection raw = app.db().raw(); Statement s = raw.createStatement();
             ResultSet rs = s.executeQuery("SELECT email, phone, hkid FROM customers")) {
            assertTrue(rs.next());
            assertEquals(ObserveExample.EMAIL, rs.getString(1));
            assertEquals(ObserveExample.PHONE, rs.getString(2));
            assertEquals("C123456(7)", rs.getString(3));
        }

        String here = ObserveModeIT.class.getName() + ".statementsRunAsWrittenAndLeaveWouldEventsWithTheirCallSites"
                + "(ObserveModeIT.java:";
        AuditEvent insert = app.awaitEvent(INSERT);
        assertEquals(AuditEvent.WOULD_ENCRYPT, insert.decision());
        assertEquals(here + insertLine + ")", insert.callSite());
        assertEquals(1, insert.rows());
        assertTrue(insert.columnsWritten().containsAll(List.of("customers.email", "customers.phone")), insert.toString());
        assertNull(insert.sqlState());

        AuditEvent byEmail = app.awaitEvent(BY_EMAIL);
        assertEquals(AuditEvent.WOULD_ENCRYPT, byEmail.decision());
        assertEquals(here + byEmailLine + ")", byEmail.callSite());
        assertTrue(byEmail.reason().contains("customers.email"), byEmail.reason());

        AuditEvent like = app.awaitEvent(LIKE);
        assertEquals(AuditEvent.WOULD_REFUSE, like.decision());
        assertEquals("0A000", like.sqlState());
        assertTrue(like.reason().contains("customers.email"), like.reason());
        assertEquals(here + likeLine + ")", like.callSite());
        assertEquals(1, like.rows(), "it ran and returned its row");

        AuditEvent masked = app.awaitEvent(EMAILS);
        assertEquals(AuditEvent.WOULD_MASK, masked.decision());
        assertEquals("masked", masked.columnsRead().get("customers.email"));
        assertEquals(here + maskLine + ")", masked.callSite());

        AuditEvent denied = app.awaitEvent(PHONES);
        assertEquals(AuditEvent.WOULD_REFUSE, denied.decision());
        assertEquals("42501", denied.sqlState());
        assertTrue(denied.reason().contains("to allow it"), "the policy hint: " + denied.reason());
        assertEquals(here + deniedLine + ")", denied.callSite());

        AuditEvent literal = app.awaitEvent(e -> e.fingerprint() != null && e.fingerprint().contains("WHERE phone ="),
                "the inline literal");
        assertEquals(AuditEvent.WOULD_ENCRYPT, literal.decision());
        assertEquals(here + literalLine + ")", literal.callSite());
        assertFalse(literal.fingerprint().contains(ObserveExample.PHONE), "never a value in the trail");

        // what enforcement would run unchanged stays allowed, without a call site (no stack walked)
        AuditEvent rulesOnly = app.awaitEvent(SET_HKID);
        assertEquals("allowed", rulesOnly.decision());
        assertNull(rulesOnly.callSite());
        assertEquals("allowed", app.awaitEvent(NOTES).decision());

        assertTrue(policyLog.stream().anyMatch(r -> r.getLevel() == Level.WARNING
                        && r.getMessage().contains(app.policyFile().toString()) && r.getMessage().contains("observe mode")
                        && r.getMessage().contains("protects nothing")),
                "warned at start: " + policyLog.stream().map(LogRecord::getMessage).toList());
        assertTrue(app.events().stream().anyMatch(e -> "policy-loaded".equals(e.type())
                && e.reason().contains("observe mode")), "the trail says the policy observes");
        String trail = String.join("\n", app.events().stream().map(AuditEvent::toString).toList());
        for (String value : List.of(ObserveExample.EMAIL, ObserveExample.PHONE, ObserveExample.HKID, "C123456(7)")) {
            assertFalse(trail.contains(value), "no value in the trail: " + value);
        }
    }

    @Test
    void withoutTheSkipListTheHelperRunningTheStatementIsTheCallSite() throws Exception {
        ObserveExample app = ObserveExample.create("mode: observe\n");
        try (Connection analyst = app.as("analyst")) {
            assertEquals(List.of(), Statements.column(analyst, PHONES));
        }
        AuditEvent denied = app.awaitEvent(PHONES);
        assertEquals(AuditEvent.WOULD_REFUSE, denied.decision());
        assertTrue(denied.callSite().startsWith(Statements.class.getName() + ".column(ObserveModeIT.java:"),
                denied.callSite());
    }

    @Test
    void theSameStatementsInEnforceModeAreEncryptedMaskedAndRefusedWithTheMessagesObserveModeRecorded()
            throws Exception {
        ObserveExample observed = ObserveExample.create("mode: observe\n");
        try (Connection support = observed.as("support"); Connection analyst = observed.as("analyst")) {
            Statements.column(support, LIKE, "%@example.com");
            Statements.column(analyst, PHONES);
        }
        ObserveExample app = ObserveExample.create("");
        try (Connection support = app.as("support"); Connection analyst = app.as("analyst")) {
            assertEquals(1, Statements.update(support, INSERT, "Ann", ObserveExample.EMAIL, ObserveExample.PHONE, ObserveExample.HKID));
            assertEquals(List.of("Ann"), Statements.column(support, BY_EMAIL, ObserveExample.EMAIL));
            SQLException like = assertThrows(SQLException.class,
                    () -> Statements.column(support, LIKE, "%@example.com"));
            assertEquals(observed.awaitEvent(LIKE).sqlState(), like.getSQLState());
            assertEquals(observed.awaitEvent(LIKE).reason(), like.getMessage());
            List<String> emails = Statements.column(analyst, EMAILS);
            assertEquals(1, emails.size());
            assertNotEquals(ObserveExample.EMAIL, emails.get(0), "masked");
            SQLException phones = assertThrows(SQLException.class, () -> Statements.column(analyst, PHONES));
            assertEquals("42501", phones.getSQLState());
            assertEquals(observed.awaitEvent(PHONES).reason(), phones.getMessage());
        }
        try (Connection raw = app.db().raw(); Statement s = raw.createStatement();
             ResultSet rs = s.executeQuery("SELECT email, phone, hkid FROM customers")) {
            assertTrue(rs.next());
            assertNotEquals(ObserveExample.EMAIL, rs.getString(1), "encrypted at rest");
            assertNotEquals(ObserveExample.PHONE, rs.getString(2), "encrypted at rest");
            assertEquals(ObserveExample.HKID, rs.getString(3), "rules-only: plaintext in the database");
        }
        assertEquals("refused", app.awaitEvent(LIKE).decision());
        assertEquals("allowed", app.awaitEvent(INSERT).decision());
        assertEquals("allowed", app.awaitEvent(EMAILS).decision());
        assertTrue(app.statementEvents().stream().allMatch(e -> e.callSite() == null), "no call site in enforce mode");
        assertFalse(policyLog.stream().anyMatch(r -> r.getMessage().contains(app.policyFile().toString())
                && r.getMessage().contains("observe mode")), "no warning for the enforcing engine");
    }

    @Test
    void aReloadMayEndObserveModeButNotStartIt() throws Exception {
        ObserveExample app = ObserveExample.create("");
        String enforcing = Files.readString(app.policyFile());
        try (Connection support = app.as("support")) {
            Files.writeString(app.policyFile(), enforcing + "mode: observe\n");
            SQLException refused = assertThrows(SQLException.class, () -> engine(app).reloadPolicy());
            assertTrue(refused.getMessage().contains("mode: the new policy switches from enforce to observe"),
                    refused.getMessage());
            assertThrows(SQLException.class, () -> Statements.column(support, LIKE, "%@example.com"), "still enforced");
        }

        ObserveExample observing = ObserveExample.create("mode: observe\n");
        try (Connection support = observing.as("support")) {
            assertEquals(List.of(), Statements.column(support, LIKE, "%@example.com"));
            Files.writeString(observing.policyFile(), Files.readString(observing.policyFile())
                    .replace("mode: observe\n", ""));
            assertTrue(engine(observing).reloadPolicy());
            SQLException like = assertThrows(SQLException.class,
                    () -> Statements.column(support, LIKE, "%@example.com"));
            assertEquals("0A000", like.getSQLState());
        }
    }

    private static WardenEngine engine(ObserveExample app) throws SQLException {
        return WardenEngine.forConfig(new EngineConfig(app.policyFile().toString(),
                "file:" + app.policyDirectory().resolve("demo-master-key.txt")));
    }

    /** The line this is called on, for the call sites expected. */
    private static int line() {
        return StackWalker.getInstance().walk(frames -> frames.skip(1).findFirst().orElseThrow().getLineNumber());
    }

    /** Runs the application's statements (a small data-access helper, as applications have). */
    static final class Statements {

        static List<String> column(Connection connection, String sql, Object... parameters) throws SQLException {
            try (PreparedStatement ps = connection.prepareStatement(sql)) {
                for (int i = 0; i < parameters.length; i++) ps.setObject(i + 1, parameters[i]);
                try (ResultSet rs = ps.executeQuery()) {
                    List<String> values = new ArrayList<>();
                    while (rs.next()) values.add(rs.getString(1));
                    return values;
                }
            }
        }

        static int update(Connection connection, String sql, Object... parameters) throws SQLException {
            try (PreparedStatement ps = connection.prepareStatement(sql)) {
                for (int i = 0; i < parameters.length; i++) ps.setObject(i + 1, parameters[i]);
                return ps.executeUpdate();
            }
        }
    }
}
