package dev.warden.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.testkit.CustomersExample;
import dev.warden.testkit.SortedRows;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Red team, session 8: the SQL surface merged for issue 12 — {@code col = ANY (?)} with one array parameter, the
 * scale of protected numerics, and literal casts on written values — attacked through the driver. The oracle is a
 * plaintext twin table read with plain pgjdbc; a shape is either answered exactly as the twin or refused
 * (0A000/42501/22023) with no plaintext sent.
 */
class RedTeamSession8SqlIT {

    private static final String COLUMNS = """
                hkid:
                  encrypt: none
                  read: { support: plaintext, billing: masked }
                  mask: last4
                  write: [support]
                bal:
                  encrypt: deterministic
                  type: numeric
                  read: { support: plaintext }
                  write: [support]
                amount:
                  encrypt: randomized
                  type: numeric
                  read: { support: plaintext }
                  write: [support]
                credit_limit:
            """;

    private static final String[] EMAILS = {"ann@example.com", "bob@example.com", "cid@example.com", null};
    private static final String[] BALANCES = {"1.5", "1.50", "2", "2.000", "-0.00", "1e3", "0.1"};

    private CustomersExample db;
    private Path policy;

    @BeforeEach
    void twins() throws Exception {
        db = CustomersExample.create();
        policy = CustomersExample.newPolicyDirectoryWith("    credit_limit:\n", COLUMNS);
        try (Connection raw = db.raw(); Statement s = raw.createStatement()) {
            s.execute("ALTER TABLE customers ADD COLUMN hkid text, ADD COLUMN bal bytea, ADD COLUMN amount bytea");
            s.execute("ALTER TABLE customers DROP CONSTRAINT customers_email_key");
            s.execute("CREATE TABLE customers_plain (id serial, name text, email text, phone text, hkid text,"
                    + " bal numeric, amount numeric, country text)");
        }
        try (Connection support = db.as(policy, "support", "customer-service"); Connection raw = db.raw()) {
            for (int i = 0; i < 14; i++) {
                for (Connection c : List.of(support, raw)) {
                    String table = c == raw ? "customers_plain" : "customers";
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table
                            + " (name, email, phone, hkid, bal, amount, country) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                        ps.setString(1, "n" + i);
                        ps.setString(2, EMAILS[i % EMAILS.length]);
                        ps.setString(3, i % 3 == 0 ? null : "+8529" + i);
                        ps.setString(4, "H" + i);
                        ps.setBigDecimal(5, new BigDecimal(BALANCES[i % BALANCES.length]));
                        ps.setBigDecimal(6, new BigDecimal(BALANCES[i % BALANCES.length]));
                        ps.setString(7, i % 2 == 0 ? "HK" : "FR");
                        ps.executeUpdate();
                    }
                }
            }
        }
    }

    // ---- 1. col = ANY (?)

    /** One array parameter's shapes that Warden answers: each must be exactly the twin's answer. */
    @Test
    void arrayParameterShapesAnswerAsTheTwin() throws Exception {
        Object[][] bindings = {
                {"SELECT name FROM customers WHERE email = any (?)", new String[] {"ann@example.com", "cid@example.com"}},
                {"SELECT name FROM customers WHERE email=SOME(?)", new String[] {"bob@example.com"}},
                {"SELECT name FROM customers WHERE email <> ALL (?)", new String[] {"bob@example.com", null}},
                {"SELECT name FROM customers WHERE email <> ALL (?)", new String[] {"bob@example.com"}},
                {"SELECT name FROM customers WHERE email != ALL (?)", new String[] {"bob@example.com"}},
                {"SELECT name FROM customers WHERE email = ANY (?) OR name = 'n1'", new String[] {"ann@example.com"}},
                {"SELECT name FROM (SELECT name, email FROM customers WHERE email = ANY (?)) s",
                        new String[] {"ann@example.com"}},
                {"WITH c AS (SELECT name FROM customers WHERE email = ANY (?)) SELECT name FROM c",
                        new String[] {"ann@example.com"}},
                {"SELECT name FROM customers WHERE name IN (SELECT name FROM customers WHERE email = ANY (?))",
                        new String[] {"cid@example.com"}},
                {"SELECT name FROM customers WHERE email = ANY (?) AND phone IS NOT NULL",
                        new String[] {"ann@example.com", "bob@example.com"}},
                {"SELECT name FROM customers WHERE email = ANY (?)", new String[] {}},
                {"SELECT name FROM customers WHERE email = ANY (?)", new String[] {null}},
                {"SELECT name FROM customers WHERE hkid = ANY (?)", new String[] {"H1", "H5", null}},
                {"SELECT name FROM customers WHERE bal = ANY (?)",
                        new BigDecimal[] {new BigDecimal("1.500"), new BigDecimal("0E+3"), new BigDecimal("1000.0")}},
                {"SELECT name FROM customers WHERE bal <> ALL (?)", new BigDecimal[] {new BigDecimal("2.0")}},
                {"SELECT name FROM customers WHERE country = ANY (?) AND email = ANY (?)",
                        new String[] {"HK"}, new String[] {"ann@example.com", "bob@example.com"}},
                {"SELECT name FROM customers WHERE name = ? AND email = ANY (?) OR phone = ?",
                        "n0", new String[] {"ann@example.com"}, "+85295"},
                {"SELECT name FROM customers WHERE email = ANY (?) AND phone = ANY (?)",
                        new String[] {"ann@example.com", "bob@example.com"}, new String[] {"+85291", "+85295"}},
        };
        try (Connection support = db.as(policy, "support", "customer-service"); Connection raw = db.raw()) {
            for (Object[] b : bindings) {
                String sql = (String) b[0];
                for (int mode = 0; mode < 2; mode++) {
                    List<String> expected = prepared(raw, twin(sql), b, mode);
                    assertEquals(expected, prepared(support, sql, b, mode), sql + " mode " + mode);
                }
            }
        }
    }

    /** UPDATE and DELETE filtered by an array parameter change exactly the rows the twin's would. */
    @Test
    void arrayParameterInUpdateAndDeleteChangesTheTwinsRows() throws Exception {
        try (Connection support = db.as(policy, "support", "customer-service"); Connection raw = db.raw()) {
            Object[] b = {null, new String[] {"ann@example.com", "cid@example.com"}};
            for (String sql : List.of("UPDATE customers SET country = 'XX' WHERE email = ANY (?)",
                    "DELETE FROM customers WHERE email <> ALL (?)")) {
                for (Connection c : List.of(raw, support)) {
                    try (PreparedStatement ps = c.prepareStatement(c == raw ? twin(sql) : sql)) {
                        ps.setArray(1, c.createArrayOf("text", (Object[]) b[1]));
                        ps.executeUpdate();
                    }
                }
                assertEquals(prepared(raw, "SELECT name, country FROM customers_plain", new Object[1], 0),
                        prepared(support, "SELECT name, country FROM customers", new Object[1], 0), sql);
            }
        }
    }

    /** Batches of an array parameter: each element encrypted in each batch entry. */
    @Test
    void arrayParameterInABatch() throws Exception {
        try (Connection support = db.as(policy, "support", "customer-service"); Connection raw = db.raw()) {
            String sql = "UPDATE customers SET country = ? WHERE email = ANY (?)";
            for (Connection c : List.of(raw, support)) {
                try (PreparedStatement ps = c.prepareStatement(c == raw ? twin(sql) : sql)) {
                    ps.setString(1, "AA");
                    ps.setObject(2, new String[] {"ann@example.com"});
                    ps.addBatch();
                    ps.setString(1, "BB");
                    ps.setArray(2, c.createArrayOf("varchar", new String[] {"bob@example.com", "cid@example.com"}));
                    ps.addBatch();
                    int[] counts = ps.executeBatch();
                    assertEquals(2, counts.length);
                }
            }
            assertEquals(prepared(raw, "SELECT name, country FROM customers_plain", new Object[1], 0),
                    prepared(support, "SELECT name, country FROM customers", new Object[1], 0));
        }
    }

    /**
     * Neighbours of {@code col = ANY (?)} that Warden must refuse: the array built or cast by the server from a
     * parameter (its plaintext would be compared with ciphertext, or sent in clear), a quantifier that is not
     * equality's, an expression of the column, a randomized column, a role that may not filter.
     */
    @Test
    void arrayParameterNeighboursAreRefused() throws Exception {
        String[] ann = {"ann@example.com"};
        Object[][] shapes = {
                {"support", "SELECT name FROM customers WHERE email = ANY (?::text[])", ann},
                {"support", "SELECT name FROM customers WHERE email = ANY (CAST(? AS text[]))", ann},
                {"support", "SELECT name FROM customers WHERE email = ANY ((?))", ann},
                {"support", "SELECT name FROM customers WHERE email = ANY (string_to_array(?, ','))", "ann@example.com"},
                {"support", "SELECT name FROM customers WHERE email = ANY (ARRAY(SELECT unnest(?::text[])))", ann},
                {"support", "SELECT name FROM customers WHERE email = ANY (? || ARRAY['x'])", ann},
                {"support", "SELECT name FROM customers WHERE email = ANY (?[1:1])", ann},
                {"support", "SELECT name FROM customers WHERE email <> ANY (?)", ann},
                {"support", "SELECT name FROM customers WHERE email = ALL (?)", ann},
                {"support", "SELECT name FROM customers WHERE email > ANY (?)", ann},
                {"support", "SELECT name FROM customers WHERE lower(email) = ANY (?)", ann},
                {"support", "SELECT name FROM customers WHERE email::text = ANY (?)", ann},
                {"support", "SELECT name FROM customers WHERE ? = ANY (email)", "ann@example.com"},
                {"support", "SELECT name FROM customers WHERE email IS NOT DISTINCT FROM ANY (?)", ann},
                {"billing", "SELECT name FROM customers WHERE card_number = ANY (?)", new String[] {"4111"}},
                {"support", "SELECT name FROM customers WHERE amount = ANY (?)", new BigDecimal[] {BigDecimal.ONE}},
                {"analyst", "SELECT name FROM customers WHERE hkid = ANY (?)", new String[] {"H1"}},
                {"analyst", "SELECT name FROM customers WHERE bal = ANY (?)", new BigDecimal[] {BigDecimal.ONE}},
                {"support", "SELECT name FROM customers WHERE email = ANY (?)", new String[][] {{"ann@example.com"}}},
                {"support", "SELECT name FROM customers WHERE email = ANY (?)", "{ann@example.com}"},
                {"support", "SELECT name FROM customers WHERE email = ANY (?)", new Object[] {"ann@example.com", 5}},
                {"support", "SELECT name FROM customers WHERE bal = ANY (?)", new Object[] {"NaN"}},
                {"support", "SELECT name FROM customers WHERE bal = ANY (?)", new Object[] {Double.NaN}},
        };
        for (Object[] shape : shapes) {
            String role = (String) shape[0];
            String sql = (String) shape[1];
            try (Connection c = db.as(policy, role, role.equals("analyst") ? null : "customer-service")) {
                SQLException e = assertThrows(SQLException.class, () -> {
                    try (PreparedStatement ps = c.prepareStatement(sql)) {
                        ps.setObject(1, shape[2]);
                        ps.executeQuery().close();
                    }
                }, role + ": " + sql);
                assertTrue(Set.of("0A000", "42501", "22023").contains(e.getSQLState()),
                        role + ": " + sql + " -> " + e.getSQLState() + " " + e.getMessage());
                assertFalse(e.getMessage().contains("ann@example.com"), e.getMessage());
            }
        }
        // the refusals are audited (written asynchronously: wait for the last one), never with a bound value
        String trail = "";
        for (int attempt = 0; attempt < 100 && !trail.contains("refused"); attempt++) {
            Thread.sleep(50);
            trail = trailText();
        }
        assertTrue(trail.contains("refused"), "the refusals are audited");
        Thread.sleep(300);
        trail = trailText();
        for (String value : List.of("ann@example.com", "4111", "{ann")) assertFalse(trail.contains(value), value);
    }

    private String trailText() throws Exception {
        StringBuilder all = new StringBuilder();
        for (Path f : dev.warden.audit.AuditTrailFiles.expand(List.of(policy))) {
            all.append(java.nio.file.Files.readString(f, java.nio.charset.StandardCharsets.UTF_8));
        }
        return all.toString();
    }

    /** setObject(i, x, Types.ARRAY) and setNull(i, Types.ARRAY) on the array parameter. */
    @Test
    void arrayParameterTypedSetters() throws Exception {
        try (Connection support = db.as(policy, "support", "customer-service"); Connection raw = db.raw()) {
            String sql = "SELECT name FROM customers WHERE email = ANY (?)";
            for (Connection c : List.of(raw, support)) {
                try (PreparedStatement ps = c.prepareStatement(c == raw ? twin(sql) : sql)) {
                    ps.setObject(1, c.createArrayOf("text", new String[] {"ann@example.com"}), Types.ARRAY);
                    assertEquals(4, count(ps));
                    ps.setNull(1, Types.ARRAY);
                    assertEquals(0, count(ps));
                }
            }
        }
    }

    // ---- 2. ILIKE folding

    /**
     * ILIKE on a match column with a collation (PostgreSQL folds with the collation's ctype: under "C" only ASCII) or
     * a cast pattern: refused, or exactly the twin's answer (Warden's map is the database default's).
     */
    @Test
    void ilikeWithACollationOrACastIsRefusedOrAnsweredAsTheTwin() throws Exception {
        CustomersExample mdb = CustomersExample.create();
        Path dir = dev.warden.testkit.MatchColumnsExample.policyDirectory(dev.warden.testkit.MatchColumnsExample.POLICY);
        dev.warden.testkit.MatchColumnsExample.addNicknameAndCompanions(mdb);
        try (Connection raw = mdb.raw(); Statement s = raw.createStatement()) {
            s.execute("ALTER TABLE customers DROP CONSTRAINT customers_email_key");
            s.execute("CREATE TABLE customers_plain (id serial, name text, email text)");
        }
        String[] emails = {"\u00c9cole@x.hk", "\u00e9cole@x.hk", "ECOLE@x.hk", "\u0130stanbul@x.hk", "istanbul@x.hk",
                "\u1e9ee@x.hk", "sse@x.hk", "e\u0301cole@x.hk", "\ud801\udc00x@x.hk", "\ud801\udc28x@x.hk"};
        try (Connection support = mdb.as(dir, "support", "customer-service"); Connection raw = mdb.raw()) {
            int n = 0;
            for (String email : emails) {
                for (Connection c : List.of(support, raw)) {
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO "
                            + (c == raw ? "customers_plain" : "customers") + " (name, email) VALUES (?, ?)")) {
                        ps.setString(1, "m" + n);
                        ps.setString(2, email);
                        ps.executeUpdate();
                    }
                }
                n++;
            }
            for (String sql : List.of(
                    "SELECT name FROM customers WHERE email ILIKE '\u00e9col%' COLLATE \"C\"",
                    "SELECT name FROM customers WHERE email COLLATE \"C\" ILIKE '\u00e9col%'",
                    "SELECT name FROM customers WHERE email ILIKE ('\u00c9COL%' COLLATE \"C\")",
                    "SELECT name FROM customers WHERE email ILIKE '\u00c9COL%'",
                    "SELECT name FROM customers WHERE email ILIKE '\u00c9COL%'::text",
                    "SELECT name FROM customers WHERE email ILIKE CAST('%STANBUL@%' AS varchar(4))",
                    "SELECT name FROM customers WHERE email ILIKE '%STANBUL@%'",
                    "SELECT name FROM customers WHERE email ILIKE '%\u1e9eE@%'",
                    "SELECT name FROM customers WHERE email ILIKE '%COLE@x.hk'",
                    "SELECT name FROM customers WHERE email ILIKE '\ud801\udc00X@%'",
                    "SELECT name FROM customers WHERE email ILIKE '\ud801\udc28x@x%'")) {
                List<String> expected = rows(raw, twin(sql));
                try {
                    assertEquals(expected, rows(support, sql), sql);
                } catch (SQLException refused) {
                    assertTrue(Set.of("0A000", "42501").contains(refused.getSQLState()),
                            sql + " -> " + refused.getSQLState() + " " + refused.getMessage());
                }
            }
        }
    }

    /**
     * Two databases of one server with different ctypes (the cluster's, and "C", whose lower() folds ASCII only): each
     * ILIKE re-check folds with its own database's map, whatever the other cached first, so {@code 'É%'} finds
     * {@code école} in the first and not in the second, as PostgreSQL answers on each twin.
     */
    @Test
    void ilikeFoldsWithEachDatabasesOwnCtypeOnOneServer() throws Exception {
        Path dir = dev.warden.testkit.MatchColumnsExample.policyDirectory(dev.warden.testkit.MatchColumnsExample.POLICY);
        String cName = "rt8_ctype_c_" + ProcessHandle.current().pid() + "_" + System.nanoTime() % 100000;
        try (Connection admin = dev.warden.testkit.EmbeddedPostgres.rawConnection(
                dev.warden.testkit.EmbeddedPostgres.jdbcUrl("postgres")); Statement s = admin.createStatement()) {
            s.execute("CREATE DATABASE " + cName + " TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'");
        }
        String cRaw = dev.warden.testkit.EmbeddedPostgres.jdbcUrl(cName);
        try (Connection raw = dev.warden.testkit.EmbeddedPostgres.rawConnection(cRaw); Statement s = raw.createStatement()) {
            s.execute(java.nio.file.Files.readString(CustomersExample.DIRECTORY.resolve("schema.sql")));
        }
        CustomersExample cluster = CustomersExample.create();
        String sql = "SELECT name FROM customers WHERE email ILIKE '\\u00c9COLE@%'";
        for (String rawUrl : List.of(cluster.rawUrl(), cRaw, cluster.rawUrl())) {
            String wardenUrl = "jdbc:warden:" + rawUrl.substring("jdbc:".length());
            try (Connection raw = dev.warden.testkit.EmbeddedPostgres.rawConnection(rawUrl);
                 Statement s = raw.createStatement()) {
                s.execute("DROP TABLE IF EXISTS customers_plain");
                s.execute("CREATE TABLE customers_plain (id serial, name text, email text)");
                s.execute("ALTER TABLE customers DROP CONSTRAINT IF EXISTS customers_email_key");
                s.execute("ALTER TABLE customers ADD COLUMN IF NOT EXISTS nickname bytea,"
                        + " ADD COLUMN IF NOT EXISTS email_match bigint[], ADD COLUMN IF NOT EXISTS nickname_match bigint[]");
                s.execute("DELETE FROM customers");
            }
            try (Connection support = java.sql.DriverManager.getConnection(wardenUrl,
                         CustomersExample.properties(dir, "support", "customer-service"));
                 Connection raw = dev.warden.testkit.EmbeddedPostgres.rawConnection(rawUrl)) {
                for (String email : List.of("\\u00e9cole@x.hk", "\\u00c9cole@x.hk", "ecole@x.hk")) {
                    for (Connection c : List.of(support, raw)) {
                        try (PreparedStatement ps = c.prepareStatement("INSERT INTO "
                                + (c == raw ? "customers_plain" : "customers") + " (name, email) VALUES (?, ?)")) {
                            ps.setString(1, email);
                            ps.setString(2, email);
                            ps.executeUpdate();
                        }
                    }
                }
                List<String> expected = rows(raw, twin(sql));
                assertEquals(expected, rows(support, sql), rawUrl);
            }
        }
    }

    // ---- 3. numeric scale

    /** Deterministic numeric: equality with any scale, IN, GROUP BY and DISTINCT group as PostgreSQL does. */
    @Test
    void deterministicNumericComparesAndGroupsAsTheTwin() throws Exception {
        List<String> shapes = List.of(
                "SELECT name FROM customers WHERE bal = 1.50",
                "SELECT name FROM customers WHERE bal = 1.5000",
                "SELECT name FROM customers WHERE bal = 1000.0",
                "SELECT name FROM customers WHERE bal = 1e3",
                "SELECT name FROM customers WHERE bal = -0.0",
                "SELECT name FROM customers WHERE bal = 0",
                "SELECT name FROM customers WHERE bal IN (2.00, 0.10)",
                "SELECT name FROM customers WHERE bal = '1.50'",
                "SELECT name FROM customers WHERE bal = CAST('2.0' AS numeric)",
                "SELECT count(*) FROM customers GROUP BY bal",
                "SELECT count(DISTINCT bal) FROM customers",
                "SELECT count(*) FROM (SELECT DISTINCT bal FROM customers) d");
        try (Connection support = db.as(policy, "support", "customer-service"); Connection raw = db.raw()) {
            for (String sql : shapes) {
                assertEquals(rows(raw, twin(sql)), rows(support, sql), sql);
            }
            String sql = "SELECT name FROM customers WHERE bal = ?";
            for (String v : List.of("1.500", "1E+3", "-0.000", "2")) {
                Object[] b = {sql, new BigDecimal(v)};
                assertEquals(prepared(raw, twin(sql), b, 0), prepared(support, sql, b, 0), v);
            }
        }
    }

    /** Randomized numeric keeps the scale written, as the twin's numeric; values PostgreSQL stores otherwise are refused. */
    @Test
    void randomizedNumericReadsAsTheTwin() throws Exception {
        try (Connection support = db.as(policy, "support", "customer-service"); Connection raw = db.raw()) {
            assertEquals(rows(raw, "SELECT name, amount FROM customers_plain"),
                    rows(support, "SELECT name, amount FROM customers"));
            for (String literal : List.of("-0.00", "1.5e-3", "'  7.10 '", "+3.0", ".50", "5.", "'1.50'::numeric",
                    "-1e-2")) {
                String sql = "UPDATE customers SET amount = " + literal + " WHERE name = 'n1'";
                try (Statement plain = raw.createStatement()) {
                    plain.executeUpdate(twin(sql));
                }
                try (Statement s = support.createStatement()) {
                    s.executeUpdate(sql);
                } catch (SQLException refused) {
                    assertEquals("0A000", refused.getSQLState(), literal + ": " + refused.getMessage());
                    continue;
                }
                assertEquals(rows(raw, "SELECT amount FROM customers_plain WHERE name = 'n1'"),
                        rows(support, "SELECT amount FROM customers WHERE name = 'n1'"), literal);
            }
            for (String literal : List.of("'NaN'", "'Infinity'", "'-Infinity'", "'nan'::numeric")) {
                String sql = "UPDATE customers SET amount = " + literal + " WHERE name = 'n1'";
                try (Statement s = support.createStatement()) {
                    SQLException e = assertThrows(SQLException.class, () -> s.executeUpdate(sql), literal);
                    assertTrue(Set.of("0A000", "22023", "22P02").contains(e.getSQLState()),
                            literal + " " + e.getSQLState() + " " + e.getMessage());
                }
            }
        }
    }

    // ---- 4. literal casts

    /** A literal written with a cast the column's type does not hold exactly (a modifier) is refused or stored as the twin. */
    @Test
    void literalCastsOnWrittenValues() throws Exception {
        try (Connection support = db.as(policy, "support", "customer-service");
             Connection billing = db.as(policy, "billing", "customer-service"); Connection raw = db.raw()) {
            List<String[]> writes = List.of(
                    new String[] {"support", "email", "'ann@example.com'::text"},
                    new String[] {"support", "email", "'ann@example.com'::varchar(3)"},
                    new String[] {"support", "email", "'ann@example.com'::character varying(3)"},
                    new String[] {"support", "email", "'ann@example.com'::char(3)"},
                    new String[] {"support", "email", "'ann@example.com'::name"},
                    new String[] {"support", "email", "'ann@example.com'::\"text\""},
                    new String[] {"support", "email", "CAST('ann@example.com' AS pg_catalog.text)"},
                    new String[] {"support", "email", "'ann@example.com' COLLATE \"C\""},
                    new String[] {"support", "email", "('ann@example.com')::text"},
                    new String[] {"support", "email", "'ann@example.com'::text::varchar(3)"},
                    new String[] {"billing", "card_number", "'4111111111111111'::varchar(4)"},
                    new String[] {"billing", "card_number", "'4111111111111111'::char(4)"},
                    new String[] {"billing", "card_number", "CAST('4111111111111111' AS varchar(4))"},
                    new String[] {"billing", "card_number", "'4111111111111111' COLLATE \"C\""},
                    new String[] {"support", "bal", "'1.555'::numeric(3,1)"},
                    new String[] {"support", "bal", "CAST(1.555 AS numeric(3,1))"},
                    new String[] {"support", "amount", "1.555::numeric(4,2)"},
                    new String[] {"support", "amount", "'1.555'::decimal(4,2)"});
            for (String[] w : writes) {
                Connection c = w[0].equals("billing") ? billing : support;
                String column = w[1];
                String twinColumn = column.equals("card_number") ? "hkid" : column;  // a text twin column
                for (String sql : List.of(
                        "UPDATE customers SET " + column + " = " + w[2] + " WHERE name = 'n2'",
                        "INSERT INTO customers (name, " + column + ") VALUES ('w', " + w[2] + "), ('w2', " + w[2] + ")")) {
                    String plainSql = twin(sql).replace(" " + column + " ", " " + twinColumn + " ")
                            .replace(", " + column + ")", ", " + twinColumn + ")");
                    boolean twinOk;
                    try (Statement p = raw.createStatement()) {
                        p.executeUpdate(plainSql);
                        twinOk = true;
                    } catch (SQLException twinError) {
                        twinOk = false;
                    }
                    try (Statement s = c.createStatement()) {
                        s.executeUpdate(sql);
                    } catch (SQLException refused) {
                        assertTrue(Set.of("0A000", "42501", "22001").contains(refused.getSQLState()) || !twinOk,
                                sql + " -> " + refused.getSQLState() + " " + refused.getMessage());
                        continue;
                    }
                    assertTrue(twinOk, "the twin refuses, Warden wrote: " + sql);
                    String read = "SELECT name, " + column + " FROM customers WHERE name IN ('n2', 'w', 'w2')";
                    Connection reader = w[0].equals("billing") ? billing : support;
                    assertEquals(rows(raw, "SELECT name, " + twinColumn + " FROM customers_plain WHERE name IN"
                            + " ('n2', 'w', 'w2')"), rows(reader, read), sql);
                }
            }
        }
    }

    /**
     * Literal casts written into a match column (email: deterministic, match: true) in INSERT, multi-row VALUES,
     * UPDATE and upsert: refused, or stored as the twin stores them with the companion in step (LIKE finds them).
     */
    @Test
    void literalCastsOnAMatchColumnKeepTheCompanionInStep() throws Exception {
        CustomersExample mdb = CustomersExample.create();
        Path dir = dev.warden.testkit.MatchColumnsExample.policyDirectory(dev.warden.testkit.MatchColumnsExample.POLICY);
        dev.warden.testkit.MatchColumnsExample.addNicknameAndCompanions(mdb);
        try (Connection raw = mdb.raw(); Statement s = raw.createStatement()) {
            s.execute("CREATE TABLE customers_plain (id serial, name text, email text UNIQUE)");
        }
        List<String> writes = List.of(
                "INSERT INTO customers (name, email) VALUES ('a', 'abc@match.hk'::text)",
                "INSERT INTO customers (name, email) VALUES ('b', 'bcd@match.hk'::varchar(3))",
                "INSERT INTO customers (name, email) VALUES ('c', 'cde@match.hk'::varchar), ('d', 'def@match.hk'::text)",
                "INSERT INTO customers (name, email) VALUES ('e', CAST('efg@match.hk' AS text))",
                "INSERT INTO customers (name, email) VALUES ('f', 'fgh@match.hk' COLLATE \"C\")",
                "INSERT INTO customers (name, email) VALUES ('g', 'abc@match.hk'::text) ON CONFLICT (email)"
                        + " DO UPDATE SET email = EXCLUDED.email",
                "INSERT INTO customers (name, email) VALUES ('h', 'abc@match.hk') ON CONFLICT (email)"
                        + " DO UPDATE SET email = 'xyz@match.hk'::text",
                "UPDATE customers SET email = 'uvw@match.hk'::name WHERE name = 'd'",
                "UPDATE customers SET email = 'rst@match.hk'::varchar(4) WHERE name = 'c'");
        try (Connection support = mdb.as(dir, "support", "customer-service"); Connection raw = mdb.raw()) {
            for (String sql : writes) {
                boolean twinOk;
                try (Statement p = raw.createStatement()) {
                    p.executeUpdate(twin(sql));
                    twinOk = true;
                } catch (SQLException e) {
                    twinOk = false;
                }
                try (Statement s = support.createStatement()) {
                    s.executeUpdate(sql);
                    assertTrue(twinOk, "the twin refuses, Warden wrote: " + sql);
                } catch (SQLException refused) {
                    assertTrue(Set.of("0A000", "42501").contains(refused.getSQLState()) || !twinOk,
                            sql + " -> " + refused.getSQLState() + " " + refused.getMessage());
                    if (twinOk) {  // keep the twin as Warden's table: undo the twin's write
                        try (Statement p = raw.createStatement()) {
                            p.executeUpdate("DELETE FROM customers_plain");
                            p.executeUpdate("INSERT INTO customers_plain (name, email) SELECT name, email FROM"
                                    + " (VALUES " + snapshot(support) + ") v(name, email)");
                        }
                    }
                }
                for (String read : List.of("SELECT name, email FROM customers", 
                        "SELECT name FROM customers WHERE email LIKE '%@match.hk'",
                        "SELECT name FROM customers WHERE email LIKE '%cd@ma%'")) {
                    assertEquals(rows(raw, twin(read)), rows(support, read), sql + " then " + read);
                }
            }
        }
    }

    /** Warden's rows as a VALUES list, to reset the twin after a refusal. */
    private static String snapshot(Connection c) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT name, email FROM customers")) {
            while (rs.next()) out.add("('" + rs.getString(1) + "', '" + rs.getString(2) + "')");
        }
        return out.isEmpty() ? "(NULL, NULL)" : String.join(", ", out);
    }

    // ---- helpers

    private static String twin(String sql) {
        return sql.replace(" customers", " customers_plain");
    }

    private static int count(PreparedStatement ps) throws SQLException {
        int n = 0;
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) n++;
        }
        return n;
    }

    /** Binds b[1..] (arrays with setArray in mode 0, setObject in mode 1) and returns the sorted rows. */
    private static List<String> prepared(Connection c, String sql, Object[] b, int mode) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 1; i < b.length; i++) {
                Object v = b[i];
                if (v instanceof Object[] array && mode == 0) {
                    String type = array instanceof BigDecimal[] ? "numeric" : array instanceof String[] ? "text" : null;
                    if (type != null) {
                        ps.setArray(i, c.createArrayOf(type, array));
                        continue;
                    }
                }
                ps.setObject(i, v);
            }
            if (!ps.execute()) return List.of();
            try (ResultSet rs = ps.getResultSet()) {
                return SortedRows.of(rs);
            }
        }
    }

    private static List<String> rows(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return SortedRows.of(rs);
        }
    }
}
