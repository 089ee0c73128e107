package dev.warden.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.gateway.GatewayConfig;
import dev.warden.gateway.GatewayPreflight;
import dev.warden.testkit.CustomersExample;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@code warden serve} fails at start-up, with the reason (and file:line where there is one), on every
 * configuration that could not serve its users; it never reports "listening" and leaves the first client a
 * bare FATAL. No database is needed: nothing here gets as far as listening.
 */
class ServeCommandTest {

    private static final String VERIFIER = "SCRAM-SHA-256$4096:jyiNW2HXDGaRXTgMT+Pt7w==$sCrTbLwb6aqBGFSfjc/xx04cLCJ2Xqi4BT"
            + "i6miFrDTU=:51UaPKyr5htFzJIi64z4IFpErUq5mr9yGGIzwEV2diE=";

    private record Run(int exit, String err) {}

    private static Path config(Path dir, String extra, String role) throws Exception {
        Path file = dir.resolve("gateway.yaml");
        Files.writeString(file, "listen: {host: 127.0.0.1, port: 0}\n"
                + "backend:\n  url: jdbc:postgresql://127.0.0.1:1/none\n  pool-size: 2\n"
                + "policy: policy.yaml\n"
                + "master-key: file:demo-master-key.txt\n"
                + extra
                + "users:\n  alice: {verifier: \"" + VERIFIER + "\", role: " + role + "}\n");
        return file;
    }

    private static Run serve(Path config) {
        ServeCommand command = new ServeCommand();
        command.config = config;
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            return new Run(command.call(), err.toString(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new AssertionError(e);
        } finally {
            System.setErr(saved);
        }
    }

    private static void assertFailsWith(Path config, String... expected) {
        Run run = serve(config);
        assertEquals(2, run.exit(), run.err());
        assertTrue(!run.err().contains("listening"), run.err());
        for (String e : expected) assertTrue(run.err().contains(e), "expected '" + e + "' in: " + run.err());
    }

    @Test
    void aValidConfigurationHasNoProblems() throws Exception {
        Path dir = CustomersExample.newPolicyDirectory();
        assertEquals(java.util.List.of(), GatewayPreflight.problems(GatewayConfig.load(config(dir, "", "support"))));
    }

    @Test
    void anUnknownKeyInTheGatewayConfigurationIsNamedWithItsLine() throws Exception {
        Path dir = CustomersExample.newPolicyDirectory();
        Path file = config(dir, "", "support");
        Files.writeString(file, Files.readString(file).replace("  pool-size: 2", "  pool_size: 2"));
        assertFailsWith(file, "gateway.yaml:4: unknown key 'pool_size' in backend", "pool-size");
        Files.writeString(file, Files.readString(file).replace("  pool_size: 2", "  pool-size: 2")
                .replace("policy: policy.yaml", "polcy: policy.yaml"));
        assertFailsWith(file, "gateway.yaml:5: unknown key 'polcy'");
    }

    @Test
    void aPolicyTypoFailsWithTheLineOfThePolicy() throws Exception {
        Path dir = CustomersExample.newPolicyDirectoryWith("encrypt: randomized\n      type: date",
                "encrypt: randomised\n      type: date");
        assertFailsWith(config(dir, "", "support"), "policy.yaml:", "randomised");
    }

    @Test
    void aMissingPolicyFileIsNamed() throws Exception {
        Path dir = CustomersExample.newPolicyDirectory();
        Files.delete(dir.resolve("policy.yaml"));
        assertFailsWith(config(dir, "", "support"), "policy.yaml");
    }

    @Test
    void aTruncatedKeysetFails() throws Exception {
        Path dir = CustomersExample.newPolicyDirectory();
        Path keyset = dir.resolve("demo-keyset.json");
        String text = Files.readString(keyset);
        Files.writeString(keyset, text.substring(0, text.length() / 2));
        assertFailsWith(config(dir, "", "support"), "demo-keyset.json is not valid");
    }

    @Test
    void aWrongOrUnsetMasterKeyFails() throws Exception {
        Path dir = CustomersExample.newPolicyDirectory();
        Files.writeString(dir.resolve("demo-master-key.txt"), "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n");
        assertFailsWith(config(dir, "", "support"), "could not be opened with this master key");
        Path other = CustomersExample.newPolicyDirectory();
        Path file = config(other, "", "support");
        Files.writeString(file, Files.readString(file).replace("file:demo-master-key.txt", "env:WARDEN_TEST_KEY_NEVER_SET"));
        assertFailsWith(file, "WARDEN_TEST_KEY_NEVER_SET");
    }

    @Test
    void aUserMappedToAnUnknownRoleOrPurposeFails() throws Exception {
        Path dir = CustomersExample.newPolicyDirectory();
        assertFailsWith(config(dir, "", "auditor"), "users.alice: unknown role 'auditor'");
        Path file = dir.resolve("gateway.yaml");
        Files.writeString(file, Files.readString(file).replace("role: auditor}", "role: support, purpose: marketing}"));
        assertFailsWith(file, "users.alice: role 'support' may not act for purpose 'marketing'");
    }

    /** alice (support) and bob (analyst), both on the backend's shared database user {@code app}. */
    private static Path sharingConfig(Path dir, String extra, int port) throws Exception {
        Path file = dir.resolve("gateway.yaml");
        Files.writeString(file, "listen: {host: 127.0.0.1, port: " + port + "}\n"
                + "backend:\n  url: jdbc:postgresql://127.0.0.1:1/none\n  user: app\n  password: x\n  pool-size: 2\n"
                + "policy: policy.yaml\nmaster-key: file:demo-master-key.txt\n" + extra
                + "users:\n  alice: {verifier: \"" + VERIFIER + "\", role: support}\n"
                + "  bob: {verifier: \"" + VERIFIER + "\", role: analyst}\n");
        return file;
    }

    @Test
    void isolateUsersRefusesToStartWhenUsersOfDifferentRolesShareADatabaseUser() throws Exception {
        Path dir = CustomersExample.newPolicyDirectory();
        assertFailsWith(sharingConfig(dir, "isolate-users: true\n", 0), "warden serve: isolate-users: gateway users"
                + " alice (role support), bob (role analyst) all run as database user 'app'", "pg_terminate_backend");
    }

    @Test
    void withoutIsolateUsersServeWarnsOnceAboutTheSharedDatabaseUserAndGoesOn() throws Exception {
        Path dir = CustomersExample.newPolicyDirectory();
        // the port is taken, so serve gets as far as listening and stops there (exit 1) instead of serving forever
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Run run = serve(sharingConfig(dir, "", taken.getLocalPort()));
            assertEquals(1, run.exit(), run.err());
            assertTrue(run.err().contains("cannot listen"), run.err());
            String warning = "warden serve: warning: gateway users alice (role support), bob (role analyst) all run as"
                    + " database user 'app'";
            assertTrue(run.err().contains(warning), run.err());
            assertEquals(run.err().indexOf(warning), run.err().lastIndexOf(warning), run.err());
        }
    }

    @Test
    void adminListenerConfigurationErrorsFailStartUpWithTheirLine() throws Exception {
        Path dir = CustomersExample.newPolicyDirectory();
        assertFailsWith(config(dir, "admin: {listen: 127.0.0.1:0, lisen: 9187}\n", "support"),
                "gateway.yaml:7: unknown key 'lisen' in admin", "allow-non-loopback, listen");
        assertFailsWith(config(dir, "admin: {listen: 'localhost:metrics'}\n", "support"),
                "gateway.yaml:7: admin.listen: 'localhost:metrics' is not HOST:PORT");
        assertFailsWith(config(dir, "admin: {listen: 127.0.0.1:70000}\n", "support"),
                "gateway.yaml:7: admin.listen: port 70000 is not between 0 and 65535");
        assertFailsWith(config(dir, "admin: {allow-non-loopback: true}\n", "support"),
                "gateway.yaml:7: admin: needs listen: HOST:PORT");
    }

    @Test
    void anAdminListenerOffLoopbackOrOnAnAddressNotOfThisHostFailsStartUp() throws Exception {
        Path dir = CustomersExample.newPolicyDirectory();
        assertFailsWith(config(dir, "admin: {listen: 192.0.2.1:9187}\n", "support"),
                "admin.listen: refusing to serve metrics and health on non-loopback address 192.0.2.1",
                "allow-non-loopback: true");
        // allowed off loopback, but 192.0.2.1 (TEST-NET-1) is no address of this machine: it cannot be bound
        assertFailsWith(config(dir, "admin: {listen: 192.0.2.1:9187, allow-non-loopback: true}\n", "support"),
                "admin.listen: cannot listen on 192.0.2.1:9187");
    }
}
