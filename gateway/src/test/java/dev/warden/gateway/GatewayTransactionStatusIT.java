package dev.warden.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.warden.testkit.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.TransactionState;

/**
 * ReadyForQuery carries the backend's true transaction status: the same message sequences sent to the
 * gateway and straight to PostgreSQL give the same statuses, error codes and command tags, including an
 * error the gateway raises itself inside a transaction block (which fails the block, as PostgreSQL does).
 */
class GatewayTransactionStatusIT {

    static GatewayFixture gw;

    @BeforeAll
    static void start() throws Exception {
        gw = new GatewayFixture();
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    /** One client step: the messages to send, up to and including one ReadyForQuery to read back. */
    private interface Step {
        void send(RawPgClient c) throws IOException;
    }

    private static Step query(String sql) {
        return c -> c.query(sql);
    }

    /** Parse/Bind/Execute/Sync of an unnamed statement. */
    private static Step extended(String sql) {
        return c -> {
            c.send('P', ("\0" + sql + "\0\0\0").getBytes(StandardCharsets.UTF_8));
            c.send('B', "\0\0\0\0\0\0\0\0".getBytes(StandardCharsets.UTF_8));
            c.send('E', "\0\0\0\0\0".getBytes(StandardCharsets.UTF_8));
            c.send('S', new byte[0]);
        };
    }

    /** Bind to a statement that does not exist, then Sync: an error the gateway raises without the database. */
    private static Step bindToMissingStatement() {
        return c -> {
            c.send('B', "\0missing\0\0\0\0\0\0\0".getBytes(StandardCharsets.UTF_8));
            c.send('E', "\0\0\0\0\0".getBytes(StandardCharsets.UTF_8));
            c.send('S', new byte[0]);
        };
    }

    /** What a step returned that must not differ: error SQLStates, command tags, the final status. */
    private static String transcript(RawPgClient c, Step step) throws IOException {
        step.send(c);
        StringBuilder t = new StringBuilder();
        RawPgClient.Message m;
        do {
            m = c.read();
            if (m.type() == 'E') {
                t.append("E:").append(field(m, 'C')).append(' ');
            } else if (m.type() == 'C') {
                t.append("C:").append(new String(m.body(), 0, m.body().length - 1, StandardCharsets.UTF_8)).append(' ');
            }
        } while (m.type() != 'Z');
        return t.append("Z:").append((char) m.body()[0]).toString();
    }

    private static String field(RawPgClient.Message m, char code) {
        byte[] b = m.body();
        int i = 0;
        while (i < b.length && b[i] != 0) {
            int end = i + 1;
            while (b[end] != 0) {
                end++;
            }
            if (b[i] == code) {
                return new String(b, i + 1, end - i - 1, StandardCharsets.UTF_8);
            }
            i = end + 1;
        }
        return "?";
    }

    private static List<String> run(RawPgClient c, List<Step> steps) throws IOException {
        List<String> out = new ArrayList<>();
        for (Step s : steps) {
            out.add(transcript(c, s));
        }
        return out;
    }

    @Test
    void statusesMatchPostgresqlThroughBlocksFailuresSavepointsAndLocalErrors() throws Exception {
        List<Step> steps = List.of(
                query("begin"), query("select 1/0"), query("select 1"), query("rollback"),
                query("begin"), query("savepoint a"), query("select 1/0"), query("rollback to a"),
                query("release a"), query("commit"),
                query("begin; select 1/0"), query("commit"),
                query("select 1/0"),
                query("begin"), query("commit and chain"), query("rollback"),
                extended("begin"), extended("select 1/0"), extended("rollback"),
                extended("begin"), bindToMissingStatement(), query("select 1"), query("rollback"),
                query("begin"), bindToMissingStatement(), query("commit"),
                query("select 1"));
        String db = gw.backendUrl.substring(gw.backendUrl.lastIndexOf('/') + 1);
        List<String> direct;
        try (RawPgClient pg = new RawPgClient(EmbeddedPostgres.port(), db).login(EmbeddedPostgres.USER, "")) {
            direct = run(pg, steps);
        }
        List<String> through;
        try (RawPgClient c = new RawPgClient(gw.port()).login("alice", GatewayFixture.ALICE_PASSWORD)) {
            through = run(c, steps);
        }
        assertEquals(String.join("\n", direct), String.join("\n", through));
        // the sequence does exercise every status
        assertEquals("C:BEGIN Z:T", direct.get(0));
        assertEquals("E:22012 Z:E", direct.get(1));
        assertEquals("C:ROLLBACK Z:T", direct.get(7));
        assertEquals("E:26000 Z:E", direct.get(20));
        assertEquals("C:ROLLBACK Z:I", direct.get(25));
    }

    @Test
    void pgjdbcClientSeesTheBackendsStatusAcrossSavepoints() throws Exception {
        try (Connection c = DriverManager.getConnection(gw.jdbcUrl(""))) {
            BaseConnection client = c.unwrap(BaseConnection.class);
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("select 1");
                assertEquals(TransactionState.OPEN, client.getTransactionState());
                Savepoint sp = c.setSavepoint();
                assertThrows(SQLException.class, () -> s.execute("select 1/0"));
                assertEquals(TransactionState.FAILED, client.getTransactionState());
                c.rollback(sp);
                assertEquals(TransactionState.OPEN, client.getTransactionState());
                s.execute("select 2");
                c.commit();
                assertEquals(TransactionState.IDLE, client.getTransactionState());
            }
        }
    }
}
