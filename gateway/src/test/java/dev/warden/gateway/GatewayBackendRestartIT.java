package dev.warden.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway survives a restart of the database behind it: a client connected through it gets the
 * backend's loss as a FATAL ErrorResponse (connection exception or admin shutdown) and a closed
 * connection, never a hang; a client arriving after the restart works; no backend connection leaks.
 * Uses a PostgreSQL of its own (same data directory and port across the restart), not the shared one.
 */
class GatewayBackendRestartIT {

    private Path dataDir;
    private int pgPort;
    private io.zonky.test.db.postgres.embedded.EmbeddedPostgres pg;

    private io.zonky.test.db.postgres.embedded.EmbeddedPostgres startBackend() throws IOException {
        return io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
                .setDataDirectory(dataDir)
                .setCleanDataDirectory(false)
                .setPort(pgPort)
                .setRegisterShutdownHook(true)
                .start();
    }

    @AfterEach
    void stopBackend() throws IOException {
        if (pg != null) {
            pg.close();
        }
        if (dataDir != null) {
            try (var files = Files.walk(dataDir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Client backends connected to this PostgreSQL other than the asking one (the gateway's pool). */
    private int backendConnections() throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://localhost:" + pgPort + "/postgres",
                "postgres", "");
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select count(*) from pg_stat_activity where backend_type = 'client backend'"
                     + " and pid <> pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void connectedClientsGetAFatalErrorAndNewClientsReconnectAfterABackendRestart() throws Exception {
        dataDir = Files.createTempDirectory("gw-restart");
        try (ServerSocket probe = new ServerSocket(0)) {
            pgPort = probe.getLocalPort();
        }
        pg = startBackend();
        String backendUrl = "jdbc:postgresql://localhost:" + pgPort + "/postgres";
        try (GatewayFixture gw = new GatewayFixture(backendUrl, 4)) {
            List<RawPgClient> raw = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) {
                    RawPgClient c = new RawPgClient(gw.port()).login("alice", GatewayFixture.ALICE_PASSWORD);
                    c.query("select 1");
                    assertEquals("TDCZ", c.readUntilReady());
                    raw.add(c);
                }
                raw.get(1).query("begin");
                raw.get(1).readUntilReady();
                Connection jdbc = DriverManager.getConnection(gw.jdbcUrl(""));
                try (Statement s = jdbc.createStatement()) {
                    s.execute("select 1");
                }
                assertEquals(3, backendConnections());

                pg.close();
                pg = null;

                // idle, then inside a transaction block: the next query meets the lost backend
                for (RawPgClient c : raw) {
                    c.query("select 2");
                    RawPgClient.Message m = c.read();
                    assertEquals('E', m.type(), m.text());
                    String fields = m.text();
                    assertTrue(fields.contains("SFATAL"), fields);
                    assertTrue(fields.matches("(?s).*\0C(08...|57P0[123])\0.*"), fields);
                    // then the gateway closes the client, as PostgreSQL does after a FATAL error
                    assertThrows(IOException.class, () -> {
                        while (true) {
                            c.read();
                        }
                    });
                }
                SQLException e = assertThrows(SQLException.class, () -> {
                    try (Statement s = jdbc.createStatement()) {
                        s.execute("select 3");
                    }
                });
                assertTrue(e.getSQLState().startsWith("08") || e.getSQLState().startsWith("57P0"),
                        e.getSQLState() + " " + e.getMessage());
                assertTrue(jdbc.isClosed() || !jdbc.isValid(5), "the client's connection is gone");
                jdbc.close();
                GatewayRobustnessIT.await("sessions released", () -> gw.server.sessionCount() == 0);

                pg = startBackend();

                try (Connection again = DriverManager.getConnection(gw.jdbcUrl(""));
                     Statement s = again.createStatement();
                     ResultSet rs = s.executeQuery("select 'after restart'")) {
                    rs.next();
                    assertEquals("after restart", rs.getString(1));
                }
                try (RawPgClient c = new RawPgClient(gw.port()).login("alice", GatewayFixture.ALICE_PASSWORD)) {
                    c.query("select 4");
                    assertEquals("TDCZ", c.readUntilReady());
                }
                GatewayRobustnessIT.await("sessions released", () -> gw.server.sessionCount() == 0);
                // every backend connection the gateway holds is an idle one of its pool, none left busy
                PooledBackendConnector pool = (PooledBackendConnector) gw.server.connector();
                // a session unregisters first and then resets and returns its connection
                GatewayRobustnessIT.await("connections returned", () -> pool.activeConnections() == 0);
                assertEquals(pool.totalConnections(), backendConnections());
            } finally {
                for (RawPgClient c : raw) {
                    c.close();
                }
            }
        }
    }
}
