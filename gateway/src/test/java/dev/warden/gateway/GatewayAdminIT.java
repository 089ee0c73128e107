package dev.warden.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.engine.EngineConfig;
import dev.warden.engine.WardenEngine;
import dev.warden.gateway.auth.BackendLogin;
import dev.warden.gateway.auth.GatewayUser;
import dev.warden.gateway.auth.ScramVerifier;
import dev.warden.gateway.backend.PgjdbcCopyRunner;
import dev.warden.gateway.wire.PgFrameDecoder;
import dev.warden.testkit.CustomersExample;
import dev.warden.testkit.EmbeddedPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The admin listener of a real gateway, read with the JDK's HTTP client: {@code /metrics} in Prometheus text format
 * shows the engine's counters move after statements through the gateway and a refusal (by SQLState), and the
 * gateway's client connections and backend pool; {@code /health} answers 200 while the audit trail, the keyset
 * and the database are fine (also as users' own database logins, without a shared user), 200 "degraded" naming
 * what needs an operator while the gateway still serves (a rejected keyset file, a fail-open trail that cannot be
 * written), and 503 naming what is wrong when the database is down. Real PostgreSQL, the customers example policy.
 */
class GatewayAdminIT {

    private static final ScramVerifier PW = ScramVerifier.generate("pw".toCharArray(), 4096);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private GatewayServer server;

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    @Test
    void metricsMoveAfterStatementsAndARefusalAndHealthIsUp() throws Exception {
        CustomersExample example = CustomersExample.create();
        Path dir = policyDirectory("audit:\n  path: warden-audit.jsonl", "audit:\n  path: warden-audit.jsonl");
        start(example.wardenUrl(), dir);
        String policyTag = "policy=\"" + dir.resolve("policy.yaml") + "\"";

        HttpResponse<String> health = get("/health");
        assertEquals(200, health.statusCode(), health.body());
        assertEquals("application/json", health.headers().firstValue("Content-Type").orElse(""));
        assertEquals("{\"status\":\"up\",\"checks\":{\"audit\":\"up\",\"keyset\":\"up\",\"database\":\"up\"}}\n",
                health.body());

        String before = metrics();
        try (Connection sam = client("sam"); Connection ana = client("ana")) {
            try (PreparedStatement insert = sam.prepareStatement(
                    "INSERT INTO customers (name, email, phone) VALUES ('Ann', ?, ?)")) {
                insert.setString(1, "ann@example.com");
                insert.setString(2, "+852 5555 0123");
                assertEquals(1, insert.executeUpdate());
            }
            try (Statement s = sam.createStatement(); ResultSet rs = s.executeQuery("SELECT phone FROM customers")) {
                assertTrue(rs.next());
                assertEquals("+852 5555 0123", rs.getString(1));
            }
            try (Statement s = ana.createStatement()) {
                SQLException refused = assertThrows(SQLException.class, () -> s.executeQuery("SELECT phone FROM customers"));
                assertEquals("42501", refused.getSQLState());
            }
            String during = metrics();
            assertEquals(2, value(during, "warden_gateway_connections", ""), during);
            assertTrue(value(during, "warden_gateway_pool_connections", "state=\"active\"") >= 2, during);
            assertTrue(value(during, "warden_gateway_pool_max", "") >= 4, "two pools of 2: " + during);
        }
        String after = metrics();
        assertEquals(1, delta(before, after, "warden_statements_total", "decision=\"allowed\",kind=\"INSERT\"," + policyTag));
        assertEquals(1, delta(before, after, "warden_statements_total", "decision=\"allowed\",kind=\"SELECT\"," + policyTag));
        assertEquals(1, delta(before, after, "warden_statements_total", "decision=\"refused\",kind=\"SELECT\"," + policyTag));
        assertEquals(1, delta(before, after, "warden_refusals_total", policyTag + ",sqlstate=\"42501\""));
        assertEquals(0, delta(before, after, "warden_refusals_total", policyTag + ",sqlstate=\"0A000\""));
        assertEquals(2, delta(before, after, "warden_values_encrypted_total", policyTag));
        assertEquals(1, delta(before, after, "warden_values_decrypted_total", policyTag));
        assertTrue(delta(before, after, "warden_overhead_seconds_count", policyTag) >= 3, after);
        assertTrue(delta(before, after, "warden_overhead_seconds_sum", policyTag) > 0, after);
        assertEquals(2, delta(before, after, "warden_gateway_connections_opened_total", ""));
        assertEquals(1, value(after, "warden_audit_healthy", policyTag));
        assertEquals(0, value(after, "warden_audit_events_total", "outcome=\"dropped\"," + policyTag));
        assertTrue(value(after, "warden_audit_events_total", "outcome=\"written\"," + policyTag) >= 0);
        assertTrue(after.contains("# TYPE warden_statements_total counter"), after);

        assertEquals(404, get("/nothing").statusCode());
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(uri("/metrics"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, post.statusCode());
    }

    @Test
    void theEnginesMetersShowWhenThePolicyIsGivenByTheBackendUrlsProperties() throws Exception {
        CustomersExample example = CustomersExample.create();
        Path dir = policyDirectory("audit:\n  path: warden-audit.jsonl", "audit:\n  path: warden-audit.jsonl");
        String policy = dir.resolve("policy.yaml").toString();
        // no policy: key; the jdbc:warden: connections find the policy in their own properties
        GatewayConfig config = new GatewayConfig("127.0.0.1", 0,
                new GatewayConfig.Backend(example.wardenUrl(), EmbeddedPostgres.USER, "", 2, Map.of(
                        "warden.policy", policy, "warden.masterKey", "file:" + dir.resolve("demo-master-key.txt"))),
                null, null, null, false, false, PgFrameDecoder.DEFAULT_MAX_MESSAGE_LENGTH,
                Map.of("sam", new GatewayUser("sam", PW, "support", "customer-service", Set.of())),
                "scram-sha-256", 10, false, false).withAdmin(new GatewayConfig.Admin("127.0.0.1", 0, false));
        server = new GatewayServer(config, new PooledBackendConnector(config.backend(), null, null),
                new PgjdbcCopyRunner()).start();
        try (Connection sam = client("sam"); Statement s = sam.createStatement();
             ResultSet rs = s.executeQuery("SELECT phone FROM customers")) {
            while (rs.next()) rs.getString(1);
        }
        String policyTag = "policy=\"" + policy + "\"";
        assertEquals(1, value(metrics(), "warden_statements_total",
                "decision=\"allowed\",kind=\"SELECT\"," + policyTag));
    }

    @Test
    void healthIs503NamingTheDatabaseWhenTheBackendIsDown() throws Exception {
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        Path dir = policyDirectory("audit:\n  path: warden-audit.jsonl", "audit:\n  path: warden-audit.jsonl");
        start("jdbc:warden:postgresql://127.0.0.1:" + closedPort + "/app", dir);
        HttpResponse<String> health = get("/health");
        assertEquals(503, health.statusCode(), health.body());
        assertTrue(health.body().startsWith("{\"status\":\"down\",\"checks\":{\"audit\":\"up\",\"keyset\":\"up\","
                + "\"database\":\"cannot connect to the database (SQLState 08001)"), health.body());
        assertEquals(200, get("/metrics").statusCode(), "metrics are served while the database is down");
    }

    @Test
    void healthIsDegradedNamingTheAuditTrailWhenAFailOpenTrailCannotBeWritten() throws Exception {
        CustomersExample example = CustomersExample.create();
        // the trail's directory is a file: nothing can be written; fail-open, so the engine still starts and
        // statements run (unaudited): the gateway serves, so 200, but an operator is needed
        Path dir = policyDirectory("audit:\n  path: warden-audit.jsonl",
                "audit:\n  path: blocked/warden-audit.jsonl\n  on-failure: fail-open");
        Files.writeString(dir.resolve("blocked"), "a file where the trail's directory should be");
        start(example.wardenUrl(), dir);
        HttpResponse<String> health = get("/health");
        assertEquals(200, health.statusCode(), health.body());
        assertTrue(health.body().startsWith("{\"status\":\"degraded\","), health.body());
        assertTrue(health.body().contains("\"audit\":\"the audit trail cannot be written and is fail-open"),
                health.body());
        assertTrue(health.body().contains("\"database\":\"up\""), health.body());
        String policyTag = "policy=\"" + dir.resolve("policy.yaml") + "\"";
        assertEquals(0, value(metrics(), "warden_audit_healthy", policyTag));
    }

    @Test
    void aRejectedKeysetFileIsDegradedNotDownWhileThePreviousKeysServe() throws Exception {
        CustomersExample example = CustomersExample.create();
        Path dir = policyDirectory("audit:\n  path: warden-audit.jsonl", "audit:\n  path: warden-audit.jsonl");
        start(example.wardenUrl(), dir);
        Files.writeString(dir.resolve("demo-keyset.json"), "{ not a keyset");
        WardenEngine engine = WardenEngine.forConfig(new EngineConfig(dir.resolve("policy.yaml").toString(),
                "file:" + dir.resolve("demo-master-key.txt")));
        assertThrows(SQLException.class, engine::reloadKeyset);
        HttpResponse<String> health = get("/health");
        assertEquals(200, health.statusCode(), "the gateway serves with the keys in use: " + health.body());
        assertTrue(health.body().startsWith("{\"status\":\"degraded\",\"checks\":{\"audit\":\"up\",\"keyset\":\""),
                health.body());
        assertTrue(health.body().contains("(the keys in use stay: "), health.body());
        assertTrue(health.body().endsWith("\"database\":\"up\"}}\n"), health.body());
        try (Connection sam = client("sam"); Statement s = sam.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM customers")) {
            assertTrue(rs.next(), "and it does serve");
        }
    }

    @Test
    void healthChecksTheDatabaseAsTheUsersOwnLoginsWithoutASharedUser() throws Exception {
        CustomersExample example = CustomersExample.create();
        String login = "warden_health_" + ProcessHandle.current().pid();
        try (Connection raw = example.raw(); Statement s = raw.createStatement()) {
            s.execute("create role " + login + " login password 'db-pw'");
        }
        try {
            Path dir = policyDirectory("audit:\n  path: warden-audit.jsonl", "audit:\n  path: warden-audit.jsonl");
            // no shared user: every gateway user runs as a database user of their own
            start(example.wardenUrl(), dir, null, new BackendLogin(login, "db-pw"));
            HttpResponse<String> health = get("/health");
            assertEquals(200, health.statusCode(), health.body());
            assertEquals("{\"status\":\"up\",\"checks\":{\"audit\":\"up\",\"keyset\":\"up\",\"database\":\"up\"}}\n",
                    health.body());
            try (Connection sam = client("sam"); Statement s = sam.createStatement();
                 ResultSet rs = s.executeQuery("SELECT current_user")) {
                assertTrue(rs.next());
                assertEquals(login, rs.getString(1));
            }
            Thread.sleep(DatabaseProbe.CACHE_NANOS / 1_000_000 + 100);
            // now on the pooled connection sam gave back
            assertEquals(200, get("/health").statusCode());
        } finally {
            stop();
            server = null;
            try (Connection raw = example.raw(); Statement s = raw.createStatement()) {
                s.execute("drop role " + login);
            }
        }
    }

    /**
     * A login the database refuses (wrong password in the gateway's config): {@code /health} is 503 with
     * PostgreSQL's reason, and neither its body, nor the error a client gets, nor anything logged meanwhile holds
     * the configured password (or the real one).
     */
    @Test
    void aRefusedLoginPutsNoPasswordInHealthNorTheLog() throws Exception {
        CustomersExample example = CustomersExample.create();
        String login = "warden_badpw_" + ProcessHandle.current().pid();
        String realPassword = "db-real-pw-7Kq2";
        String configuredPassword = "cfg-wrong-pw-Zx91";
        Path hba;
        String hbaBefore;
        try (Connection raw = example.raw(); Statement s = raw.createStatement()) {
            s.execute("create role " + login + " login password '" + realPassword + "'");
            // the embedded server trusts every login: this one must give its password
            try (ResultSet rs = s.executeQuery("SHOW hba_file")) {
                assertTrue(rs.next());
                hba = Path.of(rs.getString(1));
            }
            hbaBefore = Files.readString(hba);
            Files.writeString(hba, "host all " + login + " 0.0.0.0/0 scram-sha-256\nhost all " + login
                    + " ::/0 scram-sha-256\n" + hbaBefore);
            s.execute("SELECT pg_reload_conf()");
        }
        awaitPasswordRequired(example.rawUrl(), login, configuredPassword);
        java.util.List<String> logged = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                StringBuilder text = new StringBuilder(String.valueOf(r.getMessage()));
                if (r.getParameters() != null) for (Object p : r.getParameters()) text.append(' ').append(p);
                for (Throwable t = r.getThrown(); t != null; t = t.getCause()) text.append(' ').append(t);
                logged.add(text.toString());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        root.addHandler(capture);
        try {
            Path dir = policyDirectory("audit:\n  path: warden-audit.jsonl", "audit:\n  path: warden-audit.jsonl");
            start(example.wardenUrl(), dir, null, new BackendLogin(login, configuredPassword));
            HttpResponse<String> health = get("/health");
            assertEquals(503, health.statusCode(), health.body());
            assertTrue(health.body().contains("\"database\":\"cannot connect to the database (SQLState 28P01)"),
                    health.body());
            SQLException refused = assertThrows(SQLException.class, () -> client("sam").close());
            String client = refused.getMessage();
            for (String secret : new String[] {configuredPassword, realPassword}) {
                assertTrue(!health.body().contains(secret), "/health holds a password: " + health.body());
                assertTrue(!client.contains(secret), "the client's error holds a password: " + client);
                for (String line : logged) assertTrue(!line.contains(secret), "logged a password: " + line);
            }
        } finally {
            root.removeHandler(capture);
            stop();
            server = null;
            Files.writeString(hba, hbaBefore);
            try (Connection raw = example.raw(); Statement s = raw.createStatement()) {
                s.execute("SELECT pg_reload_conf()");
                s.execute("drop role " + login);
            }
        }
    }

    /** Waits until the server, having reloaded pg_hba.conf, refuses {@code user} with {@code wrongPassword}. */
    private static void awaitPasswordRequired(String url, String user, String wrongPassword) throws Exception {
        for (int attempt = 0; attempt < 100; attempt++) {
            try (Connection c = DriverManager.getConnection(url, user, wrongPassword)) {
                Thread.sleep(50);  // still trusted: the reload is not in force yet
            } catch (SQLException e) {
                assertEquals("28P01", e.getSQLState(), e.getMessage());
                return;
            }
        }
        throw new AssertionError("the server still lets " + user + " in without its password");
    }

    private static Path policyDirectory(String text, String replacement) throws Exception {
        Path dir = CustomersExample.newPolicyDirectoryWith(text, replacement);
        Path policy = dir.resolve("policy.yaml");
        Files.writeString(policy, "policy-reload: off\n" + Files.readString(policy));
        return dir;
    }

    private void start(String backendUrl, Path dir) throws Exception {
        start(backendUrl, dir, EmbeddedPostgres.USER, null);
    }

    /** A gateway whose backend's shared user is {@code sharedUser} and whose users run as {@code login} (null: it). */
    private void start(String backendUrl, Path dir, String sharedUser, BackendLogin login) throws Exception {
        GatewayUser sam = new GatewayUser("sam", PW, "support", "customer-service", Set.of());
        GatewayUser ana = new GatewayUser("ana", PW, "analyst", null, Set.of());
        GatewayConfig config = new GatewayConfig("127.0.0.1", 0,
                new GatewayConfig.Backend(backendUrl, sharedUser, sharedUser == null ? null : "", 2, Map.of()),
                dir.resolve("policy.yaml").toString(), "file:" + dir.resolve("demo-master-key.txt"), null, false, false,
                PgFrameDecoder.DEFAULT_MAX_MESSAGE_LENGTH,
                Map.of("sam", login == null ? sam : sam.withBackendLogin(login),
                        "ana", login == null ? ana : ana.withBackendLogin(login)),
                "scram-sha-256", 10, false, false).withAdmin(new GatewayConfig.Admin("127.0.0.1", 0, false));
        server = new GatewayServer(config, new PooledBackendConnector(config.backend(), config.policy(),
                config.masterKey()), new PgjdbcCopyRunner()).start();
    }

    private Connection client(String user) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + server.port() + "/app?user=" + user
                + "&password=pw");
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.adminPort() + path);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private String metrics() throws Exception {
        HttpResponse<String> response = get("/metrics");
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
        return response.body();
    }

    /** The sample {@code name{labels}} (labels as Prometheus writes them, sorted; empty: none) of a scrape. */
    private static double value(String scrape, String name, String labels) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name + (labels.isEmpty() ? "" : "{" + labels + "}"))
                + " (\\S+)$").matcher(scrape);
        assertTrue(m.find(), name + "{" + labels + "} in:\n" + scrape);
        return Double.parseDouble(m.group(1));
    }

    private static double delta(String before, String after, String name, String labels) {
        return value(after, name, labels) - value(before, name, labels);
    }

}
