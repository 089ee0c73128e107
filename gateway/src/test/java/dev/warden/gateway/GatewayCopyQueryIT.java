package dev.warden.gateway;

import dev.warden.gateway.auth.GatewayUser;
import dev.warden.gateway.auth.ScramVerifier;
import dev.warden.gateway.backend.PgjdbcCopyRunner;
import dev.warden.gateway.wire.PgFrameDecoder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.warden.testkit.CustomersExample;
import dev.warden.testkit.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code \copy (select ...) to stdout} and {@code COPY (select ...) TO STDOUT} through the gateway run like that
 * SELECT: plaintext, masked or refused per role, one audit event each, rows in COPY's text or CSV format; COPY of a
 * protected table itself, and binary COPY of a query on one, stay refused. A query that names no protected table
 * is the server's own COPY.
 */
class GatewayCopyQueryIT {

    static final String EMAIL = "ann.copy@example.com";
    static final String PHONE = "+33 6 12 34 56 78";

    static CustomersExample example;
    static GatewayServer server;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(GatewayFixture.available("psql"), "psql not installed (/usr/bin/psql)");
        example = CustomersExample.create();
        ScramVerifier pw = ScramVerifier.generate("pw".toCharArray(), 4096);
        GatewayConfig config = new GatewayConfig("127.0.0.1", 0,
                new GatewayConfig.Backend(example.wardenUrl(), EmbeddedPostgres.USER, "", 4, Map.of()),
                CustomersExample.POLICY.toString(), "file:" + CustomersExample.MASTER_KEY, null, false, false,
                PgFrameDecoder.DEFAULT_MAX_MESSAGE_LENGTH,
                Map.of("sam", new GatewayUser("sam", pw, "support", "customer-service", Set.of()),
                        "ann", new GatewayUser("ann", pw, "analyst", null, Set.of())),
                "scram-sha-256", 100);
        server = new GatewayServer(config, new PooledBackendConnector(config.backend(), config.policy(),
                config.masterKey()), new PgjdbcCopyRunner()).start();
        try (Connection support = example.as("support", "customer-service");
             PreparedStatement ps = support.prepareStatement(
                     "insert into customers(id, name, email, phone) values (?, ?, ?, ?)")) {
            ps.setInt(1, 1);
            ps.setString(2, "Ann \"Q\" Lee, jr");
            ps.setString(3, EMAIL);
            ps.setString(4, PHONE);
            ps.executeUpdate();
            ps.setInt(1, 2);
            ps.setString(2, "tab\there\\x\nline");
            ps.setNull(3, java.sql.Types.VARCHAR);
            ps.setNull(4, java.sql.Types.VARCHAR);
            ps.executeUpdate();
        }
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    static GatewayFixture.Result psql(String user, String... commands) {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/psql", "-X", "-At", "-v", "VERBOSITY=verbose", "-h",
                "127.0.0.1", "-p", String.valueOf(server.port()), "-U", user, "-d", "app"));
        for (String c : commands) {
            cmd.add("-c");
            cmd.add(c);
        }
        return GatewayFixture.run(cmd, null, Map.of("PGPASSWORD", "pw"), 60);
    }

    /** The trail's events whose statement holds {@code marker} (a column alias unique to one test statement). */
    static long events(String marker, long atLeast) throws Exception {
        long count = 0;
        for (int attempt = 0; attempt < 60; attempt++) {
            count = 0;
            count = dev.warden.audit.AuditTrailReader.readAsFormat1Lines(CustomersExample.auditFiles()).stream()
                    .filter(l -> l.contains(marker)).count();
            if (count >= atLeast) break;
            Thread.sleep(50);
        }
        Thread.sleep(200);  // a second event, if any, would be written by now
        count = 0;
        count = dev.warden.audit.AuditTrailReader.readAsFormat1Lines(CustomersExample.auditFiles()).stream()
                .filter(l -> l.contains(marker)).count(); // one line per event, every value in full
        return count;
    }

    /** One line per event, every value in full, whatever trail format the files are in. */
    static java.util.List<String> eventLines() throws Exception {
        return dev.warden.audit.AuditTrailReader.readAsFormat1Lines(CustomersExample.auditFiles());
    }

    static String trail() throws Exception {
        StringBuilder all = new StringBuilder();
        for (Path f : CustomersExample.auditFiles()) all.append(Files.readString(f));
        return all.toString();
    }

    @Test
    void plaintextReaderGetsTheRowsInCopyTextFormat() throws Exception {
        var r = psql("sam", "\\copy (select id, name, email as copy_sam from customers order by id) to stdout");
        assertEquals(0, r.exit(), r.err());
        assertEquals("1\tAnn \"Q\" Lee, jr\t" + EMAIL + "\n2\ttab\\there\\\\x\\nline\t\\N\n", r.out());
        assertEquals(1, events("copy_sam", 1));
        assertTrue(eventLines().stream().filter(l -> l.contains("copy_sam"))
                .allMatch(l -> l.contains("\"decision\":\"allowed\"")));
    }

    @Test
    void csvWithHeaderQuotesAsTheServerDoes() {
        var r = psql("sam", "\\copy (select id, name, email as copy_csv from customers order by id) to stdout with csv header");
        assertEquals(0, r.exit(), r.err());
        assertEquals("id,name,copy_csv\n1,\"Ann \"\"Q\"\" Lee, jr\"," + EMAIL + "\n2,\"tab\there\\x\nline\",\n", r.out());
        var modern = psql("sam",
                "COPY (select id, email as copy_modern from customers where id = 1) TO STDOUT (FORMAT csv, DELIMITER ';', NULL 'n/a')");
        assertEquals(0, modern.exit(), modern.err());
        assertEquals("1;" + EMAIL + "\n", modern.out());
    }

    @Test
    void maskedReaderGetsWhatTheSelectGives() throws Exception {
        var select = psql("ann", "select email from customers where id = 1");
        assertEquals(0, select.exit(), select.err());
        var copy = psql("ann", "\\copy (select id, email as copy_ann from customers where id = 1) to stdout");
        assertEquals(0, copy.exit(), copy.err());
        assertEquals("1\t" + select.out().strip() + "\n", copy.out());
        assertFalse(copy.out().contains(EMAIL), copy.out());
        assertNotEquals("", select.out().strip());
        assertEquals(1, events("copy_ann", 1));
    }

    @Test
    void deniedRoleIsRefusedWithOneEvent() throws Exception {
        var r = psql("ann", "\\copy (select id, phone as copy_denied from customers) to stdout");
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("42501"), r.err());
        assertTrue(r.err().contains("customers.phone"), r.err());
        assertFalse(r.err().contains(PHONE) || r.out().contains(PHONE), r.err());
        assertEquals(1, events("copy_denied", 1));
        assertTrue(eventLines().stream().filter(l -> l.contains("copy_denied"))
                .allMatch(l -> l.contains("\"sqlState\":\"42501\"")));
    }

    @Test
    void copyOfTheProtectedTableAndBinaryCopyOfAQueryStayRefused() {
        var table = psql("sam", "COPY customers TO STDOUT");
        assertNotEquals(0, table.exit());
        assertTrue(table.err().contains("0A000"), table.err());
        assertFalse(table.out().contains(EMAIL), table.out());
        var binary = psql("sam", "COPY (select id, email from customers) TO STDOUT (FORMAT binary)");
        assertNotEquals(0, binary.exit());
        assertTrue(binary.err().contains("0A000"), binary.err());
        var file = psql("sam", "COPY (select id, email from customers) TO '/tmp/warden-copy-out'");
        assertNotEquals(0, file.exit());
        assertFalse(Files.exists(Path.of("/tmp/warden-copy-out")) && readQuietly().contains("\\x"));
    }

    @Test
    void copyOfAQueryOnNoProtectedTableStillWorksAndTheSessionGoesOn() {
        var r = psql("sam", "\\copy (select 1 as a, 'x\ty' as b, null as c) to stdout", "select 42");
        assertEquals(0, r.exit(), r.err());
        assertEquals("1\tx\\ty\t\\N\n42\n", r.out());
    }

    /**
     * COPY of a query that names no protected table is the server's own COPY, byte for byte what PostgreSQL
     * writes: in the options the gateway's writer does not encode (BINARY, FORCE_QUOTE) and in those it does, with
     * one audit event, the COPY's own.
     */
    @Test
    void copyOfAQueryNamingNoProtectedTableIsTheServersOwnByteForByte() throws Exception {
        String query = "COPY (select g as copy_own, g * 1.5::float8 as f, ('\\x' || lpad(to_hex(g * 77), 4, '0'))::bytea as b,"
                + " timestamp '2024-01-02 03:04:05.678' + g * interval '1 day' as t, 'a,\"b\"\t' || g as s,"
                + " null::text as n, array[g, -g] as a, g % 2 = 0 as e from generate_series(1, 40) g) TO STDOUT ";
        List<String> options = List.of("(FORMAT binary)", "WITH BINARY", "(FORMAT csv, FORCE_QUOTE *, HEADER)",
                "(FORMAT csv, HEADER, QUOTE '''', ESCAPE '\\', NULL 'none')", "",
                "(FORMAT text, DELIMITER '|', NULL 'NULL')", "WITH CSV HEADER");
        long before = events("copy_own", 0);
        try (Connection direct = example.raw();
             Connection gateway = java.sql.DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + server.port()
                     + "/app?user=sam&password=pw")) {
            for (String o : options) {
                byte[] expected = copyOut(direct, query + o);
                assertTrue(expected.length > 0, o);
                assertEquals(java.util.HexFormat.of().formatHex(expected),
                        java.util.HexFormat.of().formatHex(copyOut(gateway, query + o)), "COPY ... TO STDOUT " + o);
            }
        }
        assertEquals(before + options.size(), events("copy_own", before + options.size()), "one event per COPY");
        assertTrue(eventLines().stream().filter(l -> l.contains("copy_own"))
                        .allMatch(l -> l.toLowerCase(java.util.Locale.ROOT).contains("to stdout")),
                "each event is the COPY's own, not a SELECT the gateway ran for it");
    }

    private static byte[] copyOut(Connection c, String sql) throws Exception {
        var out = new java.io.ByteArrayOutputStream();
        c.unwrap(org.postgresql.PGConnection.class).getCopyAPI().copyOut(sql, out);
        return out.toByteArray();
    }

    private static String readQuietly() {
        try {
            return Files.readString(Path.of("/tmp/warden-copy-out"));
        } catch (Exception e) {
            return "";
        }
    }
}
