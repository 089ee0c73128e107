package dev.warden.gateway.wire;

import static dev.warden.gateway.wire.PgTypeCatalog.*;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;


/**
 * Turns Bind parameter values (text or binary, per PostgreSQL type OID) into Java values and binds them to
 * a {@link PreparedStatement} with the plain JDBC setters. A text value whose type the client left
 * unspecified (OID 0) is bound as {@link Types#OTHER}, i.e. untyped, so the server infers its type exactly
 * as it would for the client. Error messages name the parameter, never its value. Stateless, thread-safe.
 */
public final class ParameterBinder {

    static final LocalDate PG_EPOCH_DATE = LocalDate.of(2000, 1, 1);
    static final LocalDateTime PG_EPOCH = LocalDateTime.of(2000, 1, 1, 0, 0);
    static final long PG_EPOCH_DAY = PG_EPOCH_DATE.toEpochDay();

    /** A value whose type the server is to infer. */
    record Untyped(String text) {}

    private ParameterBinder() {}

    /** Decodes parameter {@code number} (1-based) of type {@code oid} sent in {@code format} (0 text, 1 binary). */
    public static Object decode(int number, int oid, int format, byte[] bytes) throws SQLException {
        if (bytes == null) {
            return null;
        }
        try {
            int element = ArrayParameters.elementOf(oid);
            if (element != 0) {
                return format == 0 ? ArrayParameters.text(element, new String(bytes, StandardCharsets.UTF_8))
                        : ArrayParameters.binary(element, bytes);
            }
            return format == 0 ? decodeText(oid, new String(bytes, StandardCharsets.UTF_8)) : decodeBinary(oid, bytes);
        } catch (NumberFormatException | IndexOutOfBoundsException | ArithmeticException | java.nio.BufferUnderflowException e) {
            throw new SQLException("invalid " + (format == 0 ? "input syntax" : "binary representation")
                    + " for parameter $" + number + " of type " + oid, format == 0 ? "22P02" : "22P03");
        } catch (UnsupportedOperationException e) {
            throw new SQLException("binary format of parameter $" + number + " (type OID " + oid
                    + ") is not supported by the gateway", "0A000");
        }
    }

    /** One element of a text-format array. */
    static Object decode(int oid, String text) {
        return decodeText(oid, text);
    }

    /** One element of a binary-format array. */
    static Object decodeBinaryElement(int oid, byte[] bytes) {
        return decodeBinary(oid, bytes);
    }

    private static Object decodeText(int oid, String s) {
        switch (oid) {
            case INT2: return Short.parseShort(s.strip());
            case INT4: return Integer.parseInt(s.strip());
            case INT8: return Long.parseLong(s.strip());
            case FLOAT4: return Float.parseFloat(s.strip());
            case FLOAT8: return Double.parseDouble(s.strip());
            case NUMERIC:
                String t = s.strip();
                return Character.isLetter(t.isEmpty() ? ' ' : t.charAt(t.length() - 1)) ? new Untyped(t) : new BigDecimal(t);
            case BOOL: return parseBool(s);
            case TEXT, VARCHAR, BPCHAR, NAME: return s;
            case BYTEA:
                if (s.startsWith("\\x")) {
                    return HexFormat.of().parseHex(s.substring(2));
                }
                return new Untyped(s);
            default: return new Untyped(s);
        }
    }

    private static Boolean parseBool(String s) {
        switch (s.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "t", "true", "y", "yes", "on", "1": return Boolean.TRUE;
            case "f", "false", "n", "no", "off", "0": return Boolean.FALSE;
            default: throw new NumberFormatException("bool");
        }
    }

    private static Object decodeBinary(int oid, byte[] b) {
        ByteBuffer buf = ByteBuffer.wrap(b);
        switch (oid) {
            case INT2: exact(b, 2); return buf.getShort();
            case INT4: exact(b, 4); return buf.getInt();
            case INT8: exact(b, 8); return buf.getLong();
            case OID: exact(b, 4); return new Untyped(Long.toString(buf.getInt() & 0xffffffffL));
            case FLOAT4: exact(b, 4); return buf.getFloat();
            case FLOAT8: exact(b, 8); return buf.getDouble();
            case BOOL: exact(b, 1); return b[0] != 0;
            case BYTEA: return b;
            case TEXT, VARCHAR, BPCHAR, NAME, UNKNOWN: return new String(b, StandardCharsets.UTF_8);
            case DATE: {
                exact(b, 4);
                int days = buf.getInt();
                if (days == Integer.MAX_VALUE) {
                    return new Untyped("infinity");
                } else if (days == Integer.MIN_VALUE) {
                    return new Untyped("-infinity");
                }
                return LocalDate.ofEpochDay(PG_EPOCH_DAY + days);
            }
            case TIMESTAMP, TIMESTAMPTZ: {
                exact(b, 8);
                long micros = buf.getLong();
                if (micros == Long.MAX_VALUE) {
                    return new Untyped("infinity");
                } else if (micros == Long.MIN_VALUE) {
                    return new Untyped("-infinity");
                }
                LocalDateTime t = PG_EPOCH.plus(micros, ChronoUnit.MICROS);
                return oid == TIMESTAMP ? t : OffsetDateTime.of(t, ZoneOffset.UTC);
            }
            case TIME: exact(b, 8); return LocalTime.ofNanoOfDay(buf.getLong() * 1000);
            case UUID: exact(b, 16); return new java.util.UUID(buf.getLong(), buf.getLong());
            case NUMERIC: return decodeNumeric(buf);
            default: throw new UnsupportedOperationException();
        }
    }

    private static void exact(byte[] b, int n) {
        if (b.length != n) {
            throw new IndexOutOfBoundsException();
        }
    }

    static Object decodeNumeric(ByteBuffer buf) {
        int ndigits = buf.getShort();
        int weight = buf.getShort();
        int sign = buf.getShort() & 0xffff;
        int dscale = buf.getShort();
        if (sign == 0xC000) {
            return new Untyped("NaN");
        } else if (sign == 0xD000) {
            return new Untyped("Infinity");
        } else if (sign == 0xF000) {
            return new Untyped("-Infinity");
        }
        BigInteger unscaled = BigInteger.ZERO;
        BigInteger base = BigInteger.valueOf(10000);
        for (int i = 0; i < ndigits; i++) {
            unscaled = unscaled.multiply(base).add(BigInteger.valueOf(buf.getShort()));
        }
        // the digits represent unscaled * 10000^(weight - ndigits + 1)
        BigDecimal v = new BigDecimal(unscaled).scaleByPowerOfTen(4 * (weight - ndigits + 1));
        if (sign == 0x4000) {
            v = v.negate();
        }
        return v.setScale(Math.max(dscale, 0), java.math.RoundingMode.UNNECESSARY);
    }

    /**
     * How a value the client typed text is bound so that it goes to the database typed text (a String would go as
     * character varying), for the server to type it as it would for the client, e.g. to name text in refusing it
     * as a LIMIT count (42804). The backend layer knows how (a pgjdbc object); wire knows no driver.
     */
    @FunctionalInterface
    public interface TypedTextBinder {
        void bind(PreparedStatement ps, int index, String value) throws SQLException;
    }

    /**
     * Binds one decoded value; {@code oid} picks the SQL type of a NULL, and a value (or NULL) the client typed
     * text goes through {@code typedText}.
     */
    public static void bind(PreparedStatement ps, int index, int oid, Object v, TypedTextBinder typedText)
            throws SQLException {
        if (oid == TEXT && (v == null || v instanceof String)) {
            typedText.bind(ps, index, (String) v);
        } else if (v == null) {
            ps.setNull(index, sqlType(oid));
        } else if (v instanceof Untyped u) {
            ps.setObject(index, u.text(), Types.OTHER);
        } else if (v instanceof String s) {
            ps.setString(index, s);
        } else if (v instanceof Integer i) {
            ps.setInt(index, i);
        } else if (v instanceof Long l) {
            ps.setLong(index, l);
        } else if (v instanceof Short s) {
            ps.setShort(index, s);
        } else if (v instanceof Double d) {
            ps.setDouble(index, d);
        } else if (v instanceof Float f) {
            ps.setFloat(index, f);
        } else if (v instanceof BigDecimal d) {
            ps.setBigDecimal(index, d);
        } else if (v instanceof Boolean b) {
            ps.setBoolean(index, b);
        } else if (v instanceof byte[] b) {
            ps.setBytes(index, b);
        } else {
            ps.setObject(index, v);
        }
    }

    static int sqlType(int oid) {
        return switch (oid) {
            case INT2 -> Types.SMALLINT;
            case INT4 -> Types.INTEGER;
            case INT8 -> Types.BIGINT;
            case FLOAT4 -> Types.REAL;
            case FLOAT8 -> Types.DOUBLE;
            case NUMERIC -> Types.NUMERIC;
            case BOOL -> Types.BOOLEAN;
            case TEXT, VARCHAR, BPCHAR, NAME -> Types.VARCHAR;
            case BYTEA -> Types.BINARY;
            case DATE -> Types.DATE;
            case TIME -> Types.TIME;
            case TIMESTAMP -> Types.TIMESTAMP;
            case TIMESTAMPTZ -> Types.TIMESTAMP_WITH_TIMEZONE;
            default -> Types.OTHER;
        };
    }
}
