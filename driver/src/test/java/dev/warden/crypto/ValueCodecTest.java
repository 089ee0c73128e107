package dev.warden.crypto;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.HexFormat;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ValueCodecTest {
    private static byte[] hex(String h) {
        return HexFormat.of().parseHex(h);
    }

    private static String encodeError(LogicalType type, Object value) {
        return assertThrows(IllegalArgumentException.class, () -> ValueCodec.encode(type, value)).getMessage();
    }

    @Test
    void canonicalByteFormsAreAsDocumented() {
        assertArrayEquals("é".getBytes(StandardCharsets.UTF_8), ValueCodec.encode(LogicalType.TEXT, "é"));
        assertArrayEquals(hex("fffffffe"), ValueCodec.encode(LogicalType.INTEGER, -2));
        assertArrayEquals(hex("0000000100000000"), ValueCodec.encode(LogicalType.BIGINT, 1L << 32));
        assertArrayEquals("1.5".getBytes(), ValueCodec.encode(LogicalType.NUMERIC, new BigDecimal("1.50")));
        assertArrayEquals(hex("0000000000000001"), ValueCodec.encode(LogicalType.DATE, LocalDate.of(1970, 1, 2)));
        assertArrayEquals(hex("00000000000f4241"),
                ValueCodec.encode(LogicalType.TIMESTAMP, LocalDateTime.of(1970, 1, 1, 0, 0, 1, 1000)));
        byte[] raw = {1, 2, 3};
        assertSame(raw, ValueCodec.encode(LogicalType.BYTES, raw));
    }

    @Test
    void integerAcceptsNarrowerTypesIntegralNumbersAndDecimalStrings() {
        byte[] seven = ValueCodec.encode(LogicalType.INTEGER, 7);
        for (Object v : new Object[] {(short) 7, (byte) 7, 7L, BigInteger.valueOf(7), new BigDecimal("7.00"), 7.0,
                7.0f, new AtomicInteger(7), "7", " +7 "}) {
            assertArrayEquals(seven, ValueCodec.encode(LogicalType.INTEGER, v), v.getClass().getName());
        }
        assertEquals(7, ValueCodec.decode(LogicalType.INTEGER, seven));
    }

    @Test
    void bigintAcceptsIntegerAndStrings() {
        assertEquals(5L, ValueCodec.decode(LogicalType.BIGINT, ValueCodec.encode(LogicalType.BIGINT, 5)));
        assertEquals(Long.MIN_VALUE, ValueCodec.decode(LogicalType.BIGINT,
                ValueCodec.encode(LogicalType.BIGINT, "-9223372036854775808")));
    }

    @Test
    void outOfRangeAndNonIntegralNumbersAreRefusedNamingTypeAndClassOnly() {
        assertEquals("cannot encode a java.lang.Long as INTEGER: out of range",
                encodeError(LogicalType.INTEGER, 1L << 31));
        assertEquals("cannot encode a java.lang.String as INTEGER: not a number",
                encodeError(LogicalType.INTEGER, "12abc"));
        assertEquals("cannot encode a java.lang.String as INTEGER: not an integer",
                encodeError(LogicalType.INTEGER, "1.5"));
        assertEquals("cannot encode a java.lang.String as BIGINT: out of range",
                encodeError(LogicalType.BIGINT, "9223372036854775808"));
        assertEquals("cannot encode a java.lang.Double as BIGINT: not an integer",
                encodeError(LogicalType.BIGINT, 2.5));
        assertEquals("cannot encode a java.lang.Double as INTEGER: not a finite number",
                encodeError(LogicalType.INTEGER, Double.NaN));
        assertEquals("cannot encode a java.util.UUID as BIGINT: expected a Number or a decimal String",
                encodeError(LogicalType.BIGINT, UUID.randomUUID()));
    }

    @Test
    void errorMessagesNeverContainTheValue() {
        String secret = "4111111111111111x";
        for (LogicalType type : LogicalType.values()) {
            if (type == LogicalType.TEXT) {
                continue;
            }
            String message = encodeError(type, secret);
            assertFalse(message.contains("4111"), message);
            assertFalse(message.contains(secret), message);
        }
        assertFalse(encodeError(LogicalType.TEXT, 4111111111111111L).contains("4111"));
    }

    @Test
    void numericallyEqualDecimalsEncodeEqualAndDecodeWithTheSmallestScale() {
        byte[] one = ValueCodec.encode(LogicalType.NUMERIC, BigDecimal.ONE);
        for (Object v : new Object[] {new BigDecimal("1.0"), new BigDecimal("1.000"), 1, 1L, 1.0, "1.00", "1e0",
                BigInteger.ONE, new BigDecimal("0.1E1")}) {
            assertArrayEquals(one, ValueCodec.encode(LogicalType.NUMERIC, v), String.valueOf(v));
        }
        assertArrayEquals("0".getBytes(), ValueCodec.encode(LogicalType.NUMERIC, new BigDecimal("-0.000")));
        assertArrayEquals("1000".getBytes(), ValueCodec.encode(LogicalType.NUMERIC, new BigDecimal("1E+3")));
        assertArrayEquals("0.1".getBytes(), ValueCodec.encode(LogicalType.NUMERIC, 0.1d));
        assertEquals(new BigDecimal("12.5"), ValueCodec.decode(LogicalType.NUMERIC,
                ValueCodec.encode(LogicalType.NUMERIC, new BigDecimal("12.500"))));
    }

    @Test
    void numericRefusesNonFiniteAndHugeValues() {
        assertEquals("cannot encode a java.lang.Double as NUMERIC: not a finite number",
                encodeError(LogicalType.NUMERIC, Double.POSITIVE_INFINITY));
        // 1E+999999999 would expand to a billion characters in toPlainString
        assertEquals("cannot encode a java.math.BigDecimal as NUMERIC: out of range",
                encodeError(LogicalType.NUMERIC, new BigDecimal("1E+999999999")));
        assertEquals("cannot encode a java.lang.String as NUMERIC: not a number",
                encodeError(LogicalType.NUMERIC, "one"));
    }

    @Test
    void dateAcceptsJdbcTypesAndIsoStrings() {
        LocalDate d = LocalDate.of(2024, 2, 29);
        byte[] expected = ValueCodec.encode(LogicalType.DATE, d);
        assertArrayEquals(expected, ValueCodec.encode(LogicalType.DATE, java.sql.Date.valueOf(d)));
        assertArrayEquals(expected, ValueCodec.encode(LogicalType.DATE, "2024-02-29"));
        assertArrayEquals(expected, ValueCodec.encode(LogicalType.DATE, d.atStartOfDay()));
        assertArrayEquals(expected, ValueCodec.encode(LogicalType.DATE,
                java.sql.Timestamp.valueOf(d.atStartOfDay())));
        assertEquals(d, ValueCodec.decode(LogicalType.DATE, expected));
        assertEquals("cannot encode a java.sql.Timestamp as DATE: has a time of day",
                encodeError(LogicalType.DATE, java.sql.Timestamp.valueOf(d.atTime(10, 0))));
        assertEquals("cannot encode a java.lang.String as DATE: not an ISO date (yyyy-MM-dd)",
                encodeError(LogicalType.DATE, "2024-02-30"));
    }

    @Test
    void timestampAcceptsJdbcTypesAndBothIsoSeparatorsAndRoundsToTheNearestMicrosecondAsPgjdbcDoes() {
        LocalDateTime t = LocalDateTime.of(2024, 5, 6, 7, 8, 9, 123_456_000);
        byte[] expected = ValueCodec.encode(LogicalType.TIMESTAMP, t);
        assertArrayEquals(expected, ValueCodec.encode(LogicalType.TIMESTAMP, java.sql.Timestamp.valueOf(t)));
        assertArrayEquals(expected, ValueCodec.encode(LogicalType.TIMESTAMP, "2024-05-06T07:08:09.123456"));
        assertArrayEquals(expected, ValueCodec.encode(LogicalType.TIMESTAMP, "2024-05-06 07:08:09.123456"));
        assertArrayEquals(expected, ValueCodec.encode(LogicalType.TIMESTAMP, t.withNano(123_456_499)));
        assertArrayEquals(expected, ValueCodec.encode(LogicalType.TIMESTAMP, t.withNano(123_455_500)));
        assertArrayEquals(ValueCodec.encode(LogicalType.TIMESTAMP, t.withNano(0).plusSeconds(1)),
                ValueCodec.encode(LogicalType.TIMESTAMP, t.withNano(999_999_500)));
        assertEquals("cannot encode a java.lang.String as TIMESTAMP: more than 6 fractional digits (the server rounds"
                + " to microseconds); write at most 6", encodeError(LogicalType.TIMESTAMP, "2024-05-06 07:08:09.1234565"));
        assertEquals(t, ValueCodec.decode(LogicalType.TIMESTAMP, expected));
        assertEquals(LocalDate.of(2024, 5, 6).atStartOfDay(), ValueCodec.decode(LogicalType.TIMESTAMP,
                ValueCodec.encode(LogicalType.TIMESTAMP, "2024-05-06")));
        // before the epoch: microseconds are floored, not rounded toward zero
        LocalDateTime early = LocalDateTime.of(1969, 12, 31, 23, 59, 59, 999_999_000);
        assertArrayEquals(hex("ffffffffffffffff"), ValueCodec.encode(LogicalType.TIMESTAMP, early));
        assertEquals(early, ValueCodec.decode(LogicalType.TIMESTAMP, hex("ffffffffffffffff")));
        assertEquals("cannot encode a java.time.LocalDateTime as TIMESTAMP: out of range",
                encodeError(LogicalType.TIMESTAMP, LocalDateTime.MAX));
        assertEquals("cannot encode a java.sql.Time as TIMESTAMP: a time of day is not a timestamp",
                encodeError(LogicalType.TIMESTAMP, java.sql.Time.valueOf("10:00:00")));
    }

    @Test
    void textRefusesNonCharSequencesAndUnpairedSurrogates() {
        assertEquals("cannot encode a java.lang.Integer as TEXT: expected a CharSequence",
                encodeError(LogicalType.TEXT, 42));
        assertEquals("cannot encode a java.lang.String as TEXT: unpaired surrogate (not valid Unicode)",
                encodeError(LogicalType.TEXT, "a\uD800b"));
        assertEquals("😀", ValueCodec.decode(LogicalType.TEXT, ValueCodec.encode(LogicalType.TEXT,
                new StringBuilder("😀"))));
    }

    @Test
    void bytesRefusesOtherTypes() {
        assertEquals("cannot encode a java.lang.String as BYTES: expected byte[]",
                encodeError(LogicalType.BYTES, "abc"));
    }

    @Test
    void nullIsRefusedBecauseSqlNullIsNotEncrypted() {
        assertEquals("cannot encode null as DATE: SQL NULL is not encrypted", encodeError(LogicalType.DATE, null));
    }

    @Test
    void decodeOfWrongLengthNamesTheType() {
        assertEquals("cannot decode INTEGER: expected 4 bytes, got 3",
                assertThrows(IllegalArgumentException.class,
                        () -> ValueCodec.decode(LogicalType.INTEGER, new byte[3])).getMessage());
        for (LogicalType type : new LogicalType[] {LogicalType.BIGINT, LogicalType.DATE, LogicalType.TIMESTAMP}) {
            assertEquals("cannot decode " + type + ": expected 8 bytes, got 4",
                    assertThrows(IllegalArgumentException.class,
                            () -> ValueCodec.decode(type, new byte[4])).getMessage());
        }
        assertEquals("cannot decode NUMERIC: not a decimal number", assertThrows(IllegalArgumentException.class,
                () -> ValueCodec.decode(LogicalType.NUMERIC, "x1".getBytes())).getMessage());
        assertEquals("cannot decode DATE: epoch day out of range", assertThrows(IllegalArgumentException.class,
                () -> ValueCodec.decode(LogicalType.DATE, hex("7fffffffffffffff"))).getMessage());
    }
}
