package dev.warden.jdbc;

import dev.warden.engine.GuardedStatement;
import dev.warden.engine.SqlStates;
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.Date;
import java.sql.NClob;
import java.sql.PreparedStatement;
import java.sql.Ref;
import java.sql.RowId;
import java.sql.SQLException;
import java.sql.SQLType;
import java.sql.SQLXML;
import java.sql.Time;
import java.sql.Timestamp;
import java.util.Arrays;
import java.util.Calendar;

/**
 * What the application bound to a prepared statement whose guard depends on keys, by application parameter
 * index, so that after a keyset reload the parameters can be bound again: protected values encrypted anew
 * under the new keys (from the plaintext the application gave), the others with the setter it called.
 *
 * <p>Security: the values are the application's own objects, which the statement holds anyway until
 * {@link #clear()} (clearParameters, close); they are never logged nor put into a message. A stream bound to
 * an unprotected parameter is not kept at all: the real driver may have consumed it, so it cannot be bound
 * again, and {@link #replay} refuses instead.
 *
 * <p>Recording costs array stores (primitives are not boxed); the arrays are allocated on the first bind.
 * Not thread-safe.
 */
final class BoundParameters {

    /** The setter the application called last for an index. */
    enum Setter {
        PROTECTED, ARRAY, BIG_DECIMAL, BLOB, BOOLEAN, BYTE, BYTES, CLOB, DATE, DOUBLE, FLOAT, INT, LONG, NCLOB,
        NSTRING, NULL, NULL_NAMED, OBJECT, OBJECT_TYPED, OBJECT_TYPED_SCALED, OBJECT_SQLTYPE, OBJECT_SQLTYPE_SCALED,
        REF, ROWID, SHORT, STRING, TIME, TIMESTAMP, URL, STREAM
    }

    private Setter[] setters;    // by application index; null: nothing bound
    private Object[] values;     // the object bound; for STREAM the setter's name (the stream is not kept)
    private long[] numbers;      // a primitive's bits, or a scale
    private int[] sqlTypes;      // setNull / setObject target type
    private Object[] extras;     // Calendar, SQLType or type name

    void clear() {
        if (setters == null) return;
        Arrays.fill(setters, null);
        Arrays.fill(values, null);
        Arrays.fill(extras, null);
    }

    void protectedValue(int index, Object plaintext) {
        record(index, Setter.PROTECTED, plaintext, 0, 0, null);
    }

    void set(int index, Setter setter, Object value) {
        record(index, setter, value, 0, 0, null);
    }

    void set(int index, Setter setter, Object value, Object extra) {
        record(index, setter, value, 0, 0, extra);
    }

    void primitive(int index, Setter setter, long bits) {
        record(index, setter, null, bits, 0, null);
    }

    void typed(int index, Setter setter, Object value, int sqlType, long scale, Object extra) {
        record(index, setter, value, scale, sqlType, extra);
    }

    /** An unprotected stream: bound as given, never replayed. */
    void stream(int index, String setterName) {
        record(index, Setter.STREAM, setterName, 0, 0, null);
    }

    /** setObject with a value the real driver reads as a stream (or, SQLXML, reads once) cannot be replayed either. */
    void object(int index, Object value) {
        if (value instanceof java.io.InputStream || value instanceof java.io.Reader || value instanceof SQLXML) {
            stream(index, "setObject");
        } else {
            set(index, Setter.OBJECT, value);
        }
    }

    private void record(int index, Setter setter, Object value, long number, int sqlType, Object extra) {
        if (index < 1) return;  // the real driver refuses it
        if (setters == null || index >= setters.length) grow(index);
        setters[index] = setter;
        values[index] = value;
        numbers[index] = number;
        sqlTypes[index] = sqlType;
        extras[index] = extra;
    }

    private void grow(int index) {
        // first: room for the index bound (statements bind from 1 up, usually a few parameters); then doubling
        int size = Math.max(index + 4, setters == null ? 0 : setters.length * 2);
        setters = setters == null ? new Setter[size] : Arrays.copyOf(setters, size);
        values = values == null ? new Object[size] : Arrays.copyOf(values, size);
        numbers = numbers == null ? new long[size] : Arrays.copyOf(numbers, size);
        sqlTypes = sqlTypes == null ? new int[size] : Arrays.copyOf(sqlTypes, size);
        extras = extras == null ? new Object[size] : Arrays.copyOf(extras, size);
    }

    /**
     * The setter of a bound parameter that cannot be bound again (an unprotected stream), or null when every
     * bound parameter can.
     */
    String unreplayable() {
        if (setters == null) return null;
        for (int i = 1; i < setters.length; i++) {
            if (setters[i] == Setter.STREAM) return (String) values[i] + " (parameter " + i + ")";
        }
        return null;
    }

    /**
     * Binds again, on {@code target} prepared for {@code guard}, what was bound: only the protected values
     * (encrypted anew) when {@code protectedOnly}, every parameter otherwise. Call {@link #unreplayable()} first.
     */
    /**
     * True when every parameter bound so far is protected under {@code guard} exactly when it was bound as
     * protected: false after a policy reload that put a bound parameter's column under the policy (its value went
     * to the real statement as given) or took it out.
     */
    boolean protectsAlike(GuardedStatement guard) {
        if (setters == null) return true;
        for (int i = 1; i < setters.length; i++) {
            if (setters[i] != null && (setters[i] == Setter.PROTECTED) != guard.protectsParameter(i)) return false;
        }
        return true;
    }

    void replay(PreparedStatement target, GuardedStatement guard, boolean protectedOnly) throws SQLException {
        if (setters == null) return;
        for (int i = 1; i < setters.length; i++) {
            Setter setter = setters[i];
            if (setter == null || (protectedOnly && setter != Setter.PROTECTED)) continue;
            if ((setter == Setter.PROTECTED) != guard.protectsParameter(i)) {
                // a policy reload changed what the parameter writes or compares: bind nothing rather than
                // plaintext where ciphertext belongs
                throw SqlStates.unsupported("parameter " + i + " is no longer analysed as it was when it was bound"
                        + " after the keyset or policy reload: bind the parameters again");
            }
            if (setter == Setter.PROTECTED && guard.bindsMatchPattern(i)) {
                // a LIKE pattern through a match index goes out as its tokens, as when the application bound it
                guard.bindMatchPattern(target, i, values[i]);
            } else if (setter == Setter.PROTECTED) {
                guard.bind(target, i, values[i]);
            } else {
                bind(target, guard.targetIndex(i), setter, values[i], numbers[i], sqlTypes[i], extras[i]);
            }
        }
    }

    private static void bind(PreparedStatement ps, int at, Setter setter, Object value, long number, int sqlType,
                             Object extra) throws SQLException {
        switch (setter) {
            case ARRAY -> ps.setArray(at, (Array) value);
            case BIG_DECIMAL -> ps.setBigDecimal(at, (BigDecimal) value);
            case BLOB -> ps.setBlob(at, (Blob) value);
            case BOOLEAN -> ps.setBoolean(at, number != 0);
            case BYTE -> ps.setByte(at, (byte) number);
            case BYTES -> ps.setBytes(at, (byte[]) value);
            case CLOB -> ps.setClob(at, (Clob) value);
            case DATE -> {
                if (extra == null) ps.setDate(at, (Date) value); else ps.setDate(at, (Date) value, (Calendar) extra);
            }
            case DOUBLE -> ps.setDouble(at, Double.longBitsToDouble(number));
            case FLOAT -> ps.setFloat(at, Float.intBitsToFloat((int) number));
            case INT -> ps.setInt(at, (int) number);
            case LONG -> ps.setLong(at, number);
            case NCLOB -> ps.setNClob(at, (NClob) value);
            case NSTRING -> ps.setNString(at, (String) value);
            case NULL -> ps.setNull(at, sqlType);
            case NULL_NAMED -> ps.setNull(at, sqlType, (String) extra);
            case OBJECT -> ps.setObject(at, value);
            case OBJECT_TYPED -> ps.setObject(at, value, sqlType);
            case OBJECT_TYPED_SCALED -> ps.setObject(at, value, sqlType, (int) number);
            case OBJECT_SQLTYPE -> ps.setObject(at, value, (SQLType) extra);
            case OBJECT_SQLTYPE_SCALED -> ps.setObject(at, value, (SQLType) extra, (int) number);
            case REF -> ps.setRef(at, (Ref) value);
            case ROWID -> ps.setRowId(at, (RowId) value);
            case SHORT -> ps.setShort(at, (short) number);
            case STRING -> ps.setString(at, (String) value);
            case TIME -> {
                if (extra == null) ps.setTime(at, (Time) value); else ps.setTime(at, (Time) value, (Calendar) extra);
            }
            case TIMESTAMP -> {
                if (extra == null) ps.setTimestamp(at, (Timestamp) value);
                else ps.setTimestamp(at, (Timestamp) value, (Calendar) extra);
            }
            case URL -> ps.setURL(at, (java.net.URL) value);
            case PROTECTED, STREAM -> throw new IllegalStateException(setter + " is not bound here");
        }
    }
}
