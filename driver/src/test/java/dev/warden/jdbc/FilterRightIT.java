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
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Filtering is a right ({@code filter:} in the policy): a role that sees a column masked, or not at all, may not
 * have the database compare its values (=, IN, joins, ON CONFLICT, set operations, COUNT(DISTINCT), and on a
 * rules-only column GROUP BY, DISTINCT and any computation), since each answer tells which rows hold a guessed
 * value. Presence (IS NULL, COUNT(col)) stays open. Tested on an encrypted column ({@code email}) and a
 * rules-only one ({@code hkid}, {@code encrypt: none}); every refusal is 42501, names the column, never the
 * value, and leaves exactly one audit event.
 */
class FilterRightIT {

    private static final String EMAIL = "jane.doe@example.com";
    private static final String HKID = "B765432(1)";

    /** The example's roles and encrypted columns, plus the rules-only {@code hkid}; FILTER_* are replaced. */
    private static final String POLICY = """
            keyset: demo-keyset.json
            roles:
              support: { purposes: [customer-service] }
              billing: { purposes: [order-processing, customer-service] }
              analyst: {}
            tables:
              customers:
                email:
                  encrypt: deterministic
                  read: { support: plaintext, billing: plaintext, analyst: masked }
                  mask: email
                  write: [support, billing]
                  purposes: [customer-service, order-processing]
                  FILTER_EMAIL
                phone:
                  encrypt: deterministic
                  read: { support: plaintext, billing: masked }
                  mask: last4
                  write: [support]
                card_number:
                  encrypt: randomized
                  read: { billing: plaintext, support: masked }
                  mask: last4
                  write: [billing]
                hkid:
                  encrypt: none
                  read: { support: plaintext, analyst: masked }
                  mask: redact
                  write: [support]
                  purposes: [customer-service]
                  FILTER_HKID
            audit:
              path: warden-audit.jsonl
            """;

    private final List<Path> policyDirectories = new ArrayList<>();
    private CustomersExample db;
    private Path defaults;

    @BeforeEach
    void seed() throws Exception {
        db = CustomersExample.create();
        try (Connection raw = db.raw(); Statement s = raw.createStatement()) {
            s.execute("ALTER TABLE customers ADD COLUMN hkid text UNIQUE");
        }
        defaults = policy("", "");
        try (Connection support = db.as(defaults, "support", "customer-service");
             PreparedStatement ps = support.prepareStatement(
                     "INSERT INTO customers (name, email, phone, hkid) VALUES (?, ?, ?, ?)")) {
            ps.setString(1, "Jane Doe");
            ps.setString(2, EMAIL);
            ps.setString(3, "+85291234567");
            ps.setString(4, HKID);
            ps.executeUpdate();
            ps.setString(1, "Tai Man");
            ps.setString(2, "tm.chan@example.hk");
            ps.setString(3, "+85298765432");
            ps.setString(4, "A123456(3)");
            ps.executeUpdate();
        }
    }

    /** A private copy of the example with {@link #POLICY} and the two filter lines (empty: no list). */
    private Path policy(String emailFilter, String hkidFilter) throws IOException {
        Path dir = CustomersExample.newPolicyDirectory();
        policyDirectories.add(dir);
        Files.writeString(dir.resolve("policy.yaml"),
                POLICY.replace("FILTER_EMAIL", emailFilter).replace("FILTER_HKID", hkidFilter));
        return dir;
    }

    @Test
    void aMaskedReaderMayNotCompareGroupOrCountDistinctValues() throws Exception {
        List<String> refused = List.of(
                "SELECT name FROM customers WHERE email = '" + EMAIL + "'",
                "SELECT name FROM customers WHERE email <> '" + EMAIL + "'",
                "SELECT name FROM customers WHERE email IN ('" + EMAIL + "', 'x@example.com')",
                "SELECT name FROM customers WHERE NOT (email NOT IN ('" + EMAIL + "'))",
                "SELECT count(*) FROM customers WHERE email = '" + EMAIL + "' OR name = 'nobody'",
                "SELECT a.name FROM customers a JOIN customers b ON a.email = b.email WHERE b.id = 1",
                "SELECT a.name FROM customers a JOIN customers b USING (email)",
                "SELECT count(DISTINCT email) FROM customers",
                "SELECT email FROM customers UNION SELECT email FROM customers",
                "SELECT name FROM (SELECT name, email AS e FROM customers) s WHERE s.e = '" + EMAIL + "'",
                "SELECT name FROM customers WHERE id IN (SELECT id FROM customers WHERE email = '" + EMAIL + "')",
                "SELECT name FROM customers WHERE hkid = '" + HKID + "'",
                "SELECT name FROM customers WHERE hkid IN ('" + HKID + "')",
                "SELECT name FROM customers WHERE hkid LIKE 'B76%'",
                "SELECT name FROM customers WHERE hkid IS DISTINCT FROM '" + HKID + "'",
                "SELECT name FROM customers WHERE upper(hkid) = '" + HKID + "'",
                "SELECT hkid, count(*) FROM customers GROUP BY hkid",
                "SELECT DISTINCT hkid FROM customers",
                "SELECT count(DISTINCT hkid) FROM customers",
                "SELECT a.name FROM customers a JOIN customers b ON a.hkid = b.hkid");
        try (Connection analyst = db.as(defaults, "analyst", null)) {
            for (String sql : refused) {
                assertRefusedOnce(analyst, sql, sql.contains("hkid") ? "customers.hkid" : "customers.email", "analyst");
            }
            SQLException grouped = assertRefusedOnce(analyst,
                    "SELECT hkid FROM customers GROUP BY hkid HAVING count(*) > 1", "customers.hkid", "analyst");
            assertTrue(grouped.getMessage().contains("may not filter on or compute with customers.hkid (policy line"),
                    grouped.getMessage());
            SQLException equal = assertRefusedOnce(analyst, "SELECT name FROM customers WHERE email = '" + EMAIL + "'",
                    "customers.email", "analyst");
            assertTrue(equal.getMessage().contains("may not filter on customers.email (policy line 8): the database"
                    + " would compare its values (=)"), equal.getMessage());
            // the prepared form is refused when prepared, before a value is bound
            SQLException e = assertThrows(SQLException.class,
                    () -> analyst.prepareStatement("SELECT name FROM customers WHERE email = ?"));
            assertEquals("42501", e.getSQLState(), e.getMessage());
        }
    }

    @Test
    void neighbourShapesThatCompareValuesAreRefusedToAMaskedReaderToo() throws Exception {
        // not the shapes the rule names, but their neighbours: each would answer "which rows hold this value"
        List<String> shapes = List.of(
                "SELECT count(*) FILTER (WHERE email = '" + EMAIL + "') FROM customers",
                "SELECT CASE WHEN email = '" + EMAIL + "' THEN 1 END FROM customers",
                "SELECT name FROM customers WHERE (email, name) = ('" + EMAIL + "', 'Jane Doe')",
                "SELECT name FROM customers WHERE email = ANY (ARRAY['" + EMAIL + "'])",
                "SELECT name FROM customers WHERE email IN (SELECT email FROM customers WHERE id = 1)",
                "SELECT email FROM customers EXCEPT SELECT email FROM customers WHERE id = 2",
                "SELECT name, count(*) OVER (PARTITION BY email) FROM customers",
                "SELECT name FROM customers ORDER BY email",
                "SELECT name FROM customers WHERE hkid > 'B7'",
                "SELECT name FROM customers ORDER BY hkid",
                "SELECT name FROM customers WHERE position('765' IN hkid) > 0",
                "SELECT substring(hkid FROM 1 FOR 1) FROM customers",
                "SELECT name FROM customers c WHERE EXISTS (SELECT 1 FROM customers d WHERE d.hkid = c.hkid AND d.id <> c.id)");
        try (Connection analyst = db.as(defaults, "analyst", null); Statement s = analyst.createStatement()) {
            for (String sql : shapes) {
                SQLException e = assertThrows(SQLException.class, () -> s.execute(sql), sql);
                assertTrue(Set.of("42501", "0A000").contains(e.getSQLState()), sql + " -> " + e.getMessage());
                assertTrue(e.getMessage().contains("customers.email") || e.getMessage().contains("customers.hkid"),
                        sql + " -> " + e.getMessage());
                assertFalse(e.getMessage().contains("jane.doe") || e.getMessage().contains("765"), e.getMessage());
            }
        }
    }

    @Test
    void aWriterThatSeesTheColumnMaskedMayNotUseItAsAConflictTarget() throws Exception {
        // ON CONFLICT (email) DO UPDATE ... RETURNING would hand back the row holding a guessed email
        try (Connection billing = db.as(defaults, "billing", null)) {
            assertRefusedOnce(billing, "INSERT INTO customers (name, email) VALUES ('Eve', '" + EMAIL + "')"
                    + " ON CONFLICT (email) DO UPDATE SET name = customers.name RETURNING id, name", "customers.email",
                    "billing");
        }
        try (Connection billing = db.as(defaults, "billing", "order-processing");
             ResultSet rs = billing.createStatement().executeQuery("INSERT INTO customers (name, email) VALUES"
                     + " ('Eve', '" + EMAIL + "') ON CONFLICT (email) DO UPDATE SET name = customers.name RETURNING name")) {
            assertTrue(rs.next());
            assertEquals("Jane Doe", rs.getString(1), "a plaintext reader for its purpose keeps the upsert");
        }
    }

    @Test
    void presenceStaysOpenToEveryRole() throws Exception {
        try (Connection analyst = db.as(defaults, "analyst", null); Statement s = analyst.createStatement()) {
            for (String sql : List.of("SELECT count(*) FROM customers WHERE email IS NOT NULL",
                    "SELECT count(*) FROM customers WHERE hkid IS NOT NULL", "SELECT count(email) FROM customers",
                    "SELECT count(hkid) FROM customers", "SELECT count(phone) FROM customers")) {
                try (ResultSet rs = s.executeQuery(sql)) {
                    assertTrue(rs.next(), sql);
                    assertEquals(2, rs.getInt(1), sql);
                }
            }
        }
    }

    @Test
    void plaintextReadersFilterOnlyForThePurposeTheyReadPlaintextFor() throws Exception {
        try (Connection support = db.as(defaults, "support", "customer-service"); Statement s = support.createStatement()) {
            assertEquals(List.of("Jane Doe"), names(s, "SELECT name FROM customers WHERE email = '" + EMAIL + "'"));
            assertEquals(List.of("Jane Doe"), names(s, "SELECT name FROM customers WHERE hkid = '" + HKID + "'"));
            assertEquals(List.of("Jane Doe"), names(s, "SELECT name FROM customers WHERE hkid LIKE 'B76%'"));
            assertEquals(List.of(HKID), names(s, "SELECT hkid FROM customers GROUP BY hkid HAVING hkid LIKE 'B%'"));
        }
        try (Connection support = db.as(defaults, "support", null); Statement s = support.createStatement()) {
            // phone lists no purposes: plaintext, so filtering, without a purpose
            assertEquals(List.of("Jane Doe"), names(s, "SELECT name FROM customers WHERE phone = '+85291234567'"));
            assertRefusedOnce(support, "SELECT name FROM customers WHERE email = '" + EMAIL + "'", "customers.email",
                    "support");
            assertRefusedOnce(support, "SELECT DISTINCT hkid FROM customers", "customers.hkid", "support");
        }
    }

    @Test
    void aFilterListGrantsMaskedReadersEqualityOnlyAndNarrowsPlaintextReaders() throws Exception {
        Path listed = policy("filter: [analyst]", "filter: [analyst]");
        try (Connection analyst = db.as(listed, "analyst", null); Statement s = analyst.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT name, email FROM customers WHERE email = '" + EMAIL + "'")) {
                assertTrue(rs.next());
                assertEquals("Jane Doe", rs.getString(1));
                assertEquals("j*******@example.com", rs.getString(2), "filtering does not unmask");
                assertFalse(rs.next());
            }
            assertEquals(List.of("Jane Doe"), names(s, "SELECT name FROM customers WHERE hkid = '" + HKID + "'"));
            // the right to filter is equality, not a computation that reads the value piece by piece
            SQLException like = assertThrows(SQLException.class,
                    () -> s.executeQuery("SELECT name FROM customers WHERE hkid LIKE 'B76%'"));
            assertEquals("0A000", like.getSQLState(), like.getMessage());
            assertFalse(like.getMessage().contains("B76"), like.getMessage());
        }
        try (Connection support = db.as(listed, "support", "customer-service")) {
            SQLException e = assertRefusedOnce(support, "SELECT name FROM customers WHERE email = '" + EMAIL + "'",
                    "customers.email", "support");
            assertTrue(e.getMessage().contains("'filter' list names may (analyst)"), e.getMessage());
            assertRefusedOnce(support, "SELECT hkid FROM customers GROUP BY hkid", "customers.hkid", "support");
            try (ResultSet rs = support.createStatement().executeQuery("SELECT email, hkid FROM customers WHERE id = 1")) {
                assertTrue(rs.next());
                assertEquals(EMAIL, rs.getString(1), "reading stays as the read rule says");
                assertEquals(HKID, rs.getString(2));
            }
        }
        Path nobody = policy("filter: []", "");
        try (Connection support = db.as(nobody, "support", "customer-service")) {
            SQLException e = assertRefusedOnce(support, "SELECT name FROM customers WHERE email = '" + EMAIL + "'",
                    "customers.email", "support");
            assertTrue(e.getMessage().contains("its 'filter' list names no role"), e.getMessage());
        }
    }

    /** Runs {@code sql} as a plain statement: 42501 naming the column and role, no value, one refused event. */
    private SQLException assertRefusedOnce(Connection c, String sql, String column, String role) throws Exception {
        int before = refusedEvents(sql).size();
        SQLException e = assertThrows(SQLException.class, () -> c.createStatement().execute(sql), sql);
        assertEquals("42501", e.getSQLState(), sql + " -> " + e.getMessage());
        assertTrue(e.getMessage().contains(column) && e.getMessage().contains("'" + role + "'"),
                sql + " -> " + e.getMessage());
        for (String secret : List.of(EMAIL, "jane.doe", HKID, "B76", "765432")) {
            assertFalse(e.getMessage().contains(secret), e.getMessage());
        }
        List<AuditEvent> events = awaitRefusedEvents(sql, before + 1);
        assertEquals(before + 1, events.size(), "one audit event for " + sql);
        AuditEvent event = events.get(events.size() - 1);
        assertEquals("42501", event.sqlState());
        assertTrue(event.reason().contains(column), event.reason());
        assertFalse(String.valueOf(event).contains("jane.doe") || String.valueOf(event).contains("765432"),
                "no value in the audit event");
        return e;
    }

    private static List<String> names(Statement s, String sql) throws SQLException {
        List<String> names = new ArrayList<>();
        try (ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) names.add(rs.getString(1));
        }
        return names;
    }

    /** Refused statement events, across every policy copy of this test, whose fingerprint is {@code sql}'s. */
    private List<AuditEvent> refusedEvents(String sql) {
        String fingerprint = SqlLexer.lex(sql).normalized();
        List<AuditEvent> events = new ArrayList<>();
        for (Path dir : policyDirectories) {
            try {
                for (ChainedEvent e : AuditTrailReader.readFiles(AuditTrailFiles.expand(List.of(dir)))) {
                    if (AuditEvent.STATEMENT.equals(e.event().type()) && fingerprint.equals(e.event().fingerprint())) {
                        events.add(e.event());
                    }
                }
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }
        return events;
    }

    private List<AuditEvent> awaitRefusedEvents(String sql, int expected) throws InterruptedException {
        List<AuditEvent> events = refusedEvents(sql);
        for (int attempt = 0; attempt < 100 && events.size() < expected; attempt++) {
            Thread.sleep(50);  // the trail is written asynchronously, flushed within 50 ms
            events = refusedEvents(sql);
        }
        Thread.sleep(100);  // and nothing more arrives
        return refusedEvents(sql);
    }
}
