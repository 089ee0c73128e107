package dev.warden.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.gateway.auth.BackendLogin;
import dev.warden.gateway.auth.ScramVerifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway user's own database user in {@code gateway.yaml} ({@code backend-user}, {@code backend-password} as a
 * value or an env:/file: reference): read, checked with file:line, never shown; and which users share one database
 * user across roles or purposes ({@link BackendUserSharing}: a warning, or with {@code isolate-users: true} a
 * start-up problem). No database needed.
 */
class GatewayBackendUsersConfigTest {

    private static final String VERIFIER = ScramVerifier.generate("pw".toCharArray(), 4096).format();

    @TempDir
    Path dir;

    private Path write(String top, String... users) throws IOException {
        StringBuilder yaml = new StringBuilder("backend: {url: 'jdbc:postgresql://db/app', user: app, password: x}\n")
                .append(top).append("users:\n");
        for (String u : users) yaml.append("  ").append(u).append('\n');
        Path file = dir.resolve("gateway.yaml");
        Files.writeString(file, yaml.toString());
        return file;
    }

    private static String user(String name, String role, String extra) {
        return name + ": {verifier: '" + VERIFIER + "', role: " + role + (extra.isEmpty() ? "" : ", " + extra) + "}";
    }

    @Test
    void aUsersOwnDatabaseUserIsReadWithItsPasswordFromAReferenceAndNeverShown() throws Exception {
        Files.writeString(dir.resolve("alice-db.pw"), "alice-db-secret\n");
        GatewayConfig c = GatewayConfig.load(write("",
                user("alice", "analyst", "backend-user: alice_db, backend-password: 'file:alice-db.pw'"),
                user("bob", "support", "backend-user: bob_db, backend-password: plain-bob")));
        assertEquals(new BackendLogin("alice_db", "alice-db-secret"), c.users().get("alice").backendLogin());
        assertEquals(new BackendLogin("bob_db", "plain-bob"), c.users().get("bob").backendLogin());
        assertFalse(c.isolateUsers());
        assertFalse(c.users().get("alice").toString().contains("alice-db-secret"), c.users().get("alice").toString());
        assertTrue(c.users().get("alice").toString().contains("alice_db"));
        assertFalse(c.toString().contains("secret") || c.toString().contains("plain-bob"), c.toString());
        assertEquals(List.of(), GatewayPreflight.warnings(c));
        assertEquals(List.of(), GatewayPreflight.problems(c));
    }

    @Test
    void aUserWithoutBackendUserRunsAsTheSharedOne() throws Exception {
        GatewayConfig c = GatewayConfig.load(write("isolate-users: true\n", user("alice", "analyst", "")));
        assertNull(c.users().get("alice").backendLogin());
        assertTrue(c.isolateUsers());
        assertEquals(List.of(), GatewayPreflight.problems(c));  // one user shares with nobody
    }

    @Test
    void aBackendUserWithoutPasswordOrTheOtherWayRoundFailsWithFileAndLine() throws Exception {
        Path file = write("", user("alice", "analyst", ""), user("bob", "support", "backend-user: bob_db"));
        IOException e = assertThrows(IOException.class, () -> GatewayConfig.load(file));
        assertTrue(e.getMessage().startsWith(file + ":4: 'backend-user' needs 'backend-password' beside it"),
                e.getMessage());
        Path other = write("", user("bob", "support", "backend-password: env:BOB_DB_PW"));
        e = assertThrows(IOException.class, () -> GatewayConfig.load(other));
        assertTrue(e.getMessage().startsWith(other + ":3: 'backend-password' needs 'backend-user'"), e.getMessage());
    }

    @Test
    void anUnsetOrUnreadablePasswordReferenceFailsWithFileAndLineAndNoValue() throws Exception {
        Path file = write("", user("alice", "analyst", ""),
                "bob:\n    verifier: '" + VERIFIER + "'\n    role: support\n    backend-user: bob_db\n"
                        + "    backend-password: env:WARDEN_TEST_NEVER_SET_BOB_DB_PW");
        IOException e = assertThrows(IOException.class, () -> GatewayConfig.load(file));
        assertEquals(file + ":8: users.bob.backend-password: environment variable WARDEN_TEST_NEVER_SET_BOB_DB_PW"
                + " is not set", e.getMessage());
        Path missing = write("", user("bob", "support", "backend-user: bob_db, backend-password: 'file:nope.pw'"));
        e = assertThrows(IOException.class, () -> GatewayConfig.load(missing));
        assertTrue(e.getMessage().startsWith(missing + ":3: users.bob.backend-password: cannot read secret file"),
                e.getMessage());
        Path empty = write("", user("bob", "support", "backend-user: '', backend-password: x"));
        e = assertThrows(IOException.class, () -> GatewayConfig.load(empty));
        assertTrue(e.getMessage().startsWith(empty + ":3: users.bob.backend-user: must name a database user"),
                e.getMessage());
    }

    @Test
    void unknownKeysBesideTheNewOnesStayRejectedWithTheirLine() throws Exception {
        Path file = write("", user("bob", "support", "backend_user: bob_db"));
        IOException e = assertThrows(IOException.class, () -> GatewayConfig.load(file));
        assertTrue(e.getMessage().startsWith(file + ":3: unknown key 'backend_user' in users.*"), e.getMessage());
        assertTrue(e.getMessage().contains("backend-password, backend-user"), e.getMessage());
        Path top = write("isolate_users: true\n", user("bob", "support", ""));
        e = assertThrows(IOException.class, () -> GatewayConfig.load(top));
        assertTrue(e.getMessage().startsWith(top + ":2: unknown key 'isolate_users'"), e.getMessage());
    }

    @Test
    void usersOfDifferentRolesOrPurposesOnOneDatabaseUserAreNamedInOneWarning() throws Exception {
        GatewayConfig c = GatewayConfig.load(write("",
                user("alice", "analyst", ""),
                user("carol", "support", "purpose: billing"),
                user("dave", "support", "backend-user: dave_db, backend-password: x"),
                user("erin", "support", "backend-user: dave_db, backend-password: x"),
                user("fred", "billing", "backend-user: app, backend-password: x")));
        List<String> warnings = GatewayPreflight.warnings(c);
        // dave and erin share dave_db with the same role and purposes: the policy treats them alike already
        assertEquals(1, warnings.size(), warnings.toString());
        String w = warnings.get(0);
        assertTrue(w.startsWith("gateway users alice (role analyst), carol (role support, purpose billing),"
                + " fred (role billing) all run as database user 'app'"), w);
        assertTrue(w.contains("pg_cancel_backend/pg_terminate_backend") && w.contains("large objects")
                && w.contains("isolate-users: true"), w);
        assertFalse(w.contains("dave") || w.contains("erin"), w);
        assertEquals(List.of(), GatewayPreflight.problems(c));
    }

    @Test
    void isolateUsersTurnsSharingIntoAStartUpProblem() throws Exception {
        GatewayConfig c = GatewayConfig.load(write("isolate-users: true\n",
                user("alice", "analyst", "backend-user: shared_db, backend-password: x"),
                user("bob", "support", "backend-user: shared_db, backend-password: x")));
        assertEquals(List.of(), GatewayPreflight.warnings(c));
        List<String> problems = GatewayPreflight.problems(c);
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("isolate-users: gateway users alice (role analyst), bob (role support)"
                + " all run as database user 'shared_db'"), problems.get(0));
    }

    @Test
    void aUserNameInTheBackendUrlWouldOverrideTheOwnDatabaseUsersSoItIsAProblem() throws Exception {
        Path file = write("", user("alice", "analyst", "backend-user: alice_db, backend-password: x"));
        Files.writeString(file, Files.readString(file).replace("jdbc:postgresql://db/app", "jdbc:postgresql://db/app?user=app"));
        List<String> problems = GatewayPreflight.problems(GatewayConfig.load(file));
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("backend.url names a user"), problems.get(0));
    }
}
