package dev.warden.gateway;

import dev.warden.gateway.auth.GatewayUser;
import dev.warden.gateway.auth.ScramVerifier;
import dev.warden.gateway.backend.PgjdbcCopyRunner;
import dev.warden.gateway.wire.PgFrameDecoder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.warden.testkit.CustomersExample;
import dev.warden.testkit.EmbeddedPostgres;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * node-postgres (the {@code pg} package) through the gateway in front of the Warden engine: SCRAM login,
 * simple and parameterized queries, what each role sees of protected columns, refusals with their
 * SQLState, and a notification (LISTEN/NOTIFY) delivered to an idle client. {@code pg} is installed with {@code npm ci} from the checked-in lock file
 * ({@code src/test/node}) into {@code target/node-pg}; the test is skipped, saying why, when node or npm
 * is absent or the install fails (no registry).
 */
class GatewayNodePgIT {

    static final Path SOURCES = Path.of("src/test/node");
    static final Path INSTALL = Path.of("target/node-pg");

    static CustomersExample example;
    static GatewayServer server;
    static String node;

    static String onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            Path p = Path.of(dir, tool);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }

    static void skip(String reason) {
        System.out.println("GatewayNodePgIT skipped: " + reason);
        assumeTrue(false, reason);
    }

    /** npm ci into target/node-pg unless the same lock file is installed there already. */
    static void installPg() throws IOException {
        String npm = onPath("npm");
        if (npm == null) {
            skip("npm is not installed");
        }
        Files.createDirectories(INSTALL);
        Path lock = SOURCES.resolve("package-lock.json");
        Path installedLock = INSTALL.resolve("node_modules/.package-lock.json");
        boolean current = Files.isDirectory(INSTALL.resolve("node_modules/pg"))
                && Files.exists(INSTALL.resolve("package-lock.json"))
                && Files.mismatch(lock, INSTALL.resolve("package-lock.json")) == -1 && Files.exists(installedLock);
        for (String f : List.of("package.json", "package-lock.json", "gateway-check.js")) {
            Files.copy(SOURCES.resolve(f), INSTALL.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        }
        if (current) {
            return;
        }
        var r = GatewayFixture.run(List.of(npm, "ci", "--no-audit", "--no-fund", "--prefix", INSTALL.toString()),
                null, Map.of(), 300);
        if (r.exit() != 0) {
            skip("npm ci of node-postgres failed: " + r.err().lines().reduce((a, b) -> b).orElse(""));
        }
    }

    @BeforeAll
    static void start() throws Exception {
        node = onPath("node");
        if (node == null) {
            skip("node is not installed");
        }
        installPg();
        example = CustomersExample.create();
        ScramVerifier pw = ScramVerifier.generate("pw".toCharArray(), 4096);
        GatewayConfig config = new GatewayConfig("127.0.0.1", 0,
                new GatewayConfig.Backend(example.wardenUrl(), EmbeddedPostgres.USER, "", 4, Map.of()),
                CustomersExample.POLICY.toString(), "file:" + CustomersExample.MASTER_KEY, null, false, false,
                PgFrameDecoder.DEFAULT_MAX_MESSAGE_LENGTH,
                Map.of("sam", new GatewayUser("sam", pw, "support", "customer-service", Set.of()),
                        "bill", new GatewayUser("bill", pw, "billing", "order-processing", Set.of()),
                        "ann", new GatewayUser("ann", pw, "analyst", null, Set.of())),
                "scram-sha-256", 100);
        server = new GatewayServer(config, new PooledBackendConnector(config.backend(), config.policy(),
                config.masterKey()), new PgjdbcCopyRunner()).start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void nodePostgresSeesEachRolesViewAndItsRefusals() {
        var r = GatewayFixture.run(List.of(node, INSTALL.resolve("gateway-check.js").toString(),
                String.valueOf(server.port())), null, Map.of(), 120);
        assertEquals(0, r.exit(), r.out() + r.err());
        List<String> lines = r.out().strip().lines().toList();
        assertEquals("simple 2", lines.get(0));
        assertEquals("params 42 h\u00e9llo", lines.get(1));
        assertEquals("billing nel@example.com 4000056655665556", lines.get(2));
        // support: email in plaintext, the card number masked to its last four digits
        assertTrue(lines.get(3).startsWith("support nel@example.com "), lines.get(3));
        assertTrue(lines.get(3).endsWith("5556") && !lines.get(3).contains("4000056655665556"), lines.get(3));
        // analyst: email masked
        assertTrue(lines.get(4).startsWith("analyst ") && lines.get(4).endsWith("@example.com"), lines.get(4));
        assertFalse(lines.get(4).contains("nel@example.com"), lines.get(4));
        assertEquals("analyst card_number refused 42501", lines.get(5));
        assertEquals("order by email refused 0A000", lines.get(6));
        assertEquals("after refusal 1", lines.get(7));
        assertEquals("notification node_chan from bill true", lines.get(8));
        assertEquals(9, lines.size(), r.out());
    }
}
