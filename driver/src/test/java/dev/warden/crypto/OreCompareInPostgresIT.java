package dev.warden.crypto;

import dev.warden.testkit.EmbeddedPostgres;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The SQL comparison function ({@code dev/warden/crypto/ore-compare.sql}, plpgsql over pgcrypto) run by a real
 * PostgreSQL gives exactly {@link LewiWuBlockOre#compare}'s answers, so the database can filter on order indexes;
 * and its cost per comparison, printed for docs/order-index.md.
 */
class OreCompareInPostgresIT {

    private static String url;
    private static final WardenKeyset KEYS = WardenKeyset.generate();

    @BeforeAll
    static void createFunction() throws Exception {
        url = EmbeddedPostgres.freshDatabase();
        try (Connection c = EmbeddedPostgres.rawConnection(url); Statement s = c.createStatement()) {
            s.execute(compareFunctionSql());
            s.execute("CREATE TABLE pairs (expected int, l bytea, r bytea)");
            s.execute("CREATE TABLE stored (v bigint, r bytea)");
        }
    }

    static String compareFunctionSql() throws IOException {
        try (InputStream in = LewiWuBlockOre.class.getResourceAsStream("ore-compare.sql")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static <T> void checkPairs(OrderIndex index, List<T> values, Comparator<T> order) throws SQLException {
        Random random = new Random(values.size());
        try (Connection c = EmbeddedPostgres.rawConnection(url)) {
            c.createStatement().execute("TRUNCATE pairs");
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO pairs VALUES (?, ?, ?)")) {
                for (int i = 0; i < 400; i++) {
                    T x = values.get(random.nextInt(values.size()));
                    T y = i % 7 == 0 ? x : values.get(random.nextInt(values.size()));
                    insert.setInt(1, Integer.signum(order.compare(x, y)));
                    insert.setBytes(2, index.encryptLeft(x));
                    insert.setBytes(3, index.encrypt(y).right());
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            try (ResultSet rs = c.createStatement().executeQuery(
                    "SELECT count(*), count(*) FILTER (WHERE warden.ore_compare(l, r) = expected) FROM pairs")) {
                rs.next();
                assertEquals(400, rs.getInt(1));
                assertEquals(400, rs.getInt(2), index + ": the database's comparison agrees with the plaintext order");
            }
        }
    }

    @Test
    void bigintsIncludingExtremesCompareAsInJava() throws Exception {
        Random random = new Random(1);
        List<Long> values = new ArrayList<>(List.of(Long.MIN_VALUE, Long.MIN_VALUE + 1, -1L, 0L, 1L, 255L, 256L,
                Long.MAX_VALUE - 1, Long.MAX_VALUE));
        for (int i = 0; i < 200; i++) values.add(random.nextLong() >> random.nextInt(64));
        checkPairs(KEYS.orderIndex("t.amount", LogicalType.BIGINT), values, Long::compare);
    }

    @Test
    void datesNumericsAndTextCompareAsInJava() throws Exception {
        Random random = new Random(2);
        List<LocalDate> dates = new ArrayList<>(List.of(LocalDate.of(0, 12, 31), LocalDate.of(1, 1, 1)));
        for (int i = 0; i < 100; i++) dates.add(LocalDate.ofEpochDay(random.nextInt(2_000_000) - 1_000_000));
        checkPairs(KEYS.orderIndex("t.born", LogicalType.DATE), dates, LocalDate::compareTo);

        List<BigDecimal> numerics = new ArrayList<>(List.of(new BigDecimal("1.5"), new BigDecimal("1.50"),
                BigDecimal.ZERO, new BigDecimal("-0.001")));
        for (int i = 0; i < 100; i++) numerics.add(BigDecimal.valueOf(random.nextLong(), random.nextInt(40) - 10));
        checkPairs(KEYS.orderIndex("t.limit", LogicalType.NUMERIC), numerics, BigDecimal::compareTo);

        List<String> texts = List.of("", "a", "ab", "abc", "B", "Chan", "Chan Tai Man", "é", "z", "日本", "😀");
        checkPairs(KEYS.orderIndex("t.name", LogicalType.TEXT), texts, (x, y) -> Integer.signum(
                java.util.Arrays.compareUnsigned(x.getBytes(StandardCharsets.UTF_8), y.getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    void aRangeFilterInTheDatabaseSelectsExactlyThePlaintextRangeAndItsCostIsPrinted() throws Exception {
        OrderIndex index = KEYS.orderIndex("t.amount", LogicalType.BIGINT);
        Random random = new Random(3);
        int rows = 5_000;
        long[] values = new long[rows];
        try (Connection c = EmbeddedPostgres.rawConnection(url)) {
            c.createStatement().execute("TRUNCATE stored");
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO stored VALUES (?, ?)")) {
                for (int i = 0; i < rows; i++) {
                    values[i] = random.nextInt(1_000_000) - 500_000;
                    insert.setLong(1, values[i]);
                    insert.setBytes(2, index.encrypt(values[i]).right());
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            long low = -10_000;
            long high = 250_000;
            long expected = java.util.Arrays.stream(values).filter(v -> v >= low && v <= high).count();
            // col BETWEEN low AND high: the row is >= low (low's left vs the row: <= 0) and <= high (>= 0)
            String sql = "SELECT count(*) FROM stored WHERE warden.ore_compare(?, r) <= 0 AND warden.ore_compare(?, r) >= 0";
            try (PreparedStatement q = c.prepareStatement(sql)) {
                q.setBytes(1, index.encryptLeft(low));
                q.setBytes(2, index.encryptLeft(high));
                long best = Long.MAX_VALUE;
                for (int round = 0; round < 3; round++) {
                    long t0 = System.nanoTime();
                    try (ResultSet rs = q.executeQuery()) {
                        rs.next();
                        assertEquals(expected, rs.getLong(1), "rows in the range, no more, no fewer");
                    }
                    best = Math.min(best, System.nanoTime() - t0);
                }
                System.out.printf("ore_compare in PostgreSQL: %d rows, best of 3 %.1f ms, about %.1f us per row%n",
                        rows, best / 1e6, best / 1e3 / rows);
            }
        }
    }

    @Test
    void malformedCiphertextsAreRefusedWithAnInvalidParameterError() throws Exception {
        OrderIndex bigint = KEYS.orderIndex("t.amount", LogicalType.BIGINT);
        OrderIndex numeric = KEYS.orderIndex("t.limit", LogicalType.NUMERIC);
        try (Connection c = EmbeddedPostgres.rawConnection(url);
             PreparedStatement q = c.prepareStatement("SELECT warden.ore_compare(?, ?)")) {
            q.setBytes(1, bigint.encryptLeft(1L));
            q.setBytes(2, numeric.encrypt(BigDecimal.ONE).right());
            SQLException e = assertThrows(SQLException.class, q::executeQuery);
            assertEquals("22023", e.getSQLState());
        }
    }
}
