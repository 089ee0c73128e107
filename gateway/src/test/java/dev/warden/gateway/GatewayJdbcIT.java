package dev.warden.gateway;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * pgjdbc works through the gateway with its default settings (text parameters, unnamed statements until
 * the fifth execution, then named server-prepared ones with binary results) and with
 * {@code prepareThreshold=-1} (named statements and binary transfer from the first execution).
 */
class GatewayJdbcIT {

    static GatewayFixture gw;

    @BeforeAll
    static void start() throws Exception {
        gw = new GatewayFixture();
        try (Connection c = DriverManager.getConnection(gw.jdbcUrl("")); Statement s = c.createStatement()) {
            s.execute("create table items(id int primary key, name text, price numeric(12,3), qty bigint,"
                    + " ok boolean, data bytea, born date, seen timestamp, seen_tz timestamptz, ratio float8,"
                    + " small int2, f4 real, uid uuid, tags text[], nums int4[])");
        }
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    static Connection connect(String settings) throws SQLException {
        return DriverManager.getConnection(gw.jdbcUrl(settings));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "prepareThreshold=-1", "prepareThreshold=1&binaryTransfer=true"})
    void typedParametersAndResultsRoundTrip(String settings) throws SQLException {
        int base = Math.abs(settings.hashCode() % 100000) * 10;
        try (Connection c = connect(settings)) {
            try (PreparedStatement ps = c.prepareStatement("insert into items(id, name, price, qty, ok, data, born,"
                    + " seen, seen_tz, ratio, small, f4, uid, tags, nums) values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
                for (int i = 0; i < 7; i++) {
                    ps.setInt(1, base + i);
                    ps.setString(2, "name é " + i);
                    ps.setBigDecimal(3, new BigDecimal("-1234.5").add(BigDecimal.valueOf(i)));
                    ps.setLong(4, 9_000_000_000L + i);
                    ps.setBoolean(5, i % 2 == 0);
                    ps.setBytes(6, new byte[] {0, 1, (byte) 0xff, (byte) i});
                    ps.setObject(7, LocalDate.of(1999, 12, 31).plusDays(i));
                    ps.setObject(8, LocalDateTime.of(2024, 2, 29, 13, 14, 15, 123456000).plusHours(i));
                    ps.setObject(9, OffsetDateTime.of(2020, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC).plusMinutes(i));
                    ps.setDouble(10, 0.1 + i);
                    ps.setShort(11, (short) -i);
                    ps.setFloat(12, 1.5f * i);
                    ps.setObject(13, new UUID(i, 42));
                    ps.setArray(14, c.createArrayOf("text", new Object[] {"a", "b" + i, null}));
                    ps.setArray(15, c.createArrayOf("int4", new Object[] {1, 2, i}));
                    assertEquals(1, ps.executeUpdate());
                }
            }
            try (PreparedStatement ps = c.prepareStatement("select id, name, price, qty, ok, data, born, seen, seen_tz,"
                    + " ratio, small, f4, uid, tags, nums from items where id = ? and name like ?")) {
                for (int i = 0; i < 7; i++) {
                    ps.setInt(1, base + i);
                    ps.setString(2, "name%");
                    try (ResultSet rs = ps.executeQuery()) {
                        assertTrue(rs.next());
                        assertEquals(base + i, rs.getInt(1));
                        assertEquals("name é " + i, rs.getString(2));
                        assertEquals(new BigDecimal("-1234.500").add(BigDecimal.valueOf(i)), rs.getBigDecimal(3));
                        assertEquals(9_000_000_000L + i, rs.getLong(4));
                        assertEquals(i % 2 == 0, rs.getBoolean(5));
                        assertArrayEquals(new byte[] {0, 1, (byte) 0xff, (byte) i}, rs.getBytes(6));
                        assertEquals(LocalDate.of(1999, 12, 31).plusDays(i), rs.getObject(7, LocalDate.class));
                        assertEquals(LocalDateTime.of(2024, 2, 29, 13, 14, 15, 123456000).plusHours(i),
                                rs.getObject(8, LocalDateTime.class));
                        assertEquals(OffsetDateTime.of(2020, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC).plusMinutes(i)
                                .toInstant(), rs.getObject(9, OffsetDateTime.class).toInstant());
                        assertEquals(0.1 + i, rs.getDouble(10));
                        assertEquals(-i, rs.getShort(11));
                        assertEquals(1.5f * i, rs.getFloat(12));
                        assertEquals(new UUID(i, 42), rs.getObject(13));
                        assertArrayEquals(new Object[] {"a", "b" + i, null}, (Object[]) rs.getArray(14).getArray());
                        assertArrayEquals(new Integer[] {1, 2, i}, (Object[]) rs.getArray(15).getArray());
                        assertFalse(rs.next());
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("select ?::int4 is null, ?::text")) {
                ps.setNull(1, Types.INTEGER);
                ps.setString(2, null);
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertTrue(rs.getBoolean(1));
                    assertNull(rs.getString(2));
                }
            }
            assertEquals("integer", c.prepareStatement("select id from items").getMetaData().getColumnTypeName(1)
                    .replace("int4", "integer"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "prepareThreshold=-1"})
    void transactionsCommitAndRollBack(String settings) throws SQLException {
        int id = 900_000 + Math.abs(settings.hashCode() % 1000);
        try (Connection c = connect(settings)) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("insert into items(id, name) values (?, ?)")) {
                ps.setInt(1, id);
                ps.setString(2, "rolled back");
                ps.executeUpdate();
            }
            c.rollback();
            try (PreparedStatement ps = c.prepareStatement("insert into items(id, name) values (?, ?)")) {
                ps.setInt(1, id);
                ps.setString(2, "committed");
                ps.executeUpdate();
            }
            c.commit();
            // an error inside a transaction aborts it until rollback
            Statement s = c.createStatement();
            SQLException dup = assertThrows(SQLException.class,
                    () -> s.executeUpdate("insert into items(id) values (" + id + ")"));
            assertEquals("23505", dup.getSQLState());
            SQLException aborted = assertThrows(SQLException.class, () -> s.executeQuery("select 1"));
            assertEquals("25P02", aborted.getSQLState());
            c.rollback();
            c.setAutoCommit(true);
            try (ResultSet rs = s.executeQuery("select name from items where id = " + id)) {
                assertTrue(rs.next());
                assertEquals("committed", rs.getString(1));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "prepareThreshold=-1"})
    void fetchSizeStreamsThroughSuspendedPortals(String settings) throws SQLException {
        try (Connection c = connect(settings)) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("select g, repeat('x', 10) from generate_series(1, ?) g")) {
                ps.setFetchSize(7);
                ps.setInt(1, 1000);
                long sum = 0;
                int n = 0;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        sum += rs.getInt(1);
                        n++;
                    }
                }
                assertEquals(1000, n);
                assertEquals(500_500, sum);
            }
            c.commit();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "prepareThreshold=-1"})
    void batchesMetadataAndErrorsBehaveLikePostgres(String settings) throws SQLException {
        try (Connection c = connect(settings); Statement s = c.createStatement()) {
            String table = "b" + Math.abs(settings.hashCode());
            s.execute("create table " + table + "(id int primary key, v text)");
            try (PreparedStatement ps = c.prepareStatement("insert into " + table + " values (?, ?)")) {
                for (int i = 0; i < 50; i++) {
                    ps.setInt(1, i);
                    ps.setString(2, "v" + i);
                    ps.addBatch();
                }
                int[] counts = ps.executeBatch();
                assertEquals(50, counts.length);
            }
            assertEquals(10, s.executeUpdate("update " + table + " set v = 'u' where id < 10"));
            try (ResultSet rs = c.getMetaData().getColumns(null, "public", table, null)) {
                assertTrue(rs.next());
                assertEquals("id", rs.getString("COLUMN_NAME"));
                assertTrue(rs.next());
                assertEquals("v", rs.getString("COLUMN_NAME"));
            }
            SQLException e = assertThrows(SQLException.class, () -> s.executeQuery("select nope from " + table));
            assertEquals("42703", e.getSQLState());
            assertTrue(e.getMessage().contains("column \"nope\" does not exist"), e.getMessage());
            assertTrue(s.execute("select 1; select 2"));
            try (ResultSet rs = s.executeQuery("select count(*) from " + table)) {
                rs.next();
                assertEquals(50, rs.getInt(1));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "prepareThreshold=-1"})
    void aFailingBatchIsAllOrNothingLikeOnPostgres(String settings) throws SQLException {
        String table = "atomic" + Math.abs(settings.hashCode());
        try (Connection direct = dev.warden.testkit.EmbeddedPostgres.rawConnection(gw.backendUrl);
             Statement s = direct.createStatement()) {
            s.execute("create table " + table + "(id int primary key)");
        }
        try (Connection c = connect(settings);
             PreparedStatement ps = c.prepareStatement("insert into " + table + " values (?)")) {
            for (int id : new int[] {1, 2, 2, 3}) {
                ps.setInt(1, id);
                ps.addBatch();
            }
            assertThrows(java.sql.BatchUpdateException.class, ps::executeBatch);
            try (ResultSet rs = c.createStatement().executeQuery("select count(*) from " + table)) {
                rs.next();
                assertEquals(0, rs.getInt(1), "the rows before the failing one are rolled back too");
            }
            ps.setInt(1, 7);
            ps.addBatch();
            ps.setInt(1, 8);
            ps.addBatch();
            ps.executeBatch();
            try (ResultSet rs = c.createStatement().executeQuery("select count(*) from " + table)) {
                rs.next();
                assertEquals(2, rs.getInt(1), "a good batch is committed");
            }
        }
    }
}
