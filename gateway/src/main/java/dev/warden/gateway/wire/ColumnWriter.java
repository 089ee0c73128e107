package dev.warden.gateway.wire;

import static dev.warden.gateway.wire.PgTypeCatalog.*;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.temporal.ChronoUnit;


/**
 * Writes one column of the current {@link ResultSet} row as a DataRow field (length word and bytes) in
 * text format (the JDBC driver's {@code getString}, which with text transfer is PostgreSQL's own output)
 * or in PostgreSQL's binary format for the common types. {@link #kind} is computed once per result
 * column; {@link #write} runs per value and allocates nothing beyond what the JDBC getters return.
 * Text is written in the client's encoding, in binary format too for the string types, as PostgreSQL's
 * {@code textsend} converts it; a character the encoding cannot represent fails the row with 22P05. A UTF-8
 * client's text is written as before, without any conversion. Stateless and thread-safe.
 */
public final class ColumnWriter {

    public static final int TEXT_FORMAT = 0, BOOL_BIN = 1, INT2_BIN = 2, INT4_BIN = 3, INT8_BIN = 4,
            FLOAT4_BIN = 5, FLOAT8_BIN = 6, NUMERIC_BIN = 7, BYTES_BIN = 8, STRING_BIN = 9, DATE_BIN = 10,
            TIME_BIN = 11, TIMETZ_BIN = 12, TIMESTAMP_BIN = 13, TIMESTAMPTZ_BIN = 14, UUID_BIN = 15,
            OID_BIN = 16, JSONB_BIN = 17, ARRAY_BIN = 18;

    static final int JSON = 114, JSONB = 3802, XML = 142;

    private ColumnWriter() {}

    /** The writer kind for a column of type {@code oid} in {@code format}; -1 when binary is unsupported. */
    public static int kind(int oid, int format) {
        if (format == 0) {
            return TEXT_FORMAT;
        }
        return switch (oid) {
            case BOOL -> BOOL_BIN;
            case INT2 -> INT2_BIN;
            case INT4 -> INT4_BIN;
            case INT8 -> INT8_BIN;
            case OID -> OID_BIN;
            case FLOAT4 -> FLOAT4_BIN;
            case FLOAT8 -> FLOAT8_BIN;
            case NUMERIC -> NUMERIC_BIN;
            case BYTEA -> BYTES_BIN;
            case TEXT, VARCHAR, BPCHAR, NAME, CHAR, UNKNOWN, JSON, XML -> STRING_BIN;
            case JSONB -> JSONB_BIN;
            case DATE -> DATE_BIN;
            case TIME -> TIME_BIN;
            case TIMETZ -> TIMETZ_BIN;
            case TIMESTAMP -> TIMESTAMP_BIN;
            case TIMESTAMPTZ -> TIMESTAMPTZ_BIN;
            case PgTypeCatalog.UUID -> UUID_BIN;
            case INT2_ARRAY, INT4_ARRAY, INT8_ARRAY, FLOAT4_ARRAY, FLOAT8_ARRAY, TEXT_ARRAY, VARCHAR_ARRAY -> ARRAY_BIN;
            default -> -1;
        };
    }

    /** Appends column {@code col} of the current row, its text in {@code enc}. */
    public static void write(ByteBuf out, ResultSet rs, int col, int kind, int oid, ClientEncoding enc)
            throws SQLException {
        switch (kind) {
            case TEXT_FORMAT, STRING_BIN -> {
                String s = rs.getString(col);
                if (s == null) {
                    out.writeInt(-1);
                } else {
                    int at = out.writerIndex();
                    out.writeInt(0);
                    int n = enc.converts() ? enc.write(out, s) : ByteBufUtil.writeUtf8(out, s);
                    out.setInt(at, n);
                }
            }
            case JSONB_BIN -> {
                String s = rs.getString(col);
                if (s == null) {
                    out.writeInt(-1);
                } else {
                    int at = out.writerIndex();
                    out.writeInt(0);
                    out.writeByte(1);
                    int n = enc.converts() ? enc.write(out, s) : ByteBufUtil.writeUtf8(out, s);
                    out.setInt(at, n + 1);
                }
            }
            case BOOL_BIN -> {
                boolean v = rs.getBoolean(col);
                if (rs.wasNull()) {
                    out.writeInt(-1);
                } else {
                    out.writeInt(1).writeByte(v ? 1 : 0);
                }
            }
            case INT2_BIN -> {
                short v = rs.getShort(col);
                if (rs.wasNull()) {
                    out.writeInt(-1);
                } else {
                    out.writeInt(2).writeShort(v);
                }
            }
            case INT4_BIN -> {
                int v = rs.getInt(col);
                if (rs.wasNull()) {
                    out.writeInt(-1);
                } else {
                    out.writeInt(4).writeInt(v);
                }
            }
            case OID_BIN -> {
                long v = rs.getLong(col);
                if (rs.wasNull()) {
                    out.writeInt(-1);
                } else {
                    out.writeInt(4).writeInt((int) v);
                }
            }
            case INT8_BIN -> {
                long v = rs.getLong(col);
                if (rs.wasNull()) {
                    out.writeInt(-1);
                } else {
                    out.writeInt(8).writeLong(v);
                }
            }
            case FLOAT4_BIN -> {
                float v = rs.getFloat(col);
                if (rs.wasNull()) {
                    out.writeInt(-1);
                } else {
                    out.writeInt(4).writeFloat(v);
                }
            }
            case FLOAT8_BIN -> {
                double v = rs.getDouble(col);
                if (rs.wasNull()) {
                    out.writeInt(-1);
                } else {
                    out.writeInt(8).writeDouble(v);
                }
            }
            case BYTES_BIN -> {
                byte[] v = rs.getBytes(col);
                if (v == null) {
                    out.writeInt(-1);
                } else {
                    out.writeInt(v.length).writeBytes(v);
                }
            }
            case NUMERIC_BIN -> {
                String s = rs.getString(col);
                if (s == null) {
                    out.writeInt(-1);
                } else {
                    writeNumeric(out, s);
                }
            }
            case DATE_BIN -> {
                LocalDate d = rs.getObject(col, LocalDate.class);
                if (d == null) {
                    out.writeInt(-1);
                } else if (d.equals(LocalDate.MAX)) {
                    out.writeInt(4).writeInt(Integer.MAX_VALUE);
                } else if (d.equals(LocalDate.MIN)) {
                    out.writeInt(4).writeInt(Integer.MIN_VALUE);
                } else {
                    out.writeInt(4).writeInt((int) (d.toEpochDay() - ParameterBinder.PG_EPOCH_DAY));
                }
            }
            case TIME_BIN -> {
                LocalTime t = rs.getObject(col, LocalTime.class);
                if (t == null) {
                    out.writeInt(-1);
                } else {
                    long micros = t.equals(LocalTime.MAX) ? 86_400_000_000L : t.toNanoOfDay() / 1000;
                    out.writeInt(8).writeLong(micros);
                }
            }
            case TIMETZ_BIN -> {
                OffsetTime t = rs.getObject(col, OffsetTime.class);
                if (t == null) {
                    out.writeInt(-1);
                } else {
                    out.writeInt(12).writeLong(t.toLocalTime().toNanoOfDay() / 1000)
                            .writeInt(-t.getOffset().getTotalSeconds());
                }
            }
            case TIMESTAMP_BIN -> {
                LocalDateTime t = rs.getObject(col, LocalDateTime.class);
                if (t == null) {
                    out.writeInt(-1);
                } else if (t.equals(LocalDateTime.MAX)) {
                    out.writeInt(8).writeLong(Long.MAX_VALUE);
                } else if (t.equals(LocalDateTime.MIN)) {
                    out.writeInt(8).writeLong(Long.MIN_VALUE);
                } else {
                    out.writeInt(8).writeLong(ChronoUnit.MICROS.between(ParameterBinder.PG_EPOCH, t));
                }
            }
            case TIMESTAMPTZ_BIN -> {
                OffsetDateTime t = rs.getObject(col, OffsetDateTime.class);
                if (t == null) {
                    out.writeInt(-1);
                } else if (t.equals(OffsetDateTime.MAX)) {
                    out.writeInt(8).writeLong(Long.MAX_VALUE);
                } else if (t.equals(OffsetDateTime.MIN)) {
                    out.writeInt(8).writeLong(Long.MIN_VALUE);
                } else {
                    out.writeInt(8).writeLong(ChronoUnit.MICROS.between(
                            ParameterBinder.PG_EPOCH.atOffset(java.time.ZoneOffset.UTC), t));
                }
            }
            case UUID_BIN -> {
                String s = rs.getString(col);
                if (s == null) {
                    out.writeInt(-1);
                } else {
                    java.util.UUID u = java.util.UUID.fromString(s);
                    out.writeInt(16).writeLong(u.getMostSignificantBits()).writeLong(u.getLeastSignificantBits());
                }
            }
            case ARRAY_BIN -> writeArray(out, rs.getArray(col), oid, enc);
            default -> throw new SQLException("binary result format for type OID " + oid
                    + " is not supported by the gateway", "0A000");
        }
    }

    private static void writeArray(ByteBuf out, Array array, int oid, ClientEncoding enc) throws SQLException {
        if (array == null) {
            out.writeInt(-1);
            return;
        }
        Object[] values = (Object[]) array.getArray();
        int elementOid = switch (oid) {
            case INT2_ARRAY -> INT2;
            case INT4_ARRAY -> INT4;
            case INT8_ARRAY -> INT8;
            case FLOAT4_ARRAY -> FLOAT4;
            case FLOAT8_ARRAY -> FLOAT8;
            case VARCHAR_ARRAY -> VARCHAR;
            default -> TEXT;
        };
        for (Object v : values) {
            if (v instanceof Object[]) {
                throw new SQLException("binary format of multi-dimensional arrays is not supported by the gateway",
                        "0A000");
            }
        }
        int at = out.writerIndex();
        out.writeInt(0);
        boolean hasNull = false;
        for (Object v : values) {
            hasNull |= v == null;
        }
        if (values.length == 0) {
            out.writeInt(0).writeInt(0).writeInt(elementOid);
        } else {
            out.writeInt(1).writeInt(hasNull ? 1 : 0).writeInt(elementOid).writeInt(values.length).writeInt(1);
            for (Object v : values) {
                if (v == null) {
                    out.writeInt(-1);
                    continue;
                }
                switch (elementOid) {
                    case INT2 -> out.writeInt(2).writeShort(((Number) v).shortValue());
                    case INT4 -> out.writeInt(4).writeInt(((Number) v).intValue());
                    case INT8 -> out.writeInt(8).writeLong(((Number) v).longValue());
                    case FLOAT4 -> out.writeInt(4).writeFloat(((Number) v).floatValue());
                    case FLOAT8 -> out.writeInt(8).writeDouble(((Number) v).doubleValue());
                    default -> {
                        int lenAt = out.writerIndex();
                        out.writeInt(0);
                        out.setInt(lenAt, enc.write(out, v.toString()));
                    }
                }
            }
        }
        out.setInt(at, out.writerIndex() - at - 4);
    }

    /** PostgreSQL's binary numeric: base-10000 digits, weight, sign, display scale. */
    static void writeNumeric(ByteBuf out, String text) {
        int sign;
        switch (text) {
            case "NaN" -> sign = 0xC000;
            case "Infinity" -> sign = 0xD000;
            case "-Infinity" -> sign = 0xF000;
            default -> sign = -1;
        }
        if (sign != -1) {
            out.writeInt(8).writeShort(0).writeShort(0).writeShort(sign).writeShort(0);
            return;
        }
        BigDecimal v = new BigDecimal(text);
        if (v.scale() < 0) {
            v = v.setScale(0);
        }
        int dscale = v.scale();
        String digits = v.unscaledValue().abs().toString();
        int intLen = digits.length() - dscale;
        String intPart = intLen > 0 ? digits.substring(0, intLen) : "";
        String fracPart = intLen > 0 ? digits.substring(intLen) : "0".repeat(-intLen) + digits;
        intPart = "0".repeat((4 - intPart.length() % 4) % 4) + intPart;
        fracPart = fracPart + "0".repeat((4 - fracPart.length() % 4) % 4);
        String all = intPart + fracPart;
        int groups = all.length() / 4;
        short[] d = new short[groups];
        for (int i = 0; i < groups; i++) {
            d[i] = Short.parseShort(all.substring(4 * i, 4 * i + 4));
        }
        int weight = intPart.length() / 4 - 1;
        int first = 0;
        while (first < groups && d[first] == 0) {
            first++;
            weight--;
        }
        int last = groups;
        while (last > first && d[last - 1] == 0) {
            last--;
        }
        int n = last - first;
        if (n == 0) {
            weight = 0;
        }
        out.writeInt(8 + 2 * n).writeShort(n).writeShort(weight).writeShort(v.signum() < 0 ? 0x4000 : 0)
                .writeShort(dscale);
        for (int i = first; i < last; i++) {
            out.writeShort(d[i]);
        }
    }
}
