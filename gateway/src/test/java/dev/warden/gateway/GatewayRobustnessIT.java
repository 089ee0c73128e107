package dev.warden.gateway;

import dev.warden.gateway.backend.PgjdbcCopyRunner;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.testkit.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Cancel, clients vanishing mid-query and mid-result, malformed input, protocol errors, auth limits. */
class GatewayRobustnessIT {

    static GatewayFixture gw;

    @BeforeAll
    static void start() throws Exception {
        gw = new GatewayFixture();
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    static int activeBackendQueries(String like) throws SQLException {
        try (Connection c = EmbeddedPostgres.rawConnection(gw.backendUrl); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select count(*) from pg_stat_activity where state = 'active' and query like '"
                     + like + "' and pid <> pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(100);
        }
    }

    @Test
    void cancelRequestCancelsTheRunningStatement() throws Exception {
        try (Connection c = DriverManager.getConnection(gw.jdbcUrl("")); Statement s = c.createStatement()) {
            CompletableFuture.runAsync(() -> {
                try {
                    Thread.sleep(700);
                    s.cancel(); // pgjdbc opens a second connection to the gateway with CancelRequest(pid, key)
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            long t0 = System.nanoTime();
            SQLException e = assertThrows(SQLException.class, () -> s.execute("select pg_sleep(30)"));
            assertEquals("57014", e.getSQLState());
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(10));
            try (ResultSet rs = s.executeQuery("select 'still usable'")) {
                rs.next();
                assertEquals("still usable", rs.getString(1));
            }
        }
    }

    @Test
    void clientKilledMidQueryCancelsAndReleasesTheBackend() throws Exception {
        ProcessBuilder p = new ProcessBuilder("/usr/bin/psql", "-X", "-h", "127.0.0.1", "-p", String.valueOf(gw.port()),
                "-U", "alice", "-d", "app", "-c", "select pg_sleep(60) /* killed-client */")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        p.environment().put("PGPASSWORD", GatewayFixture.ALICE_PASSWORD);
        Process psql = p.start();
        await("query running", () -> {
            try {
                return activeBackendQueries("%killed-client%") == 1;
            } catch (SQLException e) {
                return false;
            }
        });
        psql.destroyForcibly().waitFor();
        await("backend query cancelled", () -> {
            try {
                return activeBackendQueries("%killed-client%") == 0;
            } catch (SQLException e) {
                return false;
            }
        });
        await("session released", () -> gw.server.sessionCount() == 0);
    }

    /**
     * A client that sends its last query and half-closes gets the whole answer, then the connection ends, as with
     * PostgreSQL (which answers what it read before it reads the end of input); the session is released.
     */
    @Test
    void aHalfClosedClientGetsItsAnswerAndTheSessionEnds() throws Exception {
        try (RawPgClient client = new RawPgClient(gw.port()).login("alice", GatewayFixture.ALICE_PASSWORD)) {
            // a quick statement: one still running when the end of input is noticed is cancelled, as a vanished
            // client's (the two look alike to the server)
            client.query("select 'half-closed'");
            client.socket.shutdownOutput();
            StringBuilder got = new StringBuilder();
            RawPgClient.Message m;
            while ((m = client.read()).type() != 'Z') {
                got.append(m.type());
                if (m.type() == 'D') {
                    assertTrue(new String(m.body(), StandardCharsets.UTF_8).contains("half-closed"));
                }
            }
            assertEquals("TDC", got.toString());
            assertEquals(-1, client.socket.getInputStream().read(), "the gateway closes after the answer");
        }
        await("session released", () -> gw.server.sessionCount() == 0);
    }

    @Test
    void clientVanishingMidResultStopsTheStream() throws Exception {
        try (RawPgClient client = new RawPgClient(gw.port()).login("alice", GatewayFixture.ALICE_PASSWORD)) {
            client.query("select g, repeat('x', 200) from generate_series(1, 200000) g");
            for (int i = 0; i < 100; i++) {
                client.read();
            }
        }
        await("session released", () -> gw.server.sessionCount() == 0);
        var r = gw.psql(null, "-At", "-c", "select 'alive'");
        assertEquals("alive", r.out().strip(), r.err());
    }

    @Test
    void slowReaderGetsEveryRowThroughBackpressure() throws Exception {
        try (RawPgClient client = new RawPgClient(gw.port()).login("alice", GatewayFixture.ALICE_PASSWORD)) {
            client.query("select g, repeat('y', 500) from generate_series(1, 50000) g");
            int rows = 0;
            RawPgClient.Message m;
            while ((m = client.read()).type() != 'Z') {
                if (m.type() == 'D') {
                    rows++;
                    if (rows % 10000 == 0) {
                        Thread.sleep(300); // the gateway must wait for us, not buffer everything
                    }
                } else if (m.type() == 'C') {
                    assertEquals("SELECT 50000", new String(m.body(), 0, m.body().length - 1, StandardCharsets.UTF_8));
                }
            }
            assertEquals(50000, rows);
        }
    }

    @Test
    void oversizedMessageIsRejectedWithAFatalErrorAndClose() throws Exception {
        try (RawPgClient client = new RawPgClient(gw.port()).login("alice", GatewayFixture.ALICE_PASSWORD)) {
            client.out.writeByte('Q');
            client.out.writeInt(100 * 1024 * 1024);
            client.out.write(new byte[1000]);
            client.out.flush();
            RawPgClient.Message m = client.read();
            assertEquals('E', m.type());
            assertTrue(m.text().contains("08P01"), m.text());
            assertTrue(m.text().contains("FATAL"), m.text());
            assertThrows(IOException.class, () -> {
                while (true) {
                    client.read();
                }
            });
        }
    }

    @Test
    void unknownMessageTypeIsAProtocolViolation() throws Exception {
        try (RawPgClient client = new RawPgClient(gw.port()).login("alice", GatewayFixture.ALICE_PASSWORD)) {
            client.send('z', new byte[0]);
            RawPgClient.Message m = client.read();
            assertEquals('E', m.type());
            assertTrue(m.text().contains("08P01"), m.text());
        }
    }

    @Test
    void afterAnExtendedQueryErrorMessagesAreDiscardedUntilSync() throws Exception {
        try (RawPgClient client = new RawPgClient(gw.port()).login("alice", GatewayFixture.ALICE_PASSWORD)) {
            // Bind to a statement that does not exist, then Execute and Sync
            client.send('B', "\0nope\0\0\0\0\0\0\0".getBytes(StandardCharsets.UTF_8));
            client.send('E', "\0\0\0\0\0".getBytes(StandardCharsets.UTF_8));
            client.send('S', new byte[0]);
            RawPgClient.Message e = client.read();
            assertEquals('E', e.type());
            assertTrue(e.text().contains("26000"), e.text());
            RawPgClient.Message z = client.read();
            assertEquals('Z', z.type());
            assertEquals('I', (char) z.body()[0]);
            // the session goes on: Parse/Bind/Describe/Execute/Sync of a statement with a limit of 2 rows
            client.send('P', "s1\0select generate_series(1, 5)\0\0\0".getBytes(StandardCharsets.UTF_8));
            client.send('B', "p1\0s1\0\0\0\0\0\0\0".getBytes(StandardCharsets.UTF_8));
            client.send('D', "Pp1\0".getBytes(StandardCharsets.UTF_8));
            client.send('E', RawPgClient.concat("p1\0".getBytes(StandardCharsets.UTF_8), RawPgClient.intBytes(2)));
            client.send('E', RawPgClient.concat("p1\0".getBytes(StandardCharsets.UTF_8), RawPgClient.intBytes(0)));
            client.send('S', new byte[0]);
            assertEquals("12TDDsDDDCZ", client.readUntilReady());
        }
    }

    @Test
    void aBindFormatCodeOtherThanTextOrBinaryIsAProtocolError() throws Exception {
        try (RawPgClient client = new RawPgClient(gw.port()).login("alice", GatewayFixture.ALICE_PASSWORD)) {
            client.send('P', "s1\0select $1::text\0\0\0".getBytes(StandardCharsets.UTF_8));
            byte[] names = "\0s1\0".getBytes(StandardCharsets.UTF_8);
            byte[] value = RawPgClient.concat(RawPgClient.intBytes(1), "x".getBytes(StandardCharsets.UTF_8));
            // one parameter format code 2 (neither text nor binary), one parameter, no result formats
            client.send('B', RawPgClient.concat(names, new byte[] {0, 1, 0, 2, 0, 1}, value, new byte[] {0, 0}));
            client.send('S', new byte[0]);
            assertEquals('1', client.read().type());
            RawPgClient.Message e = client.read();
            assertEquals('E', e.type());
            assertTrue(e.text().contains("08P01") && e.text().contains("unsupported format code: 2"), e.text());
            assertEquals('Z', client.read().type());
            // a result format code 7 is refused the same way, and the session goes on
            client.send('B', RawPgClient.concat(names, new byte[] {0, 0, 0, 1}, value, new byte[] {0, 1, 0, 7}));
            client.send('S', new byte[0]);
            RawPgClient.Message again = client.read();
            assertTrue(again.text().contains("unsupported format code: 7"), again.text());
            assertEquals('Z', client.read().type());
            client.send('B', RawPgClient.concat(names, new byte[] {0, 0, 0, 1}, value, new byte[] {0, 0}));
            client.send('E', "\0\0\0\0\0".getBytes(StandardCharsets.UTF_8));
            client.send('S', new byte[0]);
            assertEquals("2DCZ", client.readUntilReady());
        }
    }

    @Test
    void repeatedAuthenticationFailuresAreRateLimited() throws Exception {
        try (GatewayFixture own = new GatewayFixture(gw.backendUrl, 2)) {
            for (int i = 0; i < 5; i++) {
                var r = GatewayFixture.run(List.of("/usr/bin/psql", "-X", "-h", "127.0.0.1", "-p",
                        String.valueOf(own.port()), "-U", "alice", "-d", "app", "-c", "select 1"), null,
                        Map.of("PGPASSWORD", "wrong"), 30);
                assertTrue(r.err().contains("password authentication failed"), r.err());
            }
            var limited = GatewayFixture.run(List.of("/usr/bin/psql", "-X", "-h", "127.0.0.1", "-p",
                    String.valueOf(own.port()), "-U", "alice", "-d", "app", "-c", "select 1"), null,
                    Map.of("PGPASSWORD", GatewayFixture.ALICE_PASSWORD), 30);
            assertTrue(limited.err().contains("too many failed authentication attempts"), limited.err());
        }
    }

    @Test
    void purposeIsCheckedAgainstTheUsersAllowedPurposes() throws Exception {
        String base = "jdbc:postgresql://127.0.0.1:" + gw.port() + "/app?user=bob&password=hunter2";
        try (Connection c = DriverManager.getConnection(base + "&options=-c%20warden.purpose%3Dbilling")) {
            assertTrue(c.isValid(2));
        }
        SQLException e = assertThrows(SQLException.class,
                () -> DriverManager.getConnection(base + "&options=-c%20warden.purpose%3Dmarketing"));
        assertEquals("42501", e.getSQLState());
    }

    @Test
    void largeResultsStreamFromTheBackendInChunksInsideAndOutsideATransactionBlock() throws Exception {
        // with the JDBC driver allowed to buffer only 4 MB, a 25 MB result can only pass if it is fetched in chunks
        try (GatewayFixture small = new GatewayFixture(gw.backendUrl, 2, null, "scram-sha-256",
                Map.of("maxResultBuffer", "4M"))) {
            String big = "select g, repeat('z', 500) from generate_series(1, 50000) g";
            // outside a block the query runs in an implicit transaction of its own, so it streams too
            var outside = small.psql(null, "-At", "-c", "select count(*) from (" + big + ") s", "-c", big);
            assertEquals(0, outside.exit(), outside.err());
            assertTrue(outside.out().contains("50000|zzz"), "last row arrived");
            assertTrue(outside.err().isEmpty(), outside.err());
            var inside = small.psql("begin;\n" + big + ";\ncommit;\nselect 'after';\n", "-At");
            assertEquals(0, inside.exit(), inside.err());
            assertTrue(inside.out().contains("50000|zzz"), "last row arrived");
            assertTrue(inside.out().strip().endsWith("after"), inside.out().substring(Math.max(0, inside.out().length() - 200)));
            assertTrue(inside.err().isEmpty(), inside.err());
        }
    }

    @Test
    void readyForQueryReportsTheTrueTransactionStatus() throws Exception {
        gw.psql(null, "-c", "create table deferred_fk(id int primary key, parent int references deferred_fk(id) "
                + "deferrable initially deferred)");
        try (RawPgClient c = new RawPgClient(gw.port()).login("alice", GatewayFixture.ALICE_PASSWORD)) {
            c.query("begin");
            assertEquals("CZ", c.readUntilReady());
            assertEquals('T', c.lastStatus);
            c.query("select 1/0");
            assertEquals("EZ", c.readUntilReady());
            assertEquals('E', c.lastStatus);
            c.query("rollback");
            c.readUntilReady();
            assertEquals('I', c.lastStatus);
            c.query("begin; insert into deferred_fk values (1, 99)");
            c.readUntilReady();
            assertEquals('T', c.lastStatus);
            c.query("commit"); // fails at commit time, which still ends the block
            assertEquals("EZ", c.readUntilReady());
            assertEquals('I', c.lastStatus);
            c.query("select 'idle again'");
            assertEquals("TDCZ", c.readUntilReady());
            assertEquals('I', c.lastStatus);
        }
    }


    @Test
    void aPooledBackendConnectionIsResetBeforeTheNextClient() throws Exception {
        try (GatewayFixture one = new GatewayFixture(gw.backendUrl, 1)) {
            var first = one.psql("set statement_timeout = '1234ms';\ncreate temp table leftover(a int);\n"
                    + "prepare leftover_stmt as select 1;\nbegin;\ninsert into leftover values (1);\n");
            assertEquals(0, first.exit(), first.err());
            await("first session released", () -> one.server.sessionCount() == 0);
            var second = one.psql(null, "-At", "-c", "show statement_timeout", "-c",
                    "select count(*) from pg_prepared_statements where name = 'leftover_stmt'", "-c",
                    "select to_regclass('pg_temp.leftover') is null");
            assertEquals("0\n0\nt", second.out().strip(), second.err());
        }
    }

    @Test
    void clientsBeyondTheLimitAreTurnedAway() throws Exception {
        GatewayConfig base = GatewayFixture.config("127.0.0.1", gw.backendUrl, 2, null, "scram-sha-256");
        GatewayConfig config = new GatewayConfig(base.host(), 0, base.backend(), null, null, null, false, false,
                base.maxMessageBytes(), base.users(), base.authMethod(), 1);
        try (GatewayServer one = new GatewayServer(config, new PooledBackendConnector(config.backend(), null, null),
                new PgjdbcCopyRunner()).start();
             RawPgClient first = new RawPgClient(one.port()).login("alice", GatewayFixture.ALICE_PASSWORD);
             RawPgClient second = new RawPgClient(one.port())) {
            IOException e = assertThrows(IOException.class, () -> second.login("alice", GatewayFixture.ALICE_PASSWORD));
            assertTrue(e.getMessage().contains("53300"), e.getMessage());
        }
    }
}
