package dev.warden.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.audit.AuditEvent;
import dev.warden.audit.AuditTrailFiles;
import dev.warden.audit.AuditTrailReader;
import dev.warden.audit.ChainedEvent;
import dev.warden.engine.EngineConfig;
import dev.warden.engine.WardenEngine;
import dev.warden.testkit.CustomersExample;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
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
 * A running engine follows its policy file without a restart, on a real PostgreSQL: connections opened before an
 * edit take the new rules at their next statement, prepared statements included (never executed with the
 * previous policy's decisions); an invalid or inapplicable edit leaves the policy in use, with the file:line
 * reason in the log and the audit trail; a role the new policy removed acts no more (28000).
 */
class PolicyReloadIT {

    private static final String ANN = "ann@example.com";
    private static final String PHONE = "+852 5555 0123";
    private static final String SUPPORT_EMAIL = "read: { support: plaintext, billing: plaintext, analyst: masked }";
    /** The phone rule's read line: billing sees phone numbers masked. */
    private static final String BILLING_PHONE = "read: { support: plaintext, billing: masked }";
    private static final String BILLING_PHONE_PLAINTEXT = "read: { support: plaintext, billing: plaintext }";

    private CustomersExample db;
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
    void database() throws SQLException {
        db = CustomersExample.create();
        try (Connection raw = db.raw(); Statement s = raw.createStatement()) {
            s.execute("CREATE TABLE notes (id int PRIMARY KEY, val text)");
        }
        policyLogger.addHandler(logCapture);
    }

    @AfterEach
    void removeCapture() {
        policyLogger.removeHandler(logCapture);
    }

    @Test
    void openConnectionsFollowAnEditAndTheTrailNamesBothVersions() throws Exception {
        Path dir = policyDirectory("off");
        insertAnn(dir);
        try (Connection billing = db.as(dir, "billing", "customer-service")) {
            String masked = phone(billing);
            assertNotEquals(PHONE, masked, "masked under the policy in use");
            String before = engine(dir).policy().version();

            edit(dir, BILLING_PHONE, BILLING_PHONE_PLAINTEXT);
            assertTrue(engine(dir).reloadPolicy());
            assertFalse(engine(dir).reloadPolicy(), "loaded once");
            String after = engine(dir).policy().version();
            assertNotEquals(before, after);

            assertEquals(PHONE, phone(billing), "the connection opened before the edit follows it");
            AuditEvent reloaded = lastEvent(dir, "policy-reloaded");
            assertEquals(after, reloaded.policyVersion());
            assertTrue(reloaded.reason().contains(before) && reloaded.reason().contains(after), reloaded.reason());
            assertTrue(policyLog.stream().anyMatch(r -> r.getLevel() == Level.INFO
                    && r.getMessage().contains("reloaded")), "logged");
            // statements audited from now on carry the new version
            // (the trail is written asynchronously: wait until the statement's event is on disk)
            AuditEvent last = null;
            for (int attempt = 0; attempt < 100; attempt++) {
                List<AuditEvent> all = events(dir);
                int reloadedAt = all.indexOf(reloaded);
                last = all.subList(reloadedAt + 1, all.size()).stream()
                        .filter(e -> AuditEvent.STATEMENT.equals(e.type())).reduce((a, b) -> b).orElse(null);
                if (last != null) break;
                Thread.sleep(50);
            }
            assertNotNull(last, "the statement after the reload is audited");
            assertEquals(after, last.policyVersion());
        }
    }

    @Test
    void theBackgroundCheckPicksUpAnEditByItself() throws Exception {
        Path dir = policyDirectory("100ms");
        insertAnn(dir);
        try (Connection billing = db.as(dir, "billing", "customer-service")) {
            assertNotEquals(PHONE, phone(billing));
            edit(dir, BILLING_PHONE, BILLING_PHONE_PLAINTEXT);
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!PHONE.equals(phone(billing))) {
                assertTrue(System.nanoTime() < deadline, "the periodic check did not load the edit");
                Thread.sleep(50);
            }
        }
    }

    @Test
    void anInvalidEditIsRejectedWithItsLineAndThePolicyInUseStays() throws Exception {
        Path dir = policyDirectory("off");
        insertAnn(dir);
        try (Connection analyst = db.as(dir, "analyst", null)) {
            String masked = email(analyst);
            String before = engine(dir).policy().version();
            edit(dir, "mask: email", "mask: sometimes");
            int line = lineOf(dir, "mask: sometimes");

            SQLException e = assertThrows(SQLException.class, () -> engine(dir).reloadPolicy());
            assertEquals("28000", e.getSQLState());
            assertTrue(e.getMessage().contains("policy.yaml:" + line + ":"), e.getMessage());
            assertTrue(e.getMessage().contains("the policy in use stays"), e.getMessage());
            assertEquals(before, engine(dir).policy().version());
            assertEquals(masked, email(analyst), "still the policy in use");

            assertTrue(policyLog.stream().anyMatch(r -> r.getLevel() == Level.WARNING
                    && r.getMessage().contains("policy.yaml:" + line + ":")), "logged with its line: "
                    + policyLog.stream().map(LogRecord::getMessage).toList());
            AuditEvent rejected = lastEvent(dir, "policy-rejected");
            assertEquals("refused", rejected.decision());
            assertEquals(before, rejected.policyVersion());
            assertTrue(rejected.reason().contains("policy.yaml:" + line + ":"), rejected.reason());
            assertNotNull(engine(dir).policyReloadError());

            // fixed: loaded, and the error is over
            edit(dir, "mask: sometimes", "mask: email");
            assertFalse(engine(dir).reloadPolicy(), "back to the content in use");
            assertNull(engine(dir).policyReloadError());
        }
    }

    @Test
    void aChangeStoredValuesDependOnIsRejected() throws Exception {
        Path dir = policyDirectory("off");
        insertAnn(dir);
        edit(dir, "    email:\n      encrypt: deterministic", "    email:\n      encrypt: randomized");
        SQLException e = assertThrows(SQLException.class, () -> engine(dir).reloadPolicy());
        assertTrue(e.getMessage().contains("customers.email") && e.getMessage().contains("line 13"), e.getMessage());
        try (Connection support = db.as(dir, "support", "customer-service")) {
            assertEquals(ANN, email(support), "the deterministic rule in use still opens the stored value");
        }
    }

    @Test
    void aPreparedStatementIsNeverRunWithThePreviousPolicysDecisions() throws Exception {
        Path dir = policyDirectory("off");
        insertAnn(dir);
        try (Connection support = db.as(dir, "support", "customer-service");
             PreparedStatement read = support.prepareStatement("SELECT email FROM customers WHERE name = ?")) {
            read.setString(1, "Ann");
            assertEquals(ANN, single(read));
            edit(dir, SUPPORT_EMAIL, "read: { support: masked, billing: plaintext, analyst: masked }");
            assertTrue(engine(dir).reloadPolicy());
            String now = single(read);
            assertNotEquals(ANN, now, "analysed again under the new policy: masked");
            assertTrue(now.contains("@example.com"), now);
        }
    }

    @Test
    void aParameterBoundBeforeItsColumnWasProtectedIsNeverSentAsGiven() throws Exception {
        Path dir = policyDirectory("off");
        try (Connection support = db.as(dir, "support", "customer-service");
             PreparedStatement insert = support.prepareStatement("INSERT INTO notes (id, val) VALUES (?, ?)")) {
            insert.setInt(1, 1);
            insert.setString(2, "before");
            assertEquals(1, insert.executeUpdate());

            insert.setInt(1, 2);
            insert.setString(2, "secret note");
            protectNotes(dir);
            assertTrue(engine(dir).reloadPolicy());
            SQLException e = assertThrows(SQLException.class, insert::executeUpdate);
            assertEquals("0A000", e.getSQLState());
            assertTrue(e.getMessage().contains("bind them again"), e.getMessage());

            insert.setInt(1, 2);
            insert.setString(2, "secret note");
            assertEquals(1, insert.executeUpdate());
        }
        try (Connection raw = db.raw(); Statement s = raw.createStatement();
             ResultSet rs = s.executeQuery("SELECT val FROM notes WHERE id = 2")) {
            assertTrue(rs.next());
            assertFalse(rs.getString(1).contains("secret"), "stored encrypted: " + rs.getString(1));
        }
        try (Connection support = db.as(dir, "support", "customer-service"); Statement s = support.createStatement();
             ResultSet rs = s.executeQuery("SELECT val FROM notes WHERE id = 2")) {
            assertTrue(rs.next());
            assertEquals("secret note", rs.getString(1));
        }
    }

    @Test
    void aPlainBatchAddedBeforeAReloadIsRefused() throws Exception {
        Path dir = policyDirectory("off");
        try (Connection support = db.as(dir, "support", "customer-service"); Statement s = support.createStatement()) {
            s.addBatch("INSERT INTO notes (id, val) VALUES (3, 'plain then')");
            protectNotes(dir);
            assertTrue(engine(dir).reloadPolicy());
            SQLException e = assertThrows(SQLException.class, s::executeBatch);
            assertEquals("0A000", e.getSQLState());
        }
        try (Connection raw = db.raw(); Statement s = raw.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM notes")) {
            assertTrue(rs.next());
            assertEquals(0, rs.getInt(1), "nothing of the batch was sent");
        }
    }

    @Test
    void aRoleTheNewPolicyRemovedIsRefusedAtItsNextStatement() throws Exception {
        Path dir = policyDirectory("off");
        try (Connection analyst = db.as(dir, "analyst", null); Statement s = analyst.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT 1")) {
                assertTrue(rs.next());
            }
            String yaml = Files.readString(dir.resolve("policy.yaml"))
                    .replace("  analyst: {}\n", "")
                    .replace(", analyst: masked", "");
            Files.writeString(dir.resolve("policy.yaml"), yaml);
            assertTrue(engine(dir).reloadPolicy());
            SQLException e = assertThrows(SQLException.class, () -> s.executeQuery("SELECT 1"));
            assertEquals("28000", e.getSQLState());
            assertTrue(e.getMessage().contains("unknown role 'analyst'"), e.getMessage());
            assertThrows(SQLException.class, () -> db.as(dir, "analyst", null), "and may not connect");
        }
    }

    // ---- helpers ----

    private static Path policyDirectory(String interval) throws Exception {
        Path dir = CustomersExample.newPolicyDirectory();
        Path policy = dir.resolve("policy.yaml");
        Files.writeString(policy, "policy-reload: " + interval + "\n" + Files.readString(policy));
        return dir;
    }

    private static void edit(Path dir, String text, String replacement) throws Exception {
        Path policy = dir.resolve("policy.yaml");
        String yaml = Files.readString(policy);
        assertTrue(yaml.contains(text), text);
        Files.writeString(policy, yaml.replace(text, replacement));
    }

    private static void protectNotes(Path dir) throws Exception {
        edit(dir, "\naudit:", """
                  notes:
                    val:
                      encrypt: randomized
                      type: text
                      read: { support: plaintext }
                      write: [support]

                audit:""");
    }

    private static int lineOf(Path dir, String text) throws Exception {
        List<String> lines = Files.readAllLines(dir.resolve("policy.yaml"), StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) if (lines.get(i).contains(text)) return i + 1;
        throw new AssertionError(text);
    }

    private static WardenEngine engine(Path dir) throws SQLException {
        return WardenEngine.forConfig(new EngineConfig(dir.resolve("policy.yaml").toString(),
                "file:" + dir.resolve("demo-master-key.txt")));
    }

    private void insertAnn(Path dir) throws SQLException {
        try (Connection support = db.as(dir, "support", "customer-service");
             PreparedStatement ps = support.prepareStatement("INSERT INTO customers (name, email, phone) VALUES ('Ann', ?, ?)")) {
            ps.setString(1, ANN);
            ps.setString(2, PHONE);
            ps.executeUpdate();
        }
    }

    private static String email(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT email FROM customers WHERE name = 'Ann'")) {
            assertTrue(rs.next());
            return rs.getString(1);
        }
    }

    private static String phone(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT phone FROM customers WHERE name = 'Ann'")) {
            assertTrue(rs.next());
            return rs.getString(1);
        }
    }

    private static String single(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            assertTrue(rs.next());
            return rs.getString(1);
        }
    }

    /** The last event of {@code type} on the trail, waiting for it: the trail is written asynchronously. */
    private static AuditEvent lastEvent(Path dir, String type) throws Exception {
        for (int attempt = 0; ; attempt++) {
            AuditEvent last = events(dir).stream().filter(e -> type.equals(e.type())).reduce((a, b) -> b).orElse(null);
            if (last != null || attempt == 100) {
                assertNotNull(last, "a " + type + " event on the trail");
                return last;
            }
            Thread.sleep(50);
        }
    }

    private static List<AuditEvent> events(Path dir) throws Exception {
        return AuditTrailReader.readFiles(AuditTrailFiles.expand(List.of(dir))).stream()
                .map(ChainedEvent::event).toList();
    }
}
