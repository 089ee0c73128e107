package dev.warden.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.testkit.EmbeddedPostgres;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 11: outside a transaction block, a query whose shape bounds its result (a point SELECT on a unique key,
 * a small literal LIMIT, a SELECT without FROM) reaches the database as one statement, as PostgreSQL itself runs
 * it, with no BEGIN and no COMMIT around it; every other query, including the close shapes a unique key does
 * not bound (part of a key, a partial or expression index, an inheritance parent, a view, a plain index), still
 * runs in a transaction of its own so that the driver fetches it in chunks (its memory is tested by
 * {@link GatewayBoundedMemoryIT}). What the database is asked is read on the wire between the gateway and
 * the database ({@link BackendStatementRecorder}); the answers are checked too.
 */
class GatewayBoundedQueryIT {

    static BackendStatementRecorder recorder;
    static GatewayFixture gw;

    @BeforeAll
    static void start() throws Exception {
        String url = EmbeddedPostgres.freshDatabase();
        try (Connection c = EmbeddedPostgres.rawConnection(url); Statement s = c.createStatement()) {
            s.execute("""
                    CREATE TABLE accounts (aid int PRIMARY KEY, abalance int, filler text);
                    INSERT INTO accounts SELECT i, i * 10, 'f' FROM generate_series(1, 2000) i;
                    CREATE TABLE pair (a int, b int, v int, UNIQUE (a, b));
                    INSERT INTO pair VALUES (1, 2, 12), (1, 3, 13);
                    CREATE TABLE parent (id int PRIMARY KEY, v int);
                    CREATE TABLE child () INHERITS (parent);
                    INSERT INTO parent VALUES (1, 1); INSERT INTO child VALUES (1, 2);
                    CREATE TABLE part (id int PRIMARY KEY, v int) PARTITION BY RANGE (id);
                    CREATE TABLE part_1 PARTITION OF part FOR VALUES FROM (0) TO (100);
                    INSERT INTO part VALUES (5, 50);
                    CREATE TABLE partial (id int, v int);
                    CREATE UNIQUE INDEX ON partial (id) WHERE v > 0;
                    INSERT INTO partial VALUES (1, 1), (1, -1);
                    CREATE TABLE expr (id text, v int);
                    CREATE UNIQUE INDEX ON expr (lower(id));
                    INSERT INTO expr VALUES ('x', 1);
                    CREATE TABLE plainidx (id int, v int);
                    CREATE INDEX ON plainidx (id);
                    INSERT INTO plainidx VALUES (1, 1), (1, 2);
                    CREATE VIEW accounts_v AS SELECT * FROM accounts;
                    CREATE SCHEMA other;
                    CREATE TABLE other.accounts (aid int, abalance int);
                    INSERT INTO other.accounts VALUES (1, -1), (1, -2);
                    """);
        }
        URI backend = URI.create(url.substring("jdbc:".length()));
        recorder = new BackendStatementRecorder(backend.getHost(), backend.getPort());
        gw = new GatewayFixture(BackendStatementRecorder.through(url, recorder), 2);
    }

    @AfterAll
    static void stop() throws Exception {
        gw.close();
        recorder.close();
    }

    private static Connection client(String mode) throws Exception {
        return DriverManager.getConnection(gw.jdbcUrl("preferQueryMode=" + mode));
    }

    /** Runs {@code sql} and returns its row count; what the database was asked meanwhile is then in the recorder. */
    private static int rows(Connection c, String sql, Object... params) throws Exception {
        recorder.take();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                int n = 0;
                while (rs.next()) {
                    n++;
                }
                return n;
            }
        }
    }

    private static void oneStatement(Connection c, int expectedRows, String sql, Object... params) throws Exception {
        assertEquals(expectedRows, rows(c, sql, params), sql);
        List<String> sent = recorder.take();
        assertFalse(sent.contains("BEGIN") || sent.contains("COMMIT"), sql + " ran as one statement: " + sent);
        assertTrue(sent.stream().anyMatch(s -> s.startsWith(sql.substring(0, Math.min(12, sql.length())))), sql + " reached the database: " + sent);
    }

    private static void inATransaction(Connection c, int expectedRows, String sql, Object... params) throws Exception {
        assertEquals(expectedRows, rows(c, sql, params), sql);
        List<String> sent = recorder.take();
        assertTrue(sent.contains("BEGIN") && sent.contains("COMMIT"), sql + " ran in a transaction: " + sent);
    }

    @ParameterizedTest
    @ValueSource(strings = {"extended", "simple"})
    void boundedShapesRunAsOneStatement(String mode) throws Exception {
        try (Connection c = client(mode)) {
            oneStatement(c, 1, "SELECT abalance FROM accounts WHERE aid = ?", 7);
            oneStatement(c, 1, "SELECT abalance FROM accounts WHERE aid = 8");
            oneStatement(c, 1, "SELECT v FROM pair WHERE a = 1 AND b = ?", 2);
            oneStatement(c, 1, "SELECT v FROM part WHERE id = 5");
            oneStatement(c, 1, "SELECT 1");
            oneStatement(c, 5, "SELECT * FROM accounts ORDER BY aid LIMIT 5");
            oneStatement(c, 1000, "SELECT * FROM accounts FETCH FIRST 1000 ROWS ONLY");
            // a prepared statement keeps its verdict: again, without a BEGIN
            for (int i = 1; i <= 6; i++) {
                oneStatement(c, 1, "SELECT abalance FROM accounts WHERE aid = ?", i);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"extended", "simple"})
    void closeShapesThatAKeyDoesNotBoundStillRunInATransaction(String mode) throws Exception {
        try (Connection c = client(mode)) {
            inATransaction(c, 2, "SELECT v FROM pair WHERE a = 1");
            inATransaction(c, 2, "SELECT v FROM parent WHERE id = 1");  // the child's row too
            inATransaction(c, 2, "SELECT v FROM partial WHERE id = 1");
            inATransaction(c, 1, "SELECT v FROM expr WHERE id = 'x'");
            inATransaction(c, 2, "SELECT v FROM plainidx WHERE id = 1");
            inATransaction(c, 1, "SELECT abalance FROM accounts_v WHERE aid = 1");
            inATransaction(c, 1, "SELECT abalance FROM accounts a JOIN pair p ON p.v = a.aid WHERE a.aid = 12");
            inATransaction(c, 1, "SELECT count(*) FROM accounts WHERE aid = 1");
            inATransaction(c, 1999, "SELECT * FROM accounts WHERE aid > 1");
            inATransaction(c, 1001, "SELECT * FROM accounts LIMIT 1001");
            inATransaction(c, 3, "SELECT * FROM accounts LIMIT ?", 3);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"extended", "simple"})
    void aNameThatNowMeansAnotherTableIsJudgedAgain(String mode) throws Exception {
        try (Connection c = client(mode)) {
            oneStatement(c, 1, "SELECT abalance FROM accounts WHERE aid = 1");
            try (Statement s = c.createStatement()) {
                s.execute("SET search_path = other, public");
            }
            // other.accounts has no key: both of its rows, fetched in a transaction
            inATransaction(c, 2, "SELECT abalance FROM accounts WHERE aid = 1");
            try (Statement s = c.createStatement()) {
                s.execute("RESET search_path");
            }
            oneStatement(c, 1, "SELECT abalance FROM accounts WHERE aid = 1");
        }
    }
}
