package dev.warden.gateway;

import dev.warden.gateway.auth.GatewayUser;
import dev.warden.gateway.auth.ScramVerifier;
import dev.warden.gateway.backend.PgjdbcCopyRunner;
import dev.warden.gateway.wire.PgFrameDecoder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.testkit.CustomersExample;
import dev.warden.testkit.EmbeddedPostgres;
import java.nio.charset.StandardCharsets;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Invariant 6 through the gateway, whose pooled backend connections (and their Warden sessions) serve one
 * client after another: a temporary table or search_path a client leaves behind never shapes another
 * client's analysis, and a client's own look-alike of {@code customers} shapes only its own statements
 * while other clients read, write and decrypt as before. DISCARD TEMP / DISCARD ALL bring a client back.
 */
class GatewaySessionIsolationIT {
    private static final String EMAIL = "mei.chan@example.com";
    private static final String PHONE = "+852 5555 0102";
    private static final String READ = "select name, email, phone from customers order by id";

    static CustomersExample example;
    static GatewayServer onePerUser;   // pool size 1: every client of a user gets the same backend
    static GatewayServer twoPerUser;   // pool size 2: two clients of a user at the same time

    @BeforeAll
    static void start() throws Exception {
        example = CustomersExample.create();
        onePerUser = server(1);
        twoPerUser = server(2);
        try (Connection c = client(twoPerUser); PreparedStatement ps = c.prepareStatement(
                "insert into customers (name, email, phone, country) values ('Mei', ?, ?, 'HK')")) {
            ps.setString(1, EMAIL);
            ps.setString(2, PHONE);
            ps.executeUpdate();
        }
    }

    private static GatewayServer server(int poolSize) throws Exception {
        ScramVerifier pw = ScramVerifier.generate("pw".toCharArray(), 4096);
        GatewayConfig config = new GatewayConfig("127.0.0.1", 0,
                new GatewayConfig.Backend(example.wardenUrl(), EmbeddedPostgres.USER, "", poolSize, Map.of()),
                CustomersExample.POLICY.toString(), "file:" + CustomersExample.MASTER_KEY, null, false, false,
                PgFrameDecoder.DEFAULT_MAX_MESSAGE_LENGTH,
                Map.of("sam", new GatewayUser("sam", pw, "support", "customer-service", Set.of())),
                "scram-sha-256", 100);
        return new GatewayServer(config, new PooledBackendConnector(config.backend(), config.policy(),
                config.masterKey()), new PgjdbcCopyRunner()).start();
    }

    @AfterAll
    static void stop() {
        if (onePerUser != null) onePerUser.close();
        if (twoPerUser != null) twoPerUser.close();
    }

    static Connection client(GatewayServer server) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + server.port() + "/app?user=sam&password=pw");
    }

    @Test
    void aTemporaryTableOrSearchPathLeftByOneClientDoesNotShapeTheNextClientsAnalysis() throws Exception {
        try (Connection raw = example.raw(); Statement s = raw.createStatement()) {
            s.execute("create schema if not exists lookalike");
            s.execute("create table if not exists lookalike.customers (id int, ssn text, email text)");
        }
        List<String> mei = List.of("Mei|" + EMAIL + "|" + PHONE);
        try (Connection first = client(onePerUser)) {
            assertEquals(mei, read(first).subList(0, 1));
            execute(first, "create temp table customers (phone bytea, id int, email bytea)");
            SQLException own = assertThrows(SQLException.class, () -> read(first));
            assertEquals("42703", own.getSQLState(), own.getMessage());
            assertTrue(own.getMessage().contains("pg_temp_"), own.getMessage());
        }  // left without dropping it: the gateway resets the backend before the next client
        try (Connection next = client(onePerUser)) {
            assertEquals(mei, read(next).subList(0, 1));
            writeAndCheck(next);
            execute(next, "set search_path = lookalike, public");
            assertEquals("42703", assertThrows(SQLException.class, () -> read(next)).getSQLState());
        }
        try (Connection next = client(onePerUser)) {
            assertEquals(mei, read(next).subList(0, 1));
            // DISCARD TEMP within one client: back to public.customers
            execute(next, "create temporary table customers (id int)");
            assertThrows(SQLException.class, () -> read(next));
            execute(next, "discard temp");
            assertEquals(mei, read(next).subList(0, 1));
            execute(next, "create temp table customers (id int)");
            execute(next, "discard all");
            assertEquals(mei, read(next).subList(0, 1));
        }
    }

    @Test
    void aClientsLookAlikeShapesOnlyItsOwnStatementsWhileAnotherClientWorksAsBefore() throws Exception {
        try (Connection a = client(twoPerUser); Connection b = client(twoPerUser)) {
            List<String> before = read(b);
            execute(a, "create temp table customers (country text, credit_limit bytea, card_number text,"
                    + " birth_date bytea, phone bytea, email bytea, name text, id serial)");
            try (PreparedStatement ps = a.prepareStatement(
                    "insert into customers (name, email, phone) values ('Shadow', ?, ?)")) {
                ps.setString(1, "shadow@example.org");
                ps.setString(2, "+1 555 0199");
                ps.executeUpdate();
            }
            assertEquals(List.of("Shadow|shadow@example.org|+1 555 0199"), read(a));
            assertEquals(before, read(b));
            writeAndCheck(b);
            try (PreparedStatement ps = b.prepareStatement("select name from customers where email = ?")) {
                ps.setString(1, EMAIL);
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals("Mei", rs.getString(1));
                }
            }
        }
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static List<String> read(Connection c) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(READ)) {
            while (rs.next()) rows.add(rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getString(3));
        }
        return rows;
    }

    /** A client writes, filters and reads public.customers, stored encrypted. */
    private static void writeAndCheck(Connection c) throws SQLException {
        String email = "b" + System.nanoTime() + "@example.com";
        try (PreparedStatement ps = c.prepareStatement(
                "insert into customers (name, email, phone, country) values ('Bea', ?, ?, 'SG')")) {
            ps.setString(1, email);
            ps.setString(2, PHONE);
            assertEquals(1, ps.executeUpdate());
        }
        try (PreparedStatement ps = c.prepareStatement("select name, phone from customers where email = ?")) {
            ps.setString(1, email);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                assertEquals("Bea", rs.getString(1));
                assertEquals(PHONE, rs.getString(2));
            }
        }
        try (Connection raw = example.raw(); PreparedStatement ps = raw.prepareStatement(
                "select email from public.customers where name = 'Bea'")) {
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    assertFalse(new String(rs.getBytes(1), StandardCharsets.ISO_8859_1).contains("@example.com"),
                            "stored in plaintext");
                }
            }
        }
    }
}
