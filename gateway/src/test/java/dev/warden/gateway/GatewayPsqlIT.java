package dev.warden.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The real psql works through the gateway: SCRAM login, simple queries, errors, transactions, COPY. */
class GatewayPsqlIT {

    static GatewayFixture gw;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(GatewayFixture.available("psql"), "psql not installed");
        gw = new GatewayFixture();
    }

    @AfterAll
    static void stop() {
        if (gw != null) {
            gw.close();
        }
    }

    @Test
    void psqlLogsInWithScramAndRunsASelect() {
        var r = gw.psql(null, "-At", "-c", "select 1 + 1 as two, 'x'::text as t");
        assertEquals(0, r.exit(), r.err());
        assertEquals("2|x", r.out().strip());
    }

    @Test
    void psqlTableOutputShowsTypesAlignmentAndRowCount() {
        var r = gw.psql("create table t1(id int primary key, name text, amount numeric(10,2), born date);\n"
                + "insert into t1 values (1, 'ann', 12.50, '2001-02-03'), (2, null, -3, null);\n"
                + "select * from t1 order by id;\n"
                + "update t1 set name = 'bo' where id = 2;\n"
                + "delete from t1 where id = 1;\n");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("CREATE TABLE"), r.out());
        assertTrue(r.out().contains("INSERT 0 2"), r.out());
        assertTrue(r.out().contains("12.50 | 2001-02-03"), r.out());
        assertTrue(r.out().contains("(2 rows)"), r.out());
        assertTrue(r.out().contains("UPDATE 1"), r.out());
        assertTrue(r.out().contains("DELETE 1"), r.out());
    }

    @Test
    void errorsCarrySqlStateAndPositionAndTheSessionGoesOn() {
        var r = gw.psql("\\set VERBOSITY verbose\nselect * from no_such_table;\nselect 42;\n");
        assertTrue(r.err().contains("ERROR:  42P01: relation \"no_such_table\" does not exist"), r.err());
        assertTrue(r.err().contains("LINE 1: select * from no_such_table"), r.err());
        assertTrue(r.out().contains("42"), r.out());
    }

    @Test
    void transactionStatusIsTrackedInThePrompt() {
        // %x shows * inside a transaction block and ! in a failed one
        var r = gw.psql("\\set PROMPT1 '[%x]'\nbegin;\nselect 1/0;\nrollback;\n", "-f", "-");
        assertEquals(0, r.exit(), r.err());
        var r2 = gw.psql("begin;\nselect 1/0;\nselect 1;\nrollback;\nselect 'after';\n");
        assertTrue(r2.err().contains("current transaction is aborted"), r2.err());
        assertTrue(r2.out().contains("after"), r2.out());
    }

    @Test
    void multiStatementQueryIsOneImplicitTransaction() {
        gw.psql("create table mt(x int primary key);");
        var r = gw.psql(null, "-c", "insert into mt values (1); insert into mt values (1);");
        assertTrue(r.err().contains("duplicate key"), r.err());
        var count = gw.psql(null, "-At", "-c", "select count(*) from mt");
        assertEquals("0", count.out().strip(), "the first insert must have been rolled back with the second");
    }

    @Test
    void emptyQueryAndNoticesArePassedOn() {
        var r = gw.psql(null, "-c", "drop table if exists nothing_here");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("NOTICE:  table \"nothing_here\" does not exist, skipping"), r.err());
        var empty = gw.psql(null, "-c", ";");
        assertEquals(0, empty.exit(), empty.err());
    }

    @Test
    void copyFromStdinAndToStdout() {
        var r = gw.psql("create table cp(a int, b text);\n"
                + "\\copy cp from stdin\n1\tone\n2\ttwo\n\\.\n"
                + "copy cp to stdout;\n");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("COPY 2"), r.out());
        assertTrue(r.out().contains("1\tone\n2\ttwo"), r.out());
    }

    @Test
    void describeCommandsWork() {
        gw.psql("create table described(id serial primary key, label varchar(20) not null);");
        var r = gw.psql(null, "-c", "\\d described");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("label") && r.out().contains("character varying(20)"), r.out());
    }

    @Test
    void wrongPasswordAndUnknownUserAreRefusedAlike() {
        var wrong = GatewayFixture.run(List.of("/usr/bin/psql", "-X", "-h", "127.0.0.1", "-p",
                String.valueOf(gw.port()), "-U", "alice", "-d", "app", "-c", "select 1"), null,
                Map.of("PGPASSWORD", "nope"), 30);
        assertTrue(wrong.err().contains("password authentication failed for user \"alice\""), wrong.err());
        var unknown = GatewayFixture.run(List.of("/usr/bin/psql", "-X", "-h", "127.0.0.1", "-p",
                String.valueOf(gw.port()), "-U", "mallory", "-d", "app", "-c", "select 1"), null,
                Map.of("PGPASSWORD", "nope"), 30);
        assertTrue(unknown.err().contains("password authentication failed for user \"mallory\""), unknown.err());
    }
}
