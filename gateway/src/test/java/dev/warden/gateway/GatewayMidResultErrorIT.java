package dev.warden.gateway;

import dev.warden.gateway.auth.GatewayUser;
import dev.warden.gateway.auth.ScramVerifier;
import dev.warden.gateway.backend.PgjdbcCopyRunner;
import dev.warden.gateway.wire.PgFrameDecoder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.warden.audit.AuditEvent;
import dev.warden.audit.AuditTrailReader;
import dev.warden.audit.ChainedEvent;
import dev.warden.testkit.CustomersExample;
import dev.warden.testkit.EmbeddedPostgres;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An error in the middle of a result (here a value written into an encrypted column around Warden, which
 * cannot be decrypted) reaches every client as an ErrorResponse after the rows already sent, then
 * ReadyForQuery with the right transaction status, and the session goes on: through a raw protocol client
 * (simple query, extended query with and without a row limit), pgjdbc, psql and psycopg2, with sessions on
 * their own threads and on the event loop. The error names table.column and the row's key, never the value;
 * the trail records the statement as failed with XX001, and not the gateway's internal statements.
 */
class GatewayMidResultErrorIT {

    /** What psql wrote into customers.email of row 2, bypassing Warden: never in a message or the trail. */
    static final String PLANTED = "planted.by.psql@example.com";
    static final String QUERY = "select id, email from customers order by id";
    static final String NAMED = "customers.email of the row with id = 2";

    static CustomersExample example;
    static final Map<String, GatewayServer> servers = new java.util.HashMap<>();

    @BeforeAll
    static void start() throws Exception {
        example = CustomersExample.create();
        try (Connection billing = example.as("billing", "order-processing");
             PreparedStatement ps = billing.prepareStatement("insert into customers(name, email) values (?, ?)")) {
            for (int i = 1; i <= 3; i++) {
                ps.setString(1, "n" + i);
                ps.setString(2, "c" + i + "@example.com");
                ps.executeUpdate();
            }
        }
        try (Connection raw = example.raw(); Statement s = raw.createStatement()) {
            s.execute("update customers set email = convert_to('" + PLANTED + "', 'UTF8') where id = 2");
        }
        ScramVerifier pw = ScramVerifier.generate("pw".toCharArray(), 4096);
        GatewayConfig config = new GatewayConfig("127.0.0.1", 0,
                new GatewayConfig.Backend(example.wardenUrl(), EmbeddedPostgres.USER, "", 4, Map.of()),
                CustomersExample.POLICY.toString(), "file:" + CustomersExample.MASTER_KEY, null, false, false,
                PgFrameDecoder.DEFAULT_MAX_MESSAGE_LENGTH,
                Map.of("bill", new GatewayUser("bill", pw, "billing", "order-processing",
                        Set.of("order-processing", "customer-service"))),
                "scram-sha-256", 100);
        for (GatewayServer.SessionIo io : GatewayServer.SessionIo.values()) {
            servers.put(name(io), new GatewayServer(config, new PooledBackendConnector(config.backend(),
                    config.policy(), config.masterKey()), new PgjdbcCopyRunner()).sessionIo(io).start());
        }
    }

    private static String name(GatewayServer.SessionIo io) {
        return io == GatewayServer.SessionIo.THREAD ? "thread" : "event-loop";
    }

    @AfterAll
    static void stop() {
        servers.values().forEach(GatewayServer::close);
    }

    // ---------------------------------------------------------------- raw protocol

    /** Messages up to ReadyForQuery. */
    private static List<RawPgClient.Message> untilReady(RawPgClient c) throws IOException {
        List<RawPgClient.Message> all = new ArrayList<>();
        RawPgClient.Message m;
        do {
            m = c.read();
            all.add(m);
        } while (m.type() != 'Z');
        return all;
    }

    private static String types(List<RawPgClient.Message> ms) {
        StringBuilder b = new StringBuilder();
        for (RawPgClient.Message m : ms) b.append(m.type());
        return b.toString();
    }

    private static char status(List<RawPgClient.Message> ms) {
        return (char) ms.get(ms.size() - 1).body()[0];
    }

    private static RawPgClient.Message first(List<RawPgClient.Message> ms, char type) {
        return ms.stream().filter(m -> m.type() == type).findFirst().orElseThrow();
    }

    private static void assertNamesTheRowNotTheValue(String error) {
        assertTrue(error.contains("XX001"), error);
        assertTrue(error.contains(NAMED), error);
        assertFalse(error.contains(PLANTED), error);
        assertFalse(error.contains("planted"), error);
    }

    private static RawPgClient login(String mode) throws IOException {
        return new RawPgClient(servers.get(mode).port()).login("bill", "pw");
    }

    @ParameterizedTest
    @ValueSource(strings = {"thread", "event-loop"})
    void simpleQuerySendsTheRowsBeforeThenTheErrorThenReadyAndTheSessionGoesOn(String mode) throws Exception {
        try (RawPgClient c = login(mode)) {
            c.query(QUERY);
            List<RawPgClient.Message> r = untilReady(c);
            assertEquals("TDEZ", types(r), r.toString());
            assertTrue(first(r, 'D').text().contains("c1@example.com"));
            assertNamesTheRowNotTheValue(first(r, 'E').text());
            assertEquals('I', status(r));

            c.query("select 1");
            r = untilReady(c);
            assertEquals("TDCZ", types(r));
            assertEquals('I', status(r));

            // inside a block the error fails the block, on the gateway and on the database alike
            c.query("begin");
            assertEquals('T', status(untilReady(c)));
            c.query(QUERY);
            r = untilReady(c);
            assertEquals("TDEZ", types(r));
            assertEquals('E', status(r));
            c.query("select 1");
            r = untilReady(c);
            assertEquals("EZ", types(r));
            assertTrue(first(r, 'E').text().contains("25P02"), first(r, 'E').text());
            assertEquals('E', status(r));
            c.query("rollback");
            r = untilReady(c);
            assertEquals("CZ", types(r));
            assertEquals('I', status(r));
        }
    }

    private static byte[] cstring(String s) {
        return (s + "\0").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] shorts(int... values) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int v : values) {
            b.write(v >>> 8);
            b.write(v);
        }
        return b.toByteArray();
    }

    private static void parseBindExecute(RawPgClient c, int... maxRows) throws IOException {
        c.send('P', RawPgClient.concat(cstring(""), cstring(QUERY), shorts(0)));
        c.send('B', RawPgClient.concat(cstring(""), cstring(""), shorts(0, 0, 0)));
        for (int rows : maxRows) c.send('E', RawPgClient.concat(cstring(""), RawPgClient.intBytes(rows)));
        c.send('S', new byte[0]);
    }

    @ParameterizedTest
    @ValueSource(strings = {"thread", "event-loop"})
    void extendedQueryWithAndWithoutRowLimitsEndsWithTheErrorThenReady(String mode) throws Exception {
        try (RawPgClient c = login(mode)) {
            parseBindExecute(c, 0);
            List<RawPgClient.Message> r = untilReady(c);
            assertEquals("12DEZ", types(r), r.toString());
            assertNamesTheRowNotTheValue(first(r, 'E').text());
            assertEquals('I', status(r));

            // a row at a time: the first row, PortalSuspended, then the error; the second Execute is skipped
            parseBindExecute(c, 1, 1, 1);
            r = untilReady(c);
            assertEquals("12DsEZ", types(r), r.toString());
            assertTrue(first(r, 'D').text().contains("c1@example.com"));
            assertNamesTheRowNotTheValue(first(r, 'E').text());
            assertEquals('I', status(r));

            c.query("begin");
            assertEquals('T', status(untilReady(c)));
            parseBindExecute(c, 1, 1);
            r = untilReady(c);
            assertEquals("12DsEZ", types(r), r.toString());
            assertEquals('E', status(r));
            c.query("rollback");
            assertEquals('I', status(untilReady(c)));

            c.query("select 1");
            r = untilReady(c);
            assertEquals("TDCZ", types(r));
        }
    }

    /**
     * A CancelRequest while the rows stream (hundreds sent, the backend computing the next) stops the statement
     * with 57014 after the rows sent, and the session goes on; the trail records the statement as failed.
     */
    @ParameterizedTest
    @ValueSource(strings = {"thread", "event-loop"})
    void aStatementCancelledMidResultEndsWithItsErrorThenReady(String mode) throws Exception {
        Predicate<AuditEvent> cancelledRead = e -> e.fingerprint() != null && e.fingerprint().contains("pg_sleep")
                && "failed".equals(e.decision()) && "57014".equals(e.sqlState());
        long before = awaitEvents(e -> true).stream().filter(cancelledRead).count();
        try (RawPgClient c = login(mode)) {
            // 1,000 rows of 100 bytes at once, then one a second: the gateway is streaming and fetching
            c.query("select i, repeat('x', 100), case when i > 1000 then pg_sleep(1)::text end"
                    + " from generate_series(1, 1100) i");
            int rows = 0;
            RawPgClient.Message m;
            while ((m = c.read()).type() != 'D' || ++rows < 500) {
                assertTrue(m.type() == 'T' || m.type() == 'D', m.type() + " " + m.text());
            }
            try (java.net.Socket cancel = new java.net.Socket("127.0.0.1", servers.get(mode).port());
                 java.io.DataOutputStream out = new java.io.DataOutputStream(cancel.getOutputStream())) {
                out.writeInt(16);
                out.writeInt(80877102);
                out.writeInt(c.backendPid);
                out.writeInt(c.backendSecret);
                out.flush();
                cancel.getInputStream().read();  // the server closes it once handled
            }
            List<RawPgClient.Message> r = untilReady(c);
            assertEquals("EZ", types(r).replace("D", ""), types(r));
            assertTrue(first(r, 'E').text().contains("57014"), first(r, 'E').text());
            assertEquals('I', status(r));
            c.query("select 1");
            assertEquals("TDCZ", types(untilReady(c)));
        }
        assertEquals(before + 1, awaitEvents(e -> e.stream().filter(cancelledRead).count() > before).stream()
                .filter(cancelledRead).count(), "the cancelled statement is recorded as failed with 57014");
    }

    // ---------------------------------------------------------------- pgjdbc

    @ParameterizedTest
    @ValueSource(strings = {"thread", "event-loop"})
    void pgjdbcGetsTheErrorAndKeepsItsConnection(String mode) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + servers.get(mode).port()
                + "/app?user=bill&password=pw")) {
            try (Statement s = c.createStatement()) {
                SQLException e = assertThrows(SQLException.class, () -> s.executeQuery(QUERY));
                assertEquals("XX001", e.getSQLState());
                assertNamesTheRowNotTheValue(e.getSQLState() + " " + e.getMessage());
                try (ResultSet rs = s.executeQuery("select 1")) {
                    assertTrue(rs.next());
                    assertEquals(1, rs.getInt(1));
                }
            }
            // fetched a row at a time inside a transaction: the first row arrives, the second fails
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.setFetchSize(1);
                try (ResultSet rs = s.executeQuery(QUERY)) {
                    assertTrue(rs.next());
                    assertEquals("c1@example.com", rs.getString(2));
                    SQLException e = assertThrows(SQLException.class, rs::next);
                    assertEquals("XX001", e.getSQLState());
                    assertTrue(e.getMessage().contains(NAMED), e.getMessage());
                }
                assertEquals("25P02", assertThrows(SQLException.class, () -> s.executeQuery("select 1"))
                        .getSQLState(), "the failed read failed the transaction");
            }
            c.rollback();
            c.setAutoCommit(true);
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select 1")) {
                assertTrue(rs.next());
            }
        }
    }

    // ---------------------------------------------------------------- psql, psycopg2

    @ParameterizedTest
    @ValueSource(strings = {"thread", "event-loop"})
    void psqlShowsTheErrorAndRunsTheNextStatement(String mode) {
        assumeTrue(GatewayFixture.available("psql"), "psql not installed");
        var r = GatewayFixture.run(List.of("/usr/bin/psql", "-X", "-At", "-h", "127.0.0.1", "-p",
                String.valueOf(servers.get(mode).port()), "-U", "bill", "-d", "app"),
                "\\set VERBOSITY verbose\n" + QUERY + ";\nselect 'still here';\n", Map.of("PGPASSWORD", "pw"), 60);
        assertFalse(r.err().contains("lost synchronization"), r.err());
        assertNamesTheRowNotTheValue(r.err());
        assertTrue(r.out().contains("still here"), r.out() + r.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"thread", "event-loop"})
    void psycopgGetsTheErrorAndKeepsItsConnection(String mode) {
        var probe = GatewayFixture.run(List.of("/usr/bin/python3", "-c", "import psycopg2"), null, Map.of(), 30);
        assumeTrue(probe.exit() == 0, "python3-psycopg2 not installed");
        String script = String.join("\n",
                "import psycopg2, sys",
                "c = psycopg2.connect(host='127.0.0.1', port=int(sys.argv[1]), user='bill', password='pw', dbname='app')",
                "cur = c.cursor()",
                "for autocommit in (False, True):",
                "    c.rollback()",
                "    c.autocommit = autocommit",
                "    try:",
                "        cur.execute('" + QUERY + "')",
                "        print('no error')",
                "    except psycopg2.Error as e:",
                "        print(e.pgcode, e.pgerror.replace('\\n', ' '))",
                "    if not autocommit:",
                "        c.rollback()",
                "    cur.execute('select 1')",
                "    print(cur.fetchone()[0])",
                "c.close()");
        var r = GatewayFixture.run(List.of("/usr/bin/python3", "-c", script,
                String.valueOf(servers.get(mode).port())), null, Map.of(), 60);
        assertEquals(0, r.exit(), r.out() + r.err());
        String[] lines = r.out().strip().split("\n");
        assertEquals(4, lines.length, r.out());
        for (int i : new int[] {0, 2}) {
            assertTrue(lines[i].startsWith("XX001 "), lines[i]);
            assertNamesTheRowNotTheValue(lines[i]);
            assertEquals("1", lines[i + 1]);
        }
    }

    // ---------------------------------------------------------------- audit

    private static List<AuditEvent> awaitEvents(Predicate<List<AuditEvent>> done) throws Exception {
        List<AuditEvent> events = List.of();
        for (int attempt = 0; attempt < 100; attempt++) {
            List<Path> files = CustomersExample.auditFiles();
            events = AuditTrailReader.readFiles(files).stream().map(ChainedEvent::event)
                    .filter(e -> AuditEvent.STATEMENT.equals(e.type())).toList();
            if (done.test(events)) return events;
            Thread.sleep(50);
        }
        return events;
    }

    @Test
    void theTrailRecordsTheFailureAndTheRefusedPurposeButNotTheInternalStatements() throws Exception {
        String fingerprint = "select id, email from customers order by id";
        List<AuditEvent> before = awaitEvents(e -> true);
        long failedBefore = before.stream().filter(e -> fingerprint.equalsIgnoreCase(e.fingerprint())).count();
        try (RawPgClient c = login("thread")) {
            c.query("begin");
            untilReady(c);
            c.query(QUERY);                                   // fails mid-result: the block is failed on the backend
            assertEquals('E', status(untilReady(c)));
            c.query("rollback");
            untilReady(c);
            c.query("set warden.purpose = 'marketing'");      // refused: a purpose bill may not declare
            List<RawPgClient.Message> r = untilReady(c);
            assertEquals("EZ", types(r));
            String refusal = first(r, 'E').text();
            assertTrue(refusal.contains("28000") || refusal.contains("42501"), refusal);
        }
        List<AuditEvent> events = awaitEvents(e -> e.stream().filter(x -> fingerprint.equalsIgnoreCase(x.fingerprint()))
                .count() > failedBefore && e.stream().anyMatch(x -> x.fingerprint() != null
                && x.fingerprint().toLowerCase().contains("warden.purpose")));
        List<AuditEvent> reads = events.stream().filter(e -> fingerprint.equalsIgnoreCase(e.fingerprint())).toList();
        AuditEvent read = reads.get(reads.size() - 1);
        assertEquals("failed", read.decision(), read.toString());
        assertEquals("XX001", read.sqlState());
        assertEquals("bill", read.databaseUser());
        AuditEvent purpose = events.stream().filter(e -> e.fingerprint() != null
                && e.fingerprint().toLowerCase().contains("warden.purpose")).reduce((a, b) -> b).orElseThrow();
        assertEquals("refused", purpose.decision());
        assertTrue(Set.of("28000", "42501").contains(purpose.sqlState()), purpose.toString());
        for (AuditEvent e : events) {
            assertFalse(e.fingerprint() != null && e.fingerprint().toUpperCase().startsWith("DO "),
                    "the gateway's internal statement is not the client's: " + e);
        }
        for (Path f : CustomersExample.auditFiles()) {
            assertFalse(Files.readString(f).contains("planted"), "no planted value in the trail");
        }
    }
}
