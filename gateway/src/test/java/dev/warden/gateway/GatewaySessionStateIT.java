package dev.warden.gateway;

import dev.warden.gateway.auth.AuthMethod;
import dev.warden.gateway.auth.GatewayUser;
import dev.warden.gateway.auth.ScramVerifier;
import dev.warden.gateway.backend.PgjdbcCopyRunner;
import dev.warden.gateway.wire.PgFrameDecoder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.warden.testkit.CustomersExample;
import dev.warden.testkit.EmbeddedPostgres;
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

/**
 * Issue 10, classes 7 and 9 through the gateway, with one backend connection per (role, purpose) pool so that
 * consecutive clients get the same one: Warden session state (the purpose a client SET) never reaches the
 * next client, whatever the client did; {@code SET warden.purpose} is limited to what the gateway user may
 * declare; a Parse holding two statements, and every refused login, leave one audit event.
 *
 * <p>The policy is the customers example with a {@code marketing} purpose for support: {@code phone}
 * (encrypted) and {@code name} (rules-only) are plaintext for support only under {@code customer-service}.
 */
class GatewaySessionStateIT {

    static final String PHONE = "+33 6 12 34 56 78";
    static final String NAME = "Zoe Quimper";

    static CustomersExample example;
    static Path policyDir;
    /** The seeded row: found by its key, since a masked reader may not filter on its email (filter right). */
    static long zoe;
    static GatewayServer server;

    @BeforeAll
    static void start() throws Exception {
        example = CustomersExample.create();
        policyDir = CustomersExample.newPolicyDirectory();
        Path policy = policyDir.resolve("policy.yaml");
        String yaml = Files.readString(policy)
                .replace("support: { purposes: [customer-service] }", "support: { purposes: [customer-service, marketing] }")
                .replace("      read: { support: plaintext, billing: masked }\n      mask: last4\n      write: [support]\n",
                        "      read: { support: plaintext, billing: masked }\n      mask: last4\n      write: [support]\n"
                        + "      purposes: [customer-service]\n"
                        + "    name:\n      encrypt: none\n"
                        + "      read: { support: plaintext, billing: plaintext, analyst: plaintext }\n"
                        + "      mask: redact\n      write: [support, billing]\n"
                        + "      purposes: [customer-service, order-processing]\n");
        assertTrue(yaml.contains("marketing") && yaml.contains("encrypt: none"), yaml);
        Files.writeString(policy, yaml);
        try (Connection c = example.as(policyDir, "support", "customer-service");
             PreparedStatement ps = c.prepareStatement("insert into customers(name, email, phone, country) values (?, ?, ?, 'FR')"
                     + " returning id")) {
            ps.setString(1, NAME);
            ps.setString(2, "zoe@example.com");
            ps.setString(3, PHONE);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                zoe = rs.getLong(1);
            }
        }
        server = start(1);
    }

    static GatewayServer start(int poolSize) throws InterruptedException {
        ScramVerifier pw = ScramVerifier.generate("pw".toCharArray(), 4096);
        GatewayConfig config = new GatewayConfig("127.0.0.1", 0,
                new GatewayConfig.Backend(example.wardenUrl(), EmbeddedPostgres.USER, "", poolSize, Map.of()),
                policyDir.resolve("policy.yaml").toString(), "file:" + policyDir.resolve("demo-master-key.txt"), null,
                false, false, PgFrameDecoder.DEFAULT_MAX_MESSAGE_LENGTH,
                Map.of("mia", new GatewayUser("mia", pw, "support", "marketing", Set.of()),
                        "max", new GatewayUser("max", pw, "support", "marketing", Set.of("marketing", "customer-service")),
                        "pat", new GatewayUser("pat", pw, "support", "marketing", Set.of()).withAuth(AuthMethod.PASSWORD)),
                "scram-sha-256", 100);
        return new GatewayServer(config, new PooledBackendConnector(config.backend(), config.policy(),
                config.masterKey()), new PgjdbcCopyRunner()).start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    static Connection jdbc(GatewayServer s, String user, String password) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + s.port() + "/app?user=" + user
                + "&password=" + password);
    }

    /** phone and name of the seeded row, as {@code user} sees them through the gateway. */
    static List<String> seen(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select phone, name from customers where id = " + zoe)) {
            assertTrue(rs.next());
            return List.of(String.valueOf(rs.getString(1)), String.valueOf(rs.getString(2)));
        }
    }

    static void assertMasked(List<String> seen, String who) {
        assertFalse(seen.get(0).contains(PHONE), who + " sees the phone in plaintext: " + seen);
        assertFalse(seen.get(1).contains(NAME), who + " sees the rules-only name in plaintext: " + seen);
    }

    // ---------------------------------------------------------------- class 7

    @Test
    void aPurposeOneClientSetDoesNotReachTheNextClientOfThePooledConnection() throws Exception {
        for (String reset : new String[] {"", "DISCARD ALL", "RESET ALL", "BEGIN"}) {
            try (Connection a = jdbc(server, "max", "pw")) {
                assertMasked(seen(a), "max under marketing");
                try (Statement s = a.createStatement()) {
                    s.execute("SET warden.purpose = 'customer-service'");
                }
                assertEquals(List.of(PHONE, NAME), seen(a), "the SET works for the client that ran it");
                if (!reset.isEmpty()) {
                    try (Statement s = a.createStatement()) {
                        s.execute(reset);
                    }
                }
            }
            // same role and purpose: the same (only) backend connection of the pool
            try (Connection b = jdbc(server, "mia", "pw")) {
                assertMasked(seen(b), "the next client (after '" + reset + "')");
            }
            try (Connection b = jdbc(server, "max", "pw")) {
                assertMasked(seen(b), "the same user logging in again (after '" + reset + "')");
            }
        }
    }

    @Test
    void aClientThatLeavesWithoutTerminateOrInsideATransactionDoesNotLeaveItsPurposeEither() throws Exception {
        try (RawPgClient a = new RawPgClient(server.port()).login("max", "pw")) {
            a.query("SET warden.purpose = 'customer-service'");
            a.readUntilReady();
            a.query("BEGIN");
            a.readUntilReady();
            a.query("select phone from customers");
            a.readUntilReady();
            // the socket is closed without Terminate, inside a transaction block
        }
        Thread.sleep(200);
        try (Connection b = jdbc(server, "mia", "pw")) {
            assertMasked(seen(b), "the next client after an abrupt disconnect");
        }
    }

    @Test
    void psqlClientsOneAfterAnotherEachActForTheirOwnPurpose() {
        assumeTrue(GatewayFixture.available("psql"), "psql not installed");
        var a = psql("max", "SET warden.purpose = 'customer-service'; select phone from customers where id = " + zoe);
        assertEquals(0, a.exit(), a.err());
        assertTrue(a.out().contains(PHONE), a.out());
        var b = psql("mia", "select phone, name from customers where id = " + zoe);
        assertEquals(0, b.exit(), b.err());
        assertFalse(b.out().contains(PHONE), b.out());
        assertFalse(b.out().contains(NAME), b.out());
    }

    @Test
    void setWardenPurposeIsLimitedToThePurposesTheGatewayUserMayDeclareAndAudited() throws Exception {
        try (Connection c = jdbc(server, "mia", "pw"); Statement s = c.createStatement()) {
            SQLException e = assertThrows(SQLException.class, () -> s.execute("SET warden.purpose = 'customer-service'"));
            assertEquals("42501", e.getSQLState(), e.getMessage());
            assertTrue(e.getMessage().contains("customer-service"), e.getMessage());
            assertMasked(seen(c), "mia after a refused SET");
        }
        List<String> refused = awaitEvents(l -> l.contains("\"databaseUser\":\"mia\"") && l.contains("\"decision\":\"refused\"")
                && l.contains("\"sqlState\":\"42501\"") && l.contains("warden.purpose"), 1);
        assertEquals(1, refused.size(), refused.toString());
    }

    // ---------------------------------------------------------------- class 9: events for what the gateway refuses

    @Test
    void aParseHoldingTwoStatementsIsRefusedWithOneAuditEvent() throws Exception {
        String marker = "two_statements_" + System.nanoTime();
        try (RawPgClient c = new RawPgClient(server.port()).login("mia", "pw")) {
            byte[] sql = ("select 1 as " + marker + "; select phone from customers").getBytes(StandardCharsets.UTF_8);
            c.send('P', RawPgClient.concat(new byte[] {0}, sql, new byte[] {0}, new byte[] {0, 0}));
            c.send('S', new byte[0]);
            RawPgClient.Message error = c.read();
            assertEquals('E', error.type());
            assertTrue(error.text().contains("42601"), error.text());
            assertEquals('Z', c.read().type());
            c.query("select 1");
            assertEquals("TDCZ", c.readUntilReady(), "the session goes on");
        }
        List<String> events = awaitEvents(l -> l.contains(marker), 1);
        assertEquals(1, events.size(), events.toString());
        String e = events.get(0);
        assertTrue(e.contains("\"decision\":\"refused\"") && e.contains("\"sqlState\":\"42601\"")
                && e.contains("\"databaseUser\":\"mia\""), e);
        assertFalse(e.contains(PHONE), e);
    }

    @Test
    void failedLoginsLeaveAnAuditEventWithUserAddressAndReasonButNeverThePassword() throws Exception {
        GatewayServer own = start(1); // its own rate limiter: this test locks 127.0.0.1 out of it
        try {
            String wrong = "Wr0ngPassw0rd" + System.nanoTime();
            SQLException bad = assertThrows(SQLException.class, () -> jdbc(own, "mia", wrong).close());
            assertEquals("28P01", bad.getSQLState(), bad.getMessage());
            SQLException unknown = assertThrows(SQLException.class, () -> jdbc(own, "nobody", wrong).close());
            assertEquals("28P01", unknown.getSQLState(), unknown.getMessage());
            // auth: password without TLS is refused before any password is asked for
            SQLException method = assertThrows(SQLException.class, () -> jdbc(own, "pat", "pw").close());
            assertEquals("28000", method.getSQLState(), method.getMessage());
            for (int i = 0; i < 5; i++) {
                assertThrows(SQLException.class, () -> jdbc(own, "max", wrong).close());
            }
            SQLException limited = assertThrows(SQLException.class, () -> jdbc(own, "max", "pw").close());
            assertTrue(limited.getMessage().contains("too many failed authentication attempts"), limited.getMessage());

            List<String> mia = awaitEvents(l -> l.contains("\"type\":\"authentication\"")
                    && l.contains("\"databaseUser\":\"mia\"") && l.contains("\"sqlState\":\"28P01\""), 1);
            assertFalse(mia.isEmpty());
            String e = mia.get(mia.size() - 1);
            assertTrue(e.contains("\"decision\":\"refused\"") && e.contains("\"clientAddress\":\"127.0.0.1:")
                    && e.contains("password authentication failed"), e);
            assertFalse(awaitEvents(l -> l.contains("\"databaseUser\":\"nobody\""), 1).isEmpty());
            assertFalse(awaitEvents(l -> l.contains("\"type\":\"authentication\"") && l.contains("\"databaseUser\":\"pat\"")
                    && l.contains("requires an SSL connection"), 1).isEmpty());
            assertFalse(awaitEvents(l -> l.contains("\"type\":\"authentication\"") && l.contains("\"databaseUser\":\"max\"")
                    && l.contains("too many failed authentication attempts"), 1).isEmpty());
            for (String line : trail()) {
                assertFalse(line.contains(wrong.substring(0, 13)), "a password reached the trail: " + line);
            }
        } finally {
            own.close();
        }
    }

    // ---------------------------------------------------------------- helpers

    static GatewayFixture.Result psql(String user, String sql) {
        return GatewayFixture.run(List.of("/usr/bin/psql", "-X", "-At", "-h", "127.0.0.1", "-p",
                String.valueOf(server.port()), "-U", user, "-d", "app", "-c", sql), null, Map.of("PGPASSWORD", "pw"), 60);
    }

    static List<String> trail() throws Exception {
        List<String> lines = new ArrayList<>();
        try (var files = Files.list(policyDir)) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith("warden-audit")).sorted().toList()) {
                lines.addAll(dev.warden.audit.AuditTrailReader.readAsFormat1Lines(List.of(f))); // every value in full
            }
        }
        return lines;
    }

    /** The trail lines matching {@code which}, once at least {@code atLeast} are there (or after 5 s). */
    static List<String> awaitEvents(Predicate<String> which, int atLeast) throws Exception {
        List<String> found = List.of();
        for (int i = 0; i < 100; i++) {
            found = trail().stream().filter(which).toList();
            if (found.size() >= atLeast) {
                Thread.sleep(100); // and nothing more arrives (exactly-once checks)
                return trail().stream().filter(which).toList();
            }
            Thread.sleep(50);
        }
        return found;
    }
}
