package dev.warden.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.audit.AuditEvent;
import dev.warden.audit.AuditTrailFiles;
import dev.warden.audit.AuditTrailReader;
import dev.warden.audit.ChainedEvent;
import dev.warden.crypto.MasterKey;
import dev.warden.crypto.WardenKeyset;
import dev.warden.policy.MaskKind;
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
import java.util.Random;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What equality on a deterministic column already allows (issue 12, part 1): under one deterministic key equal
 * values have equal ciphertexts, so GROUP BY and DISTINCT of the bare column, COUNT(DISTINCT), IN and = ANY /
 * &lt;&gt; ALL of a subquery of the same column, and = ANY (ARRAY[...]) / &lt;&gt; ALL (ARRAY[...]) of values give the
 * plaintext's answer. The oracle is the same query on a plaintext twin table holding the same rows, read with
 * plain pgjdbc; each role's view is the oracle's, decrypted or masked per the policy. Refusals (randomized
 * columns, expressions of the column, ORDER BY, a role without the filter right, a rotation with two live keys)
 * carry their SQLState and say what would allow them.
 */
class DeterministicEqualityIT {

    private static final String[] EMAILS = {"ann@example.com", "bob@example.com", "cid@example.com",
            "dee@example.com", "eve@example.com", null};
    private static final String[] PHONES = {"+85291234567", "+85298765432", "+33612345678", null};
    private static final String[] COUNTRIES = {"HK", "FR", "DE"};

    private CustomersExample db;
    private Path policy;

    @BeforeEach
    void seedTwins() throws Exception {
        db = CustomersExample.create();
        policy = CustomersExample.newPolicyDirectory();
        try (Connection raw = db.raw(); Statement s = raw.createStatement()) {
            s.execute("CREATE TABLE customers_plain (id serial PRIMARY KEY, name text NOT NULL, email text UNIQUE,"
                    + " phone text, card_number text, country text)");
            s.execute("ALTER TABLE customers DROP CONSTRAINT customers_email_key");
            s.execute("ALTER TABLE customers_plain DROP CONSTRAINT customers_plain_email_key");
        }
        Random random = new Random(12);
        String insert = "INSERT INTO %s (name, email, phone, card_number, country) VALUES (?, ?, ?, ?, ?)";
        try (Connection support = db.as(policy, "support", "customer-service");
             Connection billing = db.as(policy, "billing", "customer-service");
             Connection raw = db.raw();
             PreparedStatement protectedRow = support.prepareStatement(
                     "INSERT INTO customers (name, email, phone, country) VALUES (?, ?, ?, ?) RETURNING id");
             PreparedStatement card = billing.prepareStatement("UPDATE customers SET card_number = ? WHERE id = ?");
             PreparedStatement plainRow = raw.prepareStatement(insert.formatted("customers_plain"))) {
            for (int i = 0; i < 40; i++) {
                String email = EMAILS[random.nextInt(EMAILS.length)];
                String phone = PHONES[random.nextInt(PHONES.length)];
                String country = COUNTRIES[random.nextInt(COUNTRIES.length)];
                String cardNumber = random.nextBoolean() ? "4111111111111111" : "5500005555555559";
                protectedRow.setString(1, "n" + i);
                protectedRow.setString(2, email);
                protectedRow.setString(3, phone);
                protectedRow.setString(4, country);
                int id;
                try (ResultSet rs = protectedRow.executeQuery()) {
                    assertTrue(rs.next());
                    id = rs.getInt(1);
                }
                card.setString(1, cardNumber);
                card.setInt(2, id);
                card.executeUpdate();
                plainRow.setString(1, "n" + i);
                plainRow.setString(2, email);
                plainRow.setString(3, phone);
                plainRow.setString(4, cardNumber);
                plainRow.setString(5, country);
                plainRow.executeUpdate();
            }
        }
    }

    /** Statements on {@code customers} whose answer must be the plaintext twin's. */
    private static final List<String> SHAPES = List.of(
            "SELECT email, count(*) FROM customers GROUP BY email",
            "SELECT email, count(*) FROM customers GROUP BY 1",
            "SELECT c.country, c.email, count(*) FROM customers c GROUP BY c.country, c.email",
            "SELECT count(*) FROM customers GROUP BY phone",
            "SELECT email, count(*) FROM customers GROUP BY email HAVING count(*) > 2",
            "SELECT email FROM customers GROUP BY email HAVING email = 'ann@example.com'",
            "SELECT e, n FROM (SELECT email AS e, count(*) AS n FROM customers GROUP BY email) s WHERE n > 1",
            "SELECT DISTINCT email FROM customers",
            "SELECT DISTINCT email, country FROM customers",
            "SELECT DISTINCT phone FROM customers WHERE country = 'HK'",
            "SELECT count(DISTINCT email) FROM customers",
            "SELECT count(DISTINCT phone), count(email), count(*) FROM customers",
            "SELECT name FROM customers WHERE email IN (SELECT email FROM customers WHERE country = 'HK')",
            "SELECT name FROM customers WHERE email NOT IN (SELECT email FROM customers WHERE name IN ('n1', 'n2')"
                    + " AND email IS NOT NULL)",
            "SELECT name FROM customers WHERE email = ANY (SELECT email FROM customers WHERE country = 'FR')",
            "SELECT name, email FROM customers WHERE email = ANY (ARRAY['ann@example.com', 'eve@example.com'])",
            "SELECT name FROM customers WHERE email <> ALL (ARRAY['ann@example.com', 'bob@example.com'])",
            "SELECT name FROM customers WHERE phone = SOME (ARRAY['+85291234567'])");

    @Test
    void eachShapeAnswersWhatThePlaintextTwinAnswers() throws Exception {
        try (Connection support = db.as(policy, "support", "customer-service"); Connection raw = db.raw()) {
            for (String sql : SHAPES) {
                List<String> expected = rows(raw, twin(sql), UnaryOperator.identity());
                assertFalse(expected.isEmpty(), sql);
                assertEquals(expected, rows(support, sql, UnaryOperator.identity()), sql);
            }
        }
    }

    @Test
    void aPreparedAnyOfAnArrayEncryptsEachElement() throws Exception {
        String sql = "SELECT name FROM customers WHERE email = ANY (ARRAY[?, ?, 'cid@example.com']) AND country <> ?";
        try (Connection support = db.as(policy, "support", "customer-service"); Connection raw = db.raw()) {
            assertEquals(prepared(raw, twin(sql)), prepared(support, sql), sql);
        }
    }

    /**
     * {@code col = ANY (?)} and {@code col <> ALL (?)} with one array parameter, bound with setArray
     * (createArrayOf) or setObject of a Java array: each element is encrypted; NULL elements, a NULL array and an
     * empty array answer as PostgreSQL does on the plaintext.
     */
    @Test
    void anArrayParameterOfAnyOrAllEncryptsEachElement() throws Exception {
        try (Connection support = db.as(policy, "support", "customer-service"); Connection raw = db.raw()) {
            assertArrayParametersAnswerAsTheTwin(support, raw);
        }
    }

    static final String[][] ARRAYS = {{"ann@example.com", "dee@example.com"}, {"bob@example.com", null},
            {null}, {}, {"nobody@example.com"}, null};

    private static void assertArrayParametersAnswerAsTheTwin(Connection warden, Connection raw) throws SQLException {
        for (String sql : List.of("SELECT name FROM customers WHERE email = ANY (?)",
                "SELECT name FROM customers WHERE email = ANY(?) AND country <> 'DE'",
                "SELECT name FROM customers WHERE email <> ALL (?)",
                "SELECT count(*) FROM customers WHERE phone = SOME (?)",
                "SELECT count(*) FROM customers WHERE NOT (email <> ALL (?))")) {
            for (String[] array : ARRAYS) {
                for (int binding = 0; binding < 3; binding++) {
                    List<List<String>> answers = new ArrayList<>();
                    for (Connection c : List.of(raw, warden)) {
                        try (PreparedStatement ps = c.prepareStatement(c == raw ? twin(sql) : sql)) {
                            if (array == null) ps.setNull(1, java.sql.Types.ARRAY);
                            else if (binding == 0) ps.setArray(1, c.createArrayOf("text", array));
                            else if (binding == 1) ps.setObject(1, array);
                            else ps.setArray(1, c.createArrayOf("varchar", array));
                            try (ResultSet rs = ps.executeQuery()) {
                                answers.add(collect(rs, UnaryOperator.identity()));
                            }
                        }
                    }
                    assertEquals(answers.get(0), answers.get(1), sql + " " + java.util.Arrays.toString(array)
                            + " binding " + binding);
                }
            }
        }
        // an array compared with something else, a value that is not an array, an array of arrays: refused
        try (PreparedStatement ps = warden.prepareStatement("SELECT name FROM customers WHERE email = ANY (?)")) {
            SQLException e = assertThrows(SQLException.class, () -> {
                ps.setString(1, "ann@example.com");
                ps.executeQuery().close();
            });
            assertEquals("22023", e.getSQLState(), e.getMessage());
            assertFalse(e.getMessage().contains("ann@"), e.getMessage());
            e = assertThrows(SQLException.class, () -> {
                ps.setObject(1, new String[][] {{"ann@example.com"}});
                ps.executeQuery().close();
            });
            assertEquals("0A000", e.getSQLState(), e.getMessage());
        }
        try (PreparedStatement ps = warden.prepareStatement("SELECT name FROM customers WHERE email = ?")) {
            SQLException e = assertThrows(SQLException.class, () -> {
                ps.setArray(1, warden.createArrayOf("text", new String[] {"ann@example.com"}));
                ps.executeQuery().close();
            });
            assertFalse(e.getMessage().contains("ann@"), e.getMessage());
        }
    }

    @Test
    void aMaskedReaderThePolicyLetsFilterSeesTheGroupsMasked() throws Exception {
        Path filtering = policyWith("      purposes: [customer-service, order-processing]\n",
                "      purposes: [customer-service, order-processing]\n      filter: [analyst, support]\n");
        try (Connection analyst = db.as(filtering, "analyst", null); Connection raw = db.raw()) {
            for (String sql : List.of("SELECT email, count(*) FROM customers GROUP BY email",
                    "SELECT DISTINCT email FROM customers", "SELECT count(DISTINCT email) FROM customers")) {
                UnaryOperator<String> mask = v -> v == null || !v.contains("@") ? v : MaskKind.EMAIL.apply(v);
                assertEquals(rows(raw, twin(sql), mask), rows(analyst, sql, UnaryOperator.identity()), sql);
            }
        }
    }

    @Test
    void groupingIsAuditedAsAComparisonOfTheColumn() throws Exception {
        try (Connection support = db.as(policy, "support", "customer-service"); Statement s = support.createStatement()) {
            s.executeQuery("SELECT email, count(*) FROM customers GROUP BY email").close();
        }
        AuditEvent event = null;
        for (int attempt = 0; attempt < 100 && event == null; attempt++) {
            for (ChainedEvent e : AuditTrailReader.readFiles(AuditTrailFiles.expand(List.of(policy)))) {
                if (e.event().fingerprint() != null && e.event().fingerprint().contains("GROUP BY email")) event = e.event();
            }
            if (event == null) Thread.sleep(20);
        }
        assertTrue(event != null, "no audit event for the GROUP BY");
        assertEquals("allowed", event.decision());
        assertEquals(List.of("customers.email"), event.columnsFiltered());
        assertEquals("plaintext", event.columnsRead().get("customers.email"));
    }

    @Test
    void nothingIsStoredInPlaintext() throws Exception {
        try (Connection raw = db.raw(); Statement s = raw.createStatement();
             ResultSet rs = s.executeQuery("SELECT email, phone, card_number FROM customers")) {
            while (rs.next()) {
                for (int i = 1; i <= 3; i++) {
                    byte[] stored = rs.getBytes(i);
                    if (stored == null) continue;
                    String text = new String(stored, StandardCharsets.ISO_8859_1);
                    assertFalse(text.contains("@example.com") || text.contains("+852") || text.contains("4111"), text);
                }
            }
        }
    }

    @Test
    void aRoleWithoutTheFilterRightIsRefusedAndToldWhichRuleWouldAllowIt() throws Exception {
        try (Connection analyst = db.as(policy, "analyst", null); Statement s = analyst.createStatement()) {
            for (String sql : List.of("SELECT email, count(*) FROM customers GROUP BY email",
                    "SELECT DISTINCT email FROM customers",
                    "SELECT count(*) FROM customers WHERE email IN (SELECT email FROM customers WHERE id = 1)",
                    "SELECT count(*) FROM customers WHERE email = ANY (ARRAY['ann@example.com'])")) {
                SQLException e = assertThrows(SQLException.class, () -> s.executeQuery(sql), sql);
                assertEquals("42501", e.getSQLState(), sql + ": " + e.getMessage());
                assertTrue(e.getMessage().contains("may not filter on customers.email")
                        && e.getMessage().contains("add 'analyst' to filter: of customers.email"), e.getMessage());
                assertFalse(e.getMessage().contains("ann@"), e.getMessage());
            }
        }
    }

    @Test
    void shapesEqualityCannotAnswerAreRefusedSayingWhatWorks() throws Exception {
        try (Connection billing = db.as(policy, "billing", "customer-service"); Statement s = billing.createStatement()) {
            for (String sql : List.of("SELECT card_number, count(*) FROM customers GROUP BY card_number",
                    "SELECT count(*) FROM customers GROUP BY 1, card_number",
                    "SELECT DISTINCT card_number FROM customers")) {
                SQLException e = assertThrows(SQLException.class, () -> s.executeQuery(sql), sql);
                assertEquals("0A000", e.getSQLState(), sql + ": " + e.getMessage());
                assertTrue(e.getMessage().contains("customers.card_number") && e.getMessage().contains("randomized")
                        && e.getMessage().contains("works on encrypt: deterministic columns"), e.getMessage());
            }
            SQLException count = assertThrows(SQLException.class,
                    () -> s.executeQuery("SELECT count(DISTINCT card_number) FROM customers"));
            assertEquals("0A000", count.getSQLState());
            assertTrue(count.getMessage().contains("COUNT(DISTINCT) works on encrypt: deterministic columns"),
                    count.getMessage());
            for (String sql : List.of("SELECT count(*) FROM customers GROUP BY lower(email)",
                    "SELECT count(*) FROM customers GROUP BY email || ''",
                    "SELECT DISTINCT upper(email) FROM customers",
                    "SELECT name FROM customers WHERE email IN (SELECT lower(email) FROM customers)",
                    "SELECT name FROM customers WHERE email IN (SELECT phone FROM customers)")) {
                SQLException e = assertThrows(SQLException.class, () -> s.executeQuery(sql), sql);
                assertEquals("0A000", e.getSQLState(), sql + ": " + e.getMessage());
                assertTrue(e.getMessage().contains("unsupported use of protected column customers."), e.getMessage());
                assertTrue(e.getMessage().contains("GROUP BY and DISTINCT of the bare column")
                        || e.getMessage().contains("join-group"), e.getMessage());
            }
            SQLException ordered = assertThrows(SQLException.class,
                    () -> s.executeQuery("SELECT email FROM customers GROUP BY email ORDER BY email"));
            assertEquals("0A000", ordered.getSQLState());
            assertTrue(ordered.getMessage().contains("ORDER BY") && ordered.getMessage().contains("no policy setting"),
                    ordered.getMessage());
        }
    }

    @Test
    void whileTwoDeterministicKeysAreLiveGroupingIsRefusedAndAnyOfValuesStillMatchesEveryRow() throws Exception {
        Path rotated = CustomersExample.copyOfPolicyDirectory(policy);
        MasterKey master = MasterKey.resolve("file:" + rotated.resolve("demo-master-key.txt"));
        Path keysetFile = rotated.resolve("demo-keyset.json");
        WardenKeyset.read(keysetFile, master).rotate().write(keysetFile, master);
        try (Connection support = db.as(rotated, "support", "customer-service"); Connection raw = db.raw();
             PreparedStatement ps = support.prepareStatement(
                     "INSERT INTO customers (name, email, country) VALUES ('late', 'ann@example.com', 'HK')");
             PreparedStatement twin = raw.prepareStatement(
                     "INSERT INTO customers_plain (name, email, country) VALUES ('late', 'ann@example.com', 'HK')")) {
            ps.executeUpdate();
            twin.executeUpdate();
            for (String sql : List.of("SELECT email, count(*) FROM customers GROUP BY email",
                    "SELECT DISTINCT email FROM customers", "SELECT count(DISTINCT email) FROM customers",
                    "SELECT name FROM customers WHERE email IN (SELECT email FROM customers WHERE country = 'HK')")) {
                try (Statement s = support.createStatement()) {
                    SQLException e = assertThrows(SQLException.class, () -> s.executeQuery(sql), sql);
                    assertEquals("0A000", e.getSQLState(), sql + ": " + e.getMessage());
                    assertTrue(e.getMessage().contains("customers.email") && e.getMessage().contains("Finish the"
                            + " rotation"), e.getMessage());
                }
            }
            for (String sql : List.of(
                    "SELECT name FROM customers WHERE email = ANY (ARRAY['ann@example.com', 'bob@example.com'])",
                    "SELECT name FROM customers WHERE email <> ALL (ARRAY['ann@example.com'])")) {
                assertEquals(rows(raw, twin(sql), UnaryOperator.identity()),
                        rows(support, sql, UnaryOperator.identity()), sql);
            }
            String sql = "SELECT name FROM customers WHERE email = ANY (ARRAY[?, ?])";
            assertEquals(prepared(raw, twin(sql)), prepared(support, sql), sql);
            // an array parameter's elements are sent once per key
            assertArrayParametersAnswerAsTheTwin(support, raw);
        }
    }

    // ---------------------------------------------------------------- helpers

    private Path policyWith(String text, String replacement) throws Exception {
        Path dir = CustomersExample.copyOfPolicyDirectory(policy);
        Path file = dir.resolve("policy.yaml");
        String yaml = Files.readString(file);
        assertTrue(yaml.contains(text));
        Files.writeString(file, yaml.replaceFirst(java.util.regex.Pattern.quote(text),
                java.util.regex.Matcher.quoteReplacement(replacement)));
        return dir;
    }

    private static String twin(String sql) {
        return sql.replace(" customers", " customers_plain");
    }

    /** Every row as text, columns joined by |, sorted: the answer as a multiset. */
    private static List<String> rows(Connection c, String sql, UnaryOperator<String> shown) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return collect(rs, shown);
        }
    }

    private static List<String> prepared(Connection c, String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, "ann@example.com");
            ps.setString(2, "dee@example.com");
            if (ps.getParameterMetaData().getParameterCount() > 2) ps.setString(3, "DE");
            try (ResultSet rs = ps.executeQuery()) {
                return collect(rs, UnaryOperator.identity());
            }
        }
    }

    private static List<String> collect(ResultSet rs, UnaryOperator<String> shown) throws SQLException {
        List<String> out = new ArrayList<>();
        int width = rs.getMetaData().getColumnCount();
        while (rs.next()) {
            StringBuilder row = new StringBuilder();
            for (int i = 1; i <= width; i++) row.append(shown.apply(rs.getString(i))).append('|');
            out.add(row.toString());
        }
        out.sort(null);
        return out;
    }
}
