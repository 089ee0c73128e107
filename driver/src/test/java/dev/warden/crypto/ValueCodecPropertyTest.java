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
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Random values of every logical type survive codec + both ciphers; equal values stay equal. */
class ValueCodecPropertyTest {
    private static final WardenKeyset KEYSET = WardenKeyset.generate();
    private static final ColumnCipher RANDOMIZED = KEYSET.randomized("prop.value");
    private static final ColumnCipher DETERMINISTIC = KEYSET.deterministic("prop.value");

    /** A value to encode and what decode must return for it. */
    record Sample(LogicalType type, Object value, Object expected) {
        @Override
        public String toString() {
            return type + ":" + (value instanceof byte[] ? Arrays.toString((byte[]) value) : value);
        }
    }

    private static final long MIN_SECOND = LocalDateTime.of(-200_000, 1, 1, 0, 0).toEpochSecond(ZoneOffset.UTC);
    private static final long MAX_SECOND = LocalDateTime.of(200_000, 12, 31, 23, 59, 59)
            .toEpochSecond(ZoneOffset.UTC);

    private static Map<LogicalType, Arbitrary<Sample>> generators() {
        Map<LogicalType, Arbitrary<Sample>> g = new EnumMap<>(LogicalType.class);
        g.put(LogicalType.TEXT, Arbitraries.strings().all().ofMaxLength(200)
                .filter(ValueCodecPropertyTest::wellFormed)
                .map(s -> new Sample(LogicalType.TEXT, s, s)));
        g.put(LogicalType.INTEGER, Arbitraries.integers().map(i -> new Sample(LogicalType.INTEGER, i, i)));
        g.put(LogicalType.BIGINT, Arbitraries.longs().map(l -> new Sample(LogicalType.BIGINT, l, l)));
        g.put(LogicalType.NUMERIC, decimals().map(d -> new Sample(LogicalType.NUMERIC, d, d)));
        g.put(LogicalType.DATE, Arbitraries.longs()
                .between(LocalDate.MIN.toEpochDay(), LocalDate.MAX.toEpochDay())
                .map(day -> new Sample(LogicalType.DATE, LocalDate.ofEpochDay(day), LocalDate.ofEpochDay(day))));
        g.put(LogicalType.TIMESTAMP, Combinators.combine(
                        Arbitraries.longs().between(MIN_SECOND, MAX_SECOND),
                        Arbitraries.integers().between(0, 999_999_999))
                .as((s, n) -> {
                    LocalDateTime t = LocalDateTime.ofEpochSecond(s, n, ZoneOffset.UTC);
                    // rounded to the nearest microsecond, half up, as pgjdbc rounds it
                    return new Sample(LogicalType.TIMESTAMP, t, t.plusNanos(500).truncatedTo(ChronoUnit.MICROS));
                }));
        g.put(LogicalType.BYTES, Arbitraries.bytes().array(byte[].class).ofMaxSize(300)
                .map(b -> new Sample(LogicalType.BYTES, b, b)));
        return g;
    }

    private static Arbitrary<BigDecimal> decimals() {
        return Combinators.combine(
                        Arbitraries.bigIntegers().between(BigInteger.TEN.pow(40).negate(), BigInteger.TEN.pow(40)),
                        Arbitraries.integers().between(-60, 60))
                .as(BigDecimal::new);
    }

    private static boolean wellFormed(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    @Provide
    Arbitrary<Sample> samples() {
        return Arbitraries.oneOf(generators().values());
    }

    @Example
    void everyLogicalTypeHasAGenerator() {
        assertEquals(Arrays.asList(LogicalType.values()), generators().keySet().stream().toList());
    }

    @Property(tries = 2000)
    void everyTypeRoundTripsThroughCodecAndBothCiphers(@ForAll("samples") Sample s) throws Exception {
        byte[] plain = ValueCodec.encode(s.type(), s.value());
        assertEqualValue(s, ValueCodec.decode(s.type(), plain));
        assertEqualValue(s, ValueCodec.decode(s.type(), RANDOMIZED.decrypt(RANDOMIZED.encrypt(plain))));
        byte[] det = DETERMINISTIC.encrypt(plain);
        assertEqualValue(s, ValueCodec.decode(s.type(), DETERMINISTIC.decrypt(det)));
        assertArrayEquals(det, DETERMINISTIC.encrypt(ValueCodec.encode(s.type(), s.value())));
    }

    private static void assertEqualValue(Sample s, Object decoded) {
        if (s.type() == LogicalType.NUMERIC) {
            assertEquals(0, ((BigDecimal) s.expected()).compareTo((BigDecimal) decoded), s.toString());
        } else if (s.type() == LogicalType.BYTES) {
            assertArrayEquals((byte[]) s.expected(), (byte[]) decoded);
        } else {
            assertEquals(s.expected(), decoded, s.toString());
        }
    }

    @Property(tries = 1000)
    void numericallyEqualNumericsEncodeAndEncryptEqual(@ForAll("decimalsProvider") BigDecimal d,
                                                       @ForAll @IntRange(min = 0, max = 8) int extraZeros) {
        BigDecimal padded = d.setScale(d.scale() + extraZeros);
        assertEquals(0, d.compareTo(padded));
        byte[] a = ValueCodec.encode(LogicalType.NUMERIC, d);
        assertArrayEquals(a, ValueCodec.encode(LogicalType.NUMERIC, padded));
        assertArrayEquals(a, ValueCodec.encode(LogicalType.NUMERIC, padded.toString()));
        assertArrayEquals(DETERMINISTIC.encrypt(a),
                DETERMINISTIC.encrypt(ValueCodec.encode(LogicalType.NUMERIC, padded)));
    }

    @Property(tries = 1000)
    void numericallyDifferentNumericsEncodeDifferently(@ForAll("decimalsProvider") BigDecimal a,
                                                       @ForAll("decimalsProvider") BigDecimal b) {
        boolean equalValues = a.compareTo(b) == 0;
        boolean equalBytes = Arrays.equals(ValueCodec.encode(LogicalType.NUMERIC, a),
                ValueCodec.encode(LogicalType.NUMERIC, b));
        assertEquals(equalValues, equalBytes);
    }

    @Property(tries = 500)
    void distinctValuesOfAnyTypeEncodeDistinctly(@ForAll("samples") Sample a, @ForAll("samples") Sample b) {
        if (a.type() != b.type() || a.type() == LogicalType.NUMERIC) {
            return; // NUMERIC has its own property; different types share no column
        }
        boolean sameValue = a.type() == LogicalType.BYTES
                ? Arrays.equals((byte[]) a.expected(), (byte[]) b.expected())
                : Objects.equals(a.expected(), b.expected());
        byte[] ea = ValueCodec.encode(a.type(), a.value());
        byte[] eb = ValueCodec.encode(b.type(), b.value());
        if (sameValue) {
            assertTrue(Arrays.equals(ea, eb));
        } else {
            assertFalse(Arrays.equals(ea, eb));
        }
    }

    @Provide
    Arbitrary<BigDecimal> decimalsProvider() {
        return decimals();
    }
}
