package dev.warden.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.audit.AuditEvent;
import dev.warden.audit.AuditTrailFiles;
import dev.warden.audit.AuditTrailReader;
import dev.warden.audit.AuditVerification;
import dev.warden.audit.AuditVerifier;
import dev.warden.audit.ChainedEvent;
import dev.warden.crypto.MasterKey;
import dev.warden.crypto.WardenKeyset;
import dev.warden.testkit.CustomersExample;
import dev.warden.testkit.EmbeddedPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A mixed workload through the driver leaves exactly one audit event per statement, with the right
 * columns and decisions, in a trail that verifies and holds no protected value.
 */
class AuditTrailIT {

    private static final String EMAIL = "audit.jane@example.com";
    private static final String CARD = "4000056655665556";

    @Test
    void everyStatementLeavesOneEventWithItsColumnsAndDecision() throws Exception {
        // a private copy of the example: its own engine, its own trail
        Path dir = Files.createTempDirectory("warden-audit-it");
        for (String f : new String[] {"policy.yaml", "demo-keyset.json", "demo-master-key.txt"}) {
            Files.copy(CustomersExample.DIRECTORY.resolve(f), dir.resolve(f));
        }
        Files.writeString(dir.resolve("policy.yaml"), "  hash-row-keys: true\n", java.nio.file.StandardOpenOption.APPEND);
        String rawUrl = EmbeddedPostgres.freshDatabase();
        try (Connection raw = EmbeddedPostgres.rawConnection(rawUrl)) {
            raw.createStatement().execute(Files.readString(CustomersExample.SOURCE.resolve("schema.sql")));
        }
        String url = "jdbc:warden:" + rawUrl.substring(5);

        try (Connection billing = DriverManager.getConnection(url, props(dir, "billing", "order-processing"))) {
            try (PreparedStatement ps = billing.prepareStatement(
                    "INSERT INTO customers (name, email, card_number) VALUES (?, ?, ?)")) {   // 1 allowed write
                ps.setString(1, "Jane");
                ps.setString(2, EMAIL);
                ps.setString(3, CARD);
                ps.executeUpdate();
            }
            try (Statement s = billing.createStatement();
                 ResultSet rs = s.executeQuery("SELECT id, email, card_number FROM customers WHERE email = '" + EMAIL + "'")) {
                while (rs.next()) rs.getString(1);                                           // 2 allowed read, 1 row
            }
            assertEquals("0A000", assertThrows(SQLException.class, () -> billing.createStatement()
                    .executeQuery("SELECT name FROM customers WHERE email LIKE 'audit%'")).getSQLState()); // 3 refused
            assertEquals("23505", assertThrows(SQLException.class, () -> billing.createStatement()
                    .executeUpdate("INSERT INTO customers (name, email) VALUES ('Dup', '" + EMAIL + "')")).getSQLState()); // 4 db error
            billing.createStatement().executeQuery("SELECT count(*) FROM orders").close();  // 5 unprotected
        }
        try (Connection analyst = DriverManager.getConnection(url, props(dir, "analyst", null))) {
            try (ResultSet rs = analyst.createStatement().executeQuery("SELECT email FROM customers")) {
                while (rs.next()) rs.getString(1);                                           // 6 masked read
            }
            assertEquals("42501", assertThrows(SQLException.class, () -> analyst.createStatement()
                    .executeQuery("SELECT card_number FROM customers")).getSQLState());     // 7 denied
        }

        List<AuditEvent> statements = awaitStatementEvents(dir, 7);
        assertEquals(7, statements.size(), "exactly one event per statement");

        AuditEvent write = statements.get(0);
        assertEquals("allowed", write.decision());
        assertEquals("billing", write.role());
        assertEquals("order-processing", write.purpose());
        assertEquals(List.of("customers.email", "customers.card_number"), write.columnsWritten());
        assertEquals(1, write.rows());

        AuditEvent read = statements.get(1);
        assertEquals("plaintext", read.columnsRead().get("customers.email"));
        assertEquals(List.of("customers.email"), read.columnsFiltered());
        assertEquals(1, read.rows());
        assertEquals("SELECT id, email, card_number FROM customers WHERE email = ?", read.fingerprint());

        assertEquals("refused", statements.get(2).decision());
        assertEquals("0A000", statements.get(2).sqlState());
        assertEquals("failed", statements.get(3).decision(), "allowed by the policy, failed in the database");
        assertEquals("23505", statements.get(3).sqlState(), "the database's error is recorded");
        assertTrue(statements.get(4).columnsRead().isEmpty());
        assertEquals("masked", statements.get(5).columnsRead().get("customers.email"));
        assertEquals("refused", statements.get(6).decision());
        assertEquals("42501", statements.get(6).sqlState());
        assertEquals("analyst", statements.get(6).role());
        assertEquals("denied", statements.get(6).columnsRead().get("customers.card_number"));
        assertEquals("0A000", statements.get(2).sqlState());
        assertTrue(statements.get(2).reason().contains("customers.email"), statements.get(2).reason());

        String everything = Files.list(dir).filter(f -> f.getFileName().toString().startsWith("warden-audit"))
                .map(f -> {
                    try {
                        return Files.readString(f, StandardCharsets.UTF_8);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }).collect(Collectors.joining());
        assertFalse(everything.contains(EMAIL) || everything.contains(CARD) || everything.contains("audit.jane"),
                "no protected value in the trail");

        WardenKeyset keyset = WardenKeyset.read(dir.resolve("demo-keyset.json"),
                MasterKey.resolve("file:" + dir.resolve("demo-master-key.txt")));
        // the read showed customer 1: its keyed row hash lets an auditor find who saw that record
        assertEquals(List.of(RowKeys.hash(keyset, "customers", "1")), read.rowKeyHashes());
        assertEquals(List.of(), statements.get(5).rowKeyHashes(), "no key column shown, no row keys");
        AuditVerification verification = new AuditVerifier(AuditTrails.chainKey(keyset)).verify(dir);
        assertTrue(verification.errors().stream().allMatch(f -> f.message().contains("without a seal")),
                verification.render());
    }

    /**
     * A value written into an encrypted column around Warden cannot be decrypted: the rows before it are read,
     * the error (XX001) names table.column and the row by its key, never the value, and the statement's one
     * event says it failed, with XX001 and the rows read before the failure; closing the result adds nothing.
     * A fetch that fails in the database mid-result (a division by zero in the third row fetched through a
     * cursor: row 2, updated last, is stored last) is recorded the same way with the database's SQLState.
     */
    @Test
    void aReadThatFailsMidResultIsRecordedAsFailedWithItsSqlState() throws Exception {
        Path dir = Files.createTempDirectory("warden-audit-it");
        for (String f : new String[] {"policy.yaml", "demo-keyset.json", "demo-master-key.txt"}) {
            Files.copy(CustomersExample.DIRECTORY.resolve(f), dir.resolve(f));
        }
        String rawUrl = EmbeddedPostgres.freshDatabase();
        try (Connection raw = EmbeddedPostgres.rawConnection(rawUrl)) {
            raw.createStatement().execute(Files.readString(CustomersExample.SOURCE.resolve("schema.sql")));
        }
        String url = "jdbc:warden:" + rawUrl.substring(5);
        String planted = "planted.by.psql@example.com";
        try (Connection billing = DriverManager.getConnection(url, props(dir, "billing", "order-processing"))) {
            try (PreparedStatement ps = billing.prepareStatement("INSERT INTO customers (name, email) VALUES (?, ?)")) {
                for (int i = 1; i <= 3; i++) {
                    ps.setString(1, "n" + i);
                    ps.setString(2, "c" + i + "@example.com");
                    ps.executeUpdate();                                                     // events 1-3
                }
            }
            try (Connection raw = EmbeddedPostgres.rawConnection(rawUrl)) {
                raw.createStatement().execute("UPDATE customers SET email = convert_to('" + planted
                        + "', 'UTF8') WHERE id = 2");
            }
            try (Statement s = billing.createStatement();
                 ResultSet rs = s.executeQuery("SELECT email, id FROM customers ORDER BY id")) { // event 4
                assertTrue(rs.next());
                assertEquals("c1@example.com", rs.getString(1));
                assertTrue(rs.next());
                SQLException e = assertThrows(SQLException.class, () -> rs.getString(1));
                assertEquals("XX001", e.getSQLState());
                assertTrue(e.getMessage().contains("customers.email of the row with id = 2"), e.getMessage());
                assertFalse(e.getMessage().contains(planted), e.getMessage());
            }
            billing.setAutoCommit(false);
            try (Statement s = billing.createStatement()) {
                s.setFetchSize(1);
                try (ResultSet rs = s.executeQuery("SELECT name, 1 / (2 - id) FROM customers")) { // event 5
                    assertTrue(rs.next());
                    assertTrue(rs.next());
                    assertEquals("22012", assertThrows(SQLException.class, rs::next).getSQLState());
                }
            }
            billing.rollback();
        }
        List<AuditEvent> statements = awaitStatementEvents(dir, 5);
        assertEquals(5, statements.size(), statements.toString());
        AuditEvent undecryptable = statements.get(3);
        assertEquals("failed", undecryptable.decision());
        assertEquals("XX001", undecryptable.sqlState());
        assertEquals(1, undecryptable.rows(), "one row was read in full before the failure");
        AuditEvent divided = statements.get(4);
        assertEquals("failed", divided.decision());
        assertEquals("22012", divided.sqlState());
        assertEquals(2, divided.rows());
        for (Path f : AuditTrailFiles.expand(List.of(dir))) {
            assertFalse(Files.readString(f).contains(planted), "no planted value in the trail");
        }
    }

    private static Properties props(Path dir, String role, String purpose) {
        Properties p = CustomersExample.properties(role, purpose);
        p.setProperty("warden.policy", dir.resolve("policy.yaml").toString());
        p.setProperty("warden.masterKey", "file:" + dir.resolve("demo-master-key.txt"));
        return p;
    }

    /** The async trail is flushed within 50 ms: poll until the statement events are on disk. */
    private static List<AuditEvent> awaitStatementEvents(Path dir, int expected) throws Exception {
        List<AuditEvent> events = List.of();
        for (int attempt = 0; attempt < 100; attempt++) {
            List<Path> files = AuditTrailFiles.expand(List.of(dir));
            events = AuditTrailReader.readFiles(files).stream().map(ChainedEvent::event)
                    .filter(e -> "statement".equals(e.type())).toList();
            if (events.size() >= expected) {
                Thread.sleep(200);  // and nothing more arrives
                return AuditTrailReader.readFiles(AuditTrailFiles.expand(List.of(dir))).stream()
                        .map(ChainedEvent::event).filter(e -> "statement".equals(e.type())).toList();
            }
            Thread.sleep(50);
        }
        return events;
    }

    @Test
    void theTrailCanGoToADatabaseTableOverItsOwnConnection() throws Exception {
        Path dir = Files.createTempDirectory("warden-audit-table");
        for (String f : new String[] {"policy.yaml", "demo-keyset.json", "demo-master-key.txt"}) {
            Files.copy(CustomersExample.DIRECTORY.resolve(f), dir.resolve(f));
        }
        String auditUrl = EmbeddedPostgres.freshDatabase();
        Files.writeString(dir.resolve("policy.yaml"), "  table:\n    jdbc-url: " + auditUrl + "\n    user: postgres\n",
                java.nio.file.StandardOpenOption.APPEND);
        String rawUrl = EmbeddedPostgres.freshDatabase();
        try (Connection raw = EmbeddedPostgres.rawConnection(rawUrl)) {
            raw.createStatement().execute(Files.readString(CustomersExample.SOURCE.resolve("schema.sql")));
        }
        try (Connection support = DriverManager.getConnection("jdbc:warden:" + rawUrl.substring(5),
                props(dir, "support", "customer-service"));
             PreparedStatement ps = support.prepareStatement("INSERT INTO customers (name, email) VALUES (?, ?)")) {
            ps.setString(1, "Tab");
            ps.setString(2, "tab.le@example.com");
            ps.executeUpdate();
        }
        Properties auditProps = new Properties();
        auditProps.setProperty("user", "postgres");
        List<AuditEvent> events = List.of();
        for (int attempt = 0; attempt < 100 && events.isEmpty(); attempt++) {
            Thread.sleep(50);
            try {
                events = AuditTrailReader.readTable(auditUrl, auditProps, "warden_audit").stream()
                        .map(ChainedEvent::event).filter(e -> "INSERT".equals(e.statementKind())).toList();
            } catch (SQLException tableNotYetCreated) {
                // the writer creates the table with its first batch
            }
        }
        assertEquals(1, events.size());
        assertEquals(List.of("customers.email"), events.get(0).columnsWritten());
        try (Connection audit = EmbeddedPostgres.rawConnection(auditUrl);
             ResultSet rs = audit.createStatement().executeQuery("SELECT count(*) FROM warden_audit WHERE "
                     + "CAST(warden_audit AS text) LIKE '%tab.le@%'")) {
            rs.next();
            assertEquals(0, rs.getInt(1), "no protected value in the audit table");
        }
    }

    @Test
    void aRotatedKeysetIsRecordedWhenTheEngineNextOpensIt() throws Exception {
        Path dir = Files.createTempDirectory("warden-audit-rotation");
        for (String f : new String[] {"policy.yaml", "demo-keyset.json", "demo-master-key.txt"}) {
            Files.copy(CustomersExample.DIRECTORY.resolve(f), dir.resolve(f));
        }
        EngineConfig config = new EngineConfig(dir.resolve("policy.yaml").toString(),
                "file:" + dir.resolve("demo-master-key.txt"));
        WardenEngine.open(config, null).close();
        WardenEngine.open(config, null).close();   // same keys: nothing to report
        MasterKey master = MasterKey.resolve("file:" + dir.resolve("demo-master-key.txt"));
        WardenKeyset.read(dir.resolve("demo-keyset.json"), master).rotate().write(dir.resolve("demo-keyset.json"), master);
        WardenEngine.open(config, null).close();

        List<AuditEvent> events = AuditTrailReader.readFiles(AuditTrailFiles.expand(List.of(dir))).stream()
                .map(ChainedEvent::event).toList();
        List<AuditEvent> rotations = events.stream().filter(e -> "key-rotated".equals(e.type())).toList();
        assertEquals(1, rotations.size(), "exactly the one rotation is recorded");
        assertTrue(rotations.get(0).reason().startsWith("primary keys were aead="), rotations.get(0).reason());
        assertEquals(3, events.stream().filter(e -> "keyset-opened".equals(e.type())).count());
        WardenKeyset rotated = WardenKeyset.read(dir.resolve("demo-keyset.json"), master);
        assertTrue(new AuditVerifier(AuditTrails.chainKey(rotated)).verify(dir).ok(), "the chain spans the rotation");
    }
}
