package dev.warden.gateway;

import dev.warden.gateway.backend.PgjdbcCopyRunner;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.warden.testkit.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * TLS through SSLRequest, cleartext passwords only over TLS, the non-loopback listener rule, and sessions over
 * TLS as they are served (on their own threads by default, on the event loop in the event-loop execution):
 * messages and results larger than a TLS record, a client vanishing mid-statement.
 */
class GatewayTlsIT {

    static Path dir;
    static GatewayConfig.Tls tls;
    static String backend;

    @BeforeAll
    static void certificate() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")) && GatewayFixture.available("psql"),
                "openssl or psql not installed");
        dir = Files.createTempDirectory("gwtls");
        var r = GatewayFixture.run(List.of("/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-keyout", dir.resolve("key.pem").toString(), "-out", dir.resolve("cert.pem").toString(),
                "-days", "1", "-subj", "/CN=localhost"), null, Map.of(), 60);
        assertEquals(0, r.exit(), r.err());
        tls = new GatewayConfig.Tls(dir.resolve("cert.pem"), dir.resolve("key.pem"));
        backend = EmbeddedPostgres.freshDatabase();
    }

    static GatewayFixture.Result psql(int port, String sslmode, String password) {
        return GatewayFixture.run(List.of("/usr/bin/psql", "-X", "-At", "-h", "127.0.0.1", "-p", String.valueOf(port),
                "-U", "alice", "-d", "app", "-c", "select 'ok'", "-c", "\\conninfo"), null,
                Map.of("PGPASSWORD", password, "PGSSLMODE", sslmode), 30);
    }

    @Test
    void psqlNegotiatesTlsAndAuthenticatesWithScram() throws Exception {
        try (GatewayFixture gw = new GatewayFixture(backend, 2, tls, "scram-sha-256")) {
            var r = psql(gw.port(), "require", GatewayFixture.ALICE_PASSWORD);
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.out().startsWith("ok"), r.out());
            assertTrue(r.out().contains("SSL connection (protocol: TLSv1."), r.out());
        }
    }

    @Test
    void scramChannelBindingToTheCertificateIsOfferedOverTls() throws Exception {
        try (GatewayFixture gw = new GatewayFixture(backend, 2, tls, "scram-sha-256")) {
            var r = GatewayFixture.run(List.of("/usr/bin/psql", "-X", "-At", "-h", "127.0.0.1", "-p",
                    String.valueOf(gw.port()), "-U", "alice", "-d", "app", "-c", "select 'bound'"), null,
                    Map.of("PGPASSWORD", GatewayFixture.ALICE_PASSWORD, "PGSSLMODE", "require",
                            "PGCHANNELBINDING", "require"), 30);
            assertEquals(0, r.exit(), r.err());
            assertEquals("bound", r.out().strip());
            var wrong = GatewayFixture.run(List.of("/usr/bin/psql", "-X", "-At", "-h", "127.0.0.1", "-p",
                    String.valueOf(gw.port()), "-U", "alice", "-d", "app", "-c", "select 1"), null,
                    Map.of("PGPASSWORD", "nope", "PGSSLMODE", "require", "PGCHANNELBINDING", "require"), 30);
            assertTrue(wrong.err().contains("password authentication failed"), wrong.err());
        }
    }

    @Test
    void withoutTlsConfiguredSslRequestIsDeclined() throws Exception {
        try (GatewayFixture gw = new GatewayFixture(backend, 2)) {
            assertTrue(psql(gw.port(), "prefer", GatewayFixture.ALICE_PASSWORD).out().startsWith("ok"));
            var r = psql(gw.port(), "require", GatewayFixture.ALICE_PASSWORD);
            assertTrue(r.err().contains("server does not support SSL"), r.err());
        }
    }

    @Test
    void cleartextPasswordWorksOverTlsAndIsRefusedWithout() throws Exception {
        try (GatewayFixture gw = new GatewayFixture(backend, 2, tls, "password")) {
            var ok = psql(gw.port(), "require", GatewayFixture.ALICE_PASSWORD);
            assertEquals(0, ok.exit(), ok.err());
            var plain = psql(gw.port(), "disable", GatewayFixture.ALICE_PASSWORD);
            assertTrue(plain.err().contains("password authentication requires an SSL connection"), plain.err());
        }
    }

    @Test
    void messagesAndResultsLargerThanATlsRecordCrossIntact() throws Exception {
        try (GatewayFixture gw = new GatewayFixture(backend, 2, tls, "scram-sha-256")) {
            StringBuilder copy = new StringBuilder();
            for (int i = 0; i < 20_000; i++) {
                copy.append(i).append('\t').append("row-").append(i).append("-").append("x".repeat(i % 97)).append('\n');
            }
            String big = "y".repeat(200_000); // one Query message of ~200 kB: a dozen TLS records
            String script = "create table tls_bulk(id int, v text);\n"
                    + "copy tls_bulk from stdin;\n" + copy + "\\.\n"
                    + "select count(*), sum(length(v)) from tls_bulk;\n"
                    + "select length('" + big + "');\n"
                    + "select md5(string_agg(v, ',' order by id)) from tls_bulk;\n"
                    + "select repeat('z', 300000) = (select repeat('z', 300000));\n";
            var r = GatewayFixture.run(List.of("/usr/bin/psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
                    "-p", String.valueOf(gw.port()), "-U", "alice", "-d", "app"), script,
                    Map.of("PGPASSWORD", GatewayFixture.ALICE_PASSWORD, "PGSSLMODE", "require"), 60);
            assertEquals(0, r.exit(), r.err());
            String expectedMd5;
            long totalLength;
            try (var c = EmbeddedPostgres.rawConnection(backend); var s = c.createStatement();
                 var rs = s.executeQuery("select md5(string_agg(v, ',' order by id)), sum(length(v)) from tls_bulk")) {
                rs.next();
                expectedMd5 = rs.getString(1);
                totalLength = rs.getLong(2);
                s.execute("drop table tls_bulk");
            }
            assertEquals(List.of("CREATE TABLE", "COPY 20000", "20000|" + totalLength, "200000", expectedMd5, "t"),
                    r.out().lines().toList());
            try (var c = java.sql.DriverManager.getConnection(gw.jdbcUrl("sslmode=require"));
                 var ps = c.prepareStatement("select ?::text, length(?::text)")) {
                for (int i = 0; i < 50; i++) {
                    String v = Integer.toString(i).repeat(10_000 + i * 997);
                    ps.setString(1, v);
                    ps.setString(2, v);
                    try (var rs = ps.executeQuery()) {
                        rs.next();
                        assertEquals(v, rs.getString(1));
                        assertEquals(v.length(), rs.getInt(2));
                    }
                }
            }
        }
    }

    @Test
    void clientKilledMidStatementOverTlsCancelsItAndReleasesTheSession() throws Exception {
        try (GatewayFixture gw = new GatewayFixture(backend, 2, tls, "scram-sha-256")) {
            ProcessBuilder p = new ProcessBuilder("/usr/bin/psql", "-X", "-h", "127.0.0.1", "-p",
                    String.valueOf(gw.port()), "-U", "alice", "-d", "app", "-c", "select pg_sleep(60) /* tls-killed */")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
            p.environment().put("PGPASSWORD", GatewayFixture.ALICE_PASSWORD);
            p.environment().put("PGSSLMODE", "require");
            Process psql = p.start();
            GatewayRobustnessIT.await("query running", () -> activeBackendQueries("%tls-killed%") == 1);
            psql.destroyForcibly().waitFor();
            GatewayRobustnessIT.await("backend query cancelled", () -> activeBackendQueries("%tls-killed%") == 0);
            GatewayRobustnessIT.await("session released", () -> gw.server.sessionCount() == 0);
            assertTrue(psql(gw.port(), "require", GatewayFixture.ALICE_PASSWORD).out().startsWith("ok"));
        }
    }

    @Test
    void tls13KeyUpdateMidSessionIsAnswered() throws Exception {
        try (GatewayFixture gw = new GatewayFixture(backend, 2, tls, "scram-sha-256");
             RawPgClient client = RawPgClient.tls(gw.port(), "TLSv1.3").login("alice", GatewayFixture.ALICE_PASSWORD)) {
            assertEquals("before", queryOneValue(client, "select 'before'"));
            // on an established TLS 1.3 connection the JDK's client sends a KeyUpdate asking for one back
            ((javax.net.ssl.SSLSocket) client.socket).startHandshake();
            for (int i = 0; i < 3; i++) {
                assertEquals("after " + i, queryOneValue(client, "select 'after " + i + "'"));
            }
        }
    }

    @Test
    void tls12RenegotiationClosesTheConnectionAsPostgresqlDoes() throws Exception {
        assumeTrue(!"event-loop".equals(System.getProperty("warden.gateway.session-io")),
                "the event loop's SslHandler leaves renegotiation to the JDK");
        try (GatewayFixture gw = new GatewayFixture(backend, 2, tls, "scram-sha-256");
             RawPgClient client = RawPgClient.tls(gw.port(), "TLSv1.2").login("alice", GatewayFixture.ALICE_PASSWORD)) {
            assertEquals("before", queryOneValue(client, "select 'before'"));
            assertThrows(java.io.IOException.class, () -> {
                ((javax.net.ssl.SSLSocket) client.socket).startHandshake();
                queryOneValue(client, "select 'after'");
            });
            GatewayRobustnessIT.await("session released", () -> gw.server.sessionCount() == 0);
        }
    }

    /** The first column of the first row of a simple query's result, read up to ReadyForQuery. */
    private static String queryOneValue(RawPgClient client, String sql) throws java.io.IOException {
        client.query(sql);
        String value = null;
        RawPgClient.Message m;
        while ((m = client.read()).type() != 'Z') {
            if (m.type() == 'D' && value == null) {
                var b = java.nio.ByteBuffer.wrap(m.body());
                b.getShort();
                byte[] v = new byte[b.getInt()];
                b.get(v);
                value = new String(v, java.nio.charset.StandardCharsets.UTF_8);
            } else if (m.type() == 'E') {
                throw new AssertionError(m.text());
            }
        }
        return value;
    }

    static int activeBackendQueries(String like) {
        try (var c = EmbeddedPostgres.rawConnection(backend); var s = c.createStatement();
             var rs = s.executeQuery("select count(*) from pg_stat_activity where state = 'active' and query like '"
                     + like + "' and pid <> pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        } catch (java.sql.SQLException e) {
            return -1;
        }
    }

    @Test
    void nonLoopbackListenerWithoutTlsIsRefused() {
        GatewayConfig config = GatewayFixture.config("0.0.0.0", backend, 1, null, "scram-sha-256");
        GatewayServer server = new GatewayServer(config, new PooledBackendConnector(config.backend(), null, null),
                new PgjdbcCopyRunner());
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class, server::start);
            assertTrue(e.getMessage().contains("without TLS"), e.getMessage());
        } finally {
            server.close();
        }
    }
}
