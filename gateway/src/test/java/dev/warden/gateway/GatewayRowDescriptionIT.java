package dev.warden.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.warden.testkit.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGResultSetMetaData;

/**
 * RowDescription carries each column's table OID, attribute number and type modifier, so that a client's
 * ResultSetMetaData through the gateway says what it says on a direct connection: precision and scale of
 * numeric(10,2), length of varchar(20), nullability, base table and column, auto-increment.
 */
class GatewayRowDescriptionIT {

    static GatewayFixture gw;
    static final String QUERY = "select id, name, amount, note, code, created, flag, amount * 2 as doubled,"
            + " 'x'::varchar(5) as lit, r.name as alias from rd r where id > 0";

    @BeforeAll
    static void start() throws Exception {
        gw = new GatewayFixture();
        try (Connection c = EmbeddedPostgres.rawConnection(gw.backendUrl); Statement s = c.createStatement()) {
            s.execute("create table rd(id serial primary key, name varchar(20) not null, amount numeric(10,2),"
                    + " note text, code char(3), created timestamp(3), flag boolean default true)");
            s.execute("insert into rd(name, amount, note, code, created) values ('a', 1.5, 'n', 'abc', now())");
        }
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    /** Everything pgjdbc's metadata says about each column, one line per column. */
    static List<String> describe(ResultSetMetaData md) throws SQLException {
        PGResultSetMetaData pg = md.unwrap(PGResultSetMetaData.class);
        List<String> lines = new ArrayList<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
            lines.add(String.join(" | ", md.getColumnLabel(i), md.getColumnTypeName(i),
                    String.valueOf(md.getColumnType(i)), "precision " + md.getPrecision(i), "scale " + md.getScale(i),
                    "display " + md.getColumnDisplaySize(i), "nullable " + md.isNullable(i),
                    "auto " + md.isAutoIncrement(i), "table " + md.getTableName(i),
                    "base " + pg.getBaseSchemaName(i) + "." + pg.getBaseTableName(i) + "." + pg.getBaseColumnName(i)));
        }
        return lines;
    }

    static List<String> viaStatement(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(QUERY)) {
            return describe(rs.getMetaData());
        }
    }

    static List<String> viaPrepared(Connection c, boolean beforeExecute) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(QUERY)) {
            if (beforeExecute) {
                return describe(ps.getMetaData());
            }
            try (ResultSet rs = ps.executeQuery()) {
                return describe(rs.getMetaData());
            }
        }
    }

    @Test
    void clientMetadataThroughTheGatewayMatchesADirectConnection() throws Exception {
        for (String settings : new String[] {"", "prepareThreshold=-1", "preferQueryMode=simple"}) {
            List<String> direct;
            try (Connection c = DriverManager.getConnection(gw.backendUrl + "?" + settings, EmbeddedPostgres.USER, "")) {
                direct = viaStatement(c);
                assertEquals(direct, viaPrepared(c, false));
            }
            try (Connection c = DriverManager.getConnection(gw.jdbcUrl(settings))) {
                assertEquals(String.join("\n", direct), String.join("\n", viaStatement(c)), settings);
                assertEquals(String.join("\n", direct), String.join("\n", viaPrepared(c, false)), settings);
                if (!settings.contains("simple")) {
                    assertEquals(String.join("\n", direct), String.join("\n", viaPrepared(c, true)), settings);
                }
            }
            // the comparison is not empty-handed: the table's own facts come through
            assertEquals("name | varchar | 12 | precision 20 | scale 0 | display 20 | nullable 0 | auto false"
                    + " | table rd | base public.rd.name", direct.get(1));
            assertEquals("amount | numeric | 2 | precision 10 | scale 2 | display 12 | nullable 1 | auto false"
                    + " | table rd | base public.rd.amount", direct.get(2));
        }
    }
}
