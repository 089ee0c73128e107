package dev.warden.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.audit.AuditEvent;
import dev.warden.cli.AuditCommand;
import dev.warden.gateway.auth.GatewayUser;
import dev.warden.gateway.auth.ScramVerifier;
import dev.warden.gateway.backend.PgjdbcCopyRunner;
import dev.warden.gateway.wire.PgFrameDecoder;
import dev.warden.testkit.EmbeddedPostgres;
import dev.warden.testkit.ObserveExample;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.postgresql.PGConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Observe mode through the gateway, on a database holding plaintext: clients' statements run as written and answer
 * as PostgreSQL does, and each one enforcement would change leaves a {@code would-*} event whose call site is the
 * client (the gateway has no application stack): its {@code application_name} and address. {@code warden audit
 * report --would-refuse} then lists them. Runs in both session-io modes (see the gateway pom).
 */
class GatewayObserveModeIT {

    static ObserveExample example;
    static GatewayServer server;

    @BeforeAll
    static void start() throws Exception {
        example = ObserveExample.create("mode: observe\n");
        ScramVerifier pw = ScramVerifier.generate("pw".toCharArray(), 4096);
        String policy = example.policyFile().toString();
        String masterKey = "file:" + example.policyDirectory().resolve("demo-master-key.txt");
        GatewayConfig config = new GatewayConfig("127.0.0.1", 0,
                new GatewayConfig.Backend(example.db().wardenUrl(), EmbeddedPostgres.USER, "", 4, Map.of()),
                policy, masterKey, null, false, false, PgFrameDecoder.DEFAULT_MAX_MESSAGE_LENGTH,
                Map.of("sam", new GatewayUser("sam", pw, "support", "customer-service", Set.of()),
                        "ann", new GatewayUser("ann", pw, "analyst", null, Set.of())),
                "scram-sha-256", 100);
        server = new GatewayServer(config, new PooledBackendConnector(config.backend(), config.policy(),
                config.masterKey()), new PgjdbcCopyRunner()).start();
        // the first login opens the engine and the backend pool: slow on a loaded machine, beyond psql's timeout
        try (Connection warm = jdbc("sam"); Statement s = warm.createStatement()) {
            s.execute("SELECT 1");
        }
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    private static Connection jdbc(String user) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + server.port() + "/app?user=" + user
                + "&password=pw&ApplicationName=orders-service&assumeMinServerVersion=9.0");  // in the startup packet
    }

    @Test
    void clientsStatementsRunAsWrittenAndTheirWouldEventsNameTheClient() throws Exception {
        try (Connection sam = jdbc("sam");
             PreparedStatement ps = sam.prepareStatement("INSERT INTO customers (name, email, phone) VALUES (?, ?, ?)")) {
            ps.setString(1, "Ann");
            ps.setString(2, ObserveExample.EMAIL);
            ps.setString(3, ObserveExample.PHONE);
            assertEquals(1, ps.executeUpdate());
        }
        try (Connection ann = jdbc("ann"); Statement s = ann.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT phone FROM customers")) {
                assertTrue(rs.next());
                assertEquals(ObserveExample.PHONE, rs.getString(1), "as the database returns it: nothing refused");
            }
            try (ResultSet rs = s.executeQuery("SELECT email FROM customers")) {
                assertTrue(rs.next());
                assertEquals(ObserveExample.EMAIL, rs.getString(1), "nothing masked");
            }
        }
        try (Connection raw = example.db().raw(); Statement s = raw.createStatement();
             ResultSet rs = s.executeQuery("SELECT email, phone FROM customers")) {
            assertTrue(rs.next());
            assertEquals(ObserveExample.EMAIL, rs.getString(1), "nothing encrypted");
            assertEquals(ObserveExample.PHONE, rs.getString(2));
        }

        AuditEvent insert = example.awaitEvent(e -> e.fingerprint() != null && e.fingerprint().startsWith("INSERT"),
                "the insert");
        assertEquals(AuditEvent.WOULD_ENCRYPT, insert.decision());
        assertTrue(insert.callSite().startsWith("client orders-service@127.0.0.1:"), insert.callSite());
        AuditEvent phones = example.awaitEvent("SELECT phone FROM customers");
        assertEquals(AuditEvent.WOULD_REFUSE, phones.decision());
        assertEquals("42501", phones.sqlState());
        assertEquals("client orders-service@" + phones.clientAddress(), phones.callSite());
        AuditEvent emails = example.awaitEvent("SELECT email FROM customers");
        assertEquals(AuditEvent.WOULD_MASK, emails.decision());
    }

    @Test
    void pgjdbcsApplicationNameSentAsASetAfterStartupNamesTheCallSite() throws Exception {
        // without assumeMinServerVersion pgjdbc does not put ApplicationName in the startup packet: it runs
        // SET application_name once connected, and the gateway follows the backend's ParameterStatus
        try (Connection ann = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + server.port()
                + "/app?user=ann&password=pw&ApplicationName=billing-job");
             Statement s = ann.createStatement()) {
            assertEquals("billing-job", ann.unwrap(PGConnection.class).getParameterStatus("application_name"));
            s.executeQuery("SELECT phone, name FROM customers").close();
            AuditEvent named = example.awaitEvent("SELECT phone, name FROM customers");
            assertEquals(AuditEvent.WOULD_REFUSE, named.decision());
            assertEquals("billing-job", named.client());
            assertEquals("client billing-job@" + named.clientAddress(), named.callSite());

            // a SET LOCAL undone by ROLLBACK: PostgreSQL reports the old name again, and so does the gateway
            ann.setAutoCommit(false);
            s.execute("SET LOCAL application_name = 'for-a-moment'");
            s.executeQuery("SELECT name, phone FROM customers").close();
            ann.rollback();
            ann.setAutoCommit(true);
            assertEquals("billing-job", ann.unwrap(PGConnection.class).getParameterStatus("application_name"));
            s.executeQuery("SELECT phone FROM customers WHERE name IS NOT NULL").close();
            assertEquals("client for-a-moment@" + named.clientAddress(),
                    example.awaitEvent("SELECT name, phone FROM customers").callSite(), "within the block");
            AuditEvent after = example.awaitEvent("SELECT phone FROM customers WHERE name IS NOT NULL");
            assertEquals("billing-job", after.client(), "after the rollback");
            assertEquals("client billing-job@" + after.clientAddress(), after.callSite());

            s.execute("RESET application_name");
            s.executeQuery("SELECT phone FROM customers WHERE name IS NULL").close();
            AuditEvent reset = example.awaitEvent("SELECT phone FROM customers WHERE name IS NULL");
            assertEquals("client (no application_name)@" + reset.clientAddress(), reset.callSite(),
                    "RESET: the backend's default, none");
        }
    }

    @Test
    void psqlsSetApplicationNameNamesTheCallSiteOfTheStatementsAfterIt() throws Exception {
        assumeTrue(GatewayFixture.available("psql"), "psql not installed");
        var run = GatewayFixture.run(List.of("/usr/bin/psql", "-X", "-At", "-h", "127.0.0.1", "-p",
                String.valueOf(server.port()), "-U", "ann", "-d", "app", "-c",
                "SET application_name = 'nightly-report'; SELECT phone FROM customers WHERE phone = 'x'",
                "-c", "SELECT phone FROM customers WHERE phone = 'y' OR phone = 'z'", "-c", "SHOW application_name"),
                null, Map.of("PGPASSWORD", "pw"), 60);
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().strip().endsWith("nightly-report"), run.out());
        AuditEvent sameQuery = example.awaitEvent("SELECT phone FROM customers WHERE phone = ?");
        assertEquals("nightly-report", sameQuery.client(), "the statement after the SET in the same query");
        assertEquals("client nightly-report@" + sameQuery.clientAddress(), sameQuery.callSite());
        AuditEvent nextQuery = example.awaitEvent("SELECT phone FROM customers WHERE phone = ? OR phone = ?");
        assertEquals("client nightly-report@" + nextQuery.clientAddress(), nextQuery.callSite());
    }

    @Test
    void psqlsRefusedShapesRunAndTheReportListsThem() throws Exception {
        assumeTrue(GatewayFixture.available("psql"), "psql not installed");
        for (int i = 0; i < 2; i++) {
            var like = GatewayFixture.run(List.of("/usr/bin/psql", "-X", "-At", "-h", "127.0.0.1", "-p",
                    String.valueOf(server.port()), "-U", "sam", "-d", "app", "-c",
                    "select count(*) from customers where email like '%@example.org'"),
                    null, Map.of("PGPASSWORD", "pw"), 60);
            assertEquals(0, like.exit(), like.err());
            assertEquals("0", like.out().strip());
        }
        String fingerprint = "select count(*) from customers where email like ?";
        AuditEvent like = example.awaitEvent(e -> fingerprint.equals(e.fingerprint()) && "psql".equals(e.client()),
                "psql's LIKE");
        assertEquals(AuditEvent.WOULD_REFUSE, like.decision());
        assertEquals("0A000", like.sqlState());
        assertTrue(like.callSite().startsWith("client psql@127.0.0.1:"), like.callSite());
        Thread.sleep(200);  // the second run's event too

        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(new AuditCommand());
        cli.setOut(new PrintWriter(out, true));
        assertEquals(0, cli.execute("report", "--would-refuse", "--format", "json",
                example.policyDirectory().toString()));
        JsonNode rows = new ObjectMapper().readTree(out.toString()).get("sections").get(0).get("rows");
        JsonNode row = null;
        for (JsonNode r : rows) if (fingerprint.equals(r.get("statement").asText())) row = r;
        assertTrue(row != null, out.toString());
        assertTrue(row.get("count").asLong() >= 2, row.toString());
        assertTrue(row.get("call sites").asText().contains("client psql@127.0.0.1:"), row.toString());
        assertEquals("0A000", row.get("sqlstate").asText());
        assertFalse(out.toString().contains(ObserveExample.EMAIL) || out.toString().contains(ObserveExample.PHONE));
    }
}
