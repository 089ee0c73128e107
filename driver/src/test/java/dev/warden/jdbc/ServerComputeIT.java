package dev.warden.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.audit.AuditEvent;
import dev.warden.audit.AuditTrailReader;
import dev.warden.audit.ChainedEvent;
import dev.warden.testkit.CustomersExample;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The server computing on protected columns behind a name Warden would otherwise pass through (issue 10, classes
 * 4, 5 and 6): functions defined outside Warden, built-ins that read a table named by a string, DO blocks and
 * dynamic SQL. Secrets are seeded in an encrypted column ({@code card_number}) and a rules-only one
 * ({@code ssn}, {@code encrypt: none}); every refusal must be 0A000 or 42501, name the function, hold no secret,
 * leave exactly one audit event, and store nothing.
 */
class ServerComputeIT {
    private static final String CARD = "5500005555555559";
    private static final String SSN = "731-55-8202";
    private static final String NEW_CARD = "4111111111111111";

    private CustomersExample db;
    private Path policy;

    @BeforeEach
    void seedSecrets() throws Exception {
        db = CustomersExample.create();
        policy = CustomersExample.newPolicyDirectoryWith("tables:\n  customers:\n",
                "functions: [public.vouched]\n\ntables:\n  customers:\n"
                        + "    ssn:\n      encrypt: none\n      read: { support: plaintext }\n      write: [support]\n");
        Files.writeString(policy.resolve("policy.yaml"), "  durability: sync\n", java.nio.file.StandardOpenOption.APPEND);
        try (Connection raw = db.raw(); Statement s = raw.createStatement()) {
            s.execute("ALTER TABLE customers ADD COLUMN ssn text");
        }
        try (Connection support = db.as(policy, "support", "customer-service");
             PreparedStatement ps = support.prepareStatement("INSERT INTO customers (name, email, ssn) VALUES (?, ?, ?)")) {
            ps.setString(1, "Ann");
            ps.setString(2, "ann@example.com");
            ps.setString(3, SSN);
            ps.executeUpdate();
        }
        try (Connection billing = db.as(policy, "billing", "order-processing");
             PreparedStatement ps = billing.prepareStatement("UPDATE customers SET card_number = ?")) {
            ps.setString(1, CARD);
            ps.executeUpdate();
        }
        try (Connection raw = db.raw(); Statement s = raw.createStatement()) {
            s.execute("ANALYZE customers");
        }
    }

    // ---------------------------------------------------------------------------------------------- class 4

    @Nested
    class FunctionsDefinedOutsideWarden {

        @Test
        void sqlStandardBodiesAreReadThroughTheirDefinition() throws Exception {
            raw("CREATE FUNCTION red_w2(c text) RETURNS void LANGUAGE sql BEGIN ATOMIC UPDATE customers SET card_number = c; END");
            raw("CREATE FUNCTION peek_ssn() RETURNS text LANGUAGE sql RETURN (SELECT ssn FROM customers LIMIT 1)");
            try (Connection billing = db.as(policy, "billing", "order-processing")) {
                refused(billing, "SELECT red_w2('" + NEW_CARD + "')", "0A000", "public.red_w2()");
            }
            try (Connection analyst = db.as(policy, "analyst", null)) {
                refused(analyst, "SELECT peek_ssn()", "0A000", "public.peek_ssn()");
                refused(analyst, "SELECT x FROM public.peek_ssn() AS x", "0A000", "public.peek_ssn()");
            }
            assertNothingStored();
        }

        @Test
        void viewsAndFunctionsAreFollowedTransitively() throws Exception {
            raw("CREATE VIEW ssn_view AS SELECT id, ssn FROM customers");
            raw("CREATE FUNCTION via_view() RETURNS text LANGUAGE sql AS 'SELECT ssn FROM ssn_view LIMIT 1'");
            raw("CREATE FUNCTION via_function() RETURNS text LANGUAGE sql RETURN via_view()");
            raw("CREATE FUNCTION via_plpgsql() RETURNS text LANGUAGE plpgsql AS $$ BEGIN RETURN via_function(); END $$");
            raw("CREATE VIEW innocent AS SELECT via_plpgsql() AS x");
            try (Connection analyst = db.as(policy, "analyst", null)) {
                refused(analyst, "SELECT via_view()", "0A000", "public.via_view()");
                refused(analyst, "SELECT via_function()", "0A000", "public.via_function()");
                refused(analyst, "SELECT via_plpgsql()", "0A000", "public.via_plpgsql()");
                refused(analyst, "SELECT x FROM innocent", "0A000", "view public.innocent");
            }
        }

        @Test
        void functionsWardenCannotReadAreRefusedInAnyStatement() throws Exception {
            raw("CREATE FUNCTION dyn(t text) RETURNS text LANGUAGE plpgsql AS $$ DECLARE r text; BEGIN"
                    + " EXECUTE format('SELECT %I::text FROM %I LIMIT 1', 'ssn', t) INTO r; RETURN r; END $$");
            raw("CREATE FUNCTION shout(text) RETURNS text LANGUAGE internal IMMUTABLE STRICT AS 'upper'");
            raw("CREATE FUNCTION xml_of(q text) RETURNS xml LANGUAGE sql AS 'SELECT query_to_xml(q, true, false, '''')'");
            try (Connection support = db.as(policy, "support", "customer-service")) {
                // none of these names a protected table: the table is assembled at run time
                refused(support, "SELECT dyn('cust' || 'omers')", "0A000", "public.dyn()");
                refused(support, "SELECT public.shout('x')", "0A000", "public.shout()");
                refused(support, "SELECT xml_of('select ssn from cust' || 'omers')", "0A000", "public.xml_of()");
                refused(support, "SELECT \"dyn\"('orders')", "0A000", "public.dyn()");
            }
        }

        @Test
        void triggerFunctionsWithDynamicSqlMakeTheirTableReadOnly() throws Exception {
            raw("CREATE TABLE inbox (v text)");
            raw("CREATE FUNCTION inbox_forward() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                    + " EXECUTE 'UPDATE cust' || 'omers SET card_number = $1, ssn = $1' USING NEW.v; RETURN NEW; END $$");
            raw("CREATE TRIGGER inbox_forward AFTER INSERT ON inbox FOR EACH ROW EXECUTE FUNCTION inbox_forward()");
            try (Connection billing = db.as(policy, "billing", "order-processing")) {
                refused(billing, "INSERT INTO inbox VALUES ('" + NEW_CARD + "')", "0A000", "inbox_forward");
                try (Statement s = billing.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM inbox")) {
                    assertTrue(rs.next());   // reading the table fires nothing
                }
            }
            assertNothingStored();
        }

        @Test
        void operatorsCastsAndDefaultsThatRunSuchFunctionsAreRefused() throws Exception {
            raw("CREATE FUNCTION glue(a text, b text) RETURNS text LANGUAGE plpgsql AS $$ DECLARE r text; BEGIN"
                    + " EXECUTE format('SELECT ssn FROM %I LIMIT 1', a || b) INTO r; RETURN r; END $$");
            raw("CREATE OPERATOR ### (FUNCTION = glue, LEFTARG = text, RIGHTARG = text)");
            raw("CREATE TYPE peek AS (x text)");
            raw("CREATE FUNCTION to_peek(t text) RETURNS peek LANGUAGE plpgsql AS $$ DECLARE r text; BEGIN"
                    + " EXECUTE 'SELECT ssn FROM cust' || t INTO r; RETURN ROW(r); END $$");
            raw("CREATE CAST (text AS peek) WITH FUNCTION to_peek(text)");
            raw("CREATE TABLE stamped (v text, who text DEFAULT glue('cust', 'omers'))");
            raw("CREATE VIEW glued AS SELECT 'cust' ### 'omers' AS x");
            try (Connection analyst = db.as(policy, "analyst", null)) {
                refused(analyst, "SELECT 'cust' ### 'omers'", "0A000", "operator public.###");
                refused(analyst, "SELECT 'cust' OPERATOR(public.###) 'omers'", "0A000", "operator public.###");
                refused(analyst, "SELECT ('omers'::peek).x", "0A000", "cast to type public.peek");
                refused(analyst, "INSERT INTO stamped (v) VALUES ('a')", "0A000", "column default");
                refused(analyst, "SELECT x FROM glued", "0A000", "view public.glued");
            }
        }

        @Test
        void trustedFunctionsRunAndTheirUseIsAudited() throws Exception {
            raw("CREATE FUNCTION vouched(t text) RETURNS text LANGUAGE plpgsql AS $$ DECLARE r text; BEGIN"
                    + " EXECUTE 'SELECT upper($1)' INTO r USING t; RETURN r; END $$");
            try (Connection analyst = db.as(policy, "analyst", null); Statement s = analyst.createStatement()) {
                int before = events().size();
                try (ResultSet rs = s.executeQuery("SELECT vouched('abc')")) {
                    assertTrue(rs.next());
                    assertEquals("ABC", rs.getString(1));
                }
                List<AuditEvent> after = events();
                assertEquals(before + 1, after.size());
                AuditEvent event = after.get(after.size() - 1);
                assertEquals("allowed", event.decision());
                assertTrue(event.reason() != null && event.reason().contains("trusted function public.vouched"),
                        String.valueOf(event.reason()));
            }
        }

        @Test
        void rangeTypeConstructorsAreBuiltInCodeNotOpaqueFunctions() throws Exception {
            raw("CREATE TYPE textrange AS RANGE (subtype = text)");
            raw("CREATE FUNCTION opaque_range(text, text) RETURNS textrange AS 'range_constructor2' LANGUAGE internal");
            try (Connection analyst = db.as(policy, "analyst", null); Statement s = analyst.createStatement()) {
                try (ResultSet rs = s.executeQuery("SELECT textrange('a', 'z')::text, textrange('a', 'z', '[]')::text")) {
                    assertTrue(rs.next());
                    assertEquals("[a,z)", rs.getString(1));
                    assertEquals("[a,z]", rs.getString(2));
                }
                // the same C code under a CREATE FUNCTION of the user's: not the type's own, judged as opaque
                refused(analyst, "SELECT opaque_range('a', 'z')", "0A000", "public.opaque_range()");
            }
        }

        @Test
        void pureExtensionsWorkAndOthersAreRefused() throws Exception {
            raw("CREATE EXTENSION IF NOT EXISTS pgcrypto");
            raw("CREATE EXTENSION IF NOT EXISTS \"uuid-ossp\"");
            raw("CREATE EXTENSION IF NOT EXISTS dblink");
            raw("CREATE EXTENSION IF NOT EXISTS tablefunc");
            try (Connection support = db.as(policy, "support", "customer-service"); Statement s = support.createStatement()) {
                try (ResultSet rs = s.executeQuery("SELECT encode(digest('x', 'sha256'), 'hex'), uuid_generate_v4()")) {
                    assertTrue(rs.next());
                }
                refused(support, "SELECT * FROM dblink('dbname=postgres', 'select ssn from customers') AS t(x text)",
                        "0A000", "dblink");
                refused(support, "SELECT * FROM crosstab('select 1, 2, 3') AS t(a int, b int)", "0A000", "crosstab");
            }
        }
    }

    // ---------------------------------------------------------------------------------------------- class 5

    @Nested
    class BuiltinsReadingTablesByName {

        @Test
        void everyFamilyIsRefusedInAnyStatementWhateverTheSpelling() throws Exception {
            try (Connection support = db.as(policy, "support", "customer-service");
                 Connection analyst = db.as(policy, "analyst", null)) {
                for (Connection c : new Connection[] {support, analyst}) {
                    refused(c, "SELECT query_to_xml('select ssn from cust' || 'omers', true, false, '')", "0A000", "query_to_xml");
                    refused(c, "SELECT pg_catalog.query_to_xml('select 1', true, false, '')", "0A000", "query_to_xml");
                    refused(c, "SELECT \"query_to_xml\"('select 1', true, false, '')", "0A000", "query_to_xml");
                    refused(c, "select QUERY_TO_XML('select 1', TRUE, FALSE, '')", "0A000", "query_to_xml");
                    refused(c, "SELECT query_to_xmlschema('select 1', true, false, '')", "0A000", "query_to_xmlschema");
                    refused(c, "SELECT table_to_xml('customers'::regclass, true, false, '')", "0A000", "table_to_xml");
                    refused(c, "SELECT table_to_xml(c.oid::regclass, true, false, '') FROM pg_class c"
                            + " WHERE relname = 'cust' || 'omers'", "0A000", "table_to_xml");
                    refused(c, "SELECT table_to_xml_and_xmlschema('orders', true, false, '')", "0A000",
                            "table_to_xml_and_xmlschema");
                    refused(c, "SELECT schema_to_xml('public', true, false, '')", "0A000", "schema_to_xml");
                    refused(c, "SELECT database_to_xml(true, false, '')", "0A000", "database_to_xml");
                    refused(c, "SELECT cursor_to_xml('c'::refcursor, 1, false, false, '')", "0A000", "cursor_to_xml");
                    refused(c, "SELECT * FROM ts_stat('select to_tsvector(ssn) from customers')", "0A000", "ts_stat");
                    refused(c, "SELECT most_common_vals::text FROM pg_stats WHERE attname = 'ssn'", "0A000", "pg_stats");
                    refused(c, "SELECT histogram_bounds::text FROM pg_catalog.pg_stats", "0A000", "pg_stats");
                    refused(c, "SELECT stavalues1::text FROM pg_statistic", "0A000", "pg_statistic");
                    refused(c, "SELECT * FROM pg_stats_ext", "0A000", "pg_stats_ext");
                    refused(c, "SELECT * FROM pg_statistic_ext_data", "0A000", "pg_statistic_ext_data");
                    refused(c, "SELECT pg_read_file('postgresql.conf')", "0A000", "pg_read_file");
                    refused(c, "SELECT pg_read_binary_file('postgresql.conf')", "0A000", "pg_read_binary_file");
                    refused(c, "SELECT * FROM pg_ls_dir('.')", "0A000", "pg_ls_dir");
                    refused(c, "SELECT lo_import('/etc/hostname')", "0A000", "lo_import");
                    refused(c, "SELECT lo_get(1)", "0A000", "lo_get");
                    refused(c, "SELECT lo_export(1, '/tmp/warden-lo')", "0A000", "lo_export");
                    refused(c, "SELECT lo_from_bytea(0, 'x')", "0A000", "lo_from_bytea");
                    refused(c, "SELECT lo_put(1, 0, 'x')", "0A000", "lo_put");
                    refused(c, "SELECT query FROM pg_stat_activity", "0A000", "pg_stat_activity");
                    refused(c, "COPY orders TO '/tmp/warden-orders.csv'", "0A000", "COPY");
                    refused(c, "COPY orders FROM PROGRAM 'cat /etc/hostname'", "0A000", "COPY");
                }
            }
        }

        @Test
        void theSameNamesInsideAStringAreNotCalls() throws Exception {
            try (Connection analyst = db.as(policy, "analyst", null); Statement s = analyst.createStatement();
                 ResultSet rs = s.executeQuery("SELECT 'query_to_xml and pg_stats' AS word")) {
                assertTrue(rs.next());
                assertEquals("query_to_xml and pg_stats", rs.getString(1));
            }
        }
    }

    /**
     * The large-object functions a client's {@code lo_*} interface calls work on values the client gives them;
     * a protected column reaching one, or a large object made from one, is refused.
     */
    @Nested
    class ClientLargeObjects {

        static final String LO_REFUSAL = "in a statement on a protected table (customers): a large object is outside";

        @Test
        void clientLargeObjectFunctionsRoundTripTheClientsOwnBytes() throws Exception {
            try (Connection analyst = db.as(policy, "analyst", null); Statement s = analyst.createStatement()) {
                analyst.setAutoCommit(false);
                long oid;
                try (ResultSet rs = s.executeQuery("SELECT lo_creat(-1)")) {
                    assertTrue(rs.next());
                    oid = rs.getLong(1);
                }
                try (ResultSet rs = s.executeQuery("SELECT lowrite(lo_open(" + oid + ", 131072), 'hello')")) {
                    assertTrue(rs.next());
                    assertEquals(5, rs.getInt(1));
                }
                try (ResultSet rs = s.executeQuery("SELECT loread(lo_open(" + oid + ", 262144), 10)")) {
                    assertTrue(rs.next());
                    assertEquals("hello", new String(rs.getBytes(1), java.nio.charset.StandardCharsets.UTF_8));
                }
                try (ResultSet rs = s.executeQuery("SELECT lo_unlink(" + oid + ")")) {
                    assertTrue(rs.next());
                    assertEquals(1, rs.getInt(1));
                }
                analyst.commit();
            }
        }

        @Test
        void aProtectedColumnNeverReachesALargeObject() throws Exception {
            try (Connection support = db.as(policy, "support", "customer-service");
                 Connection analyst = db.as(policy, "analyst", null)) {
                for (Connection c : new Connection[] {support, analyst}) {
                    // even support, which reads ssn in plaintext: the large object would be readable by anyone
                    refused(c, "SELECT lowrite(lo_open(lo_creat(-1), 131072), convert_to(ssn, 'UTF8')) FROM customers",
                            "0A000", LO_REFUSAL);
                    refused(c, "SELECT lowrite(lo_open(lo_creat(-1), 131072), card_number) FROM customers", "0A000",
                            LO_REFUSAL);
                    refused(c, "SELECT lowrite(lo_open(lo_creat(-1), 131072), (SELECT convert_to(ssn, 'UTF8')"
                            + " FROM customers LIMIT 1))", "0A000", LO_REFUSAL);
                    refused(c, "SELECT lo_unlink(1) FROM customers WHERE ssn = '" + SSN + "'", "0A000", LO_REFUSAL);
                    refused(c, "SELECT loread(lo_open(lo_from_bytea(0, convert_to(ssn, 'UTF8')), 262144), 100)"
                            + " FROM customers", "0A000", "lo_from_bytea");
                }
            }
            raw("CREATE FUNCTION stash() RETURNS int LANGUAGE sql AS"
                    + " 'SELECT lowrite(lo_open(lo_creat(-1), 131072), convert_to(ssn, ''UTF8'')) FROM customers'");
            try (Connection analyst = db.as(policy, "analyst", null)) {
                refused(analyst, "SELECT stash()", "0A000", "stash");
            }
            try (Connection raw = db.raw(); Statement s = raw.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_largeobject_metadata")) {
                assertTrue(rs.next());
                assertEquals(0, rs.getInt(1), "no large object was created");
            }
        }
    }

    // ---------------------------------------------------------------------------------------------- class 6

    @Nested
    class DoBlocksAndDynamicSql {

        @Test
        void doBlocksWithDynamicSqlOrAnotherLanguageAreRefused() throws Exception {
            try (Connection billing = db.as(policy, "billing", "order-processing");
                 Connection analyst = db.as(policy, "analyst", null)) {
                refused(billing, "DO $$ BEGIN EXECUTE 'update cust'||'omers set card_number = ''" + NEW_CARD
                        + "'''; END $$", "0A000", "DO block runs dynamic SQL");
                refused(analyst, "DO $$ BEGIN EXECUTE 'update cust'||'omers set ssn = ''000-00-0000'''; END $$",
                        "0A000", "DO block runs dynamic SQL");
                refused(analyst, "DO LANGUAGE plpython3u $$ plpy.execute('update customers set ssn = null') $$",
                        "0A000", "plpython3u");
                refused(analyst, "DO $$ BEGIN PERFORM query_to_xml('select 1', true, false, ''); END $$", "0A000",
                        "query_to_xml");
                refused(analyst, "SELECT 1; DO $$ BEGIN EXECUTE 'select 1'; END $$", "0A000", "DO block");
                refused(analyst, "DO $$ BEGIN COPY orders TO '/tmp/warden-orders.csv'; END $$", "0A000",
                        "DO block runs COPY");
            }
            assertNothingStored();
        }

        @Test
        void doBlocksWithoutDynamicSqlOnOtherTablesKeepWorking() throws Exception {
            try (Connection analyst = db.as(policy, "analyst", null); Statement s = analyst.createStatement()) {
                s.execute("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_tables WHERE tablename = 'migrated') THEN"
                        + " CREATE TABLE migrated (x int); END IF; END $$");
                s.execute("INSERT INTO migrated VALUES (1) ON CONFLICT DO NOTHING");
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM migrated")) {
                    assertTrue(rs.next());
                    assertEquals(1, rs.getInt(1));
                }
            }
        }

        @Test
        void functionsAndProceduresCreatedThroughWardenMustBeReadable() throws Exception {
            try (Connection billing = db.as(policy, "billing", "order-processing"); Statement s = billing.createStatement()) {
                refused(billing, "CREATE FUNCTION sneaky() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                        + " EXECUTE 'update cust' || 'omers set ssn = null'; RETURN NEW; END $$", "0A000",
                        "CREATE FUNCTION sneaky runs dynamic SQL");
                refused(billing, "CREATE PROCEDURE sneaky_proc() AS $$ BEGIN EXECUTE 'select 1'; END $$"
                        + " LANGUAGE plpgsql", "0A000", "CREATE PROCEDURE sneaky_proc");
                refused(billing, "CREATE FUNCTION native(text) RETURNS text AS 'upper' LANGUAGE internal", "0A000",
                        "language internal");
                s.execute("CREATE FUNCTION add_one(i int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT i + 1'");
                try (ResultSet rs = s.executeQuery("SELECT add_one(41)")) {
                    assertTrue(rs.next());
                    assertEquals(42, rs.getInt(1));
                }
            }
        }

        @Test
        void callingAProcedureWithDynamicSqlIsRefused() throws Exception {
            raw("CREATE PROCEDURE wipe() LANGUAGE plpgsql AS $$ BEGIN EXECUTE 'update cust' || 'omers set ssn = null';"
                    + " END $$");
            try (Connection analyst = db.as(policy, "analyst", null)) {
                refused(analyst, "CALL wipe()", "0A000", "public.wipe()");
            }
            assertNothingStored();
        }
    }

    // ---------------------------------------------------------------------------------------------- helpers

    /**
     * Runs {@code sql} outside Warden, then a schema change through Warden, which makes the engine read the catalog
     * again at once (otherwise it does within {@code ServerSideObjects.REFRESH_NANOS}).
     */
    private void raw(String sql) throws SQLException {
        try (Connection raw = db.raw(); Statement s = raw.createStatement()) {
            s.execute(sql);
        }
        try (Connection warden = db.as(policy, "analyst", null); Statement s = warden.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS ddl_marker (x int)");
        }
    }

    /** {@code sql} is refused with {@code state}, a message naming {@code names}, and exactly one audit event. */
    private void refused(Connection c, String sql, String state, String names) throws IOException {
        int before = events().size();
        SQLException e = assertThrows(SQLException.class, () -> {
            try (Statement s = c.createStatement()) {
                s.execute(sql);
            }
        }, sql);
        assertEquals(state, e.getSQLState(), sql + " -> " + e.getMessage());
        assertTrue(e.getMessage().contains(names), sql + " -> " + e.getMessage());
        assertFalse(e.getMessage().contains(SSN) || e.getMessage().contains(CARD), e.getMessage());
        List<AuditEvent> after = events();
        assertEquals(before + 1, after.size(), "one audit event for " + sql);
        AuditEvent event = after.get(after.size() - 1);
        assertEquals("refused", event.decision(), sql);
        assertEquals(state, event.sqlState(), sql);
        assertTrue(event.reason().contains(names), event.reason());
    }

    private List<AuditEvent> events() throws IOException {
        List<Path> files;
        try (var list = Files.list(policy)) {
            files = list.filter(f -> f.getFileName().toString().startsWith("warden-audit")
                    && f.getFileName().toString().endsWith(".jsonl")).sorted().toList();
        }
        return AuditTrailReader.readFiles(files).stream().map(ChainedEvent::event)
                .filter(e -> AuditEvent.STATEMENT.equals(e.type())).toList();
    }

    /** The seeded values are where they were, nothing was written in plaintext, the trail holds no secret. */
    private void assertNothingStored() throws Exception {
        try (Connection raw = db.raw(); Statement s = raw.createStatement();
             ResultSet rs = s.executeQuery("SELECT ssn, card_number FROM customers")) {
            assertTrue(rs.next());
            assertEquals(SSN, rs.getString(1));
            String card = rs.getString(2);
            assertFalse(card.contains(CARD) || card.contains(NEW_CARD), "plaintext at rest");
            assertFalse(rs.next());
        }
        try (var list = Files.list(policy)) {
            for (Path f : list.filter(p -> p.getFileName().toString().startsWith("warden-audit")).toList()) {
                String trail = Files.readString(f);
                assertFalse(trail.contains(SSN) || trail.contains(CARD) || trail.contains(NEW_CARD), "secret in " + f);
            }
        }
    }
}
