package dev.warden.jdbc;

import dev.warden.engine.SqlStates;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.Date;
import java.sql.NClob;
import java.sql.Ref;
import java.sql.RowId;
import java.sql.SQLException;
import java.sql.SQLXML;
import java.sql.Time;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * Converts a decoded protected value (String, Integer, Long, BigDecimal, LocalDate, LocalDateTime, byte[], or
 * the masked String) to what each typed ResultSet getter returns, following the JDBC conversion table.
 * Errors name the column and the getter, never the value.
 */
final class DecodedValues {
    private DecodedValues() {}

    static String asString(Object v, String column) {
        if (v instanceof byte[] b) return new String(b, StandardCharsets.UTF_8);
        return v == null ? null : textOf(v);
    }

    static String asNString(Object v, String column) {
        return asString(v, column);
    }

    private static String textOf(Object v) {
        if (v instanceof BigDecimal d) return d.toPlainString();
        if (v instanceof LocalDateTime t) return timestampText(t);
        return v.toString();
    }

    /**
     * A timestamp as PostgreSQL prints it and pgjdbc's getString returns it ({@code 2020-01-01 00:00:00}, a fraction
     * only when there is one, its trailing zeros dropped); Timestamp.toString would add {@code .0}.
     */
    private static String timestampText(LocalDateTime t) {
        String text = String.format(java.util.Locale.ROOT, "%04d-%02d-%02d %02d:%02d:%02d", t.getYear(),
                t.getMonthValue(), t.getDayOfMonth(), t.getHour(), t.getMinute(), t.getSecond());
        if (t.getNano() == 0) return text;
        String fraction = String.format(java.util.Locale.ROOT, "%09d", t.getNano()).replaceAll("0+$", "");
        return text + "." + fraction;
    }

    static boolean asBoolean(Object v, String column) throws SQLException {
        if (v == null) return false;
        if (v instanceof Number n) return n.longValue() != 0;
        String s = textOf(v).trim().toLowerCase(java.util.Locale.ROOT);
        return switch (s) {
            case "t", "true", "y", "yes", "on", "1" -> true;
            case "f", "false", "n", "no", "off", "0" -> false;
            default -> throw cannot(column, "boolean");
        };
    }

    static byte asByte(Object v, String column) throws SQLException {
        return (byte) asLong(v, column, Byte.MIN_VALUE, Byte.MAX_VALUE, "byte");
    }

    static short asShort(Object v, String column) throws SQLException {
        return (short) asLong(v, column, Short.MIN_VALUE, Short.MAX_VALUE, "short");
    }

    static int asInt(Object v, String column) throws SQLException {
        return (int) asLong(v, column, Integer.MIN_VALUE, Integer.MAX_VALUE, "int");
    }

    static long asLong(Object v, String column) throws SQLException {
        return asLong(v, column, Long.MIN_VALUE, Long.MAX_VALUE, "long");
    }

    private static long asLong(Object v, String column, long min, long max, String target) throws SQLException {
        if (v == null) return 0;
        long result;
        try {
            if (v instanceof Integer || v instanceof Long) {
                result = ((Number) v).longValue();
            } else {
                result = number(v, column, target).setScale(0, RoundingMode.DOWN).longValueExact();
            }
        } catch (ArithmeticException e) {
            throw cannot(column, target);
        }
        if (result < min || result > max) throw cannot(column, target);
        return result;
    }

    static float asFloat(Object v, String column) throws SQLException {
        return v == null ? 0f : number(v, column, "float").floatValue();
    }

    static double asDouble(Object v, String column) throws SQLException {
        return v == null ? 0d : number(v, column, "double").doubleValue();
    }

    static BigDecimal asBigDecimal(Object v, String column) throws SQLException {
        return v == null ? null : number(v, column, "BigDecimal");
    }

    static BigDecimal asBigDecimal(Object v, int scale, String column) throws SQLException {
        return v == null ? null : number(v, column, "BigDecimal").setScale(scale, RoundingMode.HALF_UP);
    }

    private static BigDecimal number(Object v, String column, String target) throws SQLException {
        if (v instanceof BigDecimal d) return d;
        if (v instanceof Integer || v instanceof Long) return BigDecimal.valueOf(((Number) v).longValue());
        if (v instanceof String s) {
            try {
                return new BigDecimal(s.trim());
            } catch (NumberFormatException e) {
                throw cannot(column, target);  // e.g. a masked value
            }
        }
        throw cannot(column, target);
    }

    static byte[] asBytes(Object v, String column) {
        if (v == null) return null;
        if (v instanceof byte[] b) return b;
        return textOf(v).getBytes(StandardCharsets.UTF_8);
    }

    static Date asDate(Object v, String column) throws SQLException {
        if (v == null) return null;
        if (v instanceof LocalDate d) return Date.valueOf(d);
        if (v instanceof LocalDateTime t) return Date.valueOf(t.toLocalDate());
        try {
            return Date.valueOf(LocalDate.parse(textOf(v)));
        } catch (RuntimeException e) {
            throw cannot(column, "Date");
        }
    }

    static Time asTime(Object v, String column) throws SQLException {
        if (v == null) return null;
        if (v instanceof LocalDateTime t) return Time.valueOf(t.toLocalTime());
        throw cannot(column, "Time");
    }

    static Timestamp asTimestamp(Object v, String column) throws SQLException {
        if (v == null) return null;
        if (v instanceof LocalDateTime t) return Timestamp.valueOf(t);
        if (v instanceof LocalDate d) return Timestamp.valueOf(d.atStartOfDay());
        try {
            return Timestamp.valueOf(textOf(v));
        } catch (RuntimeException e) {
            throw cannot(column, "Timestamp");
        }
    }

    /** JDBC's default mapping: dates and timestamps as java.sql types, the rest as decoded. */
    static Object asObject(Object v, String column) {
        if (v instanceof LocalDate d) return Date.valueOf(d);
        if (v instanceof LocalDateTime t) return Timestamp.valueOf(t);
        return v;
    }

    static <T> T asObject(Object v, Class<T> type, String column) throws SQLException {
        if (v == null) return null;
        Object converted;
        if (type == String.class) converted = asString(v, column);
        else if (type == Integer.class) converted = asInt(v, column);
        else if (type == Long.class) converted = asLong(v, column);
        else if (type == Short.class) converted = asShort(v, column);
        else if (type == Byte.class) converted = asByte(v, column);
        else if (type == Boolean.class) converted = asBoolean(v, column);
        else if (type == Double.class) converted = asDouble(v, column);
        else if (type == Float.class) converted = asFloat(v, column);
        else if (type == BigDecimal.class) converted = asBigDecimal(v, column);
        else if (type == byte[].class) converted = asBytes(v, column);
        else if (type == Date.class) converted = asDate(v, column);
        else if (type == Timestamp.class) converted = asTimestamp(v, column);
        else if (type == Time.class) converted = asTime(v, column);
        else if (type == LocalDate.class) converted = asDate(v, column).toLocalDate();
        else if (type == LocalDateTime.class) converted = asTimestamp(v, column).toLocalDateTime();
        else if (type == OffsetDateTime.class) converted = asTimestamp(v, column).toLocalDateTime().atOffset(ZoneOffset.UTC);
        else if (type.isInstance(v)) converted = v;
        else throw cannot(column, type.getSimpleName());
        return type.cast(converted);
    }

    static InputStream asBinaryStream(Object v, String column) {
        byte[] bytes = asBytes(v, column);
        return bytes == null ? null : new ByteArrayInputStream(bytes);
    }

    static InputStream asAsciiStream(Object v, String column) {
        String s = asString(v, column);
        return s == null ? null : new ByteArrayInputStream(s.getBytes(StandardCharsets.US_ASCII));
    }

    static InputStream asUnicodeStream(Object v, String column) {
        String s = asString(v, column);
        return s == null ? null : new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_16BE));
    }

    static Reader asCharacterStream(Object v, String column) {
        String s = asString(v, column);
        return s == null ? null : new StringReader(s);
    }

    static Reader asNCharacterStream(Object v, String column) {
        return asCharacterStream(v, column);
    }

    static Blob asBlob(Object v, String column) throws SQLException {
        byte[] bytes = asBytes(v, column);
        return bytes == null ? null : new javax.sql.rowset.serial.SerialBlob(bytes);
    }

    static Clob asClob(Object v, String column) throws SQLException {
        String s = asString(v, column);
        return s == null ? null : new javax.sql.rowset.serial.SerialClob(s.toCharArray());
    }

    static NClob asNClob(Object v, String column) throws SQLException {
        throw unsupported(column, "getNClob");
    }

    static Array asArray(Object v, String column) throws SQLException {
        throw unsupported(column, "getArray");
    }

    static Ref asRef(Object v, String column) throws SQLException {
        throw unsupported(column, "getRef");
    }

    static RowId asRowId(Object v, String column) throws SQLException {
        throw unsupported(column, "getRowId");
    }

    static SQLXML asSQLXML(Object v, String column) throws SQLException {
        throw unsupported(column, "getSQLXML");
    }

    static java.net.URL asURL(Object v, String column) throws SQLException {
        throw unsupported(column, "getURL");
    }

    private static SQLException cannot(String column, String target) {
        return SqlStates.of("22018", "cannot read " + column + " as " + target
                + " (its logical type differs, or the value is masked for this role)");
    }

    private static SQLException unsupported(String column, String getter) {
        return SqlStates.unsupported(getter + " is not supported on protected column " + column);
    }
}
