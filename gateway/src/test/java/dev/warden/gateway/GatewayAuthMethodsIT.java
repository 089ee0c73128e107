package dev.warden.gateway;

import dev.warden.gateway.auth.AuthMethod;
import dev.warden.gateway.auth.GatewayUser;
import dev.warden.gateway.auth.Md5Verifier;
import dev.warden.gateway.auth.ScramVerifier;
import dev.warden.gateway.backend.PgjdbcCopyRunner;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.warden.cli.PasswdCommand;
import dev.warden.testkit.EmbeddedPostgres;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Per-user authentication methods: SCRAM-SHA-256 (the default), cleartext {@code password} checked against
 * the SCRAM verifier, and {@code md5} against an md5 verifier made by {@code warden passwd --md5}; the last
 * two only over TLS unless the configuration allows them without. Driven with psql, pgjdbc and raw bytes.
 */
class GatewayAuthMethodsIT {

    static final String CAROL_PASSWORD = "carol-pw";
    static final String DAVE_PASSWORD = "dave-pw";

    static String backend;
    static GatewayConfig.Tls tls;
    static String daveMd5;
    static GatewayServer tlsOnly;
    static GatewayServer anyTransport;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")), "openssl not installed");
        Path dir = Files.createTempDirectory("gwauth");
        var r = GatewayFixture.run(List.of("/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-keyout", dir.resolve("key.pem").toString(), "-out", dir.resolve("cert.pem").toString(),
                "-days", "1", "-subj", "/CN=localhost"), null, Map.of(), 60);
        assertEquals(0, r.exit(), r.err());
        tls = new GatewayConfig.Tls(dir.resolve("cert.pem"), dir.resolve("key.pem"));
        backend = EmbeddedPostgres.freshDatabase();
        daveMd5 = passwd(DAVE_PASSWORD, "--md5", "--user", "dave", "--password-stdin");
        tlsOnly = server(false);
        anyTransport = server(true);
    }

    @AfterAll
    static void stop() {
        if (tlsOnly != null) {
            tlsOnly.close();
        }
        if (anyTransport != null) {
            anyTransport.close();
        }
    }

    /** Runs {@code warden passwd} in-process with the password on its standard input; returns its output. */
    static synchronized String passwd(String password, String... args) {
        InputStream in = System.in;
        PrintStream out = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try {
            System.setIn(new ByteArrayInputStream((password + "\n").getBytes(StandardCharsets.UTF_8)));
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            assertEquals(0, new CommandLine(new PasswdCommand()).execute(args));
        } finally {
            System.setIn(in);
            System.setOut(out);
        }
        return captured.toString(StandardCharsets.UTF_8).strip();
    }

    static GatewayServer server(boolean allowWithoutTls) throws InterruptedException {
        Map<String, GatewayUser> users = new LinkedHashMap<>();
        users.put("alice", new GatewayUser("alice", GatewayFixture.ALICE, "analyst", null, Set.of()));
        users.put("carol", new GatewayUser("carol", ScramVerifier.generate(CAROL_PASSWORD.toCharArray(), 4096),
                "support", null, Set.of(), AuthMethod.PASSWORD, null));
        users.put("dave", new GatewayUser("dave", null, "billing", null, Set.of(), AuthMethod.MD5,
                Md5Verifier.parse(daveMd5)));
        GatewayConfig base = GatewayFixture.config("127.0.0.1", backend, 2, tls, "scram-sha-256");
        GatewayConfig config = new GatewayConfig(base.host(), 0, base.backend(), null, null, tls, false,
                allowWithoutTls, base.maxMessageBytes(), users, "scram-sha-256", 20, allowWithoutTls);
        return new GatewayServer(config, new PooledBackendConnector(config.backend(), null, null),
                new PgjdbcCopyRunner()).start();
    }

    static GatewayFixture.Result psql(GatewayServer server, String user, String password, String sslmode) {
        assumeTrue(GatewayFixture.available("psql"), "psql not installed");
        return GatewayFixture.run(List.of("/usr/bin/psql", "-X", "-At", "-h", "127.0.0.1", "-p",
                String.valueOf(server.port()), "-U", user, "-d", "app", "-c", "select 'in as ' || 'x'"), null,
                Map.of("PGPASSWORD", password, "PGSSLMODE", sslmode), 30);
    }

    static String pgjdbc(GatewayServer server, String user, String password, boolean ssl) throws SQLException {
        String url = "jdbc:postgresql://127.0.0.1:" + server.port() + "/app?user=" + user + "&password=" + password
                + (ssl ? "&sslmode=require&sslfactory=org.postgresql.ssl.NonValidatingFactory" : "&sslmode=disable");
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select 'jdbc ok'")) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void passwdMd5PrintsWhatPostgresqlItselfStores() throws Exception {
        try (Connection c = EmbeddedPostgres.rawConnection(backend); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select 'md5' || md5('" + DAVE_PASSWORD + "' || 'dave')")) {
            rs.next();
            assertEquals(rs.getString(1), daveMd5);
        }
        assertEquals(2, new CommandLine(new PasswdCommand()).execute("--md5", "--password-stdin"),
                "--md5 without --user is a usage error");
    }

    @Test
    void overTlsPsqlAuthenticatesEachUserWithItsMethod() {
        for (String[] u : new String[][] {{"alice", GatewayFixture.ALICE_PASSWORD}, {"carol", CAROL_PASSWORD},
                {"dave", DAVE_PASSWORD}}) {
            var ok = psql(tlsOnly, u[0], u[1], "require");
            assertEquals(0, ok.exit(), u[0] + ": " + ok.err());
            assertEquals("in as x", ok.out().strip());
            var wrong = psql(tlsOnly, u[0], u[1] + "-wrong", "require");
            assertTrue(wrong.err().contains("password authentication failed for user \"" + u[0] + "\""),
                    u[0] + ": " + wrong.err());
        }
    }

    @Test
    void withoutTlsCleartextAndMd5AreRefusedUnlessAllowed() {
        var carol = psql(tlsOnly, "carol", CAROL_PASSWORD, "disable");
        assertTrue(carol.err().contains("password authentication requires an SSL connection"), carol.err());
        var dave = psql(tlsOnly, "dave", DAVE_PASSWORD, "disable");
        assertTrue(dave.err().contains("md5 authentication requires an SSL connection"), dave.err());
        var alice = psql(tlsOnly, "alice", GatewayFixture.ALICE_PASSWORD, "disable");
        assertEquals("in as x", alice.out().strip(), "SCRAM needs no TLS: " + alice.err());

        for (String[] u : new String[][] {{"carol", CAROL_PASSWORD}, {"dave", DAVE_PASSWORD}}) {
            var ok = psql(anyTransport, u[0], u[1], "disable");
            assertEquals(0, ok.exit(), u[0] + ": " + ok.err());
            assertEquals("in as x", ok.out().strip());
        }
    }

    @Test
    void pgjdbcAuthenticatesWithCleartextAndMd5() throws Exception {
        assertEquals("jdbc ok", pgjdbc(tlsOnly, "carol", CAROL_PASSWORD, true));
        assertEquals("jdbc ok", pgjdbc(tlsOnly, "dave", DAVE_PASSWORD, true));
        assertEquals("jdbc ok", pgjdbc(anyTransport, "carol", CAROL_PASSWORD, false));
        assertEquals("jdbc ok", pgjdbc(anyTransport, "dave", DAVE_PASSWORD, false));
        SQLException refused = assertThrows(SQLException.class, () -> pgjdbc(tlsOnly, "dave", DAVE_PASSWORD, false));
        assertEquals("28000", refused.getSQLState());
        SQLException wrong = assertThrows(SQLException.class, () -> pgjdbc(tlsOnly, "dave", "nope", true));
        assertEquals("28P01", wrong.getSQLState());
    }

    @Test
    void theServerAsksEachUserForItsOwnMethod() throws Exception {
        try (RawPgClient c = new RawPgClient(anyTransport.port())) {
            c.startup("dave");
            RawPgClient.Message m = c.read();
            assertEquals('R', m.type());
            assertEquals(5, java.nio.ByteBuffer.wrap(m.body()).getInt(), "AuthenticationMD5Password");
            byte[] salt = java.util.Arrays.copyOfRange(m.body(), 4, 8);
            // md5(md5(password + user) + salt), as libpq computes it
            HexFormat hex = HexFormat.of();
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            String inner = hex.formatHex(md5.digest((DAVE_PASSWORD + "dave").getBytes(StandardCharsets.UTF_8)));
            md5.update(inner.getBytes(StandardCharsets.US_ASCII));
            String response = "md5" + hex.formatHex(md5.digest(salt));
            c.send('p', (response + "\0").getBytes(StandardCharsets.UTF_8));
            RawPgClient.Message ok = c.read();
            assertEquals('R', ok.type());
            assertEquals(0, java.nio.ByteBuffer.wrap(ok.body()).getInt(), "AuthenticationOk");
        }
        try (RawPgClient c = new RawPgClient(anyTransport.port())) {
            c.startup("carol");
            RawPgClient.Message m = c.read();
            assertEquals(3, java.nio.ByteBuffer.wrap(m.body()).getInt(), "AuthenticationCleartextPassword");
        }
        try (RawPgClient c = new RawPgClient(anyTransport.port())) {
            c.startup("alice");
            RawPgClient.Message m = c.read();
            assertEquals(10, java.nio.ByteBuffer.wrap(m.body()).getInt(), "AuthenticationSASL");
        }
    }

    @Test
    void configurationRefusesAnMd5UserWithoutAnMd5Verifier() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("backend", Map.of("url", backend));
        root.put("users", Map.of("dave", Map.of("verifier", GatewayFixture.ALICE.format(), "auth", "md5",
                "role", "billing")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GatewayConfig.fromMap(root, Path.of(".")));
        assertTrue(e.getMessage().contains("users.dave.auth: md5 needs an md5 verifier"), e.getMessage());
        root.put("users", Map.of("dave", Map.of("verifier", daveMd5, "auth", "md5", "role", "billing"),
                "carol", Map.of("verifier", daveMd5, "auth", "password", "role", "support")));
        GatewayConfig ok = GatewayConfig.fromMap(root, Path.of("."));
        assertEquals(AuthMethod.MD5, ok.users().get("dave").auth());
        assertFalse(ok.users().get("carol").matchesPassword(DAVE_PASSWORD.toCharArray()),
                "an md5 verifier is salted with its own user name");
        root.put("users", Map.of("dave", Map.of("verifier", daveMd5, "role", "billing")));
        e = assertThrows(IllegalArgumentException.class, () -> GatewayConfig.fromMap(root, Path.of(".")));
        assertTrue(e.getMessage().contains("users.dave.verifier"), e.getMessage());
    }
}
