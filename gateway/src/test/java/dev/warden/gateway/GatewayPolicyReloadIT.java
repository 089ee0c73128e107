package dev.warden.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.cli.WardenCommand;
import dev.warden.engine.EngineConfig;
import dev.warden.engine.WardenEngine;
import dev.warden.gateway.auth.GatewayUser;
import dev.warden.gateway.auth.ScramVerifier;
import dev.warden.gateway.backend.PgjdbcCopyRunner;
import dev.warden.gateway.wire.PgFrameDecoder;
import dev.warden.testkit.CustomersExample;
import dev.warden.testkit.EmbeddedPostgres;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * A running gateway follows an edit of its policy file by itself ({@code policy-reload}), through the engine its
 * pooled connections share: a column put under the policy and encrypted with {@code warden keys reencrypt
 * --from-plaintext} is shown decrypted to clients connected before the edit (it was shown as stored ciphertext
 * until a restart), named statements prepared before the edit included; a gateway user whose role the new policy
 * removed is refused (28000) at its next statement and at login.
 */
class GatewayPolicyReloadIT {

    private GatewayServer server;

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    @Test
    void aColumnEncryptedFromPlaintextIsShownDecryptedWithoutARestart() throws Exception {
        CustomersExample example = CustomersExample.create();
        try (Connection raw = example.raw(); Statement s = raw.createStatement()) {
            s.execute("INSERT INTO customers (name, country) VALUES ('Ann', 'Hong Kong')");
        }
        Path dir = policyDirectory();
        Path policy = dir.resolve("policy.yaml");
        String masterKey = "file:" + dir.resolve("demo-master-key.txt");
        start(example, policy, masterKey);
        WardenEngine engine = WardenEngine.forConfig(new EngineConfig(policy.toString(), masterKey));
        String before = engine.policy().version();

        try (Connection c = client("sam");
             PreparedStatement country = c.prepareStatement("select country from customers where name = ?")) {
            assertEquals("Hong Kong", country(country), "plaintext, not under the policy yet");
            assertEquals("Hong Kong", country(country));  // a named server statement from now on

            // 1. the column goes under the policy; the running gateway loads it by itself
            String yaml = Files.readString(policy);
            Files.writeString(policy, yaml.replace("\naudit:", """
                        country:
                          encrypt: randomized
                          type: text
                          read: { support: plaintext }
                          write: [support]

                    audit:"""));
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (engine.policy().version().equals(before)) {
                assertTrue(System.nanoTime() < deadline, "the gateway did not load the edited policy");
                Thread.sleep(20);
            }
            // a value still in plaintext is refused, never shown as if it were decrypted
            SQLException notYet = assertThrows(SQLException.class, () -> country(country));
            assertEquals("XX001", notYet.getSQLState());

            // 2. warden keys reencrypt --from-plaintext, in a trail of its own while the gateway writes the policy's
            assertEquals(0, warden("keys", "reencrypt", "--policy", policy.toString(), "--url", example.rawUrl(),
                    "--user", EmbeddedPostgres.USER, "--master-key", masterKey, "--from-plaintext", "customers.country",
                    "--audit-trail", dir.resolve("reencrypt-audit.jsonl").toString()));

            // 3. the clients connected all along see the value, never its ciphertext
            assertEquals("Hong Kong", country(country));
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select country from customers")) {
                assertTrue(rs.next());
                assertEquals("Hong Kong", rs.getString(1));
            }
        }
        try (Connection raw = example.raw(); Statement s = raw.createStatement();
             ResultSet rs = s.executeQuery("select country from customers")) {
            assertTrue(rs.next());
            assertNotEquals("Hong Kong", rs.getString(1), "encrypted at rest");
            assertTrue(!rs.getString(1).contains("Hong"), rs.getString(1));
        }
    }

    @Test
    void aUserWhoseRoleTheNewPolicyRemovedIsRefused() throws Exception {
        CustomersExample example = CustomersExample.create();
        Path dir = policyDirectory();
        Path policy = dir.resolve("policy.yaml");
        String masterKey = "file:" + dir.resolve("demo-master-key.txt");
        start(example, policy, masterKey);
        WardenEngine engine = WardenEngine.forConfig(new EngineConfig(policy.toString(), masterKey));
        try (Connection ana = client("ana"); Statement s = ana.createStatement()) {
            try (ResultSet rs = s.executeQuery("select count(*) from orders")) {
                assertTrue(rs.next());
            }
            String before = engine.policy().version();
            Files.writeString(policy, Files.readString(policy).replace("  analyst: {}\n", "")
                    .replace(", analyst: masked", ""));
            // the gateway's own 100 ms poller may load the edit first; either way the new policy must be in force
            engine.reloadPolicy();
            assertNotEquals(before, engine.policy().version(), "the edited policy was not loaded");
            SQLException refused = assertThrows(SQLException.class, () -> s.executeQuery("select count(*) from orders"));
            assertEquals("28000", refused.getSQLState());
            assertTrue(refused.getMessage().contains("analyst"), refused.getMessage());
        }
        SQLException login = assertThrows(SQLException.class, () -> client("ana"));
        assertEquals("28000", login.getSQLState(), login.getMessage());
        try (Connection sam = client("sam"); Statement s = sam.createStatement();
             ResultSet rs = s.executeQuery("select count(*) from customers")) {
            assertTrue(rs.next(), "other users go on");
        }
    }

    private static Path policyDirectory() throws Exception {
        Path dir = CustomersExample.newPolicyDirectory();
        Path policy = dir.resolve("policy.yaml");
        Files.writeString(policy, "policy-reload: 100ms\n" + Files.readString(policy));
        return dir;
    }

    private void start(CustomersExample example, Path policy, String masterKey) throws Exception {
        ScramVerifier pw = ScramVerifier.generate("pw".toCharArray(), 4096);
        GatewayConfig config = new GatewayConfig("127.0.0.1", 0,
                new GatewayConfig.Backend(example.wardenUrl(), EmbeddedPostgres.USER, "", 2, Map.of()),
                policy.toString(), masterKey, null, false, false, PgFrameDecoder.DEFAULT_MAX_MESSAGE_LENGTH,
                Map.of("sam", new GatewayUser("sam", pw, "support", "customer-service", Set.of()),
                        "ana", new GatewayUser("ana", pw, "analyst", null, Set.of())),
                "scram-sha-256", 10);
        server = new GatewayServer(config, new PooledBackendConnector(config.backend(), config.policy(),
                config.masterKey()), new PgjdbcCopyRunner()).start();
    }

    /** prepareThreshold=1: pgjdbc uses a named server statement, which the gateway keeps between executions. */
    private Connection client(String user) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + server.port() + "/app?user=" + user
                + "&password=pw&prepareThreshold=1");
    }

    private static String country(PreparedStatement ps) throws SQLException {
        ps.setString(1, "Ann");
        try (ResultSet rs = ps.executeQuery()) {
            assertTrue(rs.next());
            return rs.getString(1);
        }
    }

    private static int warden(String... args) {
        CommandLine cli = new CommandLine(new WardenCommand());
        StringWriter out = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(out, true));
        int code = cli.execute(args);
        assertTrue(!out.toString().contains("Hong Kong"), "a value printed: " + out);
        return code;
    }
}
