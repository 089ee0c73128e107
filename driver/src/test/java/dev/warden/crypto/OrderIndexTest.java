package dev.warden.crypto;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Per type, the order index orders values as PostgreSQL does: compare(left(x), right(y)) == signum(x compared
 * with y), through the type's encoding and the ORE under a keyset's per-column keys.
 */
class OrderIndexTest {

    private static final WardenKeyset KEYS = WardenKeyset.generate();

    private static OrderIndex index(LogicalType type) {
        try {
            return KEYS.orderIndex("t." + type.name().toLowerCase(), type);
        } catch (KeyException e) {
            throw new AssertionError(e);
        }
    }

    private static final OrderIndex INTEGER = index(LogicalType.INTEGER);
    private static final OrderIndex BIGINT = index(LogicalType.BIGINT);
    private static final OrderIndex NUMERIC = index(LogicalType.NUMERIC);
    private static final OrderIndex DATE = index(LogicalType.DATE);
    private static final OrderIndex TIMESTAMP = index(LogicalType.TIMESTAMP);
    private static final OrderIndex TEXT = index(LogicalType.TEXT);

    /** The order the index gives x and y, computed as the database would: x's left against y's stored right. */
    private static int indexOrder(OrderIndex index, Object x, Object y) {
        int forward = LewiWuBlockOre.compare(index.encryptLeft(x), index.encrypt(y).right());
        int backward = LewiWuBlockOre.compare(index.encryptLeft(y), index.encrypt(x).right());
        assertEquals(-forward, backward, "antisymmetric");
        return forward;
    }

    @Property(tries = 300)
    void integers(@ForAll int x, @ForAll int y) {
        assertEquals(Integer.signum(Integer.compare(x, y)), indexOrder(INTEGER, x, y));
    }

    @Property(tries = 300)
    void bigints(@ForAll long x, @ForAll long y) {
        assertEquals(Integer.signum(Long.compare(x, y)), indexOrder(BIGINT, x, y));
    }

    @Example
    void bigintExtremesAndNeighbours() {
        long[] values = {Long.MIN_VALUE, Long.MIN_VALUE + 1, -256, -255, -1, 0, 1, 255, 256, Long.MAX_VALUE - 1,
                Long.MAX_VALUE};
        for (long x : values) {
            for (long y : values) {
                assertEquals(Integer.signum(Long.compare(x, y)), indexOrder(BIGINT, x, y), x + " vs " + y);
            }
        }
        assertArrayEquals(new byte[8], OrderEncoding.encode(LogicalType.BIGINT, Long.MIN_VALUE));
        assertArrayEquals(OrderEncoding.encode(LogicalType.BIGINT, 42L), OrderEncoding.encode(LogicalType.INTEGER, 42),
                "INTEGER and BIGINT share one encoding");
    }

    @Provide
    Arbitrary<LocalDate> dates() {
        // 4713 BC (year -4712) to 9999 AD: PostgreSQL's lower bound, across years and the era
        return Arbitraries.longs().between(LocalDate.of(-4712, 1, 1).toEpochDay(), LocalDate.of(9999, 12, 31)
                .toEpochDay()).map(LocalDate::ofEpochDay);
    }

    @Property(tries = 300)
    void dates(@ForAll("dates") LocalDate x, @ForAll("dates") LocalDate y) {
        assertEquals(Integer.signum(x.compareTo(y)), indexOrder(DATE, x, y));
    }

    @Example
    void datesAcrossTheEraAndAYear() {
        LocalDate bc = LocalDate.of(0, 12, 31);   // 31 December 1 BC
        LocalDate ad = LocalDate.of(1, 1, 1);
        assertEquals(-1, indexOrder(DATE, bc, ad));
        assertEquals(-1, indexOrder(DATE, LocalDate.of(1999, 12, 31), LocalDate.of(2000, 1, 1)));
        assertEquals(0, indexOrder(DATE, java.sql.Date.valueOf("2024-02-29"), LocalDate.of(2024, 2, 29)));
    }

    @Provide
    Arbitrary<LocalDateTime> timestamps() {
        long from = LocalDateTime.of(-4712, 1, 1, 0, 0).toEpochSecond(ZoneOffset.UTC) * 1_000_000L;
        long to = LocalDateTime.of(9999, 12, 31, 23, 59, 59).toEpochSecond(ZoneOffset.UTC) * 1_000_000L;
        return Arbitraries.longs().between(from, to).map(micros -> LocalDateTime.ofEpochSecond(
                Math.floorDiv(micros, 1_000_000L), (int) Math.floorMod(micros, 1_000_000L) * 1000, ZoneOffset.UTC));
    }

    @Property(tries = 300)
    void timestamps(@ForAll("timestamps") LocalDateTime x, @ForAll("timestamps") LocalDateTime y) {
        assertEquals(Integer.signum(x.compareTo(y)), indexOrder(TIMESTAMP, x, y));
    }

    @Example
    void timestampsOneMicrosecondApart() {
        LocalDateTime t = LocalDateTime.of(2026, 12, 6, 14, 30, 0, 123_456_000);
        assertEquals(-1, indexOrder(TIMESTAMP, t, t.plusNanos(1000)));
        assertEquals(1, indexOrder(TIMESTAMP, t, t.minusNanos(1000)));
        assertEquals(0, indexOrder(TIMESTAMP, t, LocalDateTime.parse("2026-12-06T14:30:00.123456")));
    }

    @Provide
    Arbitrary<BigDecimal> numerics() {
        // up to 26 significant digits, scales from -40 to 60, both signs, and trailing zeros
        Arbitrary<BigInteger> unscaled = Arbitraries.bigIntegers()
                .between(BigInteger.TEN.pow(20).negate(), BigInteger.TEN.pow(20));
        Arbitrary<Integer> scale = Arbitraries.integers().between(-40, 60);
        Arbitrary<Integer> zeros = Arbitraries.integers().between(0, 5);
        return Combinators.combine(unscaled, scale, zeros).as((u, s, z) ->
                new BigDecimal(u, s).setScale(s + z));
    }

    @Property(tries = 300)
    void numerics(@ForAll("numerics") BigDecimal x, @ForAll("numerics") BigDecimal y) {
        assertEquals(Integer.signum(x.compareTo(y)), indexOrder(NUMERIC, x, y));
    }

    @Property(tries = 200)
    void numericsWithACommonPrefixOfDigits(@ForAll("numerics") BigDecimal x, @ForAll @IntRange(min = -3, max = 3) int ulps) {
        // neighbours: the same digits but the last, where the first differing byte is deep in the encoding
        BigDecimal y = x.add(BigDecimal.ONE.movePointLeft(x.scale()).multiply(BigDecimal.valueOf(ulps)));
        assertEquals(Integer.signum(x.compareTo(y)), indexOrder(NUMERIC, x, y), x + " vs " + y);
    }

    @Example
    void numericScalesCompareEqualAndSignsOrder() {
        assertEquals(0, indexOrder(NUMERIC, new BigDecimal("1.5"), new BigDecimal("1.50")));
        assertEquals(0, indexOrder(NUMERIC, new BigDecimal("0"), new BigDecimal("-0.000")));
        assertEquals(0, indexOrder(NUMERIC, new BigDecimal("100"), new BigDecimal("1E+2")));
        assertEquals(-1, indexOrder(NUMERIC, new BigDecimal("-2"), new BigDecimal("-1.9999999999999999999999999")),
                "26 significant digits, differing in the last");
        assertEquals(-1, indexOrder(NUMERIC, new BigDecimal("-0.001"), BigDecimal.ZERO));
        assertEquals(-1, indexOrder(NUMERIC, BigDecimal.ZERO, new BigDecimal("1E-129")));
        assertEquals(-1, indexOrder(NUMERIC, new BigDecimal("9.99E+126"), new BigDecimal("9.999E+126")));
        assertEquals(1, indexOrder(NUMERIC, "1234567890123456789.123456", 1234567890123456789L));
    }

    @Example
    void numericsOutsideTheIndexRangeAreRefusedWithoutTheValue() {
        String[] outside = {"1E+127", "1E-130", "1.23456789012345678901234567", "-123456789012345678901234567"};
        for (String value : outside) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> NUMERIC.encryptLeft(new BigDecimal(value)), value);
            assertFalse(e.getMessage().contains(value.replace("-", "")), e.getMessage());
            assertTrue(e.getMessage().contains("26 significant digits"), e.getMessage());
        }
        // trailing zeros do not count: 27 digits of which the last are zeros is within the limit
        NUMERIC.encryptLeft(new BigDecimal("1234567890123456789012345600"));
    }

    @Provide
    Arbitrary<String> texts() {
        // any code point but U+0000 (PostgreSQL text cannot hold it) and surrogates; short, so prefixes collide
        Arbitrary<Integer> codePoint = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, Arbitraries.integers().between('a', 'e')),
                net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(0x80, 0x7ff)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0x800, 0xd7ff)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0x10000, 0x10ffff)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(1, 0x7f)));
        return codePoint.list().ofMaxSize(12).map(cps -> {
            StringBuilder b = new StringBuilder();
            cps.forEach(b::appendCodePoint);
            return b.toString();
        });
    }

    @Property(tries = 300)
    void textOrdersByTheUtf8PrefixAsTheCCollation(@ForAll("texts") String x, @ForAll("texts") String y) {
        byte[] bx = x.getBytes(StandardCharsets.UTF_8);
        byte[] by = y.getBytes(StandardCharsets.UTF_8);
        int collationC = Integer.signum(Arrays.compareUnsigned(bx, by));
        int index = indexOrder(TEXT, x, y);
        int prefixes = Integer.signum(Arrays.compareUnsigned(Arrays.copyOf(bx, Math.min(bx.length, 15)),
                Arrays.copyOf(by, Math.min(by.length, 15))));
        assertEquals(prefixes, index, "the index orders the 15-byte prefixes");
        assertTrue(index == collationC || index == 0, "never the wrong way round; a tie only for a shared prefix");
        if (bx.length <= 15 && by.length <= 15) assertEquals(collationC, index);
    }

    @Example
    void textPrefixTiesAreNotExact() {
        assertFalse(TEXT.isExact());
        assertTrue(NUMERIC.isExact());
        assertEquals(0, indexOrder(TEXT, "Chan Tai Man, Kowloon", "Chan Tai Man, Kowloon Tong"));
        assertEquals(-1, indexOrder(TEXT, "Chan", "Chan Tai Man"));
        assertEquals(-1, indexOrder(TEXT, "", "a"));
        assertEquals(1, indexOrder(TEXT, "é", "z"), "code point order: é (U+00E9) after z, as under COLLATE \"C\"");
    }

    @Example
    void sizesPerType() {
        assertEquals(137, BIGINT.leftSize());
        assertEquals(529, BIGINT.rightSize());
        assertEquals(137, DATE.encrypt(LocalDate.of(2000, 1, 1)).left().length);
        assertEquals(529, TIMESTAMP.encrypt(LocalDateTime.of(2000, 1, 1, 0, 0)).right().length);
        assertEquals(256, NUMERIC.encryptLeft(BigDecimal.ONE).length);
        assertEquals(977, TEXT.encrypt("x").right().length);
    }

    @Example
    void equalValuesUnderOtherColumnsOrKeysetsDiffer() throws KeyException {
        byte[] mine = BIGINT.encryptLeft(42L);
        assertFalse(Arrays.equals(mine, KEYS.orderIndex("t.other", LogicalType.BIGINT).encryptLeft(42L)));
        assertFalse(Arrays.equals(mine, WardenKeyset.generate().orderIndex("t.bigint", LogicalType.BIGINT)
                .encryptLeft(42L)));
        assertFalse(Arrays.equals(BIGINT.encrypt(42L).right(), BIGINT.encrypt(42L).right()));
    }
}
