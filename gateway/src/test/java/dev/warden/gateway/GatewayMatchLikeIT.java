package dev.warden.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.warden.testkit.CountTypes;
import dev.warden.testkit.CustomersExample;
import dev.warden.testkit.MatchColumnsExample;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * LIKE on a match column through the gateway: psql (simple protocol, inline pattern) and pgjdbc (extended
 * protocol, the pattern as a parameter, unnamed and named statements, binary results) get PostgreSQL's rows,
 * without the hidden column Warden appends (RowDescription has the statement's columns only), with LIMIT
 * applied after the re-check; refusals carry their SQLState.
 */
class GatewayMatchLikeIT {

    static CustomersExample example;
    static PolicyGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        example = CustomersExample.create();
        MatchColumnsExample.addNicknameAndCompanions(example);
        Path policy = MatchColumnsExample.policyDirectory(MatchColumnsExample.POLICY);
        gateway = PolicyGateway.start(example.wardenUrl(), policy, 4,
                PolicyGateway.user("sam", "support", "customer-service"));
        try (Connection c = jdbc(""); PreparedStatement ps = c.prepareStatement(
                "insert into customers(id, name, email, nickname) values (?, ?, ?, ?)")) {
            String[] nicknames = {"Chan Tai Man", "chan siu ming", "Ah Chan", "Chang", "Wong", null, "CHANEL"};
            for (int i = 0; i < nicknames.length; i++) {
                ps.setInt(1, i + 1);
                ps.setString(2, "n" + (i + 1));
                ps.setString(3, "p" + i + "@example.hk");
                ps.setString(4, nicknames[i]);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    @AfterAll
    static void stop() {
        if (gateway != null) gateway.close();
    }

    static Connection jdbc(String settings) throws SQLException {
        return gateway.connect("sam", settings);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "prepareThreshold=-1", "prepareThreshold=1&binaryTransfer=true"})
    void pgjdbcGetsPostgresRowsWithoutTheHiddenColumn(String settings) throws SQLException {
        try (Connection c = jdbc(settings); PreparedStatement ps = c.prepareStatement(
                "select id, nickname from customers where nickname like ? order by id limit 2")) {
            for (int run = 0; run < 3; run++) {  // the fifth execution switches to a named statement by default
                ps.setString(1, "chan%");
                try (ResultSet rs = ps.executeQuery()) {
                    assertEquals(2, rs.getMetaData().getColumnCount());
                    List<String> rows = new ArrayList<>();
                    while (rs.next()) rows.add(rs.getInt(1) + ":" + rs.getString(2));
                    assertEquals(List.of("2:chan siu ming"), rows, "case-sensitive: only one row starts with 'chan'");
                }
                ps.setString(1, "%Chan%");
                try (ResultSet rs = ps.executeQuery()) {
                    List<String> rows = new ArrayList<>();
                    while (rs.next()) rows.add(rs.getInt(1) + ":" + rs.getString(2));
                    assertEquals(List.of("1:Chan Tai Man", "3:Ah Chan"), rows, "LIMIT 2 after the re-check");
                }
            }
        }
        try (Connection c = jdbc(settings); PreparedStatement ps = c.prepareStatement(
                "select id from customers where nickname ilike ? order by id")) {
            ps.setString(1, "%chan%");
            List<Integer> ids = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) ids.add(rs.getInt(1));
            }
            assertEquals(List.of(1, 2, 3, 4, 7), ids);
        }
    }

    @Test
    void psqlGetsPostgresRowsAndRefusals() {
        assumeTrue(GatewayFixture.available("psql"), "psql not installed");
        var ok = psql("select id, nickname from customers where nickname like '%Chan%' and id > 1 order by id");
        assertEquals(0, ok.exit(), ok.err());
        assertEquals("3|Ah Chan\n4|Chang", ok.out().strip());
        var refused = psql("select count(*) from customers where nickname like '%Chan%'");
        assertTrue(refused.err().contains("0A000") || refused.err().contains("aggregate"), refused.err());
    }

    @Test
    void psqlSelectStarShowsTheTableWithoutItsIndexAndDescribeStillWorks() {
        assumeTrue(GatewayFixture.available("psql"), "psql not installed");
        var star = GatewayFixture.run(List.of("/usr/bin/psql", "-X", "-A", "-F", "|", "-v", "VERBOSITY=verbose",
                "-h", "127.0.0.1", "-p", String.valueOf(gateway.port()), "-U", "sam", "-d", "app", "-c",
                "select * from customers where nickname like '%Chan%' order by id limit 1"), null,
                Map.of("PGPASSWORD", "pw"), 60);
        assertEquals(0, star.exit(), star.err());
        List<String> lines = star.out().strip().lines().toList();
        assertEquals("id|name|email|phone|card_number|birth_date|credit_limit|country|nickname", lines.get(0));
        assertEquals("1|n1|p0@example.hk||||||Chan Tai Man", lines.get(1));
        assertEquals("(1 row)", lines.get(2));
        var describe = psql("\\d customers");
        assertEquals(0, describe.exit(), describe.err());
        assertTrue(describe.out().contains("nickname_match|bigint[]"), describe.out());
    }

    @Test
    void refusalsReachTheClientWithTheirSqlState() throws SQLException {
        try (Connection c = jdbc(""); var s = c.createStatement()) {
            SQLException e = assertThrows(SQLException.class,
                    () -> s.executeQuery("select id from customers where nickname like 'c%'"));
            assertEquals("0A000", e.getSQLState(), e.getMessage());
            SQLException companion = assertThrows(SQLException.class,
                    () -> s.executeQuery("select nickname_match from customers"));
            assertEquals("0A000", companion.getSQLState(), companion.getMessage());
        }
    }

    private static boolean pagesSeeded;

    /**
     * Rows 1000..1359 whose nickname 'Wing n' or 'wing n' is a candidate of 'Wing%' (the index folds case), each 9th
     * a match, through the gateway and in a plaintext twin: dense false positives, so that pages past the first
     * candidate bound run the statement again.
     */
    private static synchronized void seedPages() throws SQLException {
        if (pagesSeeded) return;
        try (Connection raw = example.raw(); var s = raw.createStatement()) {
            s.execute("CREATE TABLE page_twin (id int PRIMARY KEY, nickname text)");
        }
        try (Connection c = jdbc(""); Connection raw = example.raw();
             PreparedStatement ps = c.prepareStatement("insert into customers(id, name, email, nickname)"
                     + " values (?, ?, ?, ?)");
             PreparedStatement twin = raw.prepareStatement("insert into page_twin(id, nickname) values (?, ?)")) {
            for (int i = 0; i < 360; i++) {
                String nickname = i % 41 == 3 ? null : (i % 9 == 0 ? "Wing " : "wing ") + i;
                ps.setInt(1, 1000 + i);
                ps.setString(2, "w" + i);
                ps.setString(3, "w" + i + "@example.hk");
                ps.setString(4, nickname);
                ps.addBatch();
                twin.setInt(1, 1000 + i);
                twin.setString(2, nickname);
                twin.addBatch();
            }
            ps.executeBatch();
            twin.executeBatch();
        }
        pagesSeeded = true;
    }

    /**
     * ORM paging through the gateway (extended protocol: the counts are bound parameters, typed int8 or int4, or
     * untyped text as libpq clients send them): the rows of the plaintext twin for each page of one prepared
     * statement, NULL meaning no limit, past the end, and PostgreSQL's error for a negative count.
     */
    @ParameterizedTest
    @ValueSource(strings = {"", "prepareThreshold=-1", "prepareThreshold=1&binaryTransfer=true"})
    void boundLimitAndOffsetPageAsThePlaintextTwin(String settings) throws SQLException {
        seedPages();
        String sql = "select c1_0.id, c1_0.nickname from TABLE c1_0 where c1_0.nickname like ? order by c1_0.id"
                + " limit ? offset ?";
        Object[][] pages = {{10L, 0L}, {10L, 20L}, {10, 35}, {"7", "3"}, {5L, 38L}, {10L, 40L}, {0L, 0L},
                {null, 12L}, {3L, null}, {100L, 0L}};
        try (Connection c = jdbc(settings); Connection raw = example.raw();
             PreparedStatement w = c.prepareStatement(sql.replace("TABLE", "customers"));
             PreparedStatement t = raw.prepareStatement(sql.replace("TABLE", "page_twin"))) {
            w.setString(1, "Wing%");
            t.setString(1, "Wing%");
            for (Object[] page : pages) {
                for (PreparedStatement p : new PreparedStatement[] {w, t}) {
                    for (int i = 0; i < 2; i++) {
                        Object v = page[i];
                        if (v == null) p.setNull(2 + i, java.sql.Types.BIGINT);
                        else if (v instanceof String text) p.setObject(2 + i, text, java.sql.Types.OTHER);
                        else p.setObject(2 + i, v);
                    }
                }
                assertEquals(pageRows(t), pageRows(w), "limit " + page[0] + " offset " + page[1]);
            }
            for (PreparedStatement p : new PreparedStatement[] {w, t}) {
                p.setLong(2, -1);
                p.setLong(3, 0);
            }
            SQLException expected = assertThrows(SQLException.class, () -> pageRows(t));
            SQLException actual = assertThrows(SQLException.class, () -> pageRows(w));
            assertEquals(expected.getSQLState(), actual.getSQLState(), actual.getMessage());
        }
    }

    /**
     * A LIMIT count the client types text or character varying fails 42804 with PostgreSQL's own message, which
     * names the type the client sent (it said "character varying" for text): on a LIKE through a match index (the
     * count taken out of the statement), on a plain column of the protected table, and on no table.
     */
    @Test
    void aCountTypedTextOrVarcharFailsNamingTheTypeTheClientSent() throws Exception {
        for (String type : List.of("text", "varchar")) {
            String expected;
            try (Connection raw = example.raw()) {
                expected = CountTypes.postgresRefusal(raw, type, type.equals("text") ? "text" : "character varying");
            }
            for (String sql : List.of("select id from customers where nickname like ? order by id limit ?",
                    "select id from customers where name like ? order by id limit ?", "select ? limit ?")) {
                try (Connection c = jdbc(""); PreparedStatement ps = c.prepareStatement(sql)) {
                    ps.setString(1, "Chan%");
                    ps.setObject(2, CountTypes.typed(type, "5"));
                    SQLException e = assertThrows(SQLException.class, () -> ps.executeQuery().close(), sql);
                    assertEquals("42804", e.getSQLState(), sql + ": " + e.getMessage());
                    assertTrue(e.getMessage().contains(expected), type + ", " + sql + ": " + e.getMessage());
                }
            }
        }
    }

    @Test
    void likeNullWrittenInlineAnswersNoRow() throws SQLException {
        try (Connection c = jdbc(""); var s = c.createStatement()) {
            for (String where : List.of("nickname like null", "nickname not ilike null")) {
                try (ResultSet rs = s.executeQuery("select id from customers where " + where + " order by id")) {
                    assertTrue(!rs.next(), where);
                }
            }
        }
        assumeTrue(GatewayFixture.available("psql"), "psql not installed");
        var none = psql("select id from customers where nickname like null limit 3");
        assertEquals(0, none.exit(), none.err());
        assertEquals("", none.out().strip());
    }

    private static List<String> pageRows(PreparedStatement ps) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) rows.add(rs.getInt(1) + ":" + rs.getString(2));
        }
        return rows;
    }

    static GatewayFixture.Result psql(String sql) {
        return GatewayFixture.run(List.of("/usr/bin/psql", "-X", "-At", "-v", "VERBOSITY=verbose", "-h", "127.0.0.1",
                "-p", String.valueOf(gateway.port()), "-U", "sam", "-d", "app", "-c", sql), null,
                Map.of("PGPASSWORD", "pw"), 60);
    }
}
