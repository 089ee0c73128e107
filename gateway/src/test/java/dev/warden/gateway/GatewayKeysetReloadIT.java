package dev.warden.gateway;

import dev.warden.gateway.auth.GatewayUser;
import dev.warden.gateway.auth.ScramVerifier;
import dev.warden.gateway.backend.PgjdbcCopyRunner;
import dev.warden.gateway.wire.PgFrameDecoder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.crypto.MasterKey;
import dev.warden.crypto.WardenKeyset;
import dev.warden.engine.EngineConfig;
import dev.warden.engine.WardenEngine;
import dev.warden.testkit.CustomersExample;
import dev.warden.testkit.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A running gateway follows a rotation of its keyset file: its pooled jdbc:warden: connections share the
 * engine that reloads it, and a client's named statement prepared before the reload, whose equality filter
 * must now go out once per key, is prepared again from the client's text instead of failing.
 */
class GatewayKeysetReloadIT {

    private static final String LOOKUP = "select name from customers where email = ? order by name";

    private GatewayServer server;

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    @Test
    void aNamedStatementPreparedBeforeARotationFindsTheRowsOfBothKeysAfterIt() throws Exception {
        CustomersExample example = CustomersExample.create();
        Path dir = CustomersExample.newPolicyDirectory();
        Path policy = dir.resolve("policy.yaml");
        Files.writeString(policy, "keyset-reload: off\n" + Files.readString(policy));
        String masterKey = "file:" + dir.resolve("demo-master-key.txt");
        ScramVerifier pw = ScramVerifier.generate("pw".toCharArray(), 4096);
        GatewayConfig config = new GatewayConfig("127.0.0.1", 0,
                new GatewayConfig.Backend(example.wardenUrl(), EmbeddedPostgres.USER, "", 2, Map.of()),
                policy.toString(), masterKey, null, false, false, PgFrameDecoder.DEFAULT_MAX_MESSAGE_LENGTH,
                Map.of("sam", new GatewayUser("sam", pw, "support", "customer-service", Set.of())),
                "scram-sha-256", 10);
        server = new GatewayServer(config, new PooledBackendConnector(config.backend(), config.policy(),
                config.masterKey()), new PgjdbcCopyRunner()).start();

        // prepareThreshold=1: pgjdbc uses a named server statement, which the gateway keeps between executions
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + server.port()
                + "/app?user=sam&password=pw&prepareThreshold=1");
             PreparedStatement insert = c.prepareStatement("insert into customers (name, email) values (?, ?)");
             PreparedStatement lookup = c.prepareStatement(LOOKUP)) {
            insert(insert, "Ann", "ann@example.com");
            for (int i = 0; i < 3; i++) assertEquals(List.of("Ann"), names(lookup, "ann@example.com"));

            MasterKey master = MasterKey.resolve(masterKey);
            Path file = dir.resolve("demo-keyset.json");
            WardenKeyset rotated = WardenKeyset.read(file, master).rotate();
            rotated.write(file, master);   // warden keys rotate
            WardenEngine engine = WardenEngine.forConfig(new EngineConfig(policy.toString(), masterKey));
            assertTrue(engine.reloadKeyset(), "the gateway's engine loads the rotated file");

            insert(insert, "Eve", "eve@example.com");
            try (Connection raw = example.raw();
                 PreparedStatement ps = raw.prepareStatement("select email from customers where name = 'Eve'");
                 ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                assertTrue(rotated.isUnderPrimaryKey(rs.getBytes(1), true), "Eve is written under the new key");
            }
            assertEquals(List.of("Ann"), names(lookup, "ann@example.com"));
            assertEquals(List.of("Eve"), names(lookup, "eve@example.com"));
        }
    }

    private static void insert(PreparedStatement insert, String name, String email) throws SQLException {
        insert.setString(1, name);
        insert.setString(2, email);
        assertEquals(1, insert.executeUpdate());
    }

    private static List<String> names(PreparedStatement ps, String email) throws SQLException {
        ps.setString(1, email);
        List<String> names = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) names.add(rs.getString(1));
        }
        return names;
    }
}
