package dev.warden.gateway;

import dev.warden.gateway.auth.GatewayUser;
import dev.warden.gateway.auth.ScramVerifier;
import dev.warden.gateway.backend.PgjdbcCopyRunner;
import dev.warden.gateway.wire.PgFrameDecoder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.warden.testkit.EmbeddedPostgres;
import dev.warden.testkit.MembersExample;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * Issue 10, class 2 through the gateway: the ErrorResponse and NoticeResponse a client gets for a statement on
 * a protected table carry no row value in any field (message, detail, hint, where), while the SQLState and the
 * schema, table, column and constraint fields arrive as the server sent them; a statement on an unprotected
 * table gets the server's fields unchanged. Read with pgjdbc (every field, via getServerErrorMessage) and psql
 * (verbose error output).
 */
class GatewayErrorRedactionIT {

    static MembersExample db;
    static GatewayServer server;

    @BeforeAll
    static void start() throws Exception {
        db = MembersExample.create();
        ScramVerifier pw = ScramVerifier.generate("pw".toCharArray(), 4096);
        GatewayConfig config = new GatewayConfig("127.0.0.1", 0,
                new GatewayConfig.Backend(db.database().wardenUrl(), EmbeddedPostgres.USER, "", 2, Map.of()),
                db.policyDirectory().resolve("policy.yaml").toString(),
                "file:" + db.policyDirectory().resolve("demo-master-key.txt"), null, false, false,
                PgFrameDecoder.DEFAULT_MAX_MESSAGE_LENGTH,
                Map.of("sam", new GatewayUser("sam", pw, "support", "customer-service", Set.of()),
                        "ann", new GatewayUser("ann", pw, "analyst", null, Set.of())),
                "scram-sha-256", 100);
        server = new GatewayServer(config, new PooledBackendConnector(config.backend(), config.policy(),
                config.masterKey()), new PgjdbcCopyRunner()).start();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    static Connection jdbc(String user, String settings) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + server.port() + "/app?user=" + user
                + "&password=pw" + (settings.isEmpty() ? "" : "&" + settings));
    }

    private static ServerErrorMessage fails(String sqlState, org.junit.jupiter.api.function.Executable statement) {
        SQLException e = assertThrows(SQLException.class, statement);
        assertEquals(sqlState, e.getSQLState(), e::getMessage);
        for (Throwable t : e) db.assertNoSecret("client exception", t.toString());
        ServerErrorMessage m = assertInstanceOf(PSQLException.class, e).getServerErrorMessage();
        for (String field : new String[] {m.getMessage(), m.getDetail(), m.getHint(), m.getWhere(),
                m.getInternalQuery(), m.toString()}) {
            db.assertNoSecret("ErrorResponse field", field);
        }
        return m;
    }

    @Test
    void constraintViolationsArriveWithTheirNamesAndWithoutValues() throws SQLException {
        for (String settings : new String[] {"", "preferQueryMode=simple"}) {
            try (Connection c = jdbc("ann", settings); Statement s = c.createStatement()) {
                ServerErrorMessage m = fails("23514", () -> s.executeUpdate("UPDATE members SET tier = 1000 WHERE id = 1"));
                assertEquals("Failing row contains (values redacted by Warden).", m.getDetail());
                assertEquals("members_tier_check", m.getConstraint());
                assertEquals("members", m.getTable());
                assertEquals("public", m.getSchema());

                m = fails("23502", () -> s.executeUpdate("UPDATE members SET name = NULL WHERE id = 1"));
                assertEquals("name", m.getColumn());

                m = fails("23514", () -> s.executeUpdate("UPDATE members SET tier = 42 WHERE id = 1"));
                assertTrue(m.getMessage().startsWith("message redacted by Warden"), m.getMessage());
            }
        }
        try (Connection c = jdbc("sam", ""); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO members (id, name, ssn, tier) VALUES (?, 'Copy', ?, 1)")) {
            ps.setInt(1, 2);
            ps.setString(2, MembersExample.SSN);
            ServerErrorMessage m = fails("23505", ps::executeUpdate);
            assertEquals("Key (ssn)=(redacted) already exists.", m.getDetail());
            assertEquals("members_ssn_key", m.getConstraint());
        }
    }

    @Test
    void noticesOfATriggerArriveWithoutValues() throws SQLException {
        try (Connection c = jdbc("ann", ""); Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE members SET tier = 6 WHERE id = 1");
            SQLWarning w = s.getWarnings();
            assertNotNull(w, "the NoticeResponse still reaches the client");
            for (; w != null; w = w.getNextWarning()) db.assertNoSecret("NoticeResponse", w.toString());
        }
    }

    @Test
    void errorsOfStatementsOnUnprotectedTablesAreTheServers() throws SQLException {
        try (Connection c = jdbc("ann", ""); Statement s = c.createStatement()) {
            SQLException e = assertThrows(SQLException.class, () -> s.execute("INSERT INTO plain_scores VALUES (1, 77)"));
            ServerErrorMessage m = assertInstanceOf(PSQLException.class, e).getServerErrorMessage();
            assertEquals("Failing row contains (1, 77).", m.getDetail());
            assertEquals("plain_scores", m.getTable());
            assertEquals("plain_scores_score_check", m.getConstraint());
        }
    }

    @Test
    void psqlShowsNoValueInItsVerboseErrorReport() {
        assumeTrue(GatewayFixture.available("psql"), "psql not installed");
        var r = GatewayFixture.run(List.of("/usr/bin/psql", "-X", "-h", "127.0.0.1", "-p", String.valueOf(server.port()),
                "-U", "ann", "-d", "app", "-v", "VERBOSITY=verbose", "-c", "UPDATE members SET tier = 6 WHERE id = 1",
                "-c", "UPDATE members SET tier = 1000 WHERE id = 1"), null, Map.of("PGPASSWORD", "pw"), 60);
        db.assertNoSecret("psql output", r.out() + r.err());
        assertTrue(r.err().contains("23514") && r.err().contains("members_tier_check"), r.err());
        assertTrue(r.err().contains("Failing row contains (values redacted by Warden)."), r.err());
    }
}
