package dev.warden.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.audit.InMemoryAuditSink;
import dev.warden.crypto.LogicalType;
import dev.warden.crypto.MasterKey;
import dev.warden.crypto.ValueCodec;
import dev.warden.crypto.WardenKeyset;
import dev.warden.engine.EngineConfig;
import dev.warden.engine.Session;
import dev.warden.engine.WardenEngine;
import dev.warden.testkit.CustomersExample;
import dev.warden.testkit.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ParameterMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Equality on a deterministic column across a key rotation, on a real PostgreSQL: rows written before
 * {@code warden keys rotate} hold their values under the old key, rows written after under the new primary,
 * and every lookup must return exactly the rows plaintext semantics would. The oracle is the same SQL with
 * the same parameters run by plain pgjdbc on a plaintext copy of the table.
 */
class KeyRotationIT {

    private static final String[][] BEFORE_ROTATION = {
            {"Ann", "ann@example.com", "HK"}, {"Bob", "bob@example.com", "HK"},
            {"Cid", "cid@example.com", "FR"}, {"Dee", null, "FR"}};
    private static final String[][] AFTER_ROTATION = {
            {"Eve", "eve@example.com", "HK"}, {"Fay", "fay@example.com", "FR"}, {"Gil", null, "HK"}};
    private static final String ANN = "ann@example.com";   // written under the old key
    private static final String EVE = "eve@example.com";   // written under the new primary
    private static final String FAY = "fay@example.com";
    private static final String NOBODY = "nobody@example.com";

    private CustomersExample db;
    private String oracleUrl;
    private Path oneKey;     // the example keyset as shipped
    private Path rotated;    // the same keyset after warden keys rotate

    @BeforeEach
    void writeTwoGenerations() throws Exception {
        db = CustomersExample.create();
        oracleUrl = EmbeddedPostgres.freshDatabase();
        try (Connection oracle = EmbeddedPostgres.rawConnection(oracleUrl); Statement s = oracle.createStatement()) {
            s.execute("CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL, email text UNIQUE,"
                    + " phone text, card_number text, birth_date date, credit_limit numeric, country text)");
        }
        oneKey = CustomersExample.newPolicyDirectory();
        insert(oneKey, BEFORE_ROTATION);
        rotated = CustomersExample.copyOfPolicyDirectory(oneKey);
        MasterKey master = MasterKey.resolve("file:" + rotated.resolve("demo-master-key.txt"));
        Path keysetFile = rotated.resolve("demo-keyset.json");
        WardenKeyset.read(keysetFile, master).rotate().write(keysetFile, master);
        insert(rotated, AFTER_ROTATION);
    }

    private void insert(Path policy, String[][] rows) throws SQLException {
        String sql = "INSERT INTO customers (name, email, country) VALUES (?, ?, ?)";
        try (Connection warden = db.as(policy, "support", "customer-service");
             Connection oracle = EmbeddedPostgres.rawConnection(oracleUrl)) {
            for (Connection c : List.of(warden, oracle)) {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    for (String[] row : rows) {
                        for (int i = 0; i < 3; i++) ps.setString(i + 1, row[i]);
                        ps.executeUpdate();
                    }
                }
            }
        }
    }

    @Test
    void theTwoGenerationsReallyAreUnderDifferentKeys() throws Exception {
        List<String> prefixes = new ArrayList<>();
        try (Connection raw = db.raw(); Statement s = raw.createStatement();
             ResultSet rs = s.executeQuery("SELECT name, email FROM customers WHERE email IS NOT NULL ORDER BY id")) {
            while (rs.next()) prefixes.add(rs.getString(1) + ":" + Arrays.toString(Arrays.copyOf(rs.getBytes(2), 5)));
        }
        String oldKey = prefixes.get(0).substring(4);
        String newKey = prefixes.get(3).substring(4);
        assertNotEquals(oldKey, newKey, "Tink key-id prefixes of the two generations");
        assertEquals(List.of("Ann:" + oldKey, "Bob:" + oldKey, "Cid:" + oldKey, "Eve:" + newKey, "Fay:" + newKey),
                prefixes);
        // what a primary-only lookup would send does not find Ann: the gap this rewriting closes
        MasterKey master = MasterKey.resolve("file:" + rotated.resolve("demo-master-key.txt"));
        byte[] primaryOnly = WardenKeyset.read(rotated.resolve("demo-keyset.json"), master)
                .deterministic("customers.email").encrypt(ValueCodec.encode(LogicalType.TEXT, ANN));
        try (Connection raw = db.raw();
             PreparedStatement ps = raw.prepareStatement("SELECT count(*) FROM customers WHERE email = ?")) {
            ps.setBytes(1, primaryOnly);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                assertEquals(0, rs.getInt(1));
            }
        }
    }

    /** A query with its parameters; null parameters are SQL NULL. */
    private record Query(String sql, String... params) {}

    private static List<Query> lookups() {
        String select = "SELECT name FROM customers WHERE ";
        return List.of(
                new Query(select + "email = ? ORDER BY name", ANN),
                new Query(select + "email = ? ORDER BY name", EVE),
                new Query(select + "email = ? ORDER BY name", NOBODY),
                new Query(select + "email = ? ORDER BY name", (String) null),
                new Query(select + "email=? ORDER BY name", ANN),
                new Query(select + "email <> ? ORDER BY name", ANN),
                new Query(select + "email != ? ORDER BY name", EVE),
                new Query(select + "email <> ? ORDER BY name", (String) null),
                new Query(select + "email IN (?, ?) ORDER BY name", ANN, EVE),
                new Query(select + "email IN (?,?) ORDER BY name", NOBODY, FAY),
                new Query(select + "email IN (?, ?) ORDER BY name", ANN, null),
                new Query(select + "email IN (?) ORDER BY name", ANN),
                new Query(select + "email NOT IN (?, ?) ORDER BY name", ANN, EVE),
                new Query(select + "email NOT IN (?, ?) ORDER BY name", ANN, null),
                new Query(select + "country = ? AND email = ? ORDER BY name", "HK", ANN),
                new Query(select + "country = ? AND email = ? ORDER BY name", "FR", ANN),
                new Query(select + "email <> ? AND country = ? ORDER BY name", "bob@example.com", "HK"),
                new Query(select + "NOT (email = ?) OR email IS NULL ORDER BY name", ANN),
                new Query(select + "(email IN (?) OR customers.email = ?) AND country <> ? ORDER BY name", ANN, FAY, "XX"),
                new Query("SELECT c.name FROM customers c WHERE c.email = ? OR c.name = ? ORDER BY 1", EVE, "Bob"));
    }

    @Test
    void preparedLookupsReturnWhatPlaintextWouldAcrossTheRotation() throws Exception {
        int nonEmpty = 0;
        try (Connection warden = db.as(rotated, "support", "customer-service");
             Connection oracle = EmbeddedPostgres.rawConnection(oracleUrl)) {
            for (Query q : lookups()) {
                List<String> expected = prepared(oracle, q);
                assertEquals(expected, prepared(warden, q), q.sql() + " " + Arrays.toString(q.params()));
                if (!expected.isEmpty()) nonEmpty++;
            }
        }
        assertTrue(nonEmpty >= 12, "the lookups find rows of both generations, not only nothing");
    }

    @Test
    void plainStatementsWithInlineLiteralsReturnWhatPlaintextWould() throws Exception {
        try (Connection warden = db.as(rotated, "support", "customer-service");
             Connection oracle = EmbeddedPostgres.rawConnection(oracleUrl)) {
            for (Query q : lookups()) {
                if (Arrays.asList(q.params()).contains(null)) continue;  // "email = NULL" is refused on its own
                String sql = inline(q);
                assertEquals(plain(oracle, sql), plain(warden, sql), sql);
            }
        }
    }

    @Test
    void theSameLookupsGiveTheSameAnswerWithTheKeysetBeforeRotationOnItsOwnRows() throws Exception {
        // the single-key path is untouched: rows of the first generation through the unrotated keyset
        try (Connection warden = db.as(oneKey, "support", "customer-service");
             PreparedStatement ps = warden.prepareStatement("SELECT name FROM customers WHERE email IN (?, ?) ORDER BY name")) {
            ps.setString(1, ANN);
            ps.setString(2, EVE);
            assertEquals(List.of("Ann"), names(ps));
        }
    }

    @Test
    void readsDecryptBothGenerations() throws Exception {
        String sql = "SELECT name, email FROM customers ORDER BY name";
        try (Connection warden = db.as(rotated, "support", "customer-service");
             Connection oracle = EmbeddedPostgres.rawConnection(oracleUrl)) {
            List<String> expected = rows(oracle, sql);
            assertEquals(7, expected.size());
            assertEquals(expected, rows(warden, sql));
        }
    }

    @Test
    void updatesAndDeletesFindRowsOfBothGenerations() throws Exception {
        List<Query> writes = List.of(
                new Query("UPDATE customers SET country = ? WHERE email = ?", "NZ", ANN),
                new Query("UPDATE customers SET country = ? WHERE email IN (?, ?)", "JP", "bob@example.com", FAY),
                new Query("UPDATE customers SET email = ? WHERE email = ?", "cid.new@example.com", "cid@example.com"),
                new Query("DELETE FROM customers WHERE email <> ? AND country = ?", ANN, "NZ"),
                new Query("DELETE FROM customers WHERE email NOT IN (?, ?) AND country = ?", ANN, EVE, "HK"));
        try (Connection warden = db.as(rotated, "support", "customer-service");
             Connection oracle = EmbeddedPostgres.rawConnection(oracleUrl)) {
            for (Query q : writes) {
                assertEquals(update(oracle, q), update(warden, q), q.sql());
            }
            String sql = "SELECT name, email, country FROM customers ORDER BY name";
            assertEquals(rows(oracle, sql), rows(warden, sql));
            // the rewritten email is under the new primary and is found by an equality lookup
            Query moved = new Query("SELECT name FROM customers WHERE email = ?", "cid.new@example.com");
            assertEquals(List.of("Cid"), prepared(warden, moved));
        }
    }

    @Test
    void parameterMetadataIsReportedInTheApplicationsIndexes() throws Exception {
        try (Connection warden = db.as(rotated, "support", "customer-service");
             PreparedStatement ps = warden.prepareStatement(
                     "SELECT name FROM customers WHERE email = ? AND country = ?")) {
            ParameterMetaData meta = ps.getParameterMetaData();
            assertEquals(2, meta.getParameterCount());
            assertEquals("bytea", meta.getParameterTypeName(1));
            assertEquals("text", meta.getParameterTypeName(2));
            // an index the application's text does not have stays out of range
            ps.setString(1, ANN);
            assertThrows(SQLException.class, () -> ps.setString(3, "HK"));
        }
    }

    @Test
    void theTextSentIsUnchangedWithOneKeyAndExpandedAfterRotation() throws Exception {
        String sql = "SELECT name FROM customers WHERE email = ? AND country = ?";
        assertEquals(sql, sent(oneKey, sql));
        assertEquals("SELECT name FROM customers WHERE email IN (?, ?) AND country = ?", sent(rotated, sql));
        assertEquals("SELECT name FROM customers WHERE email NOT IN (?, ?, ?, ?)",
                sent(rotated, "SELECT name FROM customers WHERE email NOT IN (?, ?)"));
        String literal = sent(rotated, "SELECT name FROM customers WHERE email <> 'ann@example.com'");
        assertTrue(literal.matches("SELECT name FROM customers WHERE email NOT IN \\('\\\\x[0-9a-f]+'::bytea,"
                + " '\\\\x[0-9a-f]+'::bytea\\)"), literal);
        assertFalse(literal.contains("ann"));
    }

    private String sent(Path policy, String sql) throws SQLException {
        EngineConfig config = new EngineConfig(policy.resolve("policy.yaml").toString(),
                "file:" + policy.resolve("demo-master-key.txt"));
        try (WardenEngine engine = WardenEngine.open(config, new InMemoryAuditSink()); Connection raw = db.raw()) {
            Session session = engine.openSession("test", "postgres", "support", "customer-service", "test", null);
            return engine.guard(session, raw, sql).sql();
        }
    }

    @Test
    void comparisonsOfTheColumnWithItselfAreRefusedUntilTheRotationIsFinished() throws Exception {
        List<String> refused = List.of(
                "INSERT INTO customers (name, email) VALUES ('Hal', 'ann@example.com')"
                        + " ON CONFLICT (email) DO UPDATE SET name = EXCLUDED.name",
                "SELECT a.name FROM customers a JOIN customers b ON a.email = b.email",
                "SELECT email FROM customers UNION SELECT email FROM customers",
                "SELECT count(DISTINCT email) FROM customers",
                "SELECT name FROM customers WHERE 'ann@example.com' = email",
                "SELECT name FROM customers WHERE email = ('ann@example.com')",
                "SELECT name FROM customers WHERE email IN (('ann@example.com'))");
        for (String sql : refused) {
            try (Connection warden = db.as(rotated, "support", "customer-service"); Statement s = warden.createStatement()) {
                SQLException e = assertThrows(SQLException.class, () -> s.execute(sql), sql);
                assertEquals("0A000", e.getSQLState(), sql + ": " + e.getMessage());
                assertTrue(e.getMessage().contains("customers.email"), e.getMessage());
                assertFalse(e.getMessage().contains("ann@"), e.getMessage());
            }
            // with one key the same statements run (the refusal is the rotation's, not the shape's)
            try (Connection warden = db.as(oneKey, "support", "customer-service"); Statement s = warden.createStatement()) {
                warden.setAutoCommit(false);
                s.execute(sql);
                warden.rollback();
            }
        }
    }

    @Test
    void countDistinctOfARandomizedColumnIsRefused() throws Exception {
        // every ciphertext of a randomized column differs, so the database would count every row
        try (Connection warden = db.as(oneKey, "billing", "order-processing"); Statement s = warden.createStatement()) {
            SQLException e = assertThrows(SQLException.class,
                    () -> s.executeQuery("SELECT count(DISTINCT card_number) FROM customers"));
            assertEquals("0A000", e.getSQLState());
            SQLException union = assertThrows(SQLException.class,
                    () -> s.executeQuery("SELECT card_number FROM customers UNION SELECT card_number FROM customers"));
            assertEquals("0A000", union.getSQLState());
        }
    }

    // ---------------------------------------------------------------- helpers

    private static List<String> prepared(Connection c, Query q) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(q.sql())) {
            for (int i = 0; i < q.params().length; i++) ps.setString(i + 1, q.params()[i]);
            return names(ps);
        }
    }

    private static long update(Connection c, Query q) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(q.sql())) {
            for (int i = 0; i < q.params().length; i++) ps.setString(i + 1, q.params()[i]);
            return ps.executeLargeUpdate();
        }
    }

    private static List<String> names(PreparedStatement ps) throws SQLException {
        List<String> names = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) names.add(rs.getString(1));
        }
        return names;
    }

    private static List<String> plain(Connection c, String sql) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) names.add(rs.getString(1));
        }
        return names;
    }

    private static List<String> rows(Connection c, String sql) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= n; i++) row.append(rs.getString(i)).append('|');
                rows.add(row.toString());
            }
        }
        return rows;
    }

    /** The query with each ? replaced by its parameter as a quoted literal. */
    private static String inline(Query q) {
        StringBuilder b = new StringBuilder();
        int p = 0;
        for (char ch : q.sql().toCharArray()) {
            if (ch == '?') b.append('\'').append(q.params()[p++].replace("'", "''")).append('\'');
            else b.append(ch);
        }
        return b.toString();
    }
}
