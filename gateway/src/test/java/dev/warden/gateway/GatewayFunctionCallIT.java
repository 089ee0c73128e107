package dev.warden.gateway;

import dev.warden.gateway.wire.PgFrameDecoder;
import dev.warden.gateway.backend.PgjdbcCopyRunner;
import dev.warden.gateway.auth.ScramVerifier;
import dev.warden.gateway.auth.GatewayUser;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.audit.AuditEvent;
import dev.warden.audit.AuditTrailReader;
import dev.warden.audit.ChainedEvent;
import dev.warden.testkit.CustomersExample;
import dev.warden.testkit.EmbeddedPostgres;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.largeobject.LargeObject;
import org.postgresql.largeobject.LargeObjectManager;

/**
 * The fast-path FunctionCall message ('F') through a Warden gateway (the customers example policy): the
 * large-object functions run through the engine like the equivalent SELECT (audited), with text and binary
 * arguments and results; any other function, a server-file {@code lo_import} included, is refused with 0A000
 * naming it. As PostgreSQL answers a FunctionCall, the answer is followed at once by ReadyForQuery (no Sync);
 * after a refusal the session stays usable and a block it fails is failed.
 */
class GatewayFunctionCallIT {

    static CustomersExample example;
    static GatewayServer server;

    /** Built-in function OIDs of pg_catalog (pg_proc.dat): stable across PostgreSQL versions. */
    static final int VERSION = 89, LO_IMPORT = 764, LO_CREAT = 957, LO_OPEN = 952, LOWRITE = 955, LOREAD = 954,
            LO_LSEEK64 = 3170, LO_CLOSE = 953, LO_UNLINK = 964;

    @BeforeAll
    static void start() throws Exception {
        example = CustomersExample.create();
        ScramVerifier pw = ScramVerifier.generate("pw".toCharArray(), 4096);
        GatewayConfig config = new GatewayConfig("127.0.0.1", 0,
                new GatewayConfig.Backend(example.wardenUrl(), EmbeddedPostgres.USER, "", 4, Map.of()),
                CustomersExample.POLICY.toString(), "file:" + CustomersExample.MASTER_KEY, null, false, false,
                PgFrameDecoder.DEFAULT_MAX_MESSAGE_LENGTH,
                Map.of("ann", new GatewayUser("ann", pw, "analyst", null, Set.of())), "scram-sha-256", 100);
        server = new GatewayServer(config, new PooledBackendConnector(config.backend(), config.policy(),
                config.masterKey()), new PgjdbcCopyRunner()).start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    static RawPgClient login() throws Exception {
        return new RawPgClient(server.port()).login("ann", "pw");
    }

    /** One argument of a FunctionCall: its format code and bytes (null: SQL NULL). */
    record Arg(short format, byte[] value) {
        static Arg text(String s) {
            return new Arg((short) 0, s.getBytes(StandardCharsets.UTF_8));
        }

        static Arg int4(int v) {
            return new Arg((short) 1, ByteBuffer.allocate(4).putInt(v).array());
        }

        static Arg int8(long v) {
            return new Arg((short) 1, ByteBuffer.allocate(8).putLong(v).array());
        }

        static Arg binary(byte[] b) {
            return new Arg((short) 1, b);
        }
    }

    /** Sends a FunctionCall with one format code per argument. */
    static void functionCall(RawPgClient c, int oid, int resultFormat, Arg... args) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(1024);
        b.putInt(oid).putShort((short) args.length);
        for (Arg a : args) b.putShort(a.format());
        b.putShort((short) args.length);
        for (Arg a : args) {
            if (a.value() == null) {
                b.putInt(-1);
            } else {
                b.putInt(a.value().length).put(a.value());
            }
        }
        b.putShort((short) resultFormat);
        byte[] body = new byte[b.position()];
        b.flip().get(body);
        c.send('F', body);
    }

    /** The FunctionCallResponse's value (null: NULL), after checking ReadyForQuery follows it. */
    static byte[] result(RawPgClient c) throws Exception {
        RawPgClient.Message v = c.read();
        assertEquals('V', v.type(), v.text());
        ByteBuffer body = ByteBuffer.wrap(v.body());
        int length = body.getInt();
        byte[] value = length < 0 ? null : new byte[length];
        if (value != null) body.get(value);
        assertEquals("Z", c.readUntilReady());
        return value;
    }

    static RawPgClient.Message refusal(RawPgClient c) throws Exception {
        RawPgClient.Message e = c.read();
        assertEquals('E', e.type(), e.text());
        assertEquals("Z", c.readUntilReady());
        return e;
    }

    @Test
    void anUnlistedFunctionIsRefusedNamingItAndFollowedByReadyForQuery() throws Exception {
        try (RawPgClient c = login()) {
            functionCall(c, VERSION, 0);
            c.query("select 'still here'"); // pipelined behind it: answered after its ReadyForQuery
            RawPgClient.Message e = c.read();
            assertEquals('E', e.type());
            assertTrue(e.text().contains("C0A000"), e.text());
            assertTrue(e.text().contains("version()"), e.text());
            RawPgClient.Message z = c.read();
            assertEquals('Z', z.type());
            assertEquals('I', (char) z.body()[0]);
            assertEquals("TDCZ", c.readUntilReady());

            c.query("begin");
            c.readUntilReady();
            functionCall(c, VERSION, 0);
            assertEquals("EZ", c.readUntilReady());
            assertEquals('E', c.lastStatus, "like any error, it fails the transaction block");
            c.query("select 1");
            RawPgClient.Message aborted = c.read();
            assertTrue(aborted.text().contains("25P02"), aborted.text());
            c.readUntilReady();
            c.query("rollback");
            assertEquals("CZ", c.readUntilReady());
            assertEquals('I', c.lastStatus);
            c.query("select 'usable'");
            assertEquals("TDCZ", c.readUntilReady());
        }
    }

    @Test
    void serverFileImportAndUnknownOidsAreRefused() throws Exception {
        long refusedBefore = events("lo_import", "refused");
        try (RawPgClient c = login()) {
            functionCall(c, LO_IMPORT, 0, Arg.text("/etc/hostname"));
            RawPgClient.Message e = refusal(c);
            assertTrue(e.text().contains("C0A000"), e.text());
            assertTrue(e.text().contains("lo_import(text)"), e.text());
            functionCall(c, 1, 0);
            e = refusal(c);
            assertTrue(e.text().contains("C42883"), e.text());
            assertTrue(e.text().contains("function with OID 1 does not exist"), e.text());
        }
        try (Connection raw = example.raw(); Statement s = raw.createStatement();
             ResultSet rs = s.executeQuery("select count(*) from pg_largeobject_metadata")) {
            rs.next();
            assertEquals(0, rs.getInt(1), "nothing imported");
        }
        assertTrue(events("lo_import", "refused") > refusedBefore, "the refusal is audited");
    }

    @Test
    void textAndBinaryArgumentsAndResultsAsTheMessageAsks() throws Exception {
        try (RawPgClient c = login()) {
            c.query("begin");
            c.readUntilReady();
            functionCall(c, LO_CREAT, 0, Arg.text("-1"));                 // text in, text out
            long oid = Long.parseLong(new String(result(c), StandardCharsets.UTF_8));
            functionCall(c, LO_OPEN, 1, Arg.int4((int) oid), Arg.text("393216")); // mixed formats, INV_READ|INV_WRITE
            int fd = ByteBuffer.wrap(result(c)).getInt();
            functionCall(c, LOWRITE, 1, Arg.int4(fd), Arg.binary("hello, large object".getBytes(StandardCharsets.UTF_8)));
            assertEquals(19, ByteBuffer.wrap(result(c)).getInt());
            functionCall(c, LO_LSEEK64, 1, Arg.int4(fd), Arg.int8(7), Arg.int4(0));
            assertEquals(7L, ByteBuffer.wrap(result(c)).getLong());
            functionCall(c, LOREAD, 0, Arg.int4(fd), Arg.int4(5));           // bytea as text: hex
            assertEquals("\\x6c61726765", new String(result(c), StandardCharsets.UTF_8));
            functionCall(c, LOWRITE, 0, Arg.int4(fd), Arg.text("\\x21"));    // bytea text input, int4 text output
            assertEquals("1", new String(result(c), StandardCharsets.UTF_8));
            functionCall(c, LOREAD, 1, Arg.int4(fd), new Arg((short) 1, null)); // strict: NULL in, NULL out
            assertEquals(null, result(c));
            functionCall(c, LO_CLOSE, 1, Arg.int4(fd));
            assertEquals(0, ByteBuffer.wrap(result(c)).getInt());
            functionCall(c, LO_UNLINK, 0, Arg.text(Long.toString(oid)));
            assertEquals("1", new String(result(c), StandardCharsets.UTF_8));
            c.query("commit");
            assertEquals("CZ", c.readUntilReady());
        }
    }

    @Test
    void pgjdbcLargeObjectManagerCreatesWritesSeeksReadsAndUnlinks() throws Exception {
        long before = events("lowrite", "allowed");
        byte[] data = new byte[100_000];
        for (int i = 0; i < data.length; i++) data[i] = (byte) (i * 31);
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + server.port()
                + "/app?user=ann&password=pw")) {
            c.setAutoCommit(false);
            LargeObjectManager lom = c.unwrap(PGConnection.class).getLargeObjectAPI();
            long oid = lom.createLO(LargeObjectManager.READWRITE);
            try (LargeObject lo = lom.open(oid, LargeObjectManager.READWRITE)) {
                lo.write(data);
                lo.seek64(50_000, LargeObject.SEEK_SET);
                assertEquals(50_000, lo.tell64());
                assertArrayEquals(java.util.Arrays.copyOfRange(data, 50_000, 50_100), lo.read(100));
                lo.seek(0);
                assertArrayEquals(data, lo.read(data.length));
                lo.truncate(10);
                assertEquals(10, lo.size());
            }
            c.commit();
            try (Connection raw = example.raw(); Statement s = raw.createStatement();
                 ResultSet rs = s.executeQuery("select length(lo_get(" + oid + "))")) {
                rs.next();
                assertEquals(10, rs.getInt(1), "stored in the database");
            }
            lom.unlink(oid);
            c.commit();
        }
        try (Connection raw = example.raw(); Statement s = raw.createStatement();
             ResultSet rs = s.executeQuery("select count(*) from pg_largeobject_metadata")) {
            rs.next();
            assertEquals(0, rs.getInt(1), "unlinked");
        }
        assertTrue(events("lowrite", "allowed") > before, "each call is audited like its SELECT");
    }

    /**
     * The gateway's own reads (the FunctionCall's pg_proc lookup, the settings read for the startup's and a SET's
     * ParameterStatus) are not statements of the client's: the trail holds the client's FunctionCall and SET,
     * never those reads under the client's name.
     */
    @Test
    void theGatewaysOwnCatalogAndSettingReadsAreNotAuditedAsTheClients() throws Exception {
        long setsBefore = events("application_name", "allowed");
        // other clients of this JVM's trail (psql's \df) may read pg_proc themselves: only this test's count
        long lookupsBefore = eventsNaming("pronamespace");
        long settingsBefore = eventsNaming("current_setting");
        try (RawPgClient c = login()) {
            functionCall(c, VERSION, 0);
            refusal(c);
            functionCall(c, LO_CREAT, 1, Arg.int4(-1));
            byte[] oid = result(c);
            c.query("set application_name = 'own-reads'");
            String answer = c.readUntilReady();
            assertTrue(answer.contains("S"), "the new application_name is reported: " + answer);
            functionCall(c, LO_UNLINK, 1, Arg.binary(oid));
            result(c);
        }
        assertTrue(events("application_name", "allowed") > setsBefore, "the client's SET is audited");
        assertTrue(events("version()", "refused") > 0, "the refused FunctionCall is audited");
        assertEquals(lookupsBefore, eventsNaming("pronamespace"), "the function lookup (pg_proc) is the gateway's own read");
        assertEquals(settingsBefore, eventsNaming("current_setting"), "the settings reads are the gateway's own");
    }

    /** Statement events, with any decision, whose fingerprint contains {@code text}. */
    static long eventsNaming(String text) throws Exception {
        events("", "allowed");  // waits until the asynchronous trail is written
        return AuditTrailReader.readFiles(CustomersExample.auditFiles()).stream().map(ChainedEvent::event)
                .filter(e -> AuditEvent.STATEMENT.equals(e.type()) && e.fingerprint() != null
                        && e.fingerprint().contains(text)).count();
    }

    /** Statement events whose fingerprint names {@code function}, with {@code decision}. */
    static long events(String function, String decision) throws Exception {
        long n = 0;
        for (int attempt = 0; attempt < 50; attempt++) {
            List<AuditEvent> all = AuditTrailReader.readFiles(CustomersExample.auditFiles()).stream()
                    .map(ChainedEvent::event).filter(e -> AuditEvent.STATEMENT.equals(e.type())).toList();
            long count = all.stream().filter(e -> decision.equals(e.decision()) && e.fingerprint() != null
                    && e.fingerprint().contains(function)).count();
            if (count == n && attempt > 0) return count;
            n = count;
            Thread.sleep(40);
        }
        return n;
    }
}
