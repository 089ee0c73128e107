package dev.warden.jdbc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.audit.AuditEvent;
import dev.warden.audit.AuditTrailFiles;
import dev.warden.audit.AuditTrailReader;
import dev.warden.audit.AuditVerifier;
import dev.warden.audit.ChainedEvent;
import dev.warden.crypto.MasterKey;
import dev.warden.crypto.WardenKeyset;
import dev.warden.engine.AuditTrails;
import dev.warden.engine.RowKeys;
import dev.warden.testkit.CustomersExample;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Date;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code getGeneratedKeys()} through Warden on a real PostgreSQL: generated keys that include a protected
 * column are shown like an explicit RETURNING of those columns (plaintext, masked or refused per role, typed
 * by the logical type, audited), never as the ciphertext pgjdbc's own RETURNING would hand back; keys of
 * unprotected tables are pgjdbc's, unchanged.
 */
class GeneratedKeysIT {

    private static final String EMAIL = "keys.jane@example.com";
    private static final String CARD = "4000056655665556";
    private static final String INSERT = "INSERT INTO customers (name, email, card_number, credit_limit) VALUES (?, ?, ?, ?)";

    private CustomersExample db;
    private Path dir;

    @BeforeEach
    void createDatabase() throws Exception {
        db = CustomersExample.create();
        // billing may see birth_date masked, so that RETURNING * (every column) is allowed for billing; the
        // trail records hashed row keys
        dir = CustomersExample.newPolicyDirectoryWith("read: { support: plaintext, analyst: masked }",
                "read: { support: plaintext, analyst: masked, billing: masked }");
        Path policy = dir.resolve("policy.yaml");
        Files.writeString(policy, Files.readString(policy) + "  hash-row-keys: true\n");
    }

    private Connection billing() throws SQLException {
        return db.as(dir, "billing", "order-processing");
    }

    /** Jane, as billing writes her; her id. */
    private int insertJane(Connection billing) throws SQLException {
        try (PreparedStatement ps = billing.prepareStatement(INSERT, new String[] {"id"})) {
            bindJane(ps);
            assertEquals(1, ps.executeUpdate());
            try (ResultSet keys = ps.getGeneratedKeys()) {
                assertTrue(keys.next());
                return keys.getInt(1);
            }
        }
    }

    private static void bindJane(PreparedStatement ps) throws SQLException {
        ps.setString(1, "Jane");
        ps.setString(2, EMAIL);
        ps.setString(3, CARD);
        ps.setBigDecimal(4, new BigDecimal("2500.00"));
    }

    private static SQLException refused(String state, Action action) {
        SQLException e = assertThrows(SQLException.class, action::run);
        assertEquals(state, e.getSQLState(), e.getMessage());
        assertNoValueIn(e.getMessage());
        return e;
    }

    @FunctionalInterface
    interface Action {
        void run() throws Exception;
    }

    private static void assertNoValueIn(String text) {
        assertFalse(text.contains(EMAIL) || text.contains(CARD) || text.contains("keys.jane"), text);
    }

    private void assertNoPlaintextAtRest() throws SQLException {
        try (Connection raw = db.raw(); Statement s = raw.createStatement();
             ResultSet rs = s.executeQuery("SELECT * FROM customers")) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                for (int i = 1; i <= n; i++) {
                    byte[] bytes = rs.getBytes(i);
                    String stored = bytes == null ? "" : new String(bytes, StandardCharsets.ISO_8859_1);
                    assertFalse(stored.contains(EMAIL) || stored.contains(CARD) || stored.contains("2500"),
                            "plaintext at rest in column " + i);
                }
            }
        }
    }

    // ---- named columns ----

    @Test
    void namedKeysShowProtectedColumnsDecryptedAndTypedForTheWriter() throws SQLException {
        try (Connection billing = billing();
             PreparedStatement ps = billing.prepareStatement(INSERT, new String[] {"id", "email", "card_number", "credit_limit"})) {
            bindJane(ps);
            assertEquals(1, ps.executeUpdate());
            try (ResultSet keys = ps.getGeneratedKeys()) {
                ResultSetMetaData meta = keys.getMetaData();
                assertEquals(4, meta.getColumnCount());
                assertEquals(Types.VARCHAR, meta.getColumnType(2), "email is shown as its logical type, not bytea");
                assertEquals(Types.NUMERIC, meta.getColumnType(4));
                assertTrue(keys.next());
                assertTrue(keys.getInt("id") > 0);
                assertEquals(EMAIL, keys.getString("email"));
                assertEquals(CARD, keys.getString(3));
                assertEquals(0, new BigDecimal("2500").compareTo(keys.getBigDecimal("credit_limit")));
                assertEquals(0, new BigDecimal("2500").compareTo((BigDecimal) keys.getObject(4)));
                assertFalse(keys.next());
            }
        }
        assertNoPlaintextAtRest();
    }

    @Test
    void namedKeysAreMaskedOrRefusedByTheReadRules() throws SQLException {
        int id;
        try (Connection billing = billing()) {
            id = insertJane(billing);
        }
        try (Connection analyst = db.as(dir, "analyst", null)) {
            // pgjdbc appends RETURNING to UPDATE too: analyst sees email and credit_limit masked
            try (PreparedStatement ps = analyst.prepareStatement("UPDATE customers SET country = ? WHERE id = ?",
                    new String[] {"id", "email", "credit_limit"})) {
                ps.setString(1, "FR");
                ps.setInt(2, id);
                assertEquals(1, ps.executeUpdate());
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    assertEquals(Types.VARCHAR, keys.getMetaData().getColumnType(3), "a masked value is text");
                    assertTrue(keys.next());
                    assertEquals(id, keys.getInt(1));
                    assertEquals("k********@example.com", keys.getString(2));
                    assertEquals("****", keys.getString(3));
                }
            }
            // analyst may not read card_number: refused when prepared, nothing written
            SQLException e = refused("42501", () -> analyst.prepareStatement(
                    "UPDATE customers SET country = ? WHERE id = ?", new String[] {"id", "card_number"}));
            assertTrue(e.getMessage().contains("customers.card_number"), e.getMessage());
            refused("42501", () -> analyst.createStatement().executeUpdate(
                    "UPDATE customers SET country = 'DE' WHERE id = " + id, new String[] {"card_number"}));
        }
        try (Connection raw = db.raw(); ResultSet rs = raw.createStatement().executeQuery("SELECT country FROM customers")) {
            assertTrue(rs.next());
            assertEquals("FR", rs.getString(1), "the refused UPDATE never ran");
        }
        assertNoPlaintextAtRest();
    }

    // ---- every column (RETURN_GENERATED_KEYS, RETURNING *) ----

    @Test
    void returnGeneratedKeysShowsEveryColumnByTheReadRules() throws SQLException {
        try (Connection billing = billing();
             PreparedStatement ps = billing.prepareStatement(INSERT, Statement.RETURN_GENERATED_KEYS)) {
            bindJane(ps);
            assertEquals(1, ps.executeUpdate());
            try (ResultSet keys = ps.getGeneratedKeys()) {
                assertEquals(8, keys.getMetaData().getColumnCount(), "every column, as pgjdbc's RETURNING *");
                assertTrue(keys.next());
                assertEquals("Jane", keys.getString("name"));
                assertEquals(EMAIL, keys.getString("email"));
                assertNull(keys.getString("phone"));
                assertTrue(keys.wasNull());
                assertEquals(CARD, keys.getString("card_number"));
                assertEquals(0, new BigDecimal("2500").compareTo(keys.getBigDecimal("credit_limit")));
                assertEquals(Types.NUMERIC, keys.getMetaData().getColumnType(keys.findColumn("credit_limit")));
            }
        }
        try (Connection billing = billing(); Statement s = billing.createStatement()) {
            assertFalse(s.execute("UPDATE customers SET country = 'HK'", Statement.RETURN_GENERATED_KEYS));
            assertEquals(1, s.getUpdateCount());
            try (ResultSet keys = s.getGeneratedKeys()) {
                assertTrue(keys.next());
                assertEquals("HK", keys.getString("country"));
                assertEquals(EMAIL, keys.getString("email"));
                assertEquals(Types.VARCHAR, keys.getMetaData().getColumnType(keys.findColumn("birth_date")),
                        "masked for billing: text, not a date");
            }
        }
        try (Connection support = db.as(dir, "support", "customer-service");
             PreparedStatement ps = support.prepareStatement("UPDATE customers SET country = ?",
                     Statement.RETURN_GENERATED_KEYS)) {
            // support may not read credit_limit, which every column includes: the application named no column
            // (an ORM's identity insert reads only the key), so the column is withheld, not the statement refused
            ps.setString(1, "SG");
            assertEquals(1, ps.executeUpdate());
            try (ResultSet keys = ps.getGeneratedKeys()) {
                assertEquals(8, keys.getMetaData().getColumnCount(), "the columns keep their positions");
                assertTrue(keys.next());
                assertTrue(keys.getInt("id") > 0);
                assertEquals("SG", keys.getString("country"));
                assertEquals("************5556", keys.getString("card_number"), "masked for support");
                SQLException e = refused("42501", () -> keys.getBigDecimal("credit_limit"));
                assertTrue(e.getMessage().contains("customers.credit_limit"), e.getMessage());
                refused("42501", () -> keys.getObject(7));
                refused("42501", () -> keys.getBytes(7));
            }
        }
        try (Connection support = db.as(dir, "support", "customer-service")) {
            // named, the same column is refused with the statement, as an explicit RETURNING
            SQLException e = refused("42501", () -> support.prepareStatement("UPDATE customers SET country = ?",
                    new String[] {"id", "credit_limit"}));
            assertTrue(e.getMessage().contains("customers.credit_limit"), e.getMessage());
        }
        assertNoPlaintextAtRest();
    }

    @Test
    void plainStatementsWithInlineValuesReturnDecodedKeys() throws SQLException {
        try (Connection billing = billing(); Statement s = billing.createStatement()) {
            assertEquals(1, s.executeUpdate("INSERT INTO customers (name, email) VALUES ('Jane', '" + EMAIL + "');",
                    new String[] {"email"}));
            try (ResultSet keys = s.getGeneratedKeys()) {
                assertTrue(keys.next());
                assertEquals(EMAIL, keys.getString(1));
            }
            assertFalse(s.execute("UPDATE customers SET card_number = '" + CARD + "' WHERE email = '" + EMAIL + "'",
                    Statement.RETURN_GENERATED_KEYS));
            assertEquals(1, s.getUpdateCount());
            try (ResultSet keys = s.getGeneratedKeys()) {
                assertTrue(keys.next());
                assertEquals(CARD, keys.getString("card_number"));
                assertEquals(EMAIL, keys.getString("email"));
            }
            assertEquals(1, s.executeLargeUpdate("DELETE FROM customers WHERE email = '" + EMAIL + "'",
                    new String[] {"id", "card_number"}));
            try (ResultSet keys = s.getGeneratedKeys()) {
                assertTrue(keys.next());
                assertEquals(CARD, keys.getString(2));
            }
            // a later execution that asks for no keys leaves none to show, never the earlier ciphertext
            s.executeUpdate("INSERT INTO customers (name, email) VALUES ('Jon', 'jon@example.com')");
            try (ResultSet keys = s.getGeneratedKeys()) {
                assertFalse(keys.next());
            } catch (SQLException e) {
                assertEquals("0A000", e.getSQLState());
            }
        }
        assertNoPlaintextAtRest();
    }

    @Test
    void anExplicitReturningIsTheKeysAsWritten() throws SQLException {
        try (Connection billing = billing();
             PreparedStatement ps = billing.prepareStatement(INSERT + " RETURNING id, email", Statement.RETURN_GENERATED_KEYS)) {
            bindJane(ps);
            assertEquals(1, ps.executeUpdate(), "with keys asked for, pgjdbc runs a RETURNING as an update");
            try (ResultSet keys = ps.getGeneratedKeys()) {
                assertEquals(2, keys.getMetaData().getColumnCount());
                assertTrue(keys.next());
                assertEquals(EMAIL, keys.getString(2));
            }
        }
    }

    // ---- batches ----

    @Test
    void aBatchReturnsTheKeysOfEveryRow() throws SQLException {
        List<String> emails = List.of("a." + EMAIL, "b." + EMAIL, "c." + EMAIL);
        try (Connection billing = billing();
             PreparedStatement ps = billing.prepareStatement("INSERT INTO customers (name, email) VALUES (?, ?)",
                     new String[] {"id", "email"})) {
            for (String email : emails) {
                ps.setString(1, "Batch");
                ps.setString(2, email);
                ps.addBatch();
            }
            int[] counts = ps.executeBatch();
            assertEquals(3, counts.length);
            List<String> returned = new ArrayList<>();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                while (keys.next()) returned.add(keys.getString("email"));
            }
            assertEquals(emails, returned);
        }
        assertNoPlaintextAtRest();
    }

    // ---- what is refused ----

    @Test
    void keysByColumnIndexAreRefusedOnProtectedTablesNamingTheColumn() throws SQLException {
        try (Connection billing = billing()) {
            SQLException e = refused("0A000", () -> billing.prepareStatement(INSERT, new int[] {1, 3}));
            assertTrue(e.getMessage().contains("customers.email, protected"), e.getMessage());
            refused("0A000", () -> billing.createStatement().executeUpdate(
                    "INSERT INTO customers (name) VALUES ('Jon')", new int[] {1}));
            refused("0A000", () -> billing.prepareStatement(INSERT, 7));
        }
        try (Connection raw = db.raw(); ResultSet rs = raw.createStatement().executeQuery("SELECT count(*) FROM customers")) {
            assertTrue(rs.next());
            assertEquals(0, rs.getInt(1), "nothing refused ran");
        }
    }

    // ---- unprotected tables: pgjdbc's behaviour, unchanged ----

    @Test
    void keysOfUnprotectedTablesAreTheRealDriversUnchanged() throws SQLException {
        int customer;
        try (Connection billing = billing()) {
            customer = insertJane(billing);
        }
        String insertOrder = "INSERT INTO orders (customer_id, total, created_at) VALUES (?, ?, ?)";
        List<String> viaWarden = orderKeys(billing(), insertOrder, customer);
        List<String> direct = orderKeys(db.raw(), insertOrder, customer);
        assertEquals(direct.size(), viaWarden.size());
        assertEquals(direct.subList(1, direct.size()), viaWarden.subList(1, viaWarden.size()), "all but the serial id");
        assertEquals(Integer.parseInt(direct.get(0)) - 1, Integer.parseInt(viaWarden.get(0)));

        // pgjdbc refuses keys by index; through Warden the same error comes from pgjdbc itself
        SQLException raw = assertThrows(SQLException.class, () -> db.raw().prepareStatement(insertOrder, new int[] {1}));
        SQLException warden = assertThrows(SQLException.class, () -> billing().prepareStatement(insertOrder, new int[] {1}));
        assertEquals(raw.getSQLState(), warden.getSQLState());
        assertEquals(raw.getMessage(), warden.getMessage());
    }

    /** The keys of one order insert (RETURN_GENERATED_KEYS: every column) as strings, its id first. */
    private static List<String> orderKeys(Connection c, String sql, int customer) throws SQLException {
        try (c; PreparedStatement ps = c.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS)) {
            ps.setInt(1, customer);
            ps.setBigDecimal(2, new BigDecimal("12.50"));
            ps.setDate(3, Date.valueOf("2026-01-02"));
            assertEquals(1, ps.executeUpdate());
            List<String> values = new ArrayList<>();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                assertTrue(keys.next());
                ResultSetMetaData meta = keys.getMetaData();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    values.add(i == 1 ? keys.getString(i) : meta.getColumnTypeName(i) + "=" + keys.getString(i));
                }
            }
            return values;
        }
    }

    @Test
    void unquotedNamesFollowTheConnectionsQuoteReturningIdentifiersSetting() throws SQLException {
        Properties p = CustomersExample.properties(dir, "billing", "order-processing");
        p.setProperty("quoteReturningIdentifiers", "false");
        try (Connection billing = DriverManager.getConnection(db.wardenUrl(), p);
             PreparedStatement ps = billing.prepareStatement(INSERT, new String[] {"ID", "Email"})) {
            bindJane(ps);
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                assertTrue(keys.next());
                assertEquals(EMAIL, keys.getString(2), "unquoted, the names fold to id and email as with pgjdbc");
            }
        }
        try (Connection billing = billing()) {
            // quoted by default, as pgjdbc quotes them: "Email" is no column of customers
            SQLException e = assertThrows(SQLException.class, () -> {
                try (PreparedStatement ps = billing.prepareStatement(INSERT, new String[] {"Email"})) {
                    bindJane(ps);
                    ps.executeUpdate();
                }
            });
            assertNoValueIn(e.getMessage());
        }
    }

    // ---- the audit trail ----

    @Test
    void keysAreAuditedLikeAReturningReadAndTheTrailHoldsNoValue() throws Exception {
        int id;
        try (Connection billing = billing();
             PreparedStatement ps = billing.prepareStatement(INSERT, new String[] {"id", "email"})) {
            bindJane(ps);
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                assertTrue(keys.next());
                id = keys.getInt(1);
                assertEquals(EMAIL, keys.getString(2));
            }
        }
        try (Connection analyst = db.as(dir, "analyst", null)) {
            refused("42501", () -> analyst.prepareStatement("UPDATE customers SET country = ?",
                    new String[] {"card_number"}));
            try (PreparedStatement ps = analyst.prepareStatement("UPDATE customers SET country = ?",
                    Statement.RETURN_GENERATED_KEYS)) {
                ps.setString(1, "FR");
                ps.executeUpdate();
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    assertTrue(keys.next());
                    assertEquals(id, keys.getInt("id"));
                }
            }
        }
        List<AuditEvent> events = awaitEvents(3);
        AuditEvent insert = events.get(0);
        assertEquals("allowed", insert.decision());
        assertEquals("INSERT", insert.statementKind());
        assertTrue(insert.fingerprint().endsWith("RETURNING \"id\", \"email\""), insert.fingerprint());
        assertEquals("plaintext", insert.columnsRead().get("customers.email"));
        assertEquals(List.of("customers.email", "customers.card_number", "customers.credit_limit"),
                insert.columnsWritten());
        assertEquals(1, insert.rows());
        WardenKeyset keyset = WardenKeyset.read(dir.resolve("demo-keyset.json"),
                MasterKey.resolve("file:" + dir.resolve("demo-master-key.txt")));
        assertEquals(List.of(RowKeys.hash(keyset, "customers", String.valueOf(id))),
                insert.rowKeyHashes(), "the keys shown are recorded as hashed row keys");
        AuditEvent denied = events.get(1);
        assertEquals("refused", denied.decision());
        assertEquals("42501", denied.sqlState());
        assertTrue(denied.columnsRead().containsValue("denied"), denied.columnsRead().toString());
        AuditEvent withheld = events.get(2);
        assertEquals("allowed", withheld.decision());
        assertEquals("masked", withheld.columnsRead().get("customers.email"));
        assertEquals("denied", withheld.columnsRead().get("customers.card_number"), "withheld columns are named");
        assertEquals(1, withheld.rows());
        assertEquals(List.of(RowKeys.hash(keyset, "customers", String.valueOf(id))), withheld.rowKeyHashes());

        byte[] trail = trailBytes();
        assertFalse(new String(trail, StandardCharsets.UTF_8).contains(EMAIL)
                || new String(trail, StandardCharsets.UTF_8).contains(CARD), "no protected value in the trail");
        assertTrue(new AuditVerifier(AuditTrails.chainKey(keyset)).verify(dir).errors().stream()
                .allMatch(f -> f.message().contains("without a seal")));
    }

    private byte[] trailBytes() throws Exception {
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        for (Path f : AuditTrailFiles.expand(List.of(dir))) all.write(Files.readAllBytes(f));
        return all.toByteArray();
    }

    /** The statement events on protected tables, once at least {@code expected} are on disk (async trail). */
    private List<AuditEvent> awaitEvents(int expected) throws Exception {
        List<AuditEvent> events = List.of();
        for (int attempt = 0; attempt < 100; attempt++) {
            events = AuditTrailReader.readFiles(AuditTrailFiles.expand(List.of(dir))).stream().map(ChainedEvent::event)
                    .filter(e -> AuditEvent.STATEMENT.equals(e.type()) && e.tables().contains("customers")).toList();
            if (events.size() >= expected) return events;
            Thread.sleep(50);
        }
        return events;
    }
}
