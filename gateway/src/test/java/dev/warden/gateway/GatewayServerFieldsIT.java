package dev.warden.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.warden.testkit.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * What the backend said reaches the client as the backend said it (issue 11): result types by the OIDs the
 * backend reported (a type created a moment ago, dropped and recreated, or of the same name in another schema),
 * and every field of an error or notice (names, source file/line/routine, detail, hint). Each check runs the
 * same psycopg2 script once directly against PostgreSQL and once through the gateway and compares the output
 * line for line; pgjdbc's {@code getServerErrorMessage()} is compared the same way.
 */
class GatewayServerFieldsIT {

    static GatewayFixture gw;
    static String database;

    @BeforeAll
    static void start() throws Exception {
        gw = new GatewayFixture();
        database = gw.backendUrl.substring(gw.backendUrl.lastIndexOf('/') + 1);
    }

    @AfterAll
    static void stop() {
        if (gw != null) gw.close();
    }

    static void assumePsycopg() {
        var probe = GatewayFixture.run(List.of("/usr/bin/python3", "-c", "import psycopg2"), null, Map.of(), 30);
        if (probe.exit() != 0) System.out.println("GatewayServerFieldsIT: psycopg2 checks skipped, python3-psycopg2 missing");
        assumeTrue(probe.exit() == 0, "python3-psycopg2 not installed");
    }

    /** Runs {@code body} (Python, with {@code c} a connection and {@code cur} a cursor) directly and through the gateway. */
    static String[] bothWays(String body) {
        String script = String.join("\n",
                "import psycopg2, sys",
                "c = psycopg2.connect(host='127.0.0.1', port=int(sys.argv[1]), user=sys.argv[2], password=sys.argv[3],",
                "                     dbname=sys.argv[4])",
                "c.autocommit = True",
                "cur = c.cursor()",
                body);
        String[] out = new String[2];
        String[][] targets = {{String.valueOf(EmbeddedPostgres.port()), EmbeddedPostgres.USER, ""},
                {String.valueOf(gw.port()), "alice", GatewayFixture.ALICE_PASSWORD}};
        for (int i = 0; i < 2; i++) {
            var r = GatewayFixture.run(List.of("/usr/bin/python3", "-c", script, targets[i][0], targets[i][1],
                    targets[i][2], database), null, Map.of(), 60);
            assertEquals(0, r.exit(), (i == 0 ? "direct: " : "gateway: ") + r.out() + r.err());
            out[i] = r.out().strip();
        }
        return out;
    }

    @Test
    void resultTypesAreTheOidsTheBackendReportedEvenForTypesCreatedAMomentAgo() {
        assumePsycopg();
        String[] out = bothWays(String.join("\n",
                "cur.execute('drop schema if exists sf_other cascade; drop type if exists sf_mood')",
                "def described(sql, regtype):",
                "    cur.execute(sql)",
                "    got = cur.description[0].type_code",
                "    cur.execute('select %s::regtype::oid', (regtype,))",
                "    return got == cur.fetchone()[0]",
                "cur.execute(\"create type sf_mood as enum ('sad', 'happy')\")",
                "print('created now', described(\"select 'happy'::sf_mood\", 'sf_mood'))",
                "cur.execute(\"drop type sf_mood; create type sf_mood as enum ('ok')\")",
                "print('recreated', described(\"select 'ok'::sf_mood\", 'sf_mood'))",
                "cur.execute('create schema sf_other; create type sf_other.sf_mood as (a int)')",
                "print('other schema', described('select row(1)::sf_other.sf_mood', 'sf_other.sf_mood'))",
                "print('typecaster', psycopg2.extras.register_composite('sf_other.sf_mood', cur) is not None)"
                        .replace("psycopg2.extras", "__import__('psycopg2.extras').extras"),
                "cur.execute('select row(7)::sf_other.sf_mood'); print('composite', cur.fetchone()[0].a)",
                "cur.execute('drop schema sf_other cascade; drop type sf_mood')",
                "cur.execute(\"select 1::int2, 2::int8, 'x'::varchar(5), 1.5::numeric(10,2), now()::timestamp(3),"
                        + " 'a'::\\\"char\\\", array[1,2]\")",
                "print([tuple(d) for d in cur.description])"));
        assertEquals(out[0], out[1]);
        assertEquals(true, out[1].contains("created now True") && out[1].contains("recreated True")
                && out[1].contains("other schema True") && out[1].contains("composite 7"), out[1]);
    }

    @Test
    void errorsAndNoticesCarryEveryFieldTheBackendSent() {
        assumePsycopg();
        String[] out = bothWays(String.join("\n",
                "cur.execute('drop table if exists sf_t')",
                "cur.execute('create table sf_t(id int constraint sf_t_pk primary key, v int constraint sf_pos check (v > 0))')",
                "cur.execute('insert into sf_t values (1, 1)')",
                "attrs = ['column_name', 'constraint_name', 'context', 'datatype_name', 'internal_position',",
                "         'internal_query', 'message_detail', 'message_hint', 'message_primary', 'schema_name',",
                "         'severity', 'severity_nonlocalized', 'source_file', 'source_function', 'source_line',",
                "         'sqlstate', 'statement_position', 'table_name']",
                "for sql in ['insert into sf_t values (1, 2)', 'insert into sf_t values (2, -1)', 'select nosuch from sf_t']:",
                "    try:",
                "        cur.execute(sql)",
                "    except psycopg2.Error as e:",
                "        print({a: getattr(e.diag, a) for a in attrs})",
                "cur.execute(\"do $$begin raise notice 'hello' using detail = 'd', hint = 'h', schema = 's1',"
                        + " table = 't1', column = 'c1', datatype = 'd1', constraint = 'n1'; end$$\")",
                "cur.execute('drop table sf_t')",  // each run starts as the other did
                "print(c.notices)"));
        assertEquals(out[0], out[1]);
        assertEquals(true, out[1].contains("'source_file': 'nbtinsert.c'") && out[1].contains("'constraint_name': 'sf_pos'")
                && out[1].contains("DETAIL:  d"), out[1]);
    }

    /** Every field pgjdbc's ServerErrorMessage has a getter for, one line per field. */
    static List<String> fields(ServerErrorMessage m) {
        List<String> lines = new ArrayList<>();
        lines.add("severity " + m.getSeverity());
        lines.add("sqlstate " + m.getSQLState());
        lines.add("message " + m.getMessage());
        lines.add("detail " + m.getDetail());
        lines.add("hint " + m.getHint());
        lines.add("position " + m.getPosition());
        lines.add("where " + m.getWhere());
        lines.add("names " + m.getSchema() + " " + m.getTable() + " " + m.getColumn() + " " + m.getDatatype()
                + " " + m.getConstraint());
        lines.add("source " + m.getFile() + ":" + m.getLine() + " " + m.getRoutine());
        return lines;
    }

    static List<String> violation(Connection c, String sql) {
        SQLException e = assertThrows(SQLException.class, () -> {
            try (Statement s = c.createStatement()) {
                s.execute(sql);
            }
        });
        ServerErrorMessage m = assertInstanceOf(PSQLException.class, e).getServerErrorMessage();
        assertNotNull(m, e::getMessage);
        return fields(m);
    }

    @Test
    void pgjdbcSeesTheSameServerErrorMessageAsOnADirectConnection() throws SQLException {
        try (Connection c = EmbeddedPostgres.rawConnection(gw.backendUrl); Statement s = c.createStatement()) {
            s.execute("drop table if exists sf_j; create table sf_j(id int constraint sf_j_pk primary key,"
                    + " v int constraint sf_j_pos check (v > 0)); insert into sf_j values (1, 1)");
        }
        String[] statements = {"insert into sf_j values (1, 2)", "insert into sf_j values (2, -1)",
            "update sf_j set v = 'x'"};
        for (String settings : new String[] {"", "preferQueryMode=simple"}) {
            try (Connection direct = EmbeddedPostgres.rawConnection(gw.backendUrl);
                 Connection through = DriverManager.getConnection(gw.jdbcUrl(settings))) {
                for (String sql : statements) {
                    List<String> expected = violation(direct, sql);
                    assertEquals(expected, violation(through, sql), sql + " " + settings);
                    assertEquals(false, expected.contains("source null:0 null"), expected::toString);
                }
            }
        }
    }
}
