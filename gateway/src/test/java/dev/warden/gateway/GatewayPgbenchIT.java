package dev.warden.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The real pgbench initialises (COPY FROM STDIN) and runs the TPC-B-like script in every query mode. */
class GatewayPgbenchIT {

    static GatewayFixture gw;

    @BeforeAll
    static void start() throws Exception {
        if (!GatewayFixture.available("pgbench")) {
            System.out.println("GatewayPgbenchIT skipped: /usr/bin/pgbench is not installed");
        }
        assumeTrue(GatewayFixture.available("pgbench"), "pgbench not installed");
        gw = new GatewayFixture();
        var init = pgbench("-i", "-s", "1");
        assertEquals(0, init.exit(), init.err());
        assertTrue(init.err().contains("done"), init.err());
    }

    @AfterAll
    static void stop() {
        if (gw != null) {
            gw.close();
        }
    }

    static GatewayFixture.Result pgbench(String... args) {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/pgbench", "-h", "127.0.0.1", "-p",
                String.valueOf(gw.port()), "-U", "alice"));
        cmd.addAll(List.of(args));
        cmd.add("app");
        return GatewayFixture.run(cmd, null, Map.of("PGPASSWORD", GatewayFixture.ALICE_PASSWORD), 300);
    }

    @Test
    void initialisationLoadedTheAccounts() {
        var r = gw.psql(null, "-At", "-c", "select count(*) from pgbench_accounts");
        assertEquals("100000", r.out().strip(), r.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"simple", "extended", "prepared"})
    void tpcbLikeRunsWithoutFailures(String mode) {
        var r = pgbench("-M", mode, "-c", "4", "-j", "2", "-t", "50");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("number of transactions actually processed: 200/200"), r.out());
        assertTrue(r.out().contains("number of failed transactions: 0"), r.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"simple", "prepared"})
    void selectOnlyRuns(String mode) {
        var r = pgbench("-S", "-M", mode, "-c", "8", "-j", "2", "-t", "200");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("number of transactions actually processed: 1600/1600"), r.out());
    }
}
