package dev.warden.gateway;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.gateway.auth.BackendLogin;
import dev.warden.gateway.auth.GatewayUser;
import dev.warden.gateway.auth.ScramVerifier;
import dev.warden.gateway.wire.PgFrameDecoder;
import dev.warden.testkit.CustomersExample;
import dev.warden.gateway.backend.PgjdbcCopyRunner;
import dev.warden.testkit.EmbeddedPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Gateway users isolated by PostgreSQL itself (issue 11): alice and bob each run as a database user of their own
 * ({@code backend-user} in gateway.yaml), so the server refuses alice's {@code pg_terminate_backend} and
 * {@code pg_cancel_backend} of bob's backend and bob's reading of alice's large object (42501, PostgreSQL's own
 * errors, whatever SQL shape asks), while alice still cancels her own statement through the protocol's
 * CancelRequest. dave shares alice's database user under another role: the control that shows what sharing
 * allows. carol has no database user of her own and runs as the backend's shared one. A pooled connection is only
 * ever lent to users of its database user. Runs in both session-io modes (see gateway/pom.xml).
 */
class GatewayBackendUsersIT {

    private static final String PW = "pw";
    private static final String ALICE_DB = "warden_alice_" + ProcessHandle.current().pid();
    private static final String BOB_DB = "warden_bob_" + ProcessHandle.current().pid();
    /** The group through which both get the application's table privileges, as a deployment would grant them. */
    private static final String APP_GROUP = "warden_app_" + ProcessHandle.current().pid();

    static String backendUrl;
    static GatewayServer server;
    static CustomersExample example;
    static GatewayServer withPolicy;

    @BeforeAll
    static void start() throws Exception {
        backendUrl = EmbeddedPostgres.freshDatabase();
        try (Connection raw = EmbeddedPostgres.rawConnection(backendUrl); Statement s = raw.createStatement()) {
            s.execute("create role " + APP_GROUP);
            for (String role : List.of(ALICE_DB, BOB_DB)) {
                s.execute("create role " + role + " login password 'db-" + role + "' in role " + APP_GROUP);
            }
        }
        Path dir = Files.createTempDirectory("warden-backend-users");
        Files.writeString(dir.resolve("alice-db.pw"), "db-" + ALICE_DB + "\n");
        String verifier = ScramVerifier.generate(PW.toCharArray(), 4096).format();
        Path yaml = dir.resolve("gateway.yaml");
        Files.writeString(yaml, "listen: {host: 127.0.0.1, port: 0}\n"
                + "backend: {url: '" + backendUrl + "', user: " + EmbeddedPostgres.USER + ", password: '', pool-size: 2}\n"
                + "users:\n"
                + "  alice: {verifier: '" + verifier + "', role: analyst, backend-user: " + ALICE_DB
                + ", backend-password: 'file:alice-db.pw'}\n"
                + "  bob: {verifier: '" + verifier + "', role: support, backend-user: " + BOB_DB
                + ", backend-password: 'db-" + BOB_DB + "'}\n"
                + "  dave: {verifier: '" + verifier + "', role: billing, backend-user: " + ALICE_DB
                + ", backend-password: 'file:alice-db.pw'}\n"
                + "  carol: {verifier: '" + verifier + "', role: analyst}\n");
        GatewayConfig config = GatewayConfig.load(yaml);
        server = new GatewayServer(config, new PooledBackendConnector(config.backend(), null, null),
                new PgjdbcCopyRunner()).start();
        withPolicy = policyServer();
    }

    /** The customers example through Warden: sam (support) runs as alice's database user, ann (analyst) as bob's. */
    private static GatewayServer policyServer() throws Exception {
        example = CustomersExample.create();
        try (Connection raw = example.raw(); Statement s = raw.createStatement()) {
            s.execute("grant select, insert, update, delete on customers, orders to " + APP_GROUP);
            s.execute("grant usage on all sequences in schema public to " + APP_GROUP);
        }
        ScramVerifier pw = ScramVerifier.generate(PW.toCharArray(), 4096);
        GatewayConfig config = new GatewayConfig("127.0.0.1", 0,
                new GatewayConfig.Backend(example.wardenUrl(), EmbeddedPostgres.USER, "", 2, Map.of()),
                CustomersExample.POLICY.toString(), "file:" + CustomersExample.MASTER_KEY, null, false, false,
                PgFrameDecoder.DEFAULT_MAX_MESSAGE_LENGTH,
                Map.of("sam", new GatewayUser("sam", pw, "support", "customer-service", Set.of())
                                .withBackendLogin(new BackendLogin(ALICE_DB, "db-" + ALICE_DB)),
                        "ann", new GatewayUser("ann", pw, "analyst", null, Set.of())
                                .withBackendLogin(new BackendLogin(BOB_DB, "db-" + BOB_DB))),
                "scram-sha-256", 100);
        return new GatewayServer(config, new PooledBackendConnector(config.backend(), config.policy(),
                config.masterKey()), new PgjdbcCopyRunner()).start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.close();
        if (withPolicy != null) withPolicy.close();
        // the roles are the embedded cluster's, shared with other test classes of this JVM: leave none behind
        for (String url : List.of(backendUrl, example.rawUrl())) {
            try (Connection raw = EmbeddedPostgres.rawConnection(url); Statement s = raw.createStatement()) {
                s.execute("drop owned by " + ALICE_DB + ", " + BOB_DB + ", " + APP_GROUP);
            }
        }
        try (Connection raw = EmbeddedPostgres.rawConnection(backendUrl); Statement s = raw.createStatement()) {
            s.execute("drop role " + ALICE_DB + ", " + BOB_DB + ", " + APP_GROUP);
        }
    }

    static Connection as(String user) throws SQLException {
        return as(server, user);
    }

    static Connection as(GatewayServer gateway, String user) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + gateway.port() + "/app?user=" + user
                + "&password=" + PW);
    }

    static String one(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            assertTrue(rs.next(), sql);
            return rs.getString(1);
        }
    }

    static SQLException refused(Connection c, String sql) {
        return assertThrows(SQLException.class, () -> one(c, sql), sql);
    }

    @Test
    void pooledConnectionsAreNeverLentAcrossDatabaseUsers() throws Exception {
        String[][] expected = {{"alice", ALICE_DB}, {"bob", BOB_DB}, {"dave", ALICE_DB}, {"carol", EmbeddedPostgres.USER}};
        for (int round = 0; round < 6; round++) {
            List<Connection> open = new ArrayList<>();
            try {
                for (String[] e : expected) {
                    Connection c = as(e[0]);
                    open.add(c);
                    assertEquals(e[1] + "|" + e[1], one(c, "select current_user || '|' || session_user"), e[0]);
                    // what the server itself records for the backend this client was lent
                    assertEquals(e[1], one(c, "select usename from pg_stat_activity where pid = pg_backend_pid()"), e[0]);
                }
            } finally {
                // returned in a different order each round, so the next round's clients get other pooled backends
                for (int i = 0; i < open.size(); i++) open.get((i + round) % open.size()).close();
            }
        }
    }

    @Test
    void aUserCannotCancelOrTerminateAnotherUsersBackendWhateverTheSqlShape() throws Exception {
        try (Connection alice = as("alice"); Connection bob = as("bob"); Connection dave = as("dave")) {
            String bobPid = one(bob, "select pg_backend_pid()");
            // the pid is there to read: hiding it would not help, PostgreSQL's own check does
            assertEquals(BOB_DB, one(alice, "select usename from pg_stat_activity where pid = " + bobPid));
            for (String sql : List.of("select pg_terminate_backend(" + bobPid + ")",
                    "select pg_cancel_backend(" + bobPid + ")",
                    "select pg_terminate_backend(pid) from pg_stat_activity where usename = '" + BOB_DB + "'")) {
                SQLException e = refused(alice, sql);
                assertEquals("42501", e.getSQLState(), sql + ": " + e.getMessage());
            }
            // a DO block reaches the same call, and the same check
            try (Statement s = alice.createStatement()) {
                SQLException e = assertThrows(SQLException.class,
                        () -> s.execute("do $$ begin perform pg_terminate_backend(" + bobPid + "); end $$"));
                assertEquals("42501", e.getSQLState(), e.getMessage());
            }
            assertEquals(bobPid, one(bob, "select pg_backend_pid()"));  // bob's session is untouched

            // the control: dave runs as alice's database user, so the server lets him signal her backend
            String alicePid = one(alice, "select pg_backend_pid()");
            assertEquals("t", one(dave, "select pg_cancel_backend(" + alicePid + ")"));
            assertEquals(alicePid, one(alice, "select pg_backend_pid()"));  // idle: the cancel had nothing to stop
        }
    }

    @Test
    void aSessionStillCancelsItsOwnStatementThroughTheProtocol() throws Exception {
        try (Connection alice = as("alice"); Statement s = alice.createStatement()) {
            CompletableFuture<Void> sleep = CompletableFuture.runAsync(() -> {
                try {
                    s.execute("select pg_sleep(60)");
                } catch (SQLException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!sleep.isDone() && System.nanoTime() < deadline) {
                // pgjdbc sends a CancelRequest only while the statement runs: until then it is a no-op
                Thread.sleep(200);
                s.cancel();
            }
            ExecutionException e = assertThrows(ExecutionException.class, () -> sleep.get(1, TimeUnit.SECONDS));
            Throwable t = e.getCause() instanceof java.util.concurrent.CompletionException ce ? ce.getCause() : e.getCause();
            SQLException cause = assertInstanceOf(SQLException.class, t);
            assertEquals("57014", cause.getSQLState(), cause.getMessage());
            assertEquals(ALICE_DB, one(alice, "select current_user"));
        }
    }

    @Test
    void aLargeObjectOfOneUserCannotBeReadOrRemovedByAnother() throws Exception {
        byte[] secret = "alice's large object".getBytes(StandardCharsets.UTF_8);
        try (Connection alice = as("alice"); Connection bob = as("bob"); Connection dave = as("dave")) {
            String oid = one(alice, "select lo_from_bytea(0, convert_to('alice''s large object', 'UTF8'))");
            assertArrayEquals(secret, bytes(alice, "select lo_get(" + oid + ")"));
            for (String sql : List.of("select lo_get(" + oid + ")", "select lo_unlink(" + oid + ")",
                    "select lo_put(" + oid + ", 0, '\\x00')", "select lo_open(" + oid + ", 262144)")) {
                SQLException e = refused(bob, sql);
                assertEquals("42501", e.getSQLState(), sql + ": " + e.getMessage());
            }
            // the control: on alice's database user dave reads it, as PostgreSQL cannot tell the two apart
            assertArrayEquals(secret, bytes(dave, "select lo_get(" + oid + ")"));
            assertEquals("1", one(alice, "select lo_unlink(" + oid + ")"));
        }
    }

    @Test
    void withAPolicyEachUsersStatementsGoThroughWardenAsItsOwnDatabaseUser() throws Exception {
        String email = "own.user@example.com";
        try (Connection sam = as(withPolicy, "sam"); Connection ann = as(withPolicy, "ann")) {
            assertEquals(ALICE_DB, one(sam, "select current_user"));
            assertEquals(BOB_DB, one(ann, "select current_user"));
            try (Statement s = sam.createStatement()) {
                assertEquals(1, s.executeUpdate("insert into customers (name, email, country) values ('Own', '"
                        + email + "', 'NZ')"));
            }
            assertEquals(email, one(sam, "select email from customers where name = 'Own'"));
            String masked = one(ann, "select email from customers where name = 'Own'");
            assertTrue(!masked.equals(email) && masked.contains("@"), masked);  // analyst: masked, as the policy says
            String samPid = one(sam, "select pg_backend_pid()");
            SQLException e = refused(ann, "select pg_terminate_backend(" + samPid + ")");
            assertEquals("42501", e.getSQLState(), e.getMessage());
        }
        try (Connection raw = example.raw()) {
            assertTrue(!one(raw, "select encode(email, 'escape') from customers where name = 'Own'").contains(email));
        }
    }

    private static byte[] bytes(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            assertTrue(rs.next(), sql);
            return rs.getBytes(1);
        }
    }
}
