package dev.warden.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.crypto.MasterKey;
import dev.warden.crypto.WardenKeyset;
import dev.warden.gateway.auth.GatewayUser;
import dev.warden.gateway.auth.ScramVerifier;
import dev.warden.gateway.backend.PgjdbcCopyRunner;
import dev.warden.gateway.wire.PgFrameDecoder;
import dev.warden.testkit.CustomersExample;
import dev.warden.testkit.EmbeddedPostgres;
import dev.warden.testkit.SoftHsm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The gateway starting with its master key on a PKCS#11 token (real SoftHSM2): it serves protected columns
 * through a keyset sealed on the token, and a reference the token refuses stops it at start-up, named without
 * its PIN.
 */
class GatewayHsmMasterKeyIT {

    private static final ScramVerifier PW = ScramVerifier.generate("pw".toCharArray(), 4096);

    private static GatewayConfig config(CustomersExample db, Path dir, String masterKey) {
        return new GatewayConfig("127.0.0.1", 0,
                new GatewayConfig.Backend(db.rawUrl(), EmbeddedPostgres.USER, "", 2, Map.of()),
                dir.resolve("policy.yaml").toString(), masterKey, null, false, false,
                PgFrameDecoder.DEFAULT_MAX_MESSAGE_LENGTH,
                Map.of("bill", new GatewayUser("bill", PW, "billing", "order-processing",
                        Set.of("order-processing", "customer-service"))),
                "scram-sha-256", 100);
    }

    @Test
    void servesProtectedColumnsWithTheKeyOnTheToken() throws Exception {
        SoftHsm hsm = SoftHsm.tokens();
        String uri = hsm.uriWithPinFile(SoftHsm.TOKEN, "gw-" + UUID.randomUUID().toString().substring(0, 8));
        MasterKey.createOnToken(uri);
        Path dir = CustomersExample.newPolicyDirectory();
        Files.delete(dir.resolve("demo-master-key.txt"));
        WardenKeyset.generate().write(dir.resolve("demo-keyset.json"), MasterKey.resolve(uri));
        CustomersExample db = CustomersExample.create();
        GatewayConfig config = config(db, dir, uri);

        assertEquals(List.of(), GatewayPreflight.problems(config));
        try (GatewayServer server = new GatewayServer(config, new PooledBackendConnector(config.backend(),
                config.policy(), config.masterKey()), new PgjdbcCopyRunner()).start()) {
            String url = "jdbc:postgresql://127.0.0.1:" + server.port() + "/app?user=bill&password=pw";
            try (Connection c = DriverManager.getConnection(url)) {
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO customers (name, email, card_number) VALUES ('Ann', ?, ?)")) {
                    ps.setString(1, "ann@example.com");
                    ps.setString(2, "4111111111111111");
                    assertEquals(1, ps.executeUpdate());
                }
                try (PreparedStatement ps = c.prepareStatement("SELECT card_number FROM customers WHERE email = ?")) {
                    ps.setString(1, "ann@example.com");
                    try (ResultSet rs = ps.executeQuery()) {
                        assertTrue(rs.next());
                        assertEquals("4111111111111111", rs.getString(1));
                    }
                }
            }
        }
        try (Connection raw = db.raw(); Statement s = raw.createStatement();
             ResultSet rs = s.executeQuery("SELECT email, card_number FROM customers")) {
            assertTrue(rs.next());
            assertFalse(new String(rs.getBytes(1), StandardCharsets.ISO_8859_1).contains("ann@example.com"));
            assertFalse(rs.getString(2).contains("4111111111111111"));
        }
    }

    @Test
    void aPinTheTokenRefusesStopsStartUp() {
        SoftHsm.tokens();
        String wrong = "pkcs11:token=" + SoftHsm.PIN_TOKEN + ";object=gw?module-path=" + SoftHsm.MODULE
                + "&pin-value=0000-wrong";
        List<String> problems = GatewayPreflight.problems(
                config(CustomersExample.create(), CustomersExample.newPolicyDirectory(), wrong));
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("master key pkcs11:token=warden-pin;object=gw?module-path="
                + SoftHsm.MODULE + ": the token refused the PIN (CKR_PIN_INCORRECT)"), problems.get(0));
        assertFalse(problems.get(0).contains("0000-wrong"));
    }
}
