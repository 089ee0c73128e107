package dev.warden.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.warden.testkit.CustomersExample;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The driver end to end on a real PostgreSQL with the example policy: what each role sees, what is stored
 * at rest, which statements are refused and with which SQLState.
 */
class WardenDriverIT {

    private static final String EMAIL = "jane.doe@example.com";
    private static final String PHONE = "+85291234567";
    private static final String CARD = "4111111111111111";

    private CustomersExample db;

    @BeforeEach
    void createDatabase() {
        db = CustomersExample.create();
    }

    /** Inserts Jane as billing+support would, through Warden, and returns her id. */
    private int insertJane() throws SQLException {
        int id;
        try (Connection support = db.as("support", "customer-service");
             PreparedStatement ps = support.prepareStatement(
                     "INSERT INTO customers (name, email, phone, birth_date, country) VALUES (?, ?, ?, ?, ?) RETURNING id")) {
            ps.setString(1, "Jane Doe");
            ps.setString(2, EMAIL);
            ps.setString(3, PHONE);
            ps.setDate(4, Date.valueOf("1980-04-01"));
            ps.setString(5, "HK");
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                id = rs.getInt(1);
            }
        }
        try (Connection billing = db.as("billing", "order-processing");
             PreparedStatement ps = billing.prepareStatement(
                     "UPDATE customers SET card_number = ?, credit_limit = ? WHERE email = ?")) {
            ps.setString(1, CARD);
            ps.setBigDecimal(2, new BigDecimal("2500.00"));
            ps.setString(3, EMAIL);
            assertEquals(1, ps.executeUpdate());
        }
        return id;
    }

    /** Every column of every row of {@code table} as plain pgjdbc reads it (text and bytea as hex). */
    private List<String> storedAtRest(String table) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Connection raw = db.raw(); Statement s = raw.createStatement();
             ResultSet rs = s.executeQuery("SELECT * FROM " + table)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                for (int i = 1; i <= n; i++) {
                    values.add(String.valueOf(rs.getString(i)));
                    byte[] bytes = rs.getBytes(i);
                    if (bytes != null) values.add(new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1));
                }
            }
        }
        return values;
    }

    private void assertNoPlaintextAtRest(String... plaintexts) throws SQLException {
        List<String> stored = storedAtRest("customers");
        for (String value : stored) {
            for (String plaintext : plaintexts) {
                assertFalse(value.contains(plaintext), "plaintext found at rest");
            }
        }
    }

    private static SQLException refused(String expectedState, Executable action) {
        SQLException e = assertThrows(SQLException.class, action::run);
        assertEquals(expectedState, e.getSQLState(), e.getMessage());
        return e;
    }

    @FunctionalInterface
    interface Executable {
        void run() throws Exception;
    }

    // ---- writes and what is stored ----

    @Test
    void preparedWritesStoreOnlyCiphertext() throws SQLException {
        insertJane();
        assertNoPlaintextAtRest(EMAIL, PHONE, CARD, "1980-04-01", "2500", "jane.doe");
        try (Connection raw = db.raw(); Statement s = raw.createStatement();
             ResultSet rs = s.executeQuery("SELECT name, country, card_number FROM customers")) {
            assertTrue(rs.next());
            assertEquals("Jane Doe", rs.getString(1), "unprotected columns are stored as given");
            assertEquals("HK", rs.getString(2));
            java.util.Base64.getDecoder().decode(rs.getString(3));  // text column holds base64 ciphertext
        }
    }

    @Test
    void inlineLiteralWritesThroughPlainStatementStoreOnlyCiphertext() throws SQLException {
        try (Connection support = db.as("support", "customer-service"); Statement s = support.createStatement()) {
            assertEquals(2, s.executeUpdate("INSERT INTO customers (name, email, phone) VALUES "
                    + "('A', 'a@example.com', '111'), ('B', 'b@example.com', NULL)"));
            try (ResultSet rs = s.executeQuery("SELECT name, email, phone FROM customers WHERE email = 'b@example.com'")) {
                assertTrue(rs.next());
                assertEquals("B", rs.getString(1));
                assertEquals("b@example.com", rs.getString(2));
                assertNull(rs.getString(3));
                assertTrue(rs.wasNull());
                assertFalse(rs.next());
            }
        }
        assertNoPlaintextAtRest("a@example.com", "b@example.com");
    }

    @Test
    void aLineCommentEndsAtACarriageReturnAsTheServerReadsIt() throws SQLException {
        // PostgreSQL (and pgjdbc) end "--" at \r as well as \n: what follows a lone \r is a statement, not comment
        insertJane();
        try (Connection support = db.as("support", "customer-service"); Statement s = support.createStatement()) {
            SQLException e = assertThrows(SQLException.class, () -> s.execute(
                    "SELECT 1 --x\rUPDATE customers SET email = 'mallory@example.com' WHERE name = 'Jane Doe'"));
            assertEquals("0A000", e.getSQLState(), e.getMessage());
            assertEquals(1, s.executeUpdate("--x\rUPDATE customers SET email = 'mallory@example.com' WHERE name = 'Jane Doe'"));
            try (ResultSet rs = s.executeQuery("SELECT email FROM customers WHERE name = 'Jane Doe'")) {
                assertTrue(rs.next());
                assertEquals("mallory@example.com", rs.getString(1), "encrypted on the way in, decrypted on the way out");
            }
        }
        assertNoPlaintextAtRest("mallory@example.com");
    }

    @Test
    void aBackslashInAStringIsRefusedWhileTheServerWouldReadItAsAnEscape() throws SQLException {
        insertJane();
        try (Connection support = db.as("support", "customer-service"); Statement s = support.createStatement()) {
            // standard_conforming_strings on (PostgreSQL's default): a backslash is a character, as Warden reads it
            assertEquals(1, s.executeUpdate("UPDATE customers SET name = 'Jane \\ Doe' WHERE name = 'Jane Doe'"));
            s.execute("SET standard_conforming_strings = off");
            // now the server takes \' as an escaped quote: it would run the second UPDATE, which Warden reads as
            // string text
            String twoReadings = "UPDATE customers SET name = 'x\\' WHERE name = ' ; "
                    + "UPDATE customers SET email = $$mallory@example.com$$ --'";
            SQLException e = assertThrows(SQLException.class, () -> s.execute(twoReadings));
            assertEquals("0A000", e.getSQLState(), e.getMessage());
            assertTrue(e.getMessage().contains("standard_conforming_strings"), e.getMessage());
            try (PreparedStatement ps = support.prepareStatement(
                    "SELECT email FROM customers WHERE name = 'Jane \\ Doe' AND email = ?")) {
                fail("prepared while standard_conforming_strings is off: " + ps);
            } catch (SQLException refused) {
                assertEquals("0A000", refused.getSQLState(), refused.getMessage());
            }
            s.execute("SET standard_conforming_strings = on");
            try (ResultSet rs = s.executeQuery("SELECT email FROM customers WHERE name = 'Jane \\ Doe'")) {
                assertTrue(rs.next());
                assertEquals(EMAIL, rs.getString(1));
            }
            // prepared while on, executed after the session turned it off: refused at execution
            try (PreparedStatement ps = support.prepareStatement(
                    "SELECT email FROM customers WHERE name = 'Jane \\ Doe' AND email = ?")) {
                ps.setString(1, EMAIL);
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                }
                s.execute("SET standard_conforming_strings = off");
                SQLException late = assertThrows(SQLException.class, ps::executeQuery);
                assertEquals("0A000", late.getSQLState(), late.getMessage());
                s.execute("SET standard_conforming_strings = on");
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                }
            }
        }
        assertNoPlaintextAtRest("mallory@example.com");
    }

    @Test
    void randomizedLiteralsAreEncryptedAfreshEachTimeTheSameTextIsPrepared() throws SQLException {
        try (Connection billing = db.as("billing", "order-processing")) {
            for (int i = 0; i < 2; i++) {
                try (PreparedStatement ps = billing.prepareStatement(
                        "INSERT INTO customers (name, card_number) VALUES ('Same', '4111111111111111')")) {
                    ps.executeUpdate();
                }
            }
        }
        try (Connection raw = db.raw(); ResultSet rs = raw.createStatement().executeQuery(
                "SELECT count(DISTINCT card_number), count(*) FROM customers")) {
            rs.next();
            assertEquals(2, rs.getInt(2));
            assertEquals(2, rs.getInt(1), "equal plaintexts in a randomized column must not give equal ciphertexts");
        }
    }

    @Test
    void batchInsertsAreEncrypted() throws SQLException {
        try (Connection support = db.as("support", "customer-service");
             PreparedStatement ps = support.prepareStatement("INSERT INTO customers (name, email) VALUES (?, ?)")) {
            for (int i = 0; i < 5; i++) {
                ps.setString(1, "n" + i);
                ps.setString(2, "user" + i + "@example.com");
                ps.addBatch();
            }
            assertEquals(5, ps.executeBatch().length);
        }
        assertNoPlaintextAtRest("user0@example.com", "user4@example.com");
        try (Connection support = db.as("support", "customer-service");
             PreparedStatement ps = support.prepareStatement("SELECT name FROM customers WHERE email = ?")) {
            ps.setString(1, "user3@example.com");
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                assertEquals("n3", rs.getString(1));
            }
        }
    }

    @Test
    void upsertOnDeterministicColumnAndReturningShowsPlaintextToWriter() throws SQLException {
        insertJane();
        try (Connection support = db.as("support", "customer-service");
             PreparedStatement ps = support.prepareStatement("INSERT INTO customers (name, email) VALUES (?, ?) "
                     + "ON CONFLICT (email) DO UPDATE SET email = EXCLUDED.email, name = EXCLUDED.name RETURNING id, email")) {
            ps.setString(1, "Jane Updated");
            ps.setString(2, EMAIL);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                assertEquals(EMAIL, rs.getString("email"));
            }
        }
        try (Connection raw = db.raw(); ResultSet rs = raw.createStatement().executeQuery("SELECT count(*), max(name) FROM customers")) {
            rs.next();
            assertEquals(1, rs.getInt(1), "the conflict on the deterministic ciphertext was detected");
            assertEquals("Jane Updated", rs.getString(2));
        }
    }

    @Test
    void nullStaysNull() throws SQLException {
        try (Connection support = db.as("support", "customer-service");
             PreparedStatement ps = support.prepareStatement("INSERT INTO customers (name, email, phone) VALUES (?, ?, ?)")) {
            ps.setString(1, "Nobody");
            ps.setNull(2, Types.VARCHAR);
            ps.setString(3, null);
            ps.executeUpdate();
        }
        try (Connection raw = db.raw(); ResultSet rs = raw.createStatement().executeQuery(
                "SELECT email IS NULL AND phone IS NULL FROM customers")) {
            rs.next();
            assertTrue(rs.getBoolean(1));
        }
        try (Connection support = db.as("support", "customer-service");
             ResultSet rs = support.createStatement().executeQuery("SELECT name FROM customers WHERE email IS NULL")) {
            assertTrue(rs.next());
        }
    }

    // ---- what each role sees ----

    @Test
    void eachRoleSeesExactlyItsGrant() throws SQLException {
        insertJane();
        try (Connection billing = db.as("billing", "order-processing");
             ResultSet rs = billing.createStatement().executeQuery("SELECT email, card_number, credit_limit, phone FROM customers")) {
            assertTrue(rs.next());
            assertEquals(EMAIL, rs.getString(1));
            assertEquals(CARD, rs.getString(2));
            assertEquals(0, new BigDecimal("2500").compareTo(rs.getBigDecimal(3)));
            assertEquals("********4567", rs.getString(4), "billing sees phone masked");
        }
        try (Connection support = db.as("support", "customer-service");
             ResultSet rs = support.createStatement().executeQuery("SELECT email, card_number, phone, birth_date FROM customers")) {
            assertTrue(rs.next());
            assertEquals(EMAIL, rs.getString(1));
            assertEquals("************1111", rs.getString(2), "support sees the card masked");
            assertEquals(PHONE, rs.getString(3));
            assertEquals(LocalDate.of(1980, 4, 1), rs.getDate(4).toLocalDate());
        }
        try (Connection analyst = db.as("analyst");
             ResultSet rs = analyst.createStatement().executeQuery("SELECT name, email, birth_date FROM customers")) {
            assertTrue(rs.next());
            assertEquals("Jane Doe", rs.getString(1));
            assertEquals("j*******@example.com", rs.getString(2));
            assertEquals("****", rs.getString(3));
        }
        SQLException e = refused("42501", () -> {
            try (Connection analyst = db.as("analyst")) {
                analyst.createStatement().executeQuery("SELECT card_number FROM customers");
            }
        });
        assertTrue(e.getMessage().contains("analyst") && e.getMessage().contains("customers.card_number"), e.getMessage());
    }

    @Test
    void plaintextOnlyForTheColumnsPurposes() throws SQLException {
        insertJane();
        try (Connection support = db.as("support");  // no purpose declared
             ResultSet rs = support.createStatement().executeQuery("SELECT email FROM customers")) {
            assertTrue(rs.next());
            assertEquals("j*******@example.com", rs.getString(1));
        }
        try (Connection support = db.as("support")) {
            support.createStatement().execute("SET warden.purpose = 'customer-service'");
            try (ResultSet rs = support.createStatement().executeQuery("SELECT email FROM customers")) {
                assertTrue(rs.next());
                assertEquals(EMAIL, rs.getString(1));
            }
        }
        refused("28000", () -> db.as("support", "marketing").close());
        refused("28000", () -> db.as("nobody").close());
    }

    @Test
    void starAliasesSubqueriesCtesAndJoinsResolveToTheProtectedColumn() throws SQLException {
        int id = insertJane();
        try (Connection raw = db.raw()) {
            raw.createStatement().execute("INSERT INTO orders (customer_id, total) VALUES (" + id + ", 12.50)");
        }
        try (Connection billing = db.as("billing", "order-processing"); Statement s = billing.createStatement()) {
            // * expands to every column, including birth_date, which billing may not read
            SQLException denied = refused("42501", () -> s.executeQuery("SELECT * FROM customers"));
            assertTrue(denied.getMessage().contains("customers.birth_date"), denied.getMessage());
            try (ResultSet rs = s.executeQuery("SELECT o.*, c.card_number FROM orders o, customers c WHERE c.id = o.customer_id")) {
                assertTrue(rs.next());
                assertEquals(5, rs.getMetaData().getColumnCount());
                assertEquals(CARD, rs.getString("card_number"));
            }
            try (ResultSet rs = s.executeQuery("SELECT c.email AS mail, o.total FROM customers c JOIN orders o ON o.customer_id = c.id")) {
                assertTrue(rs.next());
                assertEquals(EMAIL, rs.getString("mail"));
            }
            try (ResultSet rs = s.executeQuery("WITH x AS (SELECT email AS e FROM customers) SELECT e FROM x")) {
                assertTrue(rs.next());
                assertEquals(EMAIL, rs.getString(1));
            }
            try (ResultSet rs = s.executeQuery("SELECT t.* FROM (SELECT \"email\", name FROM public.customers) t")) {
                assertTrue(rs.next());
                assertEquals(EMAIL, rs.getString(1));
            }
        }
    }

    @Test
    void typedGettersAndMetadataReflectTheLogicalType() throws SQLException {
        insertJane();
        try (Connection billing = db.as("billing", "order-processing");
             ResultSet rs = billing.createStatement().executeQuery("SELECT credit_limit, card_number FROM customers")) {
            ResultSetMetaData meta = rs.getMetaData();
            assertEquals(Types.NUMERIC, meta.getColumnType(1));
            assertEquals("java.math.BigDecimal", meta.getColumnClassName(1));
            assertEquals(Types.VARCHAR, meta.getColumnType(2));
            assertTrue(rs.next());
            assertEquals(2500, rs.getInt(1));
            assertEquals(2500L, rs.getLong(1));
            assertEquals(0, new BigDecimal("2500").compareTo((BigDecimal) rs.getObject(1)));
        }
        try (Connection support = db.as("support", "customer-service");
             ResultSet rs = support.createStatement().executeQuery("SELECT birth_date FROM customers")) {
            assertEquals(Types.DATE, rs.getMetaData().getColumnType(1));
            assertTrue(rs.next());
            assertEquals(Date.valueOf("1980-04-01"), rs.getObject(1));
            assertEquals(LocalDate.of(1980, 4, 1), rs.getObject(1, LocalDate.class));
        }
    }

    // ---- filters ----

    @Test
    void equalityInAndNotEqualFiltersCompareCiphertext() throws SQLException {
        insertJane();
        try (Connection support = db.as("support", "customer-service"); Statement s = support.createStatement()) {
            s.executeUpdate("INSERT INTO customers (name, email) VALUES ('Bob', 'bob@example.com')");
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM customers WHERE email IN ('bob@example.com', '" + EMAIL + "')")) {
                rs.next();
                assertEquals(2, rs.getInt(1));
            }
            try (ResultSet rs = s.executeQuery("SELECT name FROM customers WHERE email <> 'bob@example.com'")) {
                assertTrue(rs.next());
                assertEquals("Jane Doe", rs.getString(1));
                assertFalse(rs.next());
            }
            try (PreparedStatement ps = support.prepareStatement("SELECT name FROM customers WHERE phone = ? AND email = ?")) {
                ps.setString(1, PHONE);
                ps.setString(2, EMAIL);
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals("Jane Doe", rs.getString(1));
                }
            }
        }
    }

    // ---- refusals ----

    @Test
    void unsupportedShapesOnProtectedColumnsAreRefusedWith0A000() throws SQLException {
        insertJane();
        String[] refusedShapes = {
                "SELECT name FROM customers WHERE email LIKE 'jane%'",
                "SELECT name FROM customers ORDER BY lower(email)",
                "SELECT lower(email) FROM customers",
                "SELECT name FROM customers WHERE card_number = '4111111111111111'",
                "SELECT max(email) FROM customers GROUP BY name",
                "UPDATE customers SET email = name",
                "INSERT INTO customers (name, email) SELECT name, email FROM customers",
                "TRUNCATE customers",
                "ALTER TABLE customers ALTER COLUMN email TYPE text",
                "SELECT name FROM customers WHERE email > 'a'",
                "SELECT email::text FROM customers",
                "SELECT c FROM customers c",
                "SELECT email FROM customers UNION SELECT phone FROM customers",
                "SELECT FROM WHERE customers",
                "COPY customers TO STDOUT",
                "SELECT 1; SELECT email FROM customers",
                "CREATE VIEW customer_emails AS SELECT email FROM customers",
        };
        try (Connection billing = db.as("billing", "order-processing"); Statement s = billing.createStatement()) {
            for (String sql : refusedShapes) {
                SQLException e = assertThrows(SQLException.class, () -> s.execute(sql), sql);
                assertEquals("0A000", e.getSQLState(), sql + " -> " + e.getMessage());
                assertFalse(e.getMessage().contains(EMAIL) || e.getMessage().contains(CARD), "no value in the error");
            }
        }
        try (Connection billing = db.as("billing", "order-processing");
             PreparedStatement ps = billing.prepareStatement("SELECT 1")) {
            ps.close();
            refused("0A000", () -> billing.prepareStatement("UPDATE customers SET email = lower(?)"));
        }
    }

    @Test
    void writesByRolesWithoutTheGrantAreDenied() throws SQLException {
        insertJane();
        try (Connection analyst = db.as("analyst")) {
            SQLException e = refused("42501", () -> analyst.prepareStatement("UPDATE customers SET email = ? WHERE id = 1"));
            assertTrue(e.getMessage().contains("customers.email"), e.getMessage());
        }
        try (Connection support = db.as("support", "customer-service")) {
            refused("42501", () -> support.createStatement().executeUpdate("UPDATE customers SET card_number = '1' WHERE id = 1"));
        }
    }

    @Test
    void tamperedOrMovedCiphertextIsReportedNotReturned() throws SQLException {
        insertJane();
        try (Connection raw = db.raw()) {
            // a valid ciphertext of another column put in the email column must not open as an email
            raw.createStatement().execute("UPDATE customers SET email = phone");
        }
        try (Connection support = db.as("support", "customer-service");
             ResultSet rs = support.createStatement().executeQuery("SELECT email FROM customers")) {
            assertTrue(rs.next());
            SQLException e = assertThrows(SQLException.class, () -> rs.getString(1));
            assertEquals("XX001", e.getSQLState());
            assertTrue(e.getMessage().contains("customers.email") && e.getMessage().contains("row 1"), e.getMessage());
            assertFalse(e.getMessage().contains(PHONE));
        }
    }

    @Test
    void tamperedBase64TextCiphertextIsReportedNotReturned() throws SQLException {
        insertJane();
        String stored;
        try (Connection raw = db.raw(); ResultSet rs = raw.createStatement().executeQuery("SELECT card_number FROM customers")) {
            assertTrue(rs.next());
            stored = rs.getString(1);
        }
        // one base64 character changed (still base64), then text that is not base64 at all
        char flipped = stored.charAt(10) == 'A' ? 'B' : 'A';
        String[][] cases = {
            {stored.substring(0, 10) + flipped + stored.substring(11), "tampered with"},
            {"not base64!", "not base64"}};
        for (String[] c : cases) {
            try (Connection raw = db.raw(); PreparedStatement ps = raw.prepareStatement("UPDATE customers SET card_number = ?")) {
                ps.setString(1, c[0]);
                ps.executeUpdate();
            }
            try (Connection billing = db.as("billing", "order-processing");
                 ResultSet rs = billing.createStatement().executeQuery("SELECT name, card_number FROM customers")) {
                assertTrue(rs.next());
                SQLException e = assertThrows(SQLException.class, () -> rs.getString(2));
                assertEquals("XX001", e.getSQLState());
                assertTrue(e.getMessage().contains("customers.card_number") && e.getMessage().contains("row 1")
                        && e.getMessage().contains(c[1]), e.getMessage());
                assertFalse(e.getMessage().contains(CARD));
            }
        }
    }

    // ---- pass-through ----

    @Test
    void statementsOnUnprotectedTablesBehaveAsWithTheRealDriver() throws SQLException {
        int id = insertJane();
        try (Connection analyst = db.as("analyst"); Statement s = analyst.createStatement()) {
            assertEquals(1, s.executeUpdate("INSERT INTO orders (customer_id, total) VALUES (" + id + ", 9.99)"));
            try (ResultSet rs = s.executeQuery("SELECT total FROM orders ORDER BY total")) {
                assertTrue(rs.next());
                assertEquals(new BigDecimal("9.99"), rs.getBigDecimal(1));
            }
            assertEquals("42601", assertThrows(SQLException.class, () -> s.execute("SELEC 1")).getSQLState());
            assertEquals("23503", assertThrows(SQLException.class,
                    () -> s.execute("INSERT INTO orders (customer_id, total) VALUES (999, 1)")).getSQLState());
            s.execute("CREATE TABLE notes (id int, body text)");
            s.execute("DROP TABLE notes");
            try (ResultSet rs = s.executeQuery("SELECT name, country FROM customers")) {
                assertTrue(rs.next(), "unprotected columns of a protected table are readable by any role");
                assertEquals("HK", rs.getString(2));
            }
        }
    }

    @Test
    void theRealConnectionIsNeverHandedOut() throws SQLException {
        try (Connection c = db.as("analyst")) {
            refused("0A000", () -> c.unwrap(org.postgresql.core.BaseConnection.class));
            refused("0A000", () -> c.unwrap(org.postgresql.jdbc.PgConnection.class));
            assertFalse(c.isWrapperFor(org.postgresql.core.BaseConnection.class));
            // PGConnection is a view for notifications, not the real connection (PgConnectionViewIT)
            assertFalse(c.unwrap(org.postgresql.PGConnection.class) instanceof Connection);
            Statement s = c.createStatement();
            assertTrue(s.getConnection() == c);
            ResultSet tables = c.getMetaData().getTables(null, "public", "customers", null);
            assertTrue(tables.next());
            assertNotNull(tables.getString("TABLE_NAME"));
            assertTrue(c.getMetaData().getConnection() == c);
        }
    }

    @Test
    void keysAndPolicyErrorsAreClear() {
        java.util.Properties p = CustomersExample.properties("support", null);
        p.setProperty("warden.masterKey", "env:WARDEN_TEST_NO_SUCH_VARIABLE");
        SQLException e = assertThrows(SQLException.class, () -> java.sql.DriverManager.getConnection(db.wardenUrl(), p));
        assertEquals("58030", e.getSQLState());
        assertTrue(e.getMessage().contains("WARDEN_TEST_NO_SUCH_VARIABLE"), e.getMessage());

        java.util.Properties noPolicy = CustomersExample.properties("support", null);
        noPolicy.remove("warden.policy");
        e = assertThrows(SQLException.class, () -> java.sql.DriverManager.getConnection(db.wardenUrl(), noPolicy));
        assertEquals("28000", e.getSQLState());
        assertTrue(e.getMessage().contains("warden.policy"), e.getMessage());
    }

    @Test
    void aWrongMasterKeyAPolicyErrorAndAColumnMissingFromTheTableAreNamed() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("warden-errors");
        java.nio.file.Path wrongKey = dir.resolve("wrong-key.txt");
        java.nio.file.Files.writeString(wrongKey, dev.warden.crypto.MasterKey.generateBase64());
        java.util.Properties p = CustomersExample.properties("support", null);
        p.setProperty("warden.masterKey", "file:" + wrongKey);
        SQLException e = assertThrows(SQLException.class, () -> java.sql.DriverManager.getConnection(db.wardenUrl(), p));
        assertEquals("58030", e.getSQLState());
        assertTrue(e.getMessage().contains("demo-keyset.json"), e.getMessage());

        java.nio.file.Files.copy(CustomersExample.DIRECTORY.resolve("demo-keyset.json"), dir.resolve("demo-keyset.json"));
        java.nio.file.Path badPolicy = dir.resolve("bad.yaml");
        java.nio.file.Files.writeString(badPolicy, "keyset: demo-keyset.json\nroles:\n  support: {}\ntables:\n"
                + "  customers:\n    email:\n      encrypt: deterministic\n      read: { suport: plaintext }\n");
        java.util.Properties bad = CustomersExample.properties("support", null);
        bad.setProperty("warden.policy", badPolicy.toString());
        e = assertThrows(SQLException.class, () -> java.sql.DriverManager.getConnection(db.wardenUrl(), bad));
        assertTrue(e.getMessage().contains("bad.yaml:8") && e.getMessage().contains("suport"), e.getMessage());

        java.nio.file.Path missingColumn = dir.resolve("missing.yaml");
        java.nio.file.Files.writeString(missingColumn, "keyset: demo-keyset.json\nroles:\n  support: {}\ntables:\n"
                + "  customers:\n    nickname:\n      encrypt: randomized\n      read: { support: plaintext }\n");
        java.util.Properties missing = CustomersExample.properties("support", null);
        missing.setProperty("warden.policy", missingColumn.toString());
        try (Connection c = java.sql.DriverManager.getConnection(db.wardenUrl(), missing)) {
            e = assertThrows(SQLException.class, () -> c.createStatement().executeQuery("SELECT nickname FROM customers"));
            assertEquals("42703", e.getSQLState());
            assertTrue(e.getMessage().contains("customers.nickname") && e.getMessage().contains("line 6"), e.getMessage());
        }
    }

    @Test
    void urlParametersConfigureWardenAndAreNotPassedOn() throws SQLException {
        String url = db.wardenUrl() + "?warden.policy=" + CustomersExample.POLICY + "&warden.role=billing"
                + "&warden.purpose=order-processing&warden.masterKey=file:" + CustomersExample.MASTER_KEY
                + "&user=postgres&ApplicationName=url-test";
        try (Connection c = java.sql.DriverManager.getConnection(url);
             ResultSet rs = c.createStatement().executeQuery("SELECT current_setting('application_name')")) {
            assertTrue(rs.next());
            assertEquals("url-test", rs.getString(1));
        }
    }

    /** Every JDBC entry point that takes SQL text guards it: reflection finds them, so new overloads are covered. */
    @Test
    void everyMethodTakingSqlTextRefusesAnUnsupportedStatement() throws Exception {
        String leaky = "SELECT name FROM customers WHERE email LIKE 'a%'";
        int checked = 0;
        try (Connection c = db.as("billing", "order-processing")) {
            for (java.lang.reflect.Method m : Connection.class.getMethods()) {
                if (!m.getName().startsWith("prepare") || m.getParameterTypes()[0] != String.class) continue;
                Object[] args = defaultArguments(m, leaky);
                java.lang.reflect.InvocationTargetException e = assertThrows(
                        java.lang.reflect.InvocationTargetException.class, () -> m.invoke(c, args), m.toString());
                assertEquals("0A000", ((SQLException) e.getCause()).getSQLState(), m.toString());
                checked++;
            }
            Statement s = c.createStatement();
            for (java.lang.reflect.Method m : Statement.class.getMethods()) {
                if (m.getParameterCount() == 0 || m.getParameterTypes()[0] != String.class
                        || !(m.getName().startsWith("execute") || m.getName().equals("addBatch"))) continue;
                Object[] args = defaultArguments(m, leaky);
                java.lang.reflect.InvocationTargetException e = assertThrows(
                        java.lang.reflect.InvocationTargetException.class, () -> m.invoke(s, args), m.toString());
                assertEquals("0A000", ((SQLException) e.getCause()).getSQLState(), m.toString());
                checked++;
            }
        }
        assertTrue(checked >= 20, "found " + checked + " SQL entry points");
    }

    private static Object[] defaultArguments(java.lang.reflect.Method m, String sql) {
        Object[] args = new Object[m.getParameterCount()];
        args[0] = sql;
        for (int i = 1; i < args.length; i++) {
            Class<?> t = m.getParameterTypes()[i];
            args[i] = t == int.class ? (Object) (m.getName().startsWith("prepareCall") || i > 1
                    ? ResultSet.CONCUR_READ_ONLY : Statement.NO_GENERATED_KEYS)
                    : t == int[].class ? new int[] {1} : new String[] {"id"};
        }
        if (m.getParameterCount() >= 3 && m.getParameterTypes()[1] == int.class) {
            args[1] = ResultSet.TYPE_FORWARD_ONLY;
            args[2] = ResultSet.CONCUR_READ_ONLY;
            if (args.length == 4) args[3] = ResultSet.HOLD_CURSORS_OVER_COMMIT;
        }
        return args;
    }
}
