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

/** TLS through SSLRequest, cleartext passwords only over TLS, and the non-loopback listener rule. */
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
