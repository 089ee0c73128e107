package dev.warden.gateway;

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
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The gateway in front of the jdbc:warden: driver with the customers example policy: each gateway user runs
 * as its role and purpose, protected columns are stored encrypted, read in plaintext or masked per role,
 * and refusals reach the client with their SQLState.
 */
class GatewayWardenIT {

    static CustomersExample example;
    static GatewayServer server;

    @BeforeAll
    static void start() throws Exception {
        example = CustomersExample.create();
        ScramVerifier pw = ScramVerifier.generate("pw".toCharArray(), 4096);
        GatewayConfig config = new GatewayConfig("127.0.0.1", 0,
                new GatewayConfig.Backend(example.wardenUrl(), EmbeddedPostgres.USER, "", 4, Map.of()),
                CustomersExample.POLICY.toString(), "file:" + CustomersExample.MASTER_KEY, null, false, false,
                PgFrameDecoder.DEFAULT_MAX_MESSAGE_LENGTH,
                Map.of("sam", new GatewayUser("sam", pw, "support", "customer-service", Set.of()),
                        "bill", new GatewayUser("bill", pw, "billing", "order-processing",
                                Set.of("order-processing", "customer-service")),
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

    static GatewayFixture.Result psql(String user, String sql) {
        return GatewayFixture.run(List.of("/usr/bin/psql", "-X", "-At", "-h", "127.0.0.1", "-p",
                String.valueOf(server.port()), "-U", user, "-d", "app", "-c", sql), null, Map.of("PGPASSWORD", "pw"), 60);
    }

    static Connection jdbc(String user, String settings) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + server.port() + "/app?user=" + user
                + "&password=pw" + (settings.isEmpty() ? "" : "&" + settings));
    }

    @Test
    void psqlWritesCiphertextAndReadsPerRole() throws Exception {
        assumeTrue(GatewayFixture.available("psql"), "psql not installed");
        var insert = psql("sam", "insert into customers(name, email, phone, country) values "
                + "('Ann Lee', 'ann.lee@example.com', '+33 6 12 34 56 78', 'FR')");
        assertEquals(0, insert.exit(), insert.err());
        assertTrue(insert.out().contains("INSERT 0 1"), insert.out());
        try (Connection raw = example.raw(); Statement s = raw.createStatement();
             ResultSet rs = s.executeQuery("select email, phone from customers where name = 'Ann Lee'")) {
            assertTrue(rs.next());
            assertFalse(new String(rs.getBytes(1), java.nio.charset.StandardCharsets.ISO_8859_1).contains("ann.lee"),
                    "email is stored encrypted");
        }
        var support = psql("sam", "select email from customers where email = 'ann.lee@example.com'");
        assertEquals("ann.lee@example.com", support.out().strip(), support.err());
        var analyst = psql("ann", "select email from customers where name = 'Ann Lee'");
        assertEquals(0, analyst.exit(), analyst.err());
        assertFalse(analyst.out().contains("ann.lee@example.com"), analyst.out());

        // the trail names the gateway user, the client application and its address, never the value
        String trail = "";
        for (int attempt = 0; attempt < 60 && !trail.contains("\"databaseUser\":\"ann\""); attempt++) {
            Thread.sleep(50);
            StringBuilder all = new StringBuilder();
            // every value in full, whatever trail format the files are in
            for (String line : dev.warden.audit.AuditTrailReader.readAsFormat1Lines(CustomersExample.auditFiles())) {
                all.append(line).append('\n');
            }
            trail = all.toString();
        }
        assertTrue(trail.contains("\"databaseUser\":\"ann\",\"role\":\"analyst\""), "gateway user in the trail");
        assertTrue(trail.contains("\"client\":\"psql\",\"clientAddress\":\"127.0.0.1:"), "client and address in the trail");
        assertFalse(trail.contains("ann.lee@example.com"), "no protected value in the trail");
    }

    @Test
    void pgbenchInitialisesAndRunsThroughTheWardenGatewayWhileCopyOfProtectedTablesIsRefused() {
        assumeTrue(GatewayFixture.available("pgbench"), "pgbench not installed");
        var init = GatewayFixture.run(List.of("/usr/bin/pgbench", "-h", "127.0.0.1", "-p",
                String.valueOf(server.port()), "-U", "bill", "-i", "-s", "1", "app"), null, Map.of("PGPASSWORD", "pw"), 300);
        assertEquals(0, init.exit(), init.err());   // its COPY goes through the engine, which lets it pass
        var run = GatewayFixture.run(List.of("/usr/bin/pgbench", "-h", "127.0.0.1", "-p",
                String.valueOf(server.port()), "-U", "bill", "-S", "-M", "prepared", "-c", "2", "-t", "50", "app"),
                null, Map.of("PGPASSWORD", "pw"), 300);
        assertEquals(0, run.exit(), run.out() + run.err());
        assertTrue(run.out().contains("number of transactions actually processed: 100/100"), run.out());

        assumeTrue(GatewayFixture.available("psql"), "psql not installed");
        var copy = psql("bill", "copy customers to stdout");
        assertTrue(copy.exit() != 0 && copy.err().contains("COPY"), copy.out() + copy.err());
        assertFalse(copy.out().contains("@"), "no row of a protected table leaves through COPY");
    }

    @Test
    void refusalsReachTheClientWithTheirSqlState() throws Exception {
        SQLException e = assertThrows(SQLException.class, () -> {
            try (Connection c = jdbc("ann", ""); Statement s = c.createStatement()) {
                s.executeUpdate("update customers set email = 'x@example.com'");
            }
        });
        assertEquals("42501", e.getSQLState(), e.getMessage());
    }

    @Test
    void aRefusalInsideATransactionBlockFailsTheBlockAsAnErrorDoesInPostgresql() throws Exception {
        try (RawPgClient c = new RawPgClient(server.port()).login("sam", "pw")) {
            c.query("begin");
            assertEquals("CZ", c.readUntilReady());
            c.query("insert into customers(name, country) values ('Tx Probe', 'FR')");
            assertEquals("CZ", c.readUntilReady());
            c.query("select email from customers order by lower(email)"); // refused by the engine, never sent
            RawPgClient.Message refusal = c.read();
            assertEquals('E', refusal.type());
            assertTrue(refusal.text().contains("0A000"), refusal.text());
            assertEquals('Z', c.read().type());
            c.query("select 1");
            RawPgClient.Message aborted = c.read();
            assertTrue(aborted.text().contains("25P02"), "later statements fail like PostgreSQL's: " + aborted.text());
            c.readUntilReady();
            assertEquals('E', c.lastStatus);
            c.query("commit");
            RawPgClient.Message tag = c.read();
            assertEquals("ROLLBACK", new String(tag.body(), 0, tag.body().length - 1,
                    java.nio.charset.StandardCharsets.UTF_8));
            c.readUntilReady();
            assertEquals('I', c.lastStatus);
        }
        try (Connection raw = example.raw(); Statement s = raw.createStatement();
             ResultSet rs = s.executeQuery("select count(*) from customers where name = 'Tx Probe'")) {
            rs.next();
            assertEquals(0, rs.getInt(1), "the work before the refused statement was rolled back, not committed");
        }
    }

    @Test
    void protectedColumnsAreDescribedWithTheirLogicalTypesAndTheirTable() throws Exception {
        String sql = "select id, name, email, card_number, credit_limit, country from customers";
        List<String> direct = new java.util.ArrayList<>();
        try (Connection c = example.as("billing", "order-processing"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            java.sql.ResultSetMetaData md = rs.getMetaData();
            for (int i = 1; i <= md.getColumnCount(); i++) {
                direct.add(md.getColumnLabel(i) + " " + md.getColumnTypeName(i) + " " + md.getColumnType(i)
                        + " table " + md.getTableName(i) + " nullable " + md.isNullable(i));
            }
        }
        for (String settings : new String[] {"", "prepareThreshold=-1"}) {
            try (Connection c = jdbc("bill", settings); PreparedStatement ps = c.prepareStatement(sql);
                 ResultSet rs = ps.executeQuery()) {
                java.sql.ResultSetMetaData md = rs.getMetaData();
                org.postgresql.PGResultSetMetaData pg = md.unwrap(org.postgresql.PGResultSetMetaData.class);
                List<String> through = new java.util.ArrayList<>();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    through.add(md.getColumnLabel(i) + " " + md.getColumnTypeName(i) + " " + md.getColumnType(i)
                            + " table " + md.getTableName(i) + " nullable " + md.isNullable(i));
                    assertEquals("customers", pg.getBaseTableName(i), md.getColumnLabel(i));
                }
                assertEquals(direct, through, settings);
                assertEquals("numeric", md.getColumnTypeName(5), "credit_limit has its logical type, not bytea");
                assertEquals(0, md.getPrecision(5), "no type modifier of the ciphertext column");
            }
        }
    }

    @Test
    void pgjdbcPreparedStatementsThroughTheEngine() throws Exception {
        for (String settings : new String[] {"", "prepareThreshold=-1"}) {
            try (Connection c = jdbc("bill", settings)) {
                try (PreparedStatement ps = c.prepareStatement(
                        "insert into customers(name, email, card_number, country) values (?, ?, ?, ?)")) {
                    ps.setString(1, "Bob " + settings);
                    ps.setString(2, "bob" + settings.length() + "@example.com");
                    ps.setString(3, "4111111111111111");
                    ps.setString(4, "DE");
                    assertEquals(1, ps.executeUpdate());
                }
                try (PreparedStatement ps = c.prepareStatement("select card_number from customers where email = ?")) {
                    ps.setString(1, "bob" + settings.length() + "@example.com");
                    try (ResultSet rs = ps.executeQuery()) {
                        assertTrue(rs.next());
                        assertEquals("4111111111111111", rs.getString(1));
                    }
                }
            }
        }
        var masked = psql("sam", "select card_number from customers where name like 'Bob%' limit 1");
        assertEquals(0, masked.exit(), masked.err());
        assertFalse(masked.out().contains("4111111111111111"), masked.out());
    }
}
