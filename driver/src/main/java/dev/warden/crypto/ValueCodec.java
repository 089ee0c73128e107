package dev.warden.crypto;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * Converts plaintext values of a logical type to the bytes that are encrypted, and back. Thread-safe.
 * Errors name the type, never the value.
 *
 * <p>Accepted on encode: TEXT any CharSequence; INTEGER/BIGINT Number or decimal String; NUMERIC
 * BigDecimal, Number or String; DATE LocalDate, java.sql.Date or ISO String; TIMESTAMP LocalDateTime,
 * java.sql.Timestamp or ISO String ('T' or space); BYTES byte[]. Decode returns String, Integer, Long,
 * BigDecimal, LocalDate, LocalDateTime, byte[] respectively.
 *
 * <h2>Canonical byte forms</h2>
 * Deterministic encryption compares ciphertexts, so every value has exactly one encoding:
 * <ul>
 * <li>TEXT: UTF-8 of a CharSequence or Character. A string with an unpaired surrogate is refused (it has no UTF-8 form).
 * <li>INTEGER: 4 bytes, two's complement, big-endian. Accepts Integer, Short, Byte; Long, BigInteger,
 *     BigDecimal, Double, Float and other Numbers when integral and in range; a decimal integer String.
 * <li>BIGINT: 8 bytes, big-endian; same acceptance rules with the long range.
 * <li>NUMERIC: UTF-8 (ASCII) of {@code BigDecimal.toPlainString()} after {@code stripTrailingZeros()}, with every
 *     zero written {@code "0"}. So numerically equal values encode (and encrypt deterministically) equal:
 *     {@code 1.0}, {@code 1.00} and {@code 1} are one value, and decode returns it with the smallest scale
 *     ({@code 1}); the scale written is not preserved ({@link #encodeAsWritten} keeps it, for randomized
 *     columns, whose ciphertexts are never compared). Double/Float go through
 *     {@code BigDecimal.valueOf} (their shortest decimal form, so {@code 0.1} is 0.1); NaN and infinities are
 *     refused, and so are values beyond PostgreSQL's numeric range (131072 digits before the point,
 *     16383 after).
 * <li>DATE: 8 bytes, big-endian epoch day. Accepts LocalDate, java.sql.Date (its local date, as JDBC
 *     defines it), LocalDateTime and other java.util.Date values at local midnight (JVM default time zone)
 *     and ISO {@code yyyy-MM-dd}; a date-time with a time of day is refused rather than truncated.
 * <li>TIMESTAMP: 8 bytes, big-endian microseconds since 1970-01-01T00:00 of the LocalDateTime read as UTC
 *     (a timestamp without time zone: no zone conversion ever happens). A Java value is rounded to the nearest
 *     microsecond, half up, as pgjdbc rounds it for a plaintext column; a String with more than 6 fractional
 *     digits is refused (the server would round it, half to even). Accepts LocalDateTime, LocalDate (midnight),
 *     java.sql.Timestamp (its local date-time, as JDBC defines it), java.sql.Date (midnight), other
 *     java.util.Date values in the JVM default time zone, ISO strings with 'T' or a space, or a date alone.
 * <li>BYTES: the bytes as given (not copied).
 * </ul>
 * Null is refused: SQL NULL is never encrypted, the caller stores NULL.
 */
public final class ValueCodec {
    /** PostgreSQL numeric limits: digits before and after the decimal point. */
    private static final int MAX_NUMERIC_INTEGER_DIGITS = 131072;
    private static final int MAX_NUMERIC_SCALE = 16383;

    private ValueCodec() {}

    public static byte[] encode(LogicalType type, Object value) {
        Objects.requireNonNull(type, "type");
        if (value == null) {
            throw new IllegalArgumentException("cannot encode null as " + type + ": SQL NULL is not encrypted");
        }
        switch (type) {
            case TEXT:
                return encodeText(value);
            case INTEGER:
                return int4(toInt(value));
            case BIGINT:
                return int8(toLong(value, LogicalType.BIGINT));
            case NUMERIC:
                return canonicalNumeric(toBigDecimal(value)).toPlainString().getBytes(StandardCharsets.US_ASCII);
            case DATE:
                return int8(toLocalDate(value).toEpochDay());
            case TIMESTAMP:
                return int8(epochMicros(toLocalDateTime(value), value));
            case BYTES:
                if (value instanceof byte[]) {
                    return (byte[]) value;
                }
                throw cannot(value, type, "expected byte[]");
            default:
                throw new AssertionError(type);
        }
    }

    /**
     * {@link #encode}, except that a NUMERIC keeps the scale it was written with, as PostgreSQL's unconstrained
     * {@code numeric} stores it ({@code 1.50} stays 1.50, {@code 1e2} is 100, {@code -0.0} is 0.0). For columns
     * whose ciphertexts are never compared (randomized): decode returns the value with that scale.
     */
    public static byte[] encodeAsWritten(LogicalType type, Object value) {
        if (type != LogicalType.NUMERIC || value == null) return encode(type, value);
        BigDecimal written = toBigDecimal(value);
        canonicalNumeric(written);  // the range check
        if (written.scale() > MAX_NUMERIC_SCALE) throw cannot(value, LogicalType.NUMERIC, "out of range");
        BigDecimal kept = written.signum() == 0 ? BigDecimal.ZERO.setScale(Math.max(0, written.scale()))
                : written.setScale(Math.max(0, written.scale()));
        return kept.toPlainString().getBytes(StandardCharsets.US_ASCII);
    }

    public static Object decode(LogicalType type, byte[] bytes) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(bytes, "bytes");
        switch (type) {
            case TEXT:
                // authenticated ciphertext only ever holds what encodeText produced, so the JDK's fast
                // (replacing) decoder is enough
                return new String(bytes, StandardCharsets.UTF_8);
            case INTEGER:
                checkLength(type, bytes, 4);
                return readInt(bytes);
            case BIGINT:
                checkLength(type, bytes, 8);
                return readLong(bytes);
            case NUMERIC:
                return decodeNumeric(bytes);
            case DATE: {
                checkLength(type, bytes, 8);
                try {
                    return LocalDate.ofEpochDay(readLong(bytes));
                } catch (DateTimeException e) {
                    throw new IllegalArgumentException("cannot decode DATE: epoch day out of range");
                }
            }
            case TIMESTAMP: {
                checkLength(type, bytes, 8);
                long micros = readLong(bytes);
                try {
                    return LocalDateTime.ofEpochSecond(Math.floorDiv(micros, 1_000_000L),
                            (int) Math.floorMod(micros, 1_000_000L) * 1000, ZoneOffset.UTC);
                } catch (DateTimeException e) {
                    throw new IllegalArgumentException("cannot decode TIMESTAMP: out of range");
                }
            }
            case BYTES:
                return bytes;
            default:
                throw new AssertionError(type);
        }
    }

    /** The canonical form NUMERIC values are compared in: trailing zeros stripped, zero as {@code 0}. */
    public static BigDecimal canonicalNumeric(BigDecimal value) {
        if (value.signum() == 0) {
            return BigDecimal.ZERO;
        }
        BigDecimal stripped = value.stripTrailingZeros();
        // digits before the point = precision - scale; checked before toPlainString can expand 1E+999999999
        long integerDigits = (long) stripped.precision() - stripped.scale();
        if (integerDigits > MAX_NUMERIC_INTEGER_DIGITS || stripped.scale() > MAX_NUMERIC_SCALE) {
            throw cannot(value, LogicalType.NUMERIC, "out of range");
        }
        return stripped;
    }

    // ---- TEXT

    private static byte[] encodeText(Object value) {
        if (!(value instanceof CharSequence) && !(value instanceof Character)) {
            throw cannot(value, LogicalType.TEXT, "expected a CharSequence");
        }
        String s = value.toString();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                // getBytes would silently write '?', and the value would not round-trip
                throw cannot(value, LogicalType.TEXT, "unpaired surrogate (not valid Unicode)");
            }
        }
        return s.getBytes(StandardCharsets.UTF_8);
    }

    // ---- INTEGER / BIGINT

    private static int toInt(Object value) {
        if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).intValue();
        }
        long v = toLong(value, LogicalType.INTEGER);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw cannot(value, LogicalType.INTEGER, "out of range");
        }
        return (int) v;
    }

    private static long toLong(Object value, LogicalType type) {
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        BigInteger integer;
        if (value instanceof String) {
            String s = ((String) value).strip();
            try {
                integer = new BigInteger(s);
            } catch (NumberFormatException e) {
                throw cannot(value, type, isDecimal(s) ? "not an integer" : "not a number");
            }
        } else if (value instanceof Number) {
            BigDecimal decimal = numberToBigDecimal((Number) value, type);
            try {
                integer = decimal.toBigIntegerExact();
            } catch (ArithmeticException e) {
                throw cannot(value, type, "not an integer");
            }
        } else {
            throw cannot(value, type, "expected a Number or a decimal String");
        }
        if (integer.bitLength() > 63) {
            throw cannot(value, type, "out of range");
        }
        return integer.longValue();
    }

    private static boolean isDecimal(String s) {
        try {
            new BigDecimal(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    // ---- NUMERIC

    private static BigDecimal toBigDecimal(Object value) {
        if (value instanceof String) {
            try {
                return new BigDecimal(((String) value).strip());
            } catch (NumberFormatException e) {
                throw cannot(value, LogicalType.NUMERIC, "not a number");
            }
        }
        if (value instanceof Number) {
            return numberToBigDecimal((Number) value, LogicalType.NUMERIC);
        }
        throw cannot(value, LogicalType.NUMERIC, "expected a BigDecimal, Number or String");
    }

    private static BigDecimal numberToBigDecimal(Number n, LogicalType type) {
        if (n instanceof BigDecimal) {
            return (BigDecimal) n;
        }
        if (n instanceof BigInteger) {
            return new BigDecimal((BigInteger) n);
        }
        if (n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte) {
            return BigDecimal.valueOf(n.longValue());
        }
        if (n instanceof Double || n instanceof Float) {
            double d = n.doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw cannot(n, type, "not a finite number");
            }
            // valueOf uses the shortest decimal string: 0.1 encodes as 0.1, not 0.1000000000000000055511...
            return n instanceof Float ? new BigDecimal(n.toString()) : BigDecimal.valueOf(d);
        }
        // AtomicInteger, LongAdder, other Number types: their decimal string is their value
        try {
            return new BigDecimal(n.toString());
        } catch (NumberFormatException e) {
            throw cannot(n, type, "not a number");
        }
    }

    private static BigDecimal decodeNumeric(byte[] bytes) {
        try {
            return new BigDecimal(new String(bytes, StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("cannot decode NUMERIC: not a decimal number");
        }
    }

    // ---- DATE / TIMESTAMP

    private static LocalDate toLocalDate(Object value) {
        if (value instanceof LocalDate) {
            return (LocalDate) value;
        }
        if (value instanceof String) {
            try {
                return LocalDate.parse(((String) value).strip());
            } catch (DateTimeException e) {
                throw cannot(value, LogicalType.DATE, "not an ISO date (yyyy-MM-dd)");
            }
        }
        if (value instanceof java.sql.Date) {
            return ((java.sql.Date) value).toLocalDate();
        }
        if (value instanceof java.sql.Time) {
            throw cannot(value, LogicalType.DATE, "a time of day is not a date");
        }
        if (value instanceof LocalDateTime || value instanceof java.util.Date) {
            LocalDateTime dt = toLocalDateTime(value);
            if (!dt.toLocalTime().equals(LocalTime.MIDNIGHT)) {
                throw cannot(value, LogicalType.DATE, "has a time of day");
            }
            return dt.toLocalDate();
        }
        throw cannot(value, LogicalType.DATE, "expected a LocalDate, java.sql.Date or ISO String");
    }

    private static LocalDateTime toLocalDateTime(Object value) {
        if (value instanceof LocalDateTime) {
            return (LocalDateTime) value;
        }
        if (value instanceof String) {
            String s = ((String) value).strip();
            if (SUB_MICROSECOND.matcher(s).find()) {
                // the server rounds a written value to microseconds (and may carry into the next second): refused
                // rather than stored truncated, since the stored value would differ from the plaintext's
                throw cannot(value, LogicalType.TIMESTAMP, "more than 6 fractional digits (the server rounds to"
                        + " microseconds); write at most 6");
            }
            try {
                if (s.length() == 10) {
                    return LocalDate.parse(s).atStartOfDay();
                }
                return LocalDateTime.parse(s.indexOf(' ') == 10 ? s.substring(0, 10) + 'T' + s.substring(11) : s);
            } catch (DateTimeException e) {
                throw cannot(value, LogicalType.TIMESTAMP, "not an ISO date-time (yyyy-MM-dd['T' or ' ']HH:mm[:ss[.f]])");
            }
        }
        if (value instanceof LocalDate) {
            return ((LocalDate) value).atStartOfDay();
        }
        if (value instanceof java.sql.Timestamp) {
            return ((java.sql.Timestamp) value).toLocalDateTime();
        }
        if (value instanceof java.sql.Date) {
            return ((java.sql.Date) value).toLocalDate().atStartOfDay();
        }
        if (value instanceof java.sql.Time) {
            throw cannot(value, LogicalType.TIMESTAMP, "a time of day is not a timestamp");
        }
        if (value instanceof java.util.Date) {
            return LocalDateTime.ofInstant(((java.util.Date) value).toInstant(), ZoneId.systemDefault());
        }
        throw cannot(value, LogicalType.TIMESTAMP, "expected a LocalDateTime, java.sql.Timestamp or ISO String");
    }

    /** Seconds written with more digits than a timestamp holds (microseconds). */
    private static final java.util.regex.Pattern SUB_MICROSECOND = java.util.regex.Pattern.compile("[.,][0-9]{7,}");

    private static long epochMicros(LocalDateTime dt, Object original) {
        // to the nearest microsecond, half up, as pgjdbc sends a Timestamp or LocalDateTime to a plaintext column
        LocalDateTime micros;
        try {
            micros = dt.plusNanos(500).truncatedTo(ChronoUnit.MICROS);
        } catch (DateTimeException e) {
            throw cannot(original, LogicalType.TIMESTAMP, "out of range");
        }
        try {
            return Math.addExact(Math.multiplyExact(micros.toEpochSecond(ZoneOffset.UTC), 1_000_000L),
                    micros.getNano() / 1000);
        } catch (ArithmeticException e) {
            throw cannot(original, LogicalType.TIMESTAMP, "out of range");
        }
    }

    // ---- bytes

    private static byte[] int4(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    private static byte[] int8(long v) {
        return new byte[] {
            (byte) (v >>> 56), (byte) (v >>> 48), (byte) (v >>> 40), (byte) (v >>> 32),
            (byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v
        };
    }

    private static int readInt(byte[] b) {
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }

    private static long readLong(byte[] b) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | (b[i] & 0xff);
        }
        return v;
    }

    private static void checkLength(LogicalType type, byte[] bytes, int expected) {
        if (bytes.length != expected) {
            throw new IllegalArgumentException("cannot decode " + type + ": expected " + expected
                    + " bytes, got " + bytes.length);
        }
    }

    private static IllegalArgumentException cannot(Object value, LogicalType type, String why) {
        // the class, never the value
        return new IllegalArgumentException("cannot encode a " + value.getClass().getName() + " as " + type
                + ": " + why);
    }
}
