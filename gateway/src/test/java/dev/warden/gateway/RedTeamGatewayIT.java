package dev.warden.gateway;

import dev.warden.gateway.auth.GatewayUser;
import dev.warden.gateway.auth.ScramVerifier;
import dev.warden.gateway.backend.PgjdbcCopyRunner;
import dev.warden.gateway.wire.PgFrameDecoder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.audit.AuditTrailFiles;
import dev.warden.audit.AuditTrailReader;
import dev.warden.testkit.EmbeddedPostgres;
import dev.warden.testkit.MembersExample;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A red team through the gateway, as gateway users whose role sees {@code members.ssn} (rules-only) masked and may
 * not see {@code badge} (rules-only) nor {@code email}/{@code card} (encrypted), and as one that sees them all:
 * every shape either gives what the policy allows or is refused with the right SQLState, and no secret reaches a
 * result, an error, a notice, another table or the audit trail; each statement leaves exactly one audit event.
 * Pool size 1, so every statement of a role runs on the same backend connection.
 */
class RedTeamGatewayIT {

    static MembersExample db;
    static GatewayServer server;

    @BeforeAll
    static void start() throws Exception {
        db = MembersExample.create();
        try (Connection raw = db.raw(); Statement s = raw.createStatement()) {
            s.execute("CREATE TABLE loot (v text)");
        }
        ScramVerifier pw = ScramVerifier.generate("pw".toCharArray(), 4096);
        GatewayConfig config = new GatewayConfig("127.0.0.1", 0,
                new GatewayConfig.Backend(db.database().wardenUrl(), EmbeddedPostgres.USER, "", 1, Map.of()),
                db.policyDirectory().resolve("policy.yaml").toString(),
                "file:" + db.policyDirectory().resolve("demo-master-key.txt"), null, false, false,
                PgFrameDecoder.DEFAULT_MAX_MESSAGE_LENGTH,
                Map.of("sam", new GatewayUser("sam", pw, "support", "customer-service", Set.of()),
                        "ann", new GatewayUser("ann", pw, "analyst", null, Set.of())),
                "scram-sha-256", 100);
        server = new GatewayServer(config, new PooledBackendConnector(config.backend(), config.policy(),
                config.masterKey()), new PgjdbcCopyRunner()).start();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    /** A client connection, once the events of its own start-up statements (pgjdbc's SETs) are written. */
    static Connection jdbc(String user, String settings) throws Exception {
        Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + server.port() + "/app?user="
                + user + "&password=pw" + (settings.isEmpty() ? "" : "&" + settings));
        settle();
        return c;
    }

    /** Waits until the trail stops growing (events are written asynchronously). */
    static void settle() throws Exception {
        long n = -1;
        for (int i = 0; i < 40 && n != statementEvents(); i++) {
            n = statementEvents();
            Thread.sleep(150);
        }
    }

    static long statementEvents() throws Exception {
        List<Path> files = AuditTrailFiles.expand(List.of(db.policyDirectory()));
        return AuditTrailReader.readFiles(files).stream().filter(e -> "statement".equals(e.event().type())).count();
    }

    /** Waits until the trail holds {@code expected} statement events, then checks it has no more. */
    static void assertEvents(long expected, String sql) throws Exception {
        long n = statementEvents();
        for (int i = 0; i < 100 && n < expected; i++) {
            Thread.sleep(50);
            n = statementEvents();
        }
        Thread.sleep(100);
        assertEquals(expected, statementEvents(), () -> "audit events after " + sql);
    }

    static void assertTrailHoldsNoSecret() throws Exception {
        StringBuilder all = new StringBuilder();
        for (Path f : AuditTrailFiles.expand(List.of(db.policyDirectory()))) all.append(Files.readString(f));
        // the short fragment "7731" of the badge also occurs in the trail's hashes by chance: whole values only
        for (String secret : db.secrets()) {
            if (secret.length() > 4) {
                assertTrue(!all.toString().contains(secret), () -> "audit trail reveals " + secret);
            }
        }
    }

    /** Runs {@code sql}, expects {@code sqlState}, checks error and notices hold no secret and one event. */
    static SQLException refused(Connection c, String sqlState, String sql) throws Exception {
        return refused(c, sqlState, sql, 1);
    }

    static SQLException refused(Connection c, String sqlState, String sql, int statements) throws Exception {
        long before = statementEvents();
        SQLException e;
        try (Statement s = c.createStatement()) {
            e = assertThrows(SQLException.class, () -> s.execute(sql), sql);
            for (SQLWarning w = s.getWarnings(); w != null; w = w.getNextWarning()) db.assertNoSecret(sql, w.toString());
        }
        // "refusal": either a refused shape (0A000) or a policy denial (42501), whichever rule the engine meets first
        // (a rules-only column computed on by a role without the filter right is a denial)
        if ("refusal".equals(sqlState)) {
            assertTrue(Set.of("0A000", "42501").contains(e.getSQLState()), () -> sql + ": " + e.getMessage());
        } else {
            assertEquals(sqlState, e.getSQLState(), () -> sql + ": " + e.getMessage());
        }
        for (Throwable t : e) db.assertNoSecret(sql, t.toString());
        if (e instanceof org.postgresql.util.PSQLException p && p.getServerErrorMessage() != null) {
            db.assertNoSecret(sql, p.getServerErrorMessage().toString());
            db.assertNoSecret(sql, p.getServerErrorMessage().getDetail());
            db.assertNoSecret(sql, p.getServerErrorMessage().getHint());
            db.assertNoSecret(sql, p.getServerErrorMessage().getWhere());
        }
        assertEvents(before + statements, sql);
        return e;
    }

    static void runs(Connection c, String sql) throws Exception {
        long before = statementEvents();
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
        assertEvents(before + 1, sql);
    }

    static void assertLootHoldsNoSecret() throws SQLException {
        try (Connection raw = db.raw(); Statement s = raw.createStatement();
             ResultSet rs = s.executeQuery("SELECT string_agg(v, ',') FROM loot")) {
            rs.next();
            db.assertNoSecret("table loot (written by an attacker's function)", rs.getString(1));
        }
    }

    /**
     * Found by this red team: the analyzer lets a protected column reach {@code =}, {@code <>}, {@code IN} and
     * {@code count} by name, but the server resolves those names by search_path and argument types. A user
     * operator {@code evil.=} first on the search_path, or a {@code public.count(text)} (a better match than the
     * built-in {@code count("any")} on the default search_path), received the plaintext of the rules-only ssn
     * (masked for analyst) and badge (denied), and could store it in a table, raise it or notify it.
     */
    @Test
    void aUserFunctionOrOperatorSpelledLikeABuiltinNeverReceivesAProtectedValue() throws Exception {
        for (String settings : new String[] {"", "preferQueryMode=simple"}) {
            try (Connection ann = jdbc("ann", settings); Connection sam = jdbc("sam", settings)) {
                runs(ann, "CREATE SCHEMA evil");
                runs(ann, "CREATE FUNCTION evil.grab(a text, b text) RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN"
                        + " INSERT INTO public.loot VALUES (a); RAISE NOTICE 'got %', a; PERFORM pg_notify('c', a);"
                        + " RETURN a OPERATOR(pg_catalog.=) b; END $$");
                runs(ann, "CREATE FUNCTION evil.grabb(a bytea, b bytea) RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN"
                        + " INSERT INTO public.loot VALUES (encode(a, 'hex')); RETURN a OPERATOR(pg_catalog.=) b; END $$");
                runs(ann, "CREATE OPERATOR evil.= (LEFTARG = text, RIGHTARG = text, FUNCTION = evil.grab)");
                runs(ann, "CREATE OPERATOR evil.<> (LEFTARG = text, RIGHTARG = text, FUNCTION = evil.grab)");
                runs(ann, "CREATE OPERATOR evil.= (LEFTARG = bytea, RIGHTARG = bytea, FUNCTION = evil.grabb)");
                runs(ann, "CREATE FUNCTION public.count(text) RETURNS bigint LANGUAGE plpgsql AS $$ BEGIN"
                        + " INSERT INTO public.loot VALUES ($1); RETURN 1; END $$");
                for (Connection c : List.of(ann, sam)) {
                    runs(c, "SET search_path = evil, pg_catalog, public");
                    for (String sql : List.of("SELECT id FROM members WHERE ssn = 'x'",
                            "SELECT id FROM members WHERE ssn IN ('x', 'y')",
                            "SELECT count(*) FROM members WHERE ssn <> 'x'",
                            "SELECT id FROM members WHERE email = 'x@example.com'",
                            "UPDATE members SET tier = 5 WHERE ssn = 'x'")) {
                        SQLException e = refused(c, "0A000", sql);
                        assertTrue(e.getMessage().contains("operator evil.")
                                || sql.contains("count") && e.getMessage().contains("public.count()"), e::getMessage);
                    }
                    runs(c, "SET search_path = \"$user\", public");
                    for (String sql : List.of("SELECT count(ssn) FROM members", "SELECT count(badge) FROM members")) {
                        SQLException e = refused(c, "0A000", sql);
                        assertTrue(e.getMessage().contains("public.count()"), e::getMessage);
                    }
                }
                assertLootHoldsNoSecret();
                // while a user operator spelled like = exists, every statement on a protected table is refused (IN,
                // CASE, NULLIF, USING look = up without spelling it); statements on other tables run
                refused(ann, "0A000", "SELECT ssn FROM members");
                runs(ann, "SELECT count(v) FROM loot WHERE v = 'x'");
                runs(ann, "DROP FUNCTION public.count(text)");
                runs(ann, "DROP SCHEMA evil CASCADE");
                // dropped through Warden: the next statement sees the catalog without them
                try (Statement s = ann.createStatement(); ResultSet rs = s.executeQuery("SELECT ssn FROM members")) {
                    assertTrue(rs.next());
                    assertEquals("*******8202", rs.getString(1));
                }
                try (Statement s = ann.createStatement();
                     ResultSet rs = s.executeQuery("SELECT count(ssn) FROM members WHERE ssn IS NOT NULL")) {
                    assertTrue(rs.next());
                    assertEquals(1, rs.getInt(1));
                }
                assertLootHoldsNoSecret();
            }
        }
        assertTrailHoldsNoSecret();
    }

    /**
     * The shadowing operator created in a transaction: another session re-reads the catalog before the COMMIT and
     * would trust that reading for a minute; the commit makes Warden read it again.
     */
    @Test
    void aShadowingOperatorCommittedLaterIsSeenOnceCommitted() throws Exception {
        for (String settings : new String[] {"", "preferQueryMode=simple"}) {
            try (Connection ann = jdbc("ann", settings); Connection sam = jdbc("sam", settings)) {
                ann.setAutoCommit(false);
                try (Statement s = ann.createStatement()) {
                    s.execute("CREATE SCHEMA evil2");  // pgjdbc's BEGIN before it is a statement (and event) too
                }
                settle();
                runs(ann, "CREATE FUNCTION evil2.grab(a text, b text) RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN"
                        + " INSERT INTO public.loot VALUES (a); RETURN a OPERATOR(pg_catalog.=) b; END $$");
                runs(ann, "CREATE OPERATOR evil2.= (LEFTARG = text, RIGHTARG = text, FUNCTION = evil2.grab)");
                // sam's statement re-reads the catalog while the operator is not committed
                try (Statement s = sam.createStatement(); ResultSet rs = s.executeQuery(
                        "SELECT count(*) FROM members WHERE ssn = 'x'")) {
                    assertTrue(rs.next());
                }
                ann.commit();
                ann.setAutoCommit(true);
                settle();
                runs(sam, "SET search_path = evil2, pg_catalog, public");
                refused(sam, "0A000", "SELECT id FROM members WHERE ssn = 'x'");
                runs(sam, "SET search_path = \"$user\", public");
                assertLootHoldsNoSecret();
                runs(ann, "DROP SCHEMA evil2 CASCADE");
            }
        }
    }

    /**
     * Found by this red team: a trigger on a protected table is given the plaintext of its rules-only columns, and
     * one that sends it on ({@code pg_notify}, an INSERT elsewhere, {@code set_config}) handed ssn and badge to a
     * client LISTENing on the channel (or reading the other table) when analyst updated the unprotected tier
     * column. A write to such a table is now refused, for every role, until the trigger is gone.
     */
    @Test
    void aTriggerThatSendsARowsValuesOutMakesWritesToItsTableRefused() throws Exception {
        try (Connection raw = db.raw(); Statement s = raw.createStatement()) {
            s.execute("CREATE FUNCTION members_tell() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                    + " PERFORM pg_notify('chan', NEW.ssn || '/' || coalesce(NEW.badge, '')); RETURN NEW; END $$");
            s.execute("CREATE TRIGGER members_tell AFTER UPDATE ON members FOR EACH ROW EXECUTE FUNCTION members_tell()");
            s.execute("CREATE FUNCTION keep(v text) RETURNS void LANGUAGE sql AS $$ INSERT INTO loot VALUES (v) $$");
            s.execute("CREATE FUNCTION members_keep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                    + " PERFORM keep(NEW.badge); PERFORM set_config('red.v', NEW.ssn, false); RETURN NEW; END $$");
            s.execute("CREATE TRIGGER members_keep BEFORE UPDATE ON members FOR EACH ROW EXECUTE FUNCTION members_keep()");
        }
        for (String settings : new String[] {"", "preferQueryMode=simple"}) {
            try (Connection ann = jdbc("ann", settings); Connection sam = jdbc("sam", settings)) {
                runs(ann, "CREATE TABLE IF NOT EXISTS red_refresh (i int)");  // DDL through Warden re-reads the catalog
                runs(ann, "LISTEN chan");
                for (Connection c : List.of(ann, sam)) {
                    SQLException e = refused(c, "0A000", "UPDATE members SET tier = 6 WHERE id = 1");
                    assertTrue(e.getMessage().contains("members_"), e::getMessage);
                }
                try (Statement s = ann.createStatement(); ResultSet rs = s.executeQuery(
                        "SELECT current_setting('red.v', true)")) {
                    rs.next();
                    db.assertNoSecret("a setting written by a trigger", rs.getString(1));
                }
                org.postgresql.PGNotification[] ns = ann.unwrap(org.postgresql.PGConnection.class).getNotifications();
                if (ns != null) for (var n : ns) db.assertNoSecret("notification payload", n.getParameter());
                assertLootHoldsNoSecret();
            }
        }
        try (Connection raw = db.raw(); Statement s = raw.createStatement()) {
            s.execute("DROP TRIGGER members_tell ON members");
            s.execute("DROP TRIGGER members_keep ON members");
        }
        try (Connection ann = jdbc("ann", "")) {
            runs(ann, "DROP TABLE red_refresh");
            runs(ann, "UPDATE members SET tier = 5 WHERE id = 1");  // only the raising trigger is left: allowed
        }
        assertTrailHoldsNoSecret();
    }

    /**
     * Neighbours of the merged fixes, tried and already refused: value oracles through casts and comparisons,
     * server-side code, statements Warden cannot analyse, whole-row references and system columns, several
     * statements in one simple query. Each is refused with its SQLState, holds no secret, leaves one event.
     */
    @Test
    void oracleAndSideChannelShapesAreRefusedWithoutAValue() throws Exception {
        String[][] shapes = {
                {"0A000", "SELECT id FROM members WHERE ssn::int = 1"},
                {"0A000", "SELECT id FROM members WHERE badge::date IS NULL"},
                {"0A000", "SELECT id FROM members WHERE 1/(CASE WHEN ssn = '731-55-8202' THEN 0 ELSE 1 END) = 1"},
                {"0A000", "SELECT to_number(ssn, '999') FROM members"},
                {"0A000", "SELECT pg_notify('c', ssn) FROM members"},
                {"0A000", "EXPLAIN VERBOSE SELECT ssn FROM members"},
                {"0A000", "EXPLAIN (ANALYZE, VERBOSE) SELECT badge FROM members"},
                {"0A000", "TABLE members"},
                {"0A000", "DO $$ BEGIN RAISE NOTICE '%', (SELECT badge FROM members LIMIT 1); END $$"},
                {"0A000", "PREPARE p AS SELECT badge FROM members"},
                {"0A000", "DECLARE cur CURSOR WITH HOLD FOR SELECT badge FROM members"},
                {"0A000", "CREATE TEMP TABLE t AS SELECT ssn FROM members"},
                {"0A000", "SELECT row_to_json(m) FROM members m"},
                {"0A000", "SELECT xmin, ctid FROM members"},
                {"0A000", "SELECT id FROM members WHERE ssn = U&'731-55-8202'"},
                {"42501", "SELECT id FROM members WHERE badge = $$B-7731-XQ$$"},
                {"42501", "SELECT id FROM members WHERE badge = E'B-7731-XQ'"},
                {"42501", "SELECT id FROM members WHERE badge = $t$B-7731-XQ$t$"},
                {"42501", "INSERT INTO members (id, name, ssn, tier) VALUES (9, 'x', E'731-55-8202', 1)"},
        };
        for (String settings : new String[] {"", "preferQueryMode=simple"}) {
            try (Connection ann = jdbc("ann", settings)) {
                for (String[] shape : shapes) refused(ann, "0A000".equals(shape[0]) ? "refusal" : shape[0], shape[1]);
                // two statements, two events (the first ran)
                refused(ann, "42501", "SELECT 1; SELECT badge FROM members", 2);
            }
        }
        // a role that reads the plaintext gets casting errors without the value
        try (Connection sam = jdbc("sam", "")) {
            SQLException e = refused(sam, "22P02", "SELECT badge::int FROM members");
            assertTrue(e.getMessage().contains("invalid input syntax for type integer"), e::getMessage);
            refused(sam, "22P02", "SELECT id FROM members WHERE ssn::numeric > 1");
            refused(sam, "22008", "SELECT id FROM members WHERE ssn::date IS NULL");
        }
        assertTrailHoldsNoSecret();
    }
}
