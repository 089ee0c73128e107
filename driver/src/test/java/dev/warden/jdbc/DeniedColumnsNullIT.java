package dev.warden.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.audit.AuditEvent;
import dev.warden.audit.AuditTrailFiles;
import dev.warden.audit.AuditTrailReader;
import dev.warden.audit.ChainedEvent;
import dev.warden.testkit.CustomersExample;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code denied-columns: null}: a result column the role may not read comes back as SQL NULL with its metadata
 * unchanged, so {@code SELECT *} and entity loads work for narrower roles; the stored value is never decrypted and
 * reaches the application through no getter, RETURNING, generated keys or updatable result. Anything but a plain
 * read of such a column (an expression, filtering, grouping, ordering, joining on it) is still refused with 42501,
 * and the default ({@code refuse}) is unchanged. On the customers example: analyst may not read {@code phone} nor
 * {@code card_number}, support may not read {@code credit_limit}.
 */
class DeniedColumnsNullIT {

    private static final String PHONE = "+85291234567";
    private static final String CARD = "4000056655665556";
    private static final String EMAIL = "nul.jane@example.com";
    private static final String LIMIT = "12345.67";

    private CustomersExample db;
    private Path nullPolicy;
    private int id;

    @BeforeEach
    void seed() throws Exception {
        db = CustomersExample.create();
        nullPolicy = CustomersExample.newPolicyDirectoryWith("keyset: demo-keyset.json\n",
                "keyset: demo-keyset.json\ndenied-columns: null\n");
        try (Connection support = db.as(nullPolicy, "support", "customer-service");
             PreparedStatement ps = support.prepareStatement("INSERT INTO customers (name, email, phone, birth_date)"
                     + " VALUES ('Jane', ?, ?, ?) RETURNING id")) {
            ps.setString(1, EMAIL);
            ps.setString(2, PHONE);
            ps.setObject(3, LocalDate.of(1980, 2, 29));
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                id = rs.getInt(1);
            }
        }
        try (Connection billing = db.as(nullPolicy, "billing", "order-processing");
             PreparedStatement ps = billing.prepareStatement(
                     "UPDATE customers SET card_number = ?, credit_limit = ? WHERE id = ?")) {
            ps.setString(1, CARD);
            ps.setBigDecimal(2, new java.math.BigDecimal(LIMIT));
            ps.setInt(3, id);
            assertEquals(1, ps.executeUpdate());
        }
    }

    private Connection analyst() throws SQLException {
        return db.as(nullPolicy, "analyst", null);
    }

    // ---- a plain read of a denied column is NULL ----

    @Test
    void selectStarShowsADeniedColumnAsNullThroughEveryGetter() throws Exception {
        try (Connection analyst = analyst();
             PreparedStatement ps = analyst.prepareStatement("SELECT * FROM customers WHERE id = ?")) {
            ps.setInt(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                assertEquals("Jane", rs.getString("name"));
                assertEquals("n*******@example.com", rs.getString("email"), "a masked column is still masked");
                assertEquals("****", rs.getString("birth_date"));
                assertReadsAsNull(rs, rs.findColumn("phone"));
                assertReadsAsNull(rs, rs.findColumn("card_number"));
                assertFalse(rs.next());
            }
        }
        // a plain statement (literals lifted by the lexer) takes the same path
        try (Connection analyst = analyst(); Statement s = analyst.createStatement();
             ResultSet rs = s.executeQuery("SELECT phone, name, card_number FROM customers WHERE name = 'Jane'")) {
            assertTrue(rs.next());
            assertNull(rs.getString(1));
            assertTrue(rs.wasNull());
            assertEquals("Jane", rs.getString(2));
            assertFalse(rs.wasNull());
            assertNull(rs.getObject(3));
            assertTrue(rs.wasNull());
        }
        try (Connection support = db.as(nullPolicy, "support", "customer-service");
             Statement s = support.createStatement();
             ResultSet rs = s.executeQuery("SELECT * FROM customers")) {
            assertTrue(rs.next());
            assertEquals(PHONE, rs.getString("phone"), "a role that may read the column reads it");
            assertReadsAsNull(rs, rs.findColumn("credit_limit"));
        }
    }

    /** Every getter answers as for SQL NULL (or refuses), and never with the value; wasNull is true after each. */
    private static void assertReadsAsNull(ResultSet rs, int i) throws Exception {
        List<Object> answers = new ArrayList<>();
        answers.add(rs.getObject(i));
        answers.add(rs.getString(i));
        answers.add(rs.getNString(i));
        answers.add(rs.getBytes(i));
        answers.add(rs.getBinaryStream(i));
        answers.add(rs.getAsciiStream(i));
        answers.add(rs.getCharacterStream(i));
        answers.add(rs.getNCharacterStream(i));
        answers.add(rs.getObject(i, String.class));
        answers.add(rs.getObject(i, byte[].class));
        answers.add(rs.getObject(i, java.math.BigDecimal.class));
        answers.add(rs.getObject(i, LocalDate.class));
        answers.add(rs.getObject(i, java.util.Map.of()));
        answers.add(rs.getBigDecimal(i));
        answers.add(rs.getDate(i));
        answers.add(rs.getTimestamp(i));
        answers.add(rs.getTime(i));
        answers.add(rs.getBlob(i));
        answers.add(rs.getClob(i));
        String label = rs.getMetaData().getColumnLabel(i);
        answers.add(rs.getString(label));
        answers.add(rs.getObject(label));
        answers.add(rs.getBytes(label));
        for (Object answer : answers) {
            assertNull(answer, label);
        }
        assertTrue(rs.wasNull());
        assertEquals(0, rs.getInt(i));
        assertTrue(rs.wasNull());
        assertEquals(0L, rs.getLong(i));
        assertEquals(0.0, rs.getDouble(i));
        assertFalse(rs.getBoolean(i));
        assertTrue(rs.wasNull());
        // getters JDBC leaves to the driver for such types: refused on a protected column, never the value
        for (Getter getter : List.<Getter>of(rs::getArray, rs::getRef, rs::getSQLXML, rs::getRowId, rs::getURL,
                rs::getNClob)) {
            try {
                assertNull(getter.get(i), label);
            } catch (SQLException refused) {
                assertFalse(refused.getMessage().contains(PHONE) || refused.getMessage().contains(CARD));
            }
        }
    }

    @FunctionalInterface
    interface Getter {
        Object get(int column) throws SQLException;
    }

    @Test
    void metadataIsThatOfARoleReadingTheColumn() throws Exception {
        // analyst's phone is described as support's (plaintext), support's credit_limit as billing's
        assertSameColumn(analyst(), db.as(nullPolicy, "support", "customer-service"), "phone");
        assertSameColumn(db.as(nullPolicy, "support", "customer-service"), db.as(nullPolicy, "billing",
                "order-processing"), "credit_limit");
    }

    private static void assertSameColumn(Connection narrow, Connection wide, String column) throws SQLException {
        try (narrow; wide;
             ResultSet n = narrow.createStatement().executeQuery("SELECT * FROM customers");
             ResultSet w = wide.createStatement().executeQuery("SELECT * FROM customers")) {
            ResultSetMetaData a = n.getMetaData();
            ResultSetMetaData b = w.getMetaData();
            assertEquals(8, a.getColumnCount());
            assertEquals(b.getColumnCount(), a.getColumnCount());
            for (int i = 1; i <= a.getColumnCount(); i++) assertEquals(b.getColumnLabel(i), a.getColumnLabel(i));
            int i = n.findColumn(column);
            assertEquals(column, a.getColumnName(i));
            assertEquals(b.getColumnType(i), a.getColumnType(i));
            assertEquals(b.getColumnTypeName(i), a.getColumnTypeName(i));
            assertEquals(b.getColumnClassName(i), a.getColumnClassName(i));
            assertEquals(b.isNullable(i), a.isNullable(i));
            assertEquals(b.getPrecision(i), a.getPrecision(i));
            assertEquals(b.getScale(i), a.getScale(i));
        }
    }

    @Test
    void aDeniedColumnIsNeverDecrypted() throws Exception {
        // a ciphertext that does not open: a role that reads the column is told so (XX001); one that may not
        // read it gets NULL, since nothing tried to open it
        try (Connection raw = db.raw(); Statement s = raw.createStatement()) {
            s.executeUpdate("UPDATE customers SET phone = '\\x0102030405'::bytea WHERE id = " + id);
        }
        try (Connection analyst = analyst(); Statement s = analyst.createStatement();
             ResultSet rs = s.executeQuery("SELECT * FROM customers")) {
            assertTrue(rs.next());
            assertNull(rs.getString("phone"));
            assertTrue(rs.wasNull());
        }
        try (Connection support = db.as(nullPolicy, "support", "customer-service"); Statement s = support.createStatement();
             ResultSet rs = s.executeQuery("SELECT * FROM customers")) {
            assertTrue(rs.next());
            SQLException e = assertThrows(SQLException.class, () -> rs.getString("phone"));
            assertEquals("XX001", e.getSQLState());
        }
    }

    @Test
    void readsThroughAliasesSubqueriesAndJoinsAreNullToo() throws Exception {
        try (Connection raw = db.raw(); Statement s = raw.createStatement()) {
            s.executeUpdate("INSERT INTO orders (customer_id, total) VALUES (" + id + ", 10)");
        }
        try (Connection analyst = analyst(); Statement s = analyst.createStatement()) {
            for (String sql : List.of(
                    "SELECT x FROM (SELECT phone AS x FROM customers) s",
                    "WITH c AS (SELECT * FROM customers) SELECT c.phone FROM c",
                    "SELECT c.phone FROM customers c JOIN orders o ON o.customer_id = c.id",
                    "SELECT phone FROM customers UNION ALL SELECT phone FROM customers",
                    // presence stays open to every role in a condition, as the policy documents for IS [NOT] NULL
                    "SELECT phone FROM customers WHERE phone IS NOT NULL")) {
                try (ResultSet rs = s.executeQuery(sql)) {
                    assertTrue(rs.next(), sql);
                    assertNull(rs.getObject(1), sql);
                    assertTrue(rs.wasNull(), sql);
                }
            }
        }
    }

    // ---- every other use is still refused ----

    @Test
    void filteringGroupingOrderingJoiningAndExpressionsAreRefused() throws Exception {
        List<String> refused = List.of(
                "SELECT id FROM customers WHERE phone = '" + PHONE + "'",
                "SELECT id FROM customers WHERE phone IN ('" + PHONE + "')",
                "SELECT * FROM customers WHERE card_number = '" + CARD + "'",
                "SELECT phone, count(*) FROM customers GROUP BY phone",
                "SELECT DISTINCT phone FROM customers",
                "SELECT * FROM customers ORDER BY phone",
                "SELECT * FROM customers ORDER BY card_number DESC",
                "SELECT c.id FROM customers c JOIN customers d ON c.phone = d.phone",
                "SELECT c.id FROM customers c JOIN customers d USING (phone)",
                "SELECT id FROM customers WHERE phone LIKE '+852%'",
                "SELECT count(DISTINCT phone) FROM customers",
                "SELECT lower(card_number) FROM customers",
                "SELECT phone || 'x' FROM customers",
                "SELECT coalesce(phone, 'none') FROM customers",
                "SELECT phone IS NULL FROM customers",
                "SELECT CASE WHEN phone IS NULL THEN 0 ELSE 1 END FROM customers",
                "SELECT length(card_number) FROM customers",
                "SELECT phone::text FROM customers",
                "SELECT lower(x) FROM (SELECT phone AS x FROM customers) s",
                "SELECT * FROM customers c WHERE EXISTS (SELECT 1 FROM customers d WHERE d.phone > c.phone)");
        try (Connection analyst = analyst(); Statement s = analyst.createStatement()) {
            for (String sql : refused) {
                SQLException e = assertThrows(SQLException.class, () -> s.executeQuery(sql).close(), sql);
                assertEquals("42501", e.getSQLState(), sql + ": " + e.getMessage());
                assertTrue(e.getMessage().contains("role 'analyst'"), e.getMessage());
                assertTrue(e.getMessage().contains("customers.phone") || e.getMessage().contains("customers.card_number"),
                        e.getMessage());
                assertNoValueIn(e.getMessage());
            }
            // prepared, the same
            SQLException e = assertThrows(SQLException.class,
                    () -> analyst.prepareStatement("SELECT * FROM customers WHERE phone = ?"));
            assertEquals("42501", e.getSQLState());
        }
    }

    @Test
    void theAuditEventRecordsTheColumnAsDenied() throws Exception {
        try (Connection analyst = analyst(); Statement s = analyst.createStatement();
             ResultSet rs = s.executeQuery("SELECT * FROM customers")) {
            while (rs.next()) rs.getString("phone");
        }
        AuditEvent select = awaitEvent("SELECT * FROM customers");
        assertEquals("allowed", select.decision());
        assertEquals("analyst", select.role());
        assertEquals("denied", select.columnsRead().get("customers.phone"));
        assertEquals("denied", select.columnsRead().get("customers.card_number"));
        assertEquals("masked", select.columnsRead().get("customers.email"));
        assertEquals(1, select.rows());
    }

    private AuditEvent awaitEvent(String fingerprint) throws Exception {
        for (int attempt = 0; attempt < 100; attempt++) {
            for (AuditEvent e : events()) {
                if (fingerprint.equals(e.fingerprint())) return e;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no audit event for " + fingerprint + " in " + events());
    }

    private List<AuditEvent> events() throws IOException {
        return AuditTrailReader.readFiles(AuditTrailFiles.expand(List.of(nullPolicy))).stream()
                .map(ChainedEvent::event).filter(e -> AuditEvent.STATEMENT.equals(e.type())).toList();
    }

    // ---- RETURNING, generated keys, updatable results, calls ----

    @Test
    void returningAndGeneratedKeysShowADeniedColumnAsNull() throws Exception {
        try (Connection analyst = analyst()) {
            try (PreparedStatement ps = analyst.prepareStatement(
                    "UPDATE customers SET country = 'HK' WHERE id = ? RETURNING id, phone, card_number")) {
                ps.setInt(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals(id, rs.getInt(1));
                    assertNull(rs.getString(2));
                    assertTrue(rs.wasNull());
                    assertNull(rs.getBytes(3));
                }
            }
            // every column (an ORM's identity insert or update): NULL, where the default withholds it (42501)
            try (PreparedStatement ps = analyst.prepareStatement("UPDATE customers SET country = 'NZ' WHERE id = ?",
                    Statement.RETURN_GENERATED_KEYS)) {
                ps.setInt(1, id);
                assertEquals(1, ps.executeUpdate());
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    assertTrue(keys.next());
                    assertEquals(id, keys.getInt("id"));
                    assertNull(keys.getString("phone"));
                    assertTrue(keys.wasNull());
                    assertNull(keys.getObject("card_number"));
                    assertEquals("NZ", keys.getString("country"));
                }
            }
            // named columns: NULL, where the default refuses the statement
            try (PreparedStatement ps = analyst.prepareStatement("UPDATE customers SET country = 'AU' WHERE id = ?",
                    new String[] {"id", "phone"})) {
                ps.setInt(1, id);
                assertEquals(1, ps.executeUpdate());
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    assertTrue(keys.next());
                    assertNull(keys.getString(2));
                    assertTrue(keys.wasNull());
                }
            }
        }
    }

    @Test
    void anUpdatableResultAndACallAreStillRefused() throws Exception {
        try (Connection analyst = analyst();
             Statement s = analyst.createStatement(ResultSet.TYPE_SCROLL_INSENSITIVE, ResultSet.CONCUR_UPDATABLE);
             ResultSet rs = s.executeQuery("SELECT * FROM customers")) {
            assertTrue(rs.next());
            SQLException e = assertThrows(SQLException.class, () -> rs.updateString("phone", "+0"));
            assertEquals("0A000", e.getSQLState());
            assertEquals("0A000", assertThrows(SQLException.class, rs::updateRow).getSQLState());
            assertEquals("0A000", assertThrows(SQLException.class,
                    () -> analyst.prepareCall("SELECT phone FROM customers")).getSQLState());
        }
        try (Connection support = db.as(nullPolicy, "support", "customer-service"); Statement s = support.createStatement();
             ResultSet rs = s.executeQuery("SELECT phone FROM customers")) {
            assertTrue(rs.next());
            assertEquals(PHONE, rs.getString(1), "the stored value is unchanged");
        }
    }

    // ---- the default, refuse, is unchanged ----

    @Test
    void withTheDefaultADeniedColumnStillRefusesTheStatement() throws Exception {
        Path refuse = CustomersExample.newPolicyDirectory();
        try (Connection analyst = db.as(refuse, "analyst", null); Statement s = analyst.createStatement()) {
            SQLException e = assertThrows(SQLException.class, () -> s.executeQuery("SELECT * FROM customers").close());
            assertEquals("42501", e.getSQLState());
            assertTrue(e.getMessage().contains("may not read customers.phone"), e.getMessage());
            // Warden sorts an encrypted column itself only for a role that reads it in plaintext
            e = assertThrows(SQLException.class, () -> s.executeQuery("SELECT id FROM customers ORDER BY phone").close());
            assertEquals("42501", e.getSQLState());
            assertTrue(e.getMessage().contains("may not sort by customers.phone"), e.getMessage());
            try (PreparedStatement ps = analyst.prepareStatement("UPDATE customers SET country = 'HK' WHERE id = ?",
                    Statement.RETURN_GENERATED_KEYS)) {
                ps.setInt(1, id);
                ps.executeUpdate();
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    assertTrue(keys.next());
                    assertEquals("42501", assertThrows(SQLException.class, () -> keys.getString("phone")).getSQLState());
                }
            }
        }
        assertTrue(Files.readString(refuse.resolve("policy.yaml")).indexOf("denied-columns") < 0);
    }

    private static void assertNoValueIn(String text) {
        for (String value : List.of(PHONE, CARD, EMAIL, LIMIT, "85291234567", "5556")) {
            assertFalse(text.contains(value), text);
        }
    }
}
