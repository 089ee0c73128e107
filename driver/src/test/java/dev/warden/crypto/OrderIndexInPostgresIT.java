package dev.warden.crypto;

import dev.warden.testkit.EmbeddedPostgres;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Order indexes the database sorts and indexes ({@code ore-index.sql}, {@code ore-index-opclass.sql}, options B and C
 * of docs/order-index.md) on a real PostgreSQL: a btree index over {@code warden.ore_block} values orders rows
 * exactly as their plaintexts (ties compare equal), range predicates against {@code warden.ore_bound} select exactly
 * the plaintext range, the planner uses the index for ranges, {@code ORDER BY ... DESC LIMIT} and
 * {@code warden.ore_max}, and malformed input fails with SQLState 22023.
 */
class OrderIndexInPostgresIT {

    private static String url;
    private static final WardenKeyset KEYS = WardenKeyset.generate();

    @BeforeAll
    static void installFunctionsAndOperatorClass() throws Exception {
        url = EmbeddedPostgres.freshDatabase();
        try (Connection c = EmbeddedPostgres.rawConnection(url); Statement s = c.createStatement()) {
            s.execute(OrderIndexSql.functions());
            s.execute(OrderIndexSql.operatorClass());
            // idempotent: warden schema may run them again
            s.execute(OrderIndexSql.functions());
            s.execute(OrderIndexSql.operatorClass());
        }
    }

    /** A table {@code name(id, o)} of {@code values} (id = position), its btree index built after the rows. */
    private static <T> void load(Connection c, String table, OrderIndex index, List<T> values) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, o " + OrderIndexSql.TYPE + ")");
        }
        try (PreparedStatement insert = c.prepareStatement(
                "INSERT INTO " + table + " VALUES (?, " + OrderIndexSql.STORED_VALUE + ")")) {
            for (int i = 0; i < values.size(); i++) {
                insert.setInt(1, i);
                if (values.get(i) == null) {
                    insert.setNull(2, java.sql.Types.BINARY);
                    insert.setNull(3, java.sql.Types.BINARY);
                } else {
                    LewiWuBlockOre.Ciphertexts ct = index.encrypt(values.get(i));
                    insert.setBytes(2, ct.left());
                    insert.setBytes(3, ct.right());
                }
                insert.addBatch();
            }
            insert.executeBatch();
        }
        try (Statement s = c.createStatement()) {
            s.execute("CREATE INDEX " + table + "_o ON " + table + " (o)");
            s.execute("ANALYZE " + table);
        }
    }

    private static List<Integer> ids(Connection c, String sql, byte[]... binds) throws SQLException {
        try (PreparedStatement q = c.prepareStatement(sql)) {
            for (int i = 0; i < binds.length; i++) q.setBytes(i + 1, binds[i]);
            List<Integer> out = new ArrayList<>();
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) out.add(rs.getInt(1));
            }
            return out;
        }
    }

    /**
     * ORDER BY, DISTINCT (ties), MIN/MAX and ranges on {@code values} (NULLs allowed) agree with {@code order} on
     * the plaintexts; {@code bounds} are the range bounds tried, pairwise.
     */
    private static <T> void checkAgainstPlaintext(String table, OrderIndex index, List<T> values, List<T> bounds,
            Comparator<T> order) throws SQLException {
        try (Connection c = EmbeddedPostgres.rawConnection(url)) {
            load(c, table, index, values);
            List<Integer> nonNull = IntStream.range(0, values.size()).filter(i -> values.get(i) != null).boxed().toList();
            Comparator<Integer> byValueThenId = Comparator.<Integer, T>comparing(values::get, order).thenComparing(i -> i);

            List<Integer> ascending = nonNull.stream().sorted(byValueThenId).toList();
            assertEquals(ascending, ids(c, "SELECT id FROM " + table + " WHERE o IS NOT NULL ORDER BY o, id"),
                    index + ": ORDER BY the stored column is the plaintext order");
            List<Integer> descending = nonNull.stream().sorted(Comparator.<Integer, T>comparing(values::get, order)
                    .reversed().thenComparing(i -> i)).toList();
            assertEquals(descending.subList(0, 20), ids(c, "SELECT id FROM " + table
                    + " WHERE o IS NOT NULL ORDER BY o DESC, id LIMIT 20"), "top 20, DESC");

            long distinct = nonNull.stream().map(values::get).sorted(order)
                    .reduce(new ArrayList<T>(), (acc, v) -> {
                        if (acc.isEmpty() || order.compare(acc.get(acc.size() - 1), v) != 0) acc.add(v);
                        return acc;
                    }, (a, b) -> a).size();
            try (ResultSet rs = c.createStatement().executeQuery("SELECT count(DISTINCT o) FROM " + table)) {
                rs.next();
                assertEquals(distinct, rs.getLong(1), "equal values compare equal, different ones do not");
            }

            T max = values.get(descending.get(0));
            T min = values.get(ascending.get(0));
            assertEquals(0, order.compare(max, values.get(ids(c, "SELECT id FROM " + table
                    + " WHERE o " + op("=") + " (SELECT warden.ore_max(o) FROM " + table + ") ORDER BY id LIMIT 1").get(0))), "MAX");
            assertEquals(0, order.compare(max, values.get(ids(c, "SELECT id FROM " + table
                    + " WHERE o IS NOT NULL ORDER BY o DESC LIMIT 1").get(0))), "MAX as the top row");
            assertEquals(0, order.compare(min, values.get(ids(c, "SELECT id FROM " + table
                    + " WHERE o IS NOT NULL ORDER BY o LIMIT 1").get(0))), "MIN as the first row");
            assertEquals(0, order.compare(min, values.get(ids(c, "SELECT id FROM " + table
                    + " WHERE o " + op("=") + " (SELECT warden.ore_min(o) FROM " + table + ") ORDER BY id LIMIT 1").get(0))), "MIN");

            for (T lo : bounds) {
                for (T hi : bounds) {
                    byte[] l = index.encryptLeft(lo);
                    byte[] h = index.encryptLeft(hi);
                    List<Integer> closed = nonNull.stream().filter(i -> order.compare(values.get(i), lo) >= 0
                            && order.compare(values.get(i), hi) <= 0).toList();
                    assertEquals(closed, ids(c, "SELECT id FROM " + table + " WHERE o " + op(">=") + OrderIndexSql.BOUND
                            + " AND o " + op("<=") + OrderIndexSql.BOUND + " ORDER BY id", l, h), "BETWEEN " + lo + " AND " + hi);
                    List<Integer> open = nonNull.stream().filter(i -> order.compare(values.get(i), lo) > 0
                            && order.compare(values.get(i), hi) < 0).toList();
                    assertEquals(open, ids(c, "SELECT id FROM " + table + " WHERE o " + op(">") + OrderIndexSql.BOUND
                            + " AND o " + op("<") + OrderIndexSql.BOUND + " ORDER BY id", l, h), "> " + lo + " AND < " + hi);
                }
                List<Integer> equal = nonNull.stream().filter(i -> order.compare(values.get(i), lo) == 0).toList();
                assertEquals(equal, ids(c, "SELECT id FROM " + table + " WHERE o " + op("=") + OrderIndexSql.BOUND
                        + " ORDER BY id", index.encryptLeft(lo)), "= " + lo);
            }
        }
    }

    @Test
    void bigintsWithExtremesTiesAndNullsSortAndFilterAsPlaintext() throws Exception {
        Random random = new Random(11);
        List<Long> values = new ArrayList<>(Arrays.asList(Long.MIN_VALUE, Long.MIN_VALUE + 1, -1L, 0L, 1L, 255L, 256L,
                Long.MAX_VALUE - 1, Long.MAX_VALUE, Long.MAX_VALUE, 0L, null, null));
        for (int i = 0; i < 400; i++) {
            values.add(i % 10 == 0 ? values.get(random.nextInt(11)) : random.nextLong() >> random.nextInt(64));
        }
        List<Long> bounds = List.of(Long.MIN_VALUE, -1_000_000L, -1L, 0L, 256L, values.get(20), Long.MAX_VALUE);
        checkAgainstPlaintext("amounts", KEYS.orderIndex("t.amount", LogicalType.BIGINT), values, bounds, Long::compare);
    }

    @Test
    void datesNumericsAndTextPrefixesSortAndFilterAsPlaintext() throws Exception {
        Random random = new Random(12);
        List<LocalDate> dates = new ArrayList<>(List.of(LocalDate.of(0, 12, 31), LocalDate.of(1, 1, 1),
                LocalDate.of(1999, 12, 31), LocalDate.of(2000, 1, 1), LocalDate.of(2000, 1, 1)));
        for (int i = 0; i < 150; i++) dates.add(LocalDate.ofEpochDay(random.nextInt(60_000) - 30_000));
        checkAgainstPlaintext("born", KEYS.orderIndex("t.born", LogicalType.DATE), dates,
                List.of(LocalDate.of(1950, 1, 1), LocalDate.of(2000, 1, 1), LocalDate.of(2030, 6, 30)), LocalDate::compareTo);

        List<BigDecimal> numerics = new ArrayList<>(List.of(new BigDecimal("1.5"), new BigDecimal("1.50"),
                BigDecimal.ZERO, new BigDecimal("-0.001"), new BigDecimal("-1000"), new BigDecimal("99999999.99")));
        for (int i = 0; i < 120; i++) numerics.add(BigDecimal.valueOf(random.nextLong() >> random.nextInt(60), random.nextInt(12) - 4));
        checkAgainstPlaintext("limits", KEYS.orderIndex("t.limit", LogicalType.NUMERIC), numerics,
                List.of(new BigDecimal("-1000"), new BigDecimal("-0.0010"), new BigDecimal("1.5"), new BigDecimal("1e10")),
                BigDecimal::compareTo);

        // text orders by its first 15 bytes of UTF-8 ("C" collation): values sharing them are ties of the index
        List<String> texts = new ArrayList<>(List.of("", "a", "ab", "abc", "B", "Chan", "Chan Tai Man", "Chan Tai Man Junior",
                "Chan Tai Man Junipero", "é", "z", "日本", "😀"));
        for (int i = 0; i < 80; i++) texts.add(texts.get(random.nextInt(texts.size())) + (char) ('a' + random.nextInt(26)));
        Comparator<String> prefixOrder = (x, y) -> Arrays.compareUnsigned(
                OrderEncoding.encode(LogicalType.TEXT, x), OrderEncoding.encode(LogicalType.TEXT, y));
        checkAgainstPlaintext("names", KEYS.orderIndex("t.name", LogicalType.TEXT), texts,
                List.of("", "Chan", "Chan Tai Man Junk", "é"), prefixOrder);
        assertEquals(0, prefixOrder.compare("Chan Tai Man Junior", "Chan Tai Man Junipero"), "the fixture has a prefix tie");
    }

    @Test
    void thePlannerUsesTheIndexForRangesTopNAndMax() throws Exception {
        OrderIndex index = KEYS.orderIndex("t.created", LogicalType.BIGINT);
        List<Long> values = new ArrayList<>();
        Random random = new Random(13);
        for (int i = 0; i < 3000; i++) values.add((long) random.nextInt(1_000_000));
        try (Connection c = EmbeddedPostgres.rawConnection(url)) {
            load(c, "events", index, values);
            String range = plan(c, "EXPLAIN SELECT id FROM events WHERE o " + op(">=") + OrderIndexSql.BOUND + " AND o "
                    + op("<=") + OrderIndexSql.BOUND, index.encryptLeft(500_000L), index.encryptLeft(505_000L));
            assertTrue(range.contains("Index Scan using events_o") || range.contains("Bitmap Index Scan on events_o"), range);
            String top = plan(c, "EXPLAIN SELECT id FROM events ORDER BY o DESC LIMIT 20");
            assertTrue(top.contains("Index Scan Backward using events_o"), top);
            // MAX/MIN as the first row of the index (PostgreSQL never answers an aggregate over a row type from an
            // index: planagg.c's can_minmax_aggs), NULLs skipped by the filter
            String max = plan(c, "EXPLAIN SELECT o FROM events WHERE o IS NOT NULL ORDER BY o DESC LIMIT 1");
            assertTrue(max.contains("Scan Backward using events_o"), max);
            String min = plan(c, "EXPLAIN SELECT o FROM events WHERE o IS NOT NULL ORDER BY o LIMIT 1");
            assertTrue(min.contains("Index Only Scan using events_o") || min.contains("Index Scan using events_o"), min);
        }
    }

    /** The operator, schema-qualified and spaced. */
    private static String op(String comparison) {
        return " " + OrderIndexSql.operator(comparison) + " ";
    }

    /** Why the operator must be qualified: a bare one is PostgreSQL's record comparison, silently wrong. */
    @Test
    void aBareOperatorIsNotTheOrderIndexOperator() throws Exception {
        OrderIndex index = KEYS.orderIndex("t.amount", LogicalType.BIGINT);
        int disagreements = 0;
        try (Connection c = EmbeddedPostgres.rawConnection(url); PreparedStatement q = c.prepareStatement(
                "SELECT " + OrderIndexSql.STORED_VALUE + " < " + OrderIndexSql.STORED_VALUE + ", "
                        + OrderIndexSql.STORED_VALUE + op("<") + OrderIndexSql.STORED_VALUE)) {
            for (long v = 0; v < 16; v++) {
                LewiWuBlockOre.Ciphertexts x = index.encrypt(v);
                LewiWuBlockOre.Ciphertexts y = index.encrypt(v + 1);
                q.setBytes(1, x.left());
                q.setBytes(2, x.right());
                q.setBytes(3, y.left());
                q.setBytes(4, y.right());
                q.setBytes(5, x.left());
                q.setBytes(6, x.right());
                q.setBytes(7, y.left());
                q.setBytes(8, y.right());
                try (ResultSet rs = q.executeQuery()) {
                    rs.next();
                    assertTrue(rs.getBoolean(2), v + " < " + (v + 1));
                    if (!rs.getBoolean(1)) disagreements++;
                }
            }
        }
        assertTrue(disagreements > 0, "a bare < compares bytes, so some of 16 ordered pairs come out unordered");
    }

    private static String plan(Connection c, String explain, byte[]... binds) throws SQLException {
        try (PreparedStatement q = c.prepareStatement(explain)) {
            for (int i = 0; i < binds.length; i++) q.setBytes(i + 1, binds[i]);
            StringBuilder out = new StringBuilder();
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) out.append(rs.getString(1)).append('\n');
            }
            return out.toString();
        }
    }

    @Test
    void malformedValuesAndMismatchedColumnsFailWithInvalidParameter() throws Exception {
        OrderIndex bigint = KEYS.orderIndex("t.amount", LogicalType.BIGINT);
        OrderIndex numeric = KEYS.orderIndex("t.limit", LogicalType.NUMERIC);
        LewiWuBlockOre.Ciphertexts one = bigint.encrypt(1L);
        LewiWuBlockOre.Ciphertexts two = bigint.encrypt(2L);
        LewiWuBlockOre.Ciphertexts decimal = numeric.encrypt(BigDecimal.ONE);
        byte[] cut = Arrays.copyOf(one.right(), one.right().length - 1);
        try (Connection c = EmbeddedPostgres.rawConnection(url)) {
            assertInvalid(c, "SELECT " + OrderIndexSql.STORED_VALUE, one.left(), cut);
            assertInvalid(c, "SELECT " + OrderIndexSql.STORED_VALUE, decimal.left(), one.right());
            assertInvalid(c, "SELECT " + OrderIndexSql.STORED_VALUE, new byte[0], one.right());
            assertInvalid(c, "SELECT " + OrderIndexSql.BOUND, Arrays.copyOf(one.left(), 20));
            // two columns' values (different lengths) do not compare, nor do two bounds
            assertInvalid(c, "SELECT " + OrderIndexSql.STORED_VALUE + op("<") + OrderIndexSql.STORED_VALUE,
                    one.left(), one.right(), decimal.left(), decimal.right());
            assertInvalid(c, "SELECT " + OrderIndexSql.BOUND + op("<") + OrderIndexSql.BOUND,
                    bigint.encryptLeft(1L), bigint.encryptLeft(2L));
            // a value written around the constructor is refused by the comparison, not misordered silently
            assertInvalid(c, "SELECT ROW(?, ?)::warden.ore_block" + op("<") + OrderIndexSql.BOUND,
                    one.left(), cut, two.left());
            try (PreparedStatement ok = c.prepareStatement("SELECT " + OrderIndexSql.STORED_VALUE + op("<")
                    + OrderIndexSql.STORED_VALUE)) {
                ok.setBytes(1, one.left());
                ok.setBytes(2, one.right());
                ok.setBytes(3, two.left());
                ok.setBytes(4, two.right());
                try (ResultSet rs = ok.executeQuery()) {
                    rs.next();
                    assertTrue(rs.getBoolean(1), "1 < 2 between two stored values");
                }
            }
        }
    }

    private static void assertInvalid(Connection c, String sql, byte[]... binds) throws SQLException {
        try (PreparedStatement q = c.prepareStatement(sql)) {
            for (int i = 0; i < binds.length; i++) q.setBytes(i + 1, binds[i]);
            SQLException e = assertThrows(SQLException.class, q::executeQuery, sql);
            assertEquals("22023", e.getSQLState(), e.getMessage());
            assertTrue(!e.getMessage().contains("\\x"), "no ciphertext in the message: " + e.getMessage());
        }
    }

    @SuppressWarnings("unused")
    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
