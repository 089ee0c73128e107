package dev.warden.gateway;

import dev.warden.gateway.auth.GatewayUser;
import dev.warden.gateway.auth.ScramVerifier;
import dev.warden.gateway.backend.PgjdbcCopyRunner;
import dev.warden.gateway.wire.PgFrameDecoder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.warden.testkit.CustomersExample;
import dev.warden.testkit.EmbeddedPostgres;
import dev.warden.testkit.MetaDataRows;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Statements that read only the system catalogs about a protected table work through the gateway: psql's
 * {@code \d} family (whose queries name the table inside a regular expression) and the catalog queries of
 * pgjdbc's DatabaseMetaData (what DBeaver and IntelliJ send), which must answer as a direct connection does.
 */
class GatewayCatalogIT {

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
                        "ann", new GatewayUser("ann", pw, "analyst", null, Set.of())),
                "scram-sha-256", 100);
        server = new GatewayServer(config, new PooledBackendConnector(config.backend(), config.policy(),
                config.masterKey()), new PgjdbcCopyRunner()).start();
        try (Connection raw = example.raw(); var s = raw.createStatement()) {
            s.execute("create index customers_name_idx on customers(name)");
            s.execute("create view customer_names as select id, name from customers");
            s.execute("create function customer_count() returns bigint language sql as 'select 1::bigint'");
        }
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    static GatewayFixture.Result psql(String user, String command) {
        return GatewayFixture.run(List.of("/usr/bin/psql", "-X", "-h", "127.0.0.1", "-p",
                String.valueOf(server.port()), "-U", user, "-d", "app", "-v", "ON_ERROR_STOP=1", "-c", command), null,
                Map.of("PGPASSWORD", "pw"), 60);
    }

    @Test
    void describeShowsTheProtectedTablesStructure() {
        assumeTrue(GatewayFixture.available("psql"), "psql not installed (/usr/bin/psql)");
        for (String user : List.of("sam", "ann")) {
            var d = psql(user, "\\d customers");
            assertEquals(0, d.exit(), d.err());
            assertTrue(d.out().contains("Table \"public.customers\""), d.out());
            assertTrue(d.out().contains("email"), d.out());
            assertTrue(d.out().contains("customers_pkey"), d.out());
            assertTrue(d.out().contains("customers_name_idx"), d.out());
        }
        var plus = psql("sam", "\\d+ customers");
        assertEquals(0, plus.exit(), plus.err());
        assertTrue(plus.out().contains("Storage"), plus.out());
        assertTrue(plus.out().contains("card_number"), plus.out());
        var dt = psql("sam", "\\dt customers");
        assertEquals(0, dt.exit(), dt.err());
        assertTrue(dt.out().contains("customers | table"), dt.out());
    }

    @Test
    void everyDescribeCommandOnAProtectedTableWorks() {
        assumeTrue(GatewayFixture.available("psql"), "psql not installed (/usr/bin/psql)");
        List<String> failed = new ArrayList<>();
        for (String command : List.of("\\d", "\\dt", "\\dt+ customers", "\\di customers*", "\\dv customer_names",
                "\\d customer_names", "\\df customer_count", "\\dn", "\\l", "\\du", "\\dp customers", "\\z customers",
                "\\dT", "\\dx", "\\sf customer_count", "\\d+ customers_name_idx", "\\dS pg_class")) {
            var r = psql("sam", command);
            if (r.exit() != 0) failed.add(command + ": " + r.err().strip());
        }
        assertEquals(List.of(), failed);
    }

    @Test
    void catalogViewsAnswerButStatisticsOfStoredValuesStayRefused() {
        assumeTrue(GatewayFixture.available("psql"), "psql not installed (/usr/bin/psql)");
        var columns = psql("ann", "select column_name from information_schema.columns where table_name = 'customers'"
                + " and column_name OPERATOR(pg_catalog.~) '^e' order by ordinal_position");
        assertEquals(0, columns.exit(), columns.err());
        assertTrue(columns.out().contains("email"), columns.out());
        for (String sql : List.of("select most_common_vals from pg_stats where tablename = 'customers'",
                "select stavalues1 from pg_catalog.pg_statistic s join pg_class c on c.oid = s.starelid"
                        + " where c.relname OPERATOR(pg_catalog.~) '^(customers)$'")) {
            var r = GatewayFixture.run(List.of("/usr/bin/psql", "-X", "-v", "VERBOSITY=verbose", "-h", "127.0.0.1",
                    "-p", String.valueOf(server.port()), "-U", "sam", "-d", "app", "-c", sql), null,
                    Map.of("PGPASSWORD", "pw"), 60);
            assertTrue(r.exit() != 0 && r.err().contains("0A000"), sql + ": " + r.out() + r.err());
        }
    }

    @Test
    void databaseMetaDataOnAProtectedTableAnswersAsADirectConnection() throws Exception {
        try (Connection direct = example.raw();
             Connection gateway = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + server.port()
                     + "/app?user=sam&password=pw")) {
            assertEquals(MetaDataRows.all(direct.getMetaData(), "customers"),
                    MetaDataRows.all(gateway.getMetaData(), "customers"));
        }
    }
}
