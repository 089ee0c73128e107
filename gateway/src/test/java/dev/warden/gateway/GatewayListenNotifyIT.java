package dev.warden.gateway;

import dev.warden.gateway.auth.GatewayUser;
import dev.warden.gateway.auth.ScramVerifier;
import dev.warden.gateway.backend.PgjdbcCopyRunner;
import dev.warden.gateway.wire.PgFrameDecoder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.warden.testkit.CustomersExample;
import dev.warden.testkit.EmbeddedPostgres;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * LISTEN/NOTIFY through the gateway behaves as on a direct connection: a listening client gets every
 * notification of its channels (from sessions through the gateway or straight on the database), while a
 * statement runs (before its ReadyForQuery) and while it is idle (without sending anything), not inside a
 * transaction block until it ends, never after UNLISTEN, and never one meant for an earlier client of the
 * same pooled backend connection. Scenarios that must match PostgreSQL run against both and compare the
 * message sequences.
 */
class GatewayListenNotifyIT {

    static GatewayFixture gw;
    static String database;

    @BeforeAll
    static void start() throws Exception {
        gw = new GatewayFixture();
        database = gw.backendUrl.substring(gw.backendUrl.lastIndexOf('/') + 1);
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    static Connection viaGateway(String settings) throws SQLException {
        return DriverManager.getConnection(gw.jdbcUrl(settings));
    }

    static Connection direct() throws SQLException {
        return EmbeddedPostgres.rawConnection(gw.backendUrl);
    }

    static void exec(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    static int backendPid(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** Notifications until one with {@code lastPayload} arrives (at most 10 s each), in order. */
    static List<PGNotification> receiveUntil(Connection listener, String lastPayload) throws SQLException {
        PGConnection pg = listener.unwrap(PGConnection.class);
        List<PGNotification> got = new ArrayList<>();
        while (got.isEmpty() || !got.get(got.size() - 1).getParameter().equals(lastPayload)) {
            PGNotification[] n = pg.getNotifications(10_000);
            assertNotNull(n, "no notification within 10 s; so far " + payloads(got));
            got.addAll(List.of(n));
        }
        return got;
    }

    static List<String> payloads(List<PGNotification> ns) {
        return ns.stream().map(n -> n.getName() + ":" + n.getParameter()).toList();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "preferQueryMode=simple"})
    void aListenerGetsNotificationsFromDirectAndGatewaySessionsAndItself(String settings) throws SQLException {
        try (Connection listener = viaGateway(settings); Connection other = direct();
             Connection sender = viaGateway("")) {
            exec(listener, "LISTEN orders");
            long sent = System.nanoTime();
            exec(other, "NOTIFY orders, 'from a direct session'");
            List<PGNotification> got = receiveUntil(listener, "from a direct session");
            long micros = (System.nanoTime() - sent) / 1000;
            assertEquals(List.of("orders:from a direct session"), payloads(got));
            assertEquals(backendPid(other), got.get(0).getPID(), "the sender's process id");
            System.out.println("GatewayListenNotifyIT: idle delivery took " + micros + " µs (" + settings + ")");

            String payload = "naïve 'quoted' ✓ " + "x".repeat(2000);
            exec(sender, "SELECT pg_notify('orders', '" + payload.replace("'", "''") + "')");
            got = receiveUntil(listener, payload);
            assertEquals(1, got.size());
            assertEquals(backendPid(sender), got.get(0).getPID(), "a gateway session's backend process id");
            assertEquals(sender.unwrap(PGConnection.class).getBackendPID(), got.get(0).getPID(),
                    "a gateway sender's process id is the one its client got in BackendKeyData");

            exec(listener, "NOTIFY orders, 'from myself'");
            got = receiveUntil(listener, "from myself");
            assertEquals(listener.unwrap(PGConnection.class).getBackendPID(), got.get(0).getPID(),
                    "the listener's own notification carries its own process id from BackendKeyData");
        }
    }

    /** Median µs from sending a NOTIFY (direct) to the listener holding it, over {@code rounds} idle periods. */
    static long medianIdleDeliveryMicros(Connection listener, String channel, int rounds) throws Exception {
        exec(listener, "LISTEN " + channel);
        long[] micros = new long[rounds];
        try (Connection other = direct()) {
            for (int i = 0; i < rounds; i++) {
                Thread.sleep(20 + 7 * i % 50);  // the listener idle for a while, at every point of a wait slice
                long sent = System.nanoTime();
                exec(other, "NOTIFY " + channel + ", '" + i + "'");
                receiveUntil(listener, String.valueOf(i));
                micros[i] = (System.nanoTime() - sent) / 1000;
            }
        }
        java.util.Arrays.sort(micros);
        return micros[rounds / 2];
    }

    /**
     * An idle listener gets a notification as it arrives (it used to wait for the next 100 ms poll:
     * psycopg2's test_many_notifies), within a few milliseconds of a direct connection's delivery.
     */
    @Test
    void anIdleListenerGetsEachNotificationAsItArrives() throws Exception {
        long direct;
        long gateway;
        try (Connection c = direct()) {
            direct = medianIdleDeliveryMicros(c, "latency_direct", 30);
        }
        try (Connection c = viaGateway("")) {
            gateway = medianIdleDeliveryMicros(c, "latency_gateway", 30);
        }
        System.out.println("GatewayListenNotifyIT: median idle delivery " + direct + " µs direct, " + gateway
                + " µs through the gateway");
        assertTrue(gateway < direct + 20_000, "median " + gateway + " µs through the gateway, " + direct + " µs direct");
    }

    /**
     * Unlike pgbouncer (its own key data: pg_backend_pid() and notification pids differ from it), the gateway
     * gives each client its backend connection's process id, which it holds for the session's lifetime.
     */
    @ParameterizedTest
    @ValueSource(strings = {"", "preferQueryMode=simple"})
    void backendKeyDataCarriesTheProcessIdOfTheSessionsBackend(String settings) throws SQLException {
        try (Connection one = viaGateway(settings); Connection two = viaGateway(settings)) {
            int keyOne = one.unwrap(PGConnection.class).getBackendPID();
            int keyTwo = two.unwrap(PGConnection.class).getBackendPID();
            assertEquals(backendPid(one), keyOne);
            assertEquals(backendPid(two), keyTwo);
            assertTrue(keyOne != keyTwo, "two sessions, two backends");
        }
    }

    @Test
    void unlistenStopsDelivery() throws SQLException {
        try (Connection listener = viaGateway(""); Connection other = direct()) {
            exec(listener, "LISTEN \"Mixed Case\"");
            exec(listener, "LISTEN plain");
            exec(listener, "UNLISTEN \"Mixed Case\"");
            exec(other, "NOTIFY \"Mixed Case\", 'after its unlisten'");
            exec(other, "NOTIFY plain, 'first'");
            assertEquals(List.of("plain:first"), payloads(receiveUntil(listener, "first")));

            exec(listener, "UNLISTEN *");
            exec(other, "NOTIFY plain, 'after unlisten all'");
            exec(listener, "LISTEN marker");
            exec(other, "NOTIFY marker, 'marker'");
            assertEquals(List.of("marker:marker"), payloads(receiveUntil(listener, "marker")),
                    "nothing for a channel after its UNLISTEN (notifications arrive in order)");
        }
    }

    @Test
    void aPooledBackendConnectionDoesNotCarryAListenToItsNextClient() throws Exception {
        try (GatewayFixture one = new GatewayFixture(gw.backendUrl, 1); Connection other = direct()) {
            int backend;
            try (Connection first = DriverManager.getConnection(one.jdbcUrl(""))) {
                exec(first, "LISTEN carried");
                backend = backendPid(first);
                first.setAutoCommit(false);
                exec(first, "SELECT 1");
                // held by the backend until the first client's block ends, which its departure does: the
                // gateway's ROLLBACK then reads it from the backend connection
                exec(other, "NOTIFY carried, 'for the first client'");
            }
            try (Connection next = DriverManager.getConnection(one.jdbcUrl(""))) {
                assertEquals(backend, backendPid(next), "the same pooled backend connection");
                try (Statement s = next.createStatement();
                     ResultSet rs = s.executeQuery("select count(*) from pg_listening_channels()")) {
                    rs.next();
                    assertEquals(0, rs.getInt(1), "the first client's LISTEN ended with it");
                }
                exec(other, "NOTIFY carried, 'not listened by anyone'");
                exec(next, "LISTEN carried");
                exec(other, "NOTIFY carried, 'for the next client'");
                assertEquals(List.of("carried:for the next client"),
                        payloads(receiveUntil(next, "for the next client")));
            }
        }
    }

    // ---------------------------------------------------------------- against PostgreSQL itself

    /** A protocol-level client of the gateway (as alice) or of the database itself. */
    static RawPgClient raw(boolean viaGateway) throws IOException {
        if (viaGateway) {
            return new RawPgClient(gw.port()).login("alice", GatewayFixture.ALICE_PASSWORD);
        }
        return new RawPgClient(EmbeddedPostgres.port(), database).login(EmbeddedPostgres.USER, "");
    }

    /** The messages up to ReadyForQuery, as their types with each NotificationResponse spelled out. */
    static String readUntilReady(RawPgClient c) throws IOException {
        StringBuilder b = new StringBuilder();
        RawPgClient.Message m;
        do {
            m = c.read();
            b.append(m.type() == 'A' ? "A(" + notification(m) + ")" : String.valueOf(m.type()));
        } while (m.type() != 'Z');
        return b.toString();
    }

    /** A NotificationResponse's channel and payload. */
    static String notification(RawPgClient.Message m) throws IOException {
        RawPgClient.expect(m, 'A');
        byte[] body = m.body();
        int channelEnd = 4;
        while (body[channelEnd] != 0) {
            channelEnd++;
        }
        int payloadEnd = channelEnd + 1;
        while (body[payloadEnd] != 0) {
            payloadEnd++;
        }
        assertEquals(body.length - 1, payloadEnd, "one NotificationResponse");
        return new String(body, 4, channelEnd - 4, StandardCharsets.UTF_8) + ":"
                + new String(body, channelEnd + 1, payloadEnd - channelEnd - 1, StandardCharsets.UTF_8);
    }

    /** Waits (bounded) until the session with {@code pid} is waiting for a lock. */
    static void awaitLockWait(Connection observer, int pid) throws Exception {
        for (int i = 0; i < 1000; i++) {
            try (Statement s = observer.createStatement(); ResultSet rs = s.executeQuery(
                    "select wait_event_type from pg_stat_activity where pid = " + pid)) {
                if (rs.next() && "Lock".equals(rs.getString(1))) {
                    return;
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("session " + pid + " never waited for the lock");
    }

    static int pidOf(RawPgClient c) throws IOException {
        c.query("select pg_backend_pid()");
        RawPgClient.Message m;
        String pid = null;
        while ((m = c.read()).type() != 'Z') {
            if (m.type() == 'D') {
                ByteBuffer b = ByteBuffer.wrap(m.body());
                b.getShort();
                byte[] v = new byte[b.getInt()];
                b.get(v);
                pid = new String(v, StandardCharsets.US_ASCII);
            }
        }
        return Integer.parseInt(pid);
    }

    /** A NOTIFY committed while the listener's statement waits for a lock comes before its ReadyForQuery. */
    static String notifiedDuringAStatement(boolean viaGateway, String channel) throws Exception {
        try (RawPgClient listener = raw(viaGateway); Connection other = direct(); Connection observer = direct()) {
            listener.query("LISTEN " + channel);
            assertEquals("CZ", readUntilReady(listener));
            int pid = pidOf(listener);
            exec(other, "select pg_advisory_lock(4711)");
            listener.query("select pg_advisory_lock(4711) is null as locked");
            awaitLockWait(observer, pid);
            exec(other, "NOTIFY " + channel + ", 'while you waited'");
            exec(other, "select pg_advisory_unlock(4711)");
            String seen = readUntilReady(listener);
            listener.query("select pg_advisory_unlock(4711)");
            readUntilReady(listener);
            return seen;
        }
    }

    @Test
    void aNotificationDuringAStatementComesBeforeItsReadyForQuery() throws Exception {
        String direct = notifiedDuringAStatement(false, "during_direct").replace("during_direct", "during");
        String gateway = notifiedDuringAStatement(true, "during_gateway").replace("during_gateway", "during");
        assertEquals("TDCA(during:while you waited)Z", direct, "PostgreSQL itself");
        assertEquals(direct, gateway);
    }

    /**
     * Inside a transaction block a notification waits for the block's end: not sent while the block is idle
     * nor with its statements, then with the COMMIT (or ROLLBACK), before its ReadyForQuery.
     */
    static List<String> notifiedInsideABlock(boolean viaGateway, String channel) throws Exception {
        List<String> seen = new ArrayList<>();
        try (RawPgClient listener = raw(viaGateway); Connection other = direct()) {
            listener.query("LISTEN " + channel);
            seen.add(readUntilReady(listener));
            listener.query("BEGIN");
            seen.add(readUntilReady(listener));
            exec(other, "NOTIFY " + channel + ", 'one'");
            listener.query("select 1");
            seen.add(readUntilReady(listener));
            exec(other, "NOTIFY " + channel + ", 'two'");
            listener.query("COMMIT");
            seen.add(readUntilReady(listener));

            // an UNLISTEN rolled back leaves the channel listened: delivered while idle, nothing sent
            listener.query("BEGIN; UNLISTEN " + channel + "; ROLLBACK");
            seen.add(readUntilReady(listener));
            exec(other, "NOTIFY " + channel + ", 'three'");
            seen.add(notification(listener.read()));

            // an UNLISTEN committed ends it, also for notifications sent before the COMMIT's end
            listener.query("BEGIN");
            seen.add(readUntilReady(listener));
            listener.query("UNLISTEN " + channel);
            seen.add(readUntilReady(listener));
            exec(other, "NOTIFY " + channel + ", 'four'");
            listener.query("COMMIT");
            seen.add(readUntilReady(listener));
            exec(other, "NOTIFY " + channel + ", 'five'");
            listener.query("select 1");
            seen.add(readUntilReady(listener));
        }
        return seen.stream().map(s -> s.replace(channel, "c")).toList();
    }

    @Test
    void insideATransactionBlockNotificationsWaitForItsEndAsInPostgresql() throws Exception {
        List<String> direct = notifiedInsideABlock(false, "block_direct");
        List<String> gateway = notifiedInsideABlock(true, "block_gateway");
        assertEquals(List.of("CZ", "CZ", "TDCZ", "CA(c:one)A(c:two)Z", "CCCZ", "c:three", "CZ", "CZ", "CZ",
                "TDCZ"), direct, "PostgreSQL itself");
        assertEquals(direct, gateway);
    }

    @Test
    void idleDeliveryNeedsNothingFromTheClient() throws Exception {
        try (RawPgClient listener = raw(true); Connection other = direct()) {
            listener.query("LISTEN idle");
            assertEquals("CZ", readUntilReady(listener));
            exec(other, "NOTIFY idle, 'are you there?'");
            RawPgClient.Message m = listener.read(); // blocks: the client sends nothing
            assertEquals("idle:are you there?", notification(m));
            assertEquals(backendPid(other), ByteBuffer.wrap(m.body()).getInt());
        }
    }

    /** A listening client whose backend is terminated while it is idle: the error, then the end. */
    static String terminatedWhileIdle(boolean viaGateway) throws Exception {
        try (RawPgClient listener = raw(viaGateway); Connection other = direct()) {
            listener.query("LISTEN doomed");
            assertEquals("CZ", readUntilReady(listener));
            int pid = pidOf(listener);
            exec(other, "select pg_terminate_backend(" + pid + ")");
            RawPgClient.Message m = listener.read(); // the client sends nothing
            StringBuilder seen = new StringBuilder().append(m.type());
            byte[] body = m.body();
            for (int i = 0; i < body.length && body[i] != 0; ) {
                int end = i + 1;
                while (body[end] != 0) {
                    end++;
                }
                if (body[i] == 'V' || body[i] == 'C') {
                    seen.append(' ').append(new String(body, i + 1, end - i - 1, StandardCharsets.UTF_8));
                }
                i = end + 1;
            }
            return seen.append(listener.in.read() < 0 ? " closed" : " open").toString();
        }
    }

    @Test
    void aListeningClientLearnsAtOnceThatItsBackendWasTerminated() throws Exception {
        String direct = terminatedWhileIdle(false);
        assertEquals("E FATAL 57P01 closed", direct, "PostgreSQL itself");
        assertEquals(direct, terminatedWhileIdle(true));
    }

    // ---------------------------------------------------------------- clients

    @Test
    void psqlShowsTheNotificationAfterItsNextCommand() {
        assumeTrue(GatewayFixture.available("psql"), "psql not installed");
        String notifyElsewhere = "\\! /usr/bin/psql -X -q -h localhost -p " + EmbeddedPostgres.port() + " -U "
                + EmbeddedPostgres.USER + " -d " + database + " -c \"NOTIFY psql_chan, 'from elsewhere'\"\n";
        var r = gw.psql("LISTEN psql_chan;\n" + notifyElsewhere + "select 1 as one;\nNOTIFY psql_chan, 'x';\n");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().matches("(?s).*one.*Asynchronous notification \"psql_chan\" with payload \"from elsewhere\""
                + " received from server process with PID \\d+\\..*"), r.out());
        assertTrue(r.out().contains("Asynchronous notification \"psql_chan\" with payload \"x\" received"), r.out());
    }

    @Test
    void psycopg2ReceivesNotificationsWhileIdle() {
        var probe = GatewayFixture.run(List.of("/usr/bin/python3", "-c", "import psycopg2"), null, Map.of(), 30);
        assumeTrue(probe.exit() == 0, "python3-psycopg2 not installed");
        String script = String.join("\n",
                "import psycopg2, select, sys",
                "c = psycopg2.connect(host='127.0.0.1', port=int(sys.argv[1]), user='alice', password='secret',"
                        + " dbname='app')",
                "c.autocommit = True",
                "c.cursor().execute('LISTEN py_chan')",
                "o = psycopg2.connect(host='localhost', port=int(sys.argv[2]), user='postgres', dbname=sys.argv[3])",
                "o.autocommit = True",
                "o.cursor().execute(\"NOTIFY py_chan, 'hello python'\")",
                "while not c.notifies:",
                "    if select.select([c], [], [], 10) == ([], [], []):",
                "        sys.exit('no notification within 10 s')",
                "    c.poll()",
                "n = c.notifies.pop(0)",
                "print(n.channel, n.payload, n.pid == o.get_backend_pid())");
        var r = GatewayFixture.run(List.of("/usr/bin/python3", "-c", script, String.valueOf(gw.port()),
                String.valueOf(EmbeddedPostgres.port()), database), null, Map.of(), 60);
        assertEquals(0, r.exit(), r.out() + r.err());
        assertEquals("py_chan hello python True", r.out().strip());
    }

    // ---------------------------------------------------------------- through the Warden engine

    @Test
    void throughTheWardenEngineTheListenerGetsThePayloadAsSent() throws Exception {
        CustomersExample example = CustomersExample.create();
        ScramVerifier pw = ScramVerifier.generate("pw".toCharArray(), 4096);
        GatewayConfig config = new GatewayConfig("127.0.0.1", 0,
                new GatewayConfig.Backend(example.wardenUrl(), EmbeddedPostgres.USER, "", 2, Map.of()),
                CustomersExample.POLICY.toString(), "file:" + CustomersExample.MASTER_KEY, null, false, false,
                PgFrameDecoder.DEFAULT_MAX_MESSAGE_LENGTH,
                Map.of("ann", new GatewayUser("ann", pw, "analyst", null, Set.of())), "scram-sha-256", 100);
        try (GatewayServer server = new GatewayServer(config, new PooledBackendConnector(config.backend(),
                config.policy(), config.masterKey()), new PgjdbcCopyRunner()).start();
             Connection listener = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + server.port()
                     + "/app?user=ann&password=pw");
             Connection other = example.raw()) {
            exec(listener, "LISTEN customers_changed");
            exec(other, "NOTIFY customers_changed, 'row 7 ✓'");
            List<PGNotification> got = receiveUntil(listener, "row 7 ✓");
            assertEquals(List.of("customers_changed:row 7 ✓"), payloads(got));
            assertEquals(backendPid(other), got.get(0).getPID());
            exec(listener, "UNLISTEN *");
            exec(other, "NOTIFY customers_changed, 'unheard'");
            exec(listener, "LISTEN last");
            exec(other, "NOTIFY last, 'last'");
            assertEquals(List.of("last:last"), payloads(receiveUntil(listener, "last")));
        }
    }
}
