package dev.warden.jdbc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.testkit.CustomersExample;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Invariant 6: no session's state changes what another session sees. One session of an engine gives itself
 * a table named like the protected {@code customers} (a temporary table, or a look-alike in a schema it puts
 * first on its search_path), with other columns in another order; every other session of that engine reads,
 * writes and decrypts exactly as before, and the session itself is analysed on its own table, held to the
 * rules of the name it carries (refused, naming the table, when it lacks a protected column). {@code email}
 * and {@code phone} are encrypted; {@code country} is made a rules-only column ({@code encrypt: none}) here,
 * and support may write every column (positional INSERTs name them all).
 */
class SessionIsolationIT {
    private static final String EMAIL = "kim.ho@example.com";
    private static final String PHONE = "+852 5555 0101";
    private static final String SHADOW_EMAIL = "shadow@example.org";
    private static final String SHADOW_PHONE = "+1 555 0199";
    private static final String READ_ALL = "SELECT name, email, phone, country FROM customers ORDER BY id";
    private static final String READ_ONE = "SELECT name, email, phone, country FROM customers WHERE email = ?";

    private CustomersExample db;
    private Path policy;
    private List<String> kim;  // what every session reading public.customers sees

    @BeforeEach
    void seed() throws SQLException {
        db = CustomersExample.create();
        policy = CustomersExample.newPolicyDirectoryWith("\naudit:", """

                    country:
                      encrypt: none
                      read: { support: plaintext, billing: masked }
                      mask: redact
                      write: [support]

                audit:""");
        // support writes every column, so that a positional INSERT (which names them all) is allowed
        Path yaml = policy.resolve("policy.yaml");
        try {
            Files.writeString(yaml, Files.readString(yaml).replace("write: [billing]", "write: [billing, support]"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        try (Connection c = as("support"); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO customers (name, email, phone, country) VALUES (?, ?, ?, ?)")) {
            ps.setString(1, "Kim");
            ps.setString(2, EMAIL);
            ps.setString(3, PHONE);
            ps.setString(4, "HK");
            ps.executeUpdate();
        }
        kim = List.of("Kim|" + EMAIL + "|" + PHONE + "|HK");
    }

    @Test
    void aTemporaryTableNamedLikeAProtectedTableShapesOnlyItsOwnSession() throws Exception {
        try (Connection a = as("support"); Connection b = as("support");
             PreparedStatement heldByA = a.prepareStatement(READ_ONE)) {
            assertEquals(kim, readAll(a));
            assertEquals(kim, readOne(heldByA, EMAIL));
            assertEquals(kim, readAll(b));

            // a temporary table lacking protected columns: this session's statements on it are refused, naming it
            execute(a, "CREATE TEMP TABLE customers (phone bytea, id int, email bytea)");
            assertEquals(kim, readAll(b));
            assertEquals(kim, readOne(b, EMAIL));
            SQLException mismatch = refused("42703", () -> readAll(a));
            assertTrue(mismatch.getMessage().contains("pg_temp_"), mismatch.getMessage());
            assertTrue(mismatch.getMessage().contains("held to that table's rules"), mismatch.getMessage());
            assertFalse(mismatch.getMessage().contains(EMAIL), mismatch.getMessage());
            assertEquals(1, audited("\"sqlState\":\"42703\"", 1), "one audit event for the refusal");
            // the statement A prepared before is not run on a relation it was not analysed for
            SQLException stale = refused("0A000", () -> readOne(heldByA, EMAIL));
            assertTrue(stale.getMessage().contains("prepare it again"), stale.getMessage());
            assertEquals(1, audited("prepare it again", 1), "one audit event for the refusal");
            // writes and equality filters of another session still go to public.customers, encrypted
            writeAndCheck(b);

            // DISCARD TEMP: back to public.customers
            execute(a, "DISCARD TEMP");
            assertEquals(readAll(b), readAll(a));

            // a full look-alike, other column order: analysed on its own columns, under the rules of customers
            execute(a, "CREATE TEMPORARY TABLE customers (country text, credit_limit bytea, card_number text,"
                    + " birth_date bytea, phone bytea, email bytea, name text, id serial)");
            insertShadow(a);
            List<String> shadow = List.of("Shadow|" + SHADOW_EMAIL + "|" + SHADOW_PHONE + "|ZZ");
            assertEquals(shadow, readAll(a));                  // decrypted: it was stored encrypted
            assertEquals(shadow, readOne(a, SHADOW_EMAIL));    // equality on its deterministic column
            refused("42501", () -> readColumn(a, "credit_limit"));  // a column support may not read, shadow or not
            assertEquals(List.of(), readOne(a, EMAIL));
            assertEquals(kim.get(0), readAll(b).get(0));
            assertEquals(kim, readOne(b, EMAIL));
            writeAndCheck(b);
        }
        // the session is gone, and so is its temporary table: a new session sees public.customers
        try (Connection a = as("support"); Connection b = as("support")) {
            assertEquals(readAll(b), readAll(a));
            assertEquals(kim, readOne(a, EMAIL));
        }
        String trail = trail();
        for (String secret : List.of(EMAIL, PHONE, SHADOW_EMAIL, SHADOW_PHONE)) {
            assertFalse(trail.contains(secret), "no protected value in the audit trail");
        }
    }

    @Test
    void aSearchPathToALookAlikeSchemaShapesOnlyItsOwnSession() throws Exception {
        try (Connection raw = db.raw(); Statement s = raw.createStatement()) {
            s.execute("CREATE SCHEMA shadow");
            s.execute("CREATE TABLE shadow.customers (country text, email bytea, id serial PRIMARY KEY, phone bytea,"
                    + " name text, card_number text, birth_date bytea, credit_limit bytea)");
        }
        List<String> shadow = List.of("Shadow|" + SHADOW_EMAIL + "|" + SHADOW_PHONE + "|ZZ");
        try (Connection a = as("support"); Connection b = as("support"); Connection billing = as("billing")) {
            // a schema change through Warden (as any migration): the next lookups of customers are A's
            execute(b, "CREATE TABLE unrelated (x int)");
            execute(a, "SET search_path = shadow, public");
            // positional: written in the look-alike's own column order (country, email, id, phone, name, ...)
            try (PreparedStatement ps = a.prepareStatement("INSERT INTO customers VALUES ('ZZ', ?, DEFAULT, ?, 'Shadow', NULL, NULL, NULL)")) {
                ps.setString(1, SHADOW_EMAIL);
                ps.setString(2, SHADOW_PHONE);
                assertEquals(1, ps.executeUpdate());
            }
            assertEquals(shadow, readAll(a));
            assertEquals(shadow, readOne(a, SHADOW_EMAIL));
            assertEquals(kim, readAll(b));
            assertEquals(kim, readOne(b, EMAIL));
            assertEquals(List.of("Kim|" + EMAIL + "|masked|masked"), readMasked(billing));
            writeAndCheck(b);
            try (Connection raw = db.raw(); Statement s = raw.createStatement();
                 ResultSet rs = s.executeQuery("SELECT email, phone, country FROM shadow.customers")) {
                assertTrue(rs.next());
                assertNotPlaintext(rs.getBytes(1), SHADOW_EMAIL);
                assertNotPlaintext(rs.getBytes(2), SHADOW_PHONE);
                assertEquals("ZZ", rs.getString(3));  // rules-only: plaintext at rest, protected by analysis
            }

            // set_config, prepared and executed with other values: each execution counts
            try (PreparedStatement setPath = a.prepareStatement("SELECT set_config('search_path', ?, false)")) {
                setPath.setString(1, "public");
                setPath.executeQuery().close();
                assertEquals(readAll(b), readAll(a));
                setPath.setString(1, "shadow, public");
                setPath.executeQuery().close();
                assertEquals(shadow, readAll(a));
            }
            execute(a, "RESET search_path");
            assertEquals(readAll(b), readAll(a));
            // JDBC's setSchema sets search_path without a statement through Warden
            a.setSchema("shadow");
            assertEquals(shadow, readAll(a));
            assertEquals(kim.get(0), readAll(b).get(0));
            a.setSchema("public");
            assertEquals(readAll(b), readAll(a));

            // SET LOCAL lasts until the transaction ends; a SET in a rolled-back transaction is undone
            a.setAutoCommit(false);
            execute(a, "SET LOCAL search_path = shadow, public");
            assertEquals(shadow, readAll(a));
            a.commit();
            assertEquals(readAll(b), readAll(a));
            execute(a, "SET search_path = shadow, public");
            assertEquals(shadow, readAll(a));
            a.rollback();
            assertEquals(readAll(b), readAll(a));
            a.setAutoCommit(true);
            execute(a, "BEGIN");
            execute(a, "SET search_path = shadow, public");
            assertEquals(shadow, readAll(a));
            execute(a, "ROLLBACK");
            assertEquals(readAll(b), readAll(a));
        }
    }

    @Test
    void aLookAlikeMissingAProtectedColumnIsRefusedInItsSessionOnly() throws Exception {
        try (Connection raw = db.raw(); Statement s = raw.createStatement()) {
            s.execute("CREATE SCHEMA shadow");
            s.execute("CREATE TABLE shadow.customers (id int, ssn text, email text)");
            s.execute("INSERT INTO shadow.customers VALUES (1, 'x', 'y')");
        }
        try (Connection a = as("support"); Connection b = as("support")) {
            execute(a, "SET search_path TO shadow, public");
            SQLException mismatch = refused("42703", () -> readAll(a));
            assertTrue(mismatch.getMessage().contains("shadow.customers"), mismatch.getMessage());
            assertTrue(mismatch.getMessage().contains("customers.phone"), mismatch.getMessage());
            assertEquals(kim, readAll(b));
            assertEquals(kim, readOne(b, EMAIL));
            execute(a, "SET search_path TO public");
            assertEquals(kim, readAll(a));
        }
    }

    @Test
    void aNameChangeInOneCallOrBatchBeforeAStatementOnAProtectedTableIsRefused() throws Exception {
        try (Connection raw = db.raw(); Statement s = raw.createStatement()) {
            s.execute("CREATE SCHEMA shadow");
            s.execute("CREATE TABLE shadow.customers (country text, email bytea, id serial PRIMARY KEY, phone bytea,"
                    + " name text, card_number text, birth_date bytea, credit_limit bytea)");
        }
        try (Connection a = as("support"); Statement s = a.createStatement()) {
            // analysed as names resolve before the call, it would run after the change
            refused("0A000", () -> s.execute("SET search_path = shadow, public; SELECT name, email FROM customers"));
            s.addBatch("SET search_path = shadow, public");
            refused("0A000", () -> s.addBatch("UPDATE customers SET phone = NULL WHERE email = 'x@example.com'"));
            s.clearBatch();
            assertEquals(kim, readAll(a));
            assertEquals(1, audited("send it on its own", 1), "one audit event for the refused batch entry");
        }
    }

    @Test
    void anotherSessionsTemporaryViewOverAProtectedTableDecidesNothingHere() throws Exception {
        try (Connection holder = db.raw(); Statement s = holder.createStatement()) {
            s.execute("CREATE TABLE lookup (x int)");
            s.execute("INSERT INTO lookup VALUES (7)");
            // visible in the catalog to every session, but a relation of the holder's session only
            s.execute("CREATE TEMP VIEW lookup AS SELECT email FROM customers");
            try (Connection b = as("support")) {
                execute(b, "CREATE TABLE unrelated (x int)");  // Warden reads the server-side objects anew
                try (Statement q = b.createStatement(); ResultSet rs = q.executeQuery("SELECT x FROM lookup")) {
                    assertTrue(rs.next());
                    assertEquals(7, rs.getInt(1));
                }
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    /** The audit trail of this test's policy so far. */
    private String trail() throws java.io.IOException {
        StringBuilder all = new StringBuilder();
        try (var files = Files.list(policy)) {
            // one line per event, every value in full, whatever trail format the files are in
            for (String line : dev.warden.audit.AuditTrailReader.readAsFormat1Lines(
                    files.filter(f -> f.getFileName().toString().startsWith("warden-audit")).sorted().toList())) {
                all.append(line).append('\n');
            }
        }
        return all.toString();
    }

    /** How many events of the trail hold {@code text}, waiting (the trail is written asynchronously) for {@code expected}. */
    private int audited(String text, int expected) throws Exception {
        int count = 0;
        for (int attempt = 0; attempt < 60; attempt++) {
            count = (int) trail().lines().filter(line -> line.contains(text)).count();
            if (count >= expected) break;
            Thread.sleep(50);
        }
        Thread.sleep(100);  // and nothing more arrives
        return (int) trail().lines().filter(line -> line.contains(text)).count();
    }

    private Connection as(String role) throws SQLException {
        String purpose = role.equals("support") ? "customer-service" : role.equals("billing") ? "order-processing" : null;
        return db.as(policy, role, purpose);
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static List<String> readAll(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(READ_ALL)) {
            return rows(rs);
        }
    }

    private static List<String> readOne(Connection c, String email) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(READ_ONE)) {
            return readOne(ps, email);
        }
    }

    private static List<String> readOne(PreparedStatement ps, String email) throws SQLException {
        ps.setString(1, email);
        try (ResultSet rs = ps.executeQuery()) {
            return rows(rs);
        }
    }

    private static List<String> readMasked(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT name, email, phone, country FROM customers ORDER BY id")) {
            List<String> rows = new ArrayList<>();
            while (rs.next()) {
                String phone = rs.getString(3);
                String country = rs.getString(4);
                rows.add(rs.getString(1) + "|" + rs.getString(2) + "|" + (PHONE.equals(phone) ? phone : "masked")
                        + "|" + ("HK".equals(country) ? country : "masked"));
            }
            return rows;
        }
    }

    private static void readColumn(Connection c, String column) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT " + column + " FROM customers")) {
            while (rs.next()) rs.getString(1);
        }
    }

    private static List<String> rows(ResultSet rs) throws SQLException {
        List<String> rows = new ArrayList<>();
        while (rs.next()) {
            rows.add(rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getString(3) + "|" + rs.getString(4));
        }
        return rows;
    }

    private static void insertShadow(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO customers (name, email, phone, country) VALUES ('Shadow', ?, ?, 'ZZ')")) {
            ps.setString(1, SHADOW_EMAIL);
            ps.setString(2, SHADOW_PHONE);
            ps.executeUpdate();
        }
    }

    /** Another session writes, filters and reads public.customers as if nothing happened elsewhere. */
    private void writeAndCheck(Connection b) throws SQLException {
        String email = "b" + System.nanoTime() + "@example.com";
        // positional: in public.customers' column order, which another session's look-alike must not change
        try (PreparedStatement ps = b.prepareStatement(
                "INSERT INTO customers VALUES (DEFAULT, ?, ?, ?, NULL, NULL, NULL, ?)")) {
            ps.setString(1, "Bea");
            ps.setString(2, email);
            ps.setString(3, PHONE);
            ps.setString(4, "SG");
            assertEquals(1, ps.executeUpdate());
        }
        try (PreparedStatement ps = b.prepareStatement("UPDATE customers SET phone = ? WHERE email = ?")) {
            ps.setString(1, SHADOW_PHONE);
            ps.setString(2, email);
            assertEquals(1, ps.executeUpdate());
        }
        assertEquals(List.of("Bea|" + email + "|" + SHADOW_PHONE + "|SG"), readOne(b, email));
        try (Connection raw = db.raw(); PreparedStatement ps = raw.prepareStatement(
                "SELECT email, phone FROM public.customers WHERE name = 'Bea'")) {
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    assertNotPlaintext(rs.getBytes(1), email);
                    assertNotPlaintext(rs.getBytes(2), SHADOW_PHONE);
                }
            }
        }
    }

    private static void assertNotPlaintext(byte[] stored, String plaintext) {
        assertTrue(stored != null && stored.length > 0, "a value is stored");
        assertFalse(new String(stored, StandardCharsets.ISO_8859_1).contains(plaintext), "stored in plaintext");
    }

    private static SQLException refused(String state, Executable action) {
        SQLException e = assertThrows(SQLException.class, action);
        assertEquals(state, e.getSQLState(), e.getMessage());
        return e;
    }
}
