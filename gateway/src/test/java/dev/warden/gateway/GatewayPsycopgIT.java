package dev.warden.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** psycopg2 (libpq underneath) works through the gateway: parameters, transactions, errors, COPY. */
class GatewayPsycopgIT {

    static GatewayFixture gw;

    @BeforeAll
    static void start() throws Exception {
        var probe = GatewayFixture.run(List.of("/usr/bin/python3", "-c", "import psycopg2"), null, Map.of(), 30);
        if (probe.exit() != 0) {
            System.out.println("GatewayPsycopgIT skipped: python3-psycopg2 is not installed");
        }
        assumeTrue(probe.exit() == 0, "python3-psycopg2 not installed");
        gw = new GatewayFixture();
    }

    @AfterAll
    static void stop() {
        if (gw != null) {
            gw.close();
        }
    }

    @Test
    void psycopgRoundTripsTypesTransactionsErrorsAndCopy() {
        String script = String.join("\n",
                "import psycopg2, datetime, decimal, io, sys",
                "c = psycopg2.connect(host='127.0.0.1', port=int(sys.argv[1]), user='alice', password='secret',",
                "                     dbname='app', application_name='pytest')",
                "cur = c.cursor()",
                "cur.execute('select %s::int + 1, %s, %s::date, %s::numeric', (41, 'h\\u00e9llo',"
                        + " datetime.date(2024, 2, 29), decimal.Decimal('1.25')))",
                "print(cur.fetchone())",
                "cur.execute('create table pt(a int primary key, b text)')",
                "cur.executemany('insert into pt values (%s, %s)', [(1, 'x'), (2, None)])",
                "c.commit()",
                "cur.execute('insert into pt values (3, %s)', ('y',))",
                "c.rollback()",
                "try:",
                "    cur.execute('insert into pt values (1, %s)', ('dup',))",
                "except psycopg2.Error as e:",
                "    print('error', e.pgcode)",
                "c.rollback()",
                "cur.copy_from(io.StringIO('10\\tten\\n11\\televen\\n'), 'pt')",
                "out = io.StringIO(); cur.copy_to(out, 'pt'); print(sorted(out.getvalue().splitlines()))",
                "cur.execute('show application_name'); print(cur.fetchone()[0])",
                "c.commit(); c.close()");
        var r = GatewayFixture.run(List.of("/usr/bin/python3", "-c", script, String.valueOf(gw.port())), null,
                Map.of(), 60);
        assertEquals(0, r.exit(), r.out() + r.err());
        assertEquals(String.join("\n",
                "(42, 'héllo', datetime.date(2024, 2, 29), Decimal('1.25'))",
                "error 23505",
                "['1\\tx', '10\\tten', '11\\televen', '2\\t\\\\N']",
                "pytest"), r.out().strip());
    }
}
