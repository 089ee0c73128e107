package dev.warden.jdbc;

import dev.warden.engine.GuardedStatement;
import java.io.InputStream;
import java.io.Reader;
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Blob;
import java.sql.CallableStatement;
import java.sql.Clob;
import java.sql.Date;
import java.sql.NClob;
import java.sql.Ref;
import java.sql.RowId;
import java.sql.SQLException;
import java.sql.SQLType;
import java.sql.SQLXML;
import java.sql.Time;
import java.sql.Timestamp;

/**
 * A callable statement. The connection lets one be prepared only when its text names no protected table
 * (server-side code is opaque to the engine), so its OUT parameters carry no protected value and the
 * CallableStatement methods below delegate. Execution and parameters go through the prepared-statement path.
 */
public final class WardenCallableStatement extends WardenPreparedStatement implements CallableStatement {

    private final CallableStatement callDelegate;

    WardenCallableStatement(WardenConnection connection, CallableStatement delegate, GuardedStatement guarded) {
        super(connection, delegate, guarded);
        this.callDelegate = delegate;
    }

    @Override
    public Array getArray(String parameterName) throws SQLException {
        return callDelegate.getArray(parameterName);
    }

    @Override
    public Array getArray(int parameterIndex) throws SQLException {
        return callDelegate.getArray(parameterIndex);
    }

    @Override
    public java.math.BigDecimal getBigDecimal(String parameterName) throws SQLException {
        return callDelegate.getBigDecimal(parameterName);
    }

    @Override
    public java.math.BigDecimal getBigDecimal(int parameterIndex, int arg1) throws SQLException {
        return callDelegate.getBigDecimal(parameterIndex, arg1);
    }

    @Override
    public java.math.BigDecimal getBigDecimal(int parameterIndex) throws SQLException {
        return callDelegate.getBigDecimal(parameterIndex);
    }

    @Override
    public Blob getBlob(String parameterName) throws SQLException {
        return callDelegate.getBlob(parameterName);
    }

    @Override
    public Blob getBlob(int parameterIndex) throws SQLException {
        return callDelegate.getBlob(parameterIndex);
    }

    @Override
    public boolean getBoolean(String parameterName) throws SQLException {
        return callDelegate.getBoolean(parameterName);
    }

    @Override
    public boolean getBoolean(int parameterIndex) throws SQLException {
        return callDelegate.getBoolean(parameterIndex);
    }

    @Override
    public byte getByte(String parameterName) throws SQLException {
        return callDelegate.getByte(parameterName);
    }

    @Override
    public byte getByte(int parameterIndex) throws SQLException {
        return callDelegate.getByte(parameterIndex);
    }

    @Override
    public byte[] getBytes(String parameterName) throws SQLException {
        return callDelegate.getBytes(parameterName);
    }

    @Override
    public byte[] getBytes(int parameterIndex) throws SQLException {
        return callDelegate.getBytes(parameterIndex);
    }

    @Override
    public java.io.Reader getCharacterStream(String parameterName) throws SQLException {
        return callDelegate.getCharacterStream(parameterName);
    }

    @Override
    public java.io.Reader getCharacterStream(int parameterIndex) throws SQLException {
        return callDelegate.getCharacterStream(parameterIndex);
    }

    @Override
    public Clob getClob(String parameterName) throws SQLException {
        return callDelegate.getClob(parameterName);
    }

    @Override
    public Clob getClob(int parameterIndex) throws SQLException {
        return callDelegate.getClob(parameterIndex);
    }

    @Override
    public Date getDate(String parameterName, java.util.Calendar arg1) throws SQLException {
        return callDelegate.getDate(parameterName, arg1);
    }

    @Override
    public Date getDate(String parameterName) throws SQLException {
        return callDelegate.getDate(parameterName);
    }

    @Override
    public Date getDate(int parameterIndex, java.util.Calendar arg1) throws SQLException {
        return callDelegate.getDate(parameterIndex, arg1);
    }

    @Override
    public Date getDate(int parameterIndex) throws SQLException {
        return callDelegate.getDate(parameterIndex);
    }

    @Override
    public double getDouble(String parameterName) throws SQLException {
        return callDelegate.getDouble(parameterName);
    }

    @Override
    public double getDouble(int parameterIndex) throws SQLException {
        return callDelegate.getDouble(parameterIndex);
    }

    @Override
    public float getFloat(String parameterName) throws SQLException {
        return callDelegate.getFloat(parameterName);
    }

    @Override
    public float getFloat(int parameterIndex) throws SQLException {
        return callDelegate.getFloat(parameterIndex);
    }

    @Override
    public int getInt(String parameterName) throws SQLException {
        return callDelegate.getInt(parameterName);
    }

    @Override
    public int getInt(int parameterIndex) throws SQLException {
        return callDelegate.getInt(parameterIndex);
    }

    @Override
    public long getLong(String parameterName) throws SQLException {
        return callDelegate.getLong(parameterName);
    }

    @Override
    public long getLong(int parameterIndex) throws SQLException {
        return callDelegate.getLong(parameterIndex);
    }

    @Override
    public java.io.Reader getNCharacterStream(String parameterName) throws SQLException {
        return callDelegate.getNCharacterStream(parameterName);
    }

    @Override
    public java.io.Reader getNCharacterStream(int parameterIndex) throws SQLException {
        return callDelegate.getNCharacterStream(parameterIndex);
    }

    @Override
    public NClob getNClob(String parameterName) throws SQLException {
        return callDelegate.getNClob(parameterName);
    }

    @Override
    public NClob getNClob(int parameterIndex) throws SQLException {
        return callDelegate.getNClob(parameterIndex);
    }

    @Override
    public String getNString(String parameterName) throws SQLException {
        return callDelegate.getNString(parameterName);
    }

    @Override
    public String getNString(int parameterIndex) throws SQLException {
        return callDelegate.getNString(parameterIndex);
    }

    @Override
    public <T> T getObject(String parameterName, Class<T> arg1) throws SQLException {
        return callDelegate.getObject(parameterName, arg1);
    }

    @Override
    public Object getObject(String parameterName, java.util.Map<String, Class<?>> arg1) throws SQLException {
        return callDelegate.getObject(parameterName, arg1);
    }

    @Override
    public Object getObject(String parameterName) throws SQLException {
        return callDelegate.getObject(parameterName);
    }

    @Override
    public <T> T getObject(int parameterIndex, Class<T> arg1) throws SQLException {
        return callDelegate.getObject(parameterIndex, arg1);
    }

    @Override
    public Object getObject(int parameterIndex, java.util.Map<String, Class<?>> arg1) throws SQLException {
        return callDelegate.getObject(parameterIndex, arg1);
    }

    @Override
    public Object getObject(int parameterIndex) throws SQLException {
        return callDelegate.getObject(parameterIndex);
    }

    @Override
    public Ref getRef(String parameterName) throws SQLException {
        return callDelegate.getRef(parameterName);
    }

    @Override
    public Ref getRef(int parameterIndex) throws SQLException {
        return callDelegate.getRef(parameterIndex);
    }

    @Override
    public RowId getRowId(String parameterName) throws SQLException {
        return callDelegate.getRowId(parameterName);
    }

    @Override
    public RowId getRowId(int parameterIndex) throws SQLException {
        return callDelegate.getRowId(parameterIndex);
    }

    @Override
    public SQLXML getSQLXML(String parameterName) throws SQLException {
        return callDelegate.getSQLXML(parameterName);
    }

    @Override
    public SQLXML getSQLXML(int parameterIndex) throws SQLException {
        return callDelegate.getSQLXML(parameterIndex);
    }

    @Override
    public short getShort(String parameterName) throws SQLException {
        return callDelegate.getShort(parameterName);
    }

    @Override
    public short getShort(int parameterIndex) throws SQLException {
        return callDelegate.getShort(parameterIndex);
    }

    @Override
    public String getString(String parameterName) throws SQLException {
        return callDelegate.getString(parameterName);
    }

    @Override
    public String getString(int parameterIndex) throws SQLException {
        return callDelegate.getString(parameterIndex);
    }

    @Override
    public Time getTime(String parameterName, java.util.Calendar arg1) throws SQLException {
        return callDelegate.getTime(parameterName, arg1);
    }

    @Override
    public Time getTime(String parameterName) throws SQLException {
        return callDelegate.getTime(parameterName);
    }

    @Override
    public Time getTime(int parameterIndex, java.util.Calendar arg1) throws SQLException {
        return callDelegate.getTime(parameterIndex, arg1);
    }

    @Override
    public Time getTime(int parameterIndex) throws SQLException {
        return callDelegate.getTime(parameterIndex);
    }

    @Override
    public Timestamp getTimestamp(String parameterName, java.util.Calendar arg1) throws SQLException {
        return callDelegate.getTimestamp(parameterName, arg1);
    }

    @Override
    public Timestamp getTimestamp(String parameterName) throws SQLException {
        return callDelegate.getTimestamp(parameterName);
    }

    @Override
    public Timestamp getTimestamp(int parameterIndex, java.util.Calendar arg1) throws SQLException {
        return callDelegate.getTimestamp(parameterIndex, arg1);
    }

    @Override
    public Timestamp getTimestamp(int parameterIndex) throws SQLException {
        return callDelegate.getTimestamp(parameterIndex);
    }

    @Override
    public java.net.URL getURL(String parameterName) throws SQLException {
        return callDelegate.getURL(parameterName);
    }

    @Override
    public java.net.URL getURL(int parameterIndex) throws SQLException {
        return callDelegate.getURL(parameterIndex);
    }

    @Override
    public void registerOutParameter(String parameterName, int arg1, String arg2) throws SQLException {
        callDelegate.registerOutParameter(parameterName, arg1, arg2);
    }

    @Override
    public void registerOutParameter(String parameterName, int arg1, int arg2) throws SQLException {
        callDelegate.registerOutParameter(parameterName, arg1, arg2);
    }

    @Override
    public void registerOutParameter(String parameterName, int arg1) throws SQLException {
        callDelegate.registerOutParameter(parameterName, arg1);
    }

    @Override
    public void registerOutParameter(String parameterName, SQLType arg1, String arg2) throws SQLException {
        callDelegate.registerOutParameter(parameterName, arg1, arg2);
    }

    @Override
    public void registerOutParameter(String parameterName, SQLType arg1, int arg2) throws SQLException {
        callDelegate.registerOutParameter(parameterName, arg1, arg2);
    }

    @Override
    public void registerOutParameter(String parameterName, SQLType arg1) throws SQLException {
        callDelegate.registerOutParameter(parameterName, arg1);
    }

    @Override
    public void registerOutParameter(int parameterIndex, int arg1, String arg2) throws SQLException {
        callDelegate.registerOutParameter(parameterIndex, arg1, arg2);
    }

    @Override
    public void registerOutParameter(int parameterIndex, int arg1, int arg2) throws SQLException {
        callDelegate.registerOutParameter(parameterIndex, arg1, arg2);
    }

    @Override
    public void registerOutParameter(int parameterIndex, int arg1) throws SQLException {
        callDelegate.registerOutParameter(parameterIndex, arg1);
    }

    @Override
    public void registerOutParameter(int parameterIndex, SQLType arg1, String arg2) throws SQLException {
        callDelegate.registerOutParameter(parameterIndex, arg1, arg2);
    }

    @Override
    public void registerOutParameter(int parameterIndex, SQLType arg1, int arg2) throws SQLException {
        callDelegate.registerOutParameter(parameterIndex, arg1, arg2);
    }

    @Override
    public void registerOutParameter(int parameterIndex, SQLType arg1) throws SQLException {
        callDelegate.registerOutParameter(parameterIndex, arg1);
    }

    @Override
    public void setAsciiStream(String parameterName, java.io.InputStream arg1, int arg2) throws SQLException {
        callDelegate.setAsciiStream(parameterName, arg1, arg2);
    }

    @Override
    public void setAsciiStream(String parameterName, java.io.InputStream arg1, long arg2) throws SQLException {
        callDelegate.setAsciiStream(parameterName, arg1, arg2);
    }

    @Override
    public void setAsciiStream(String parameterName, java.io.InputStream arg1) throws SQLException {
        callDelegate.setAsciiStream(parameterName, arg1);
    }

    @Override
    public void setBigDecimal(String parameterName, java.math.BigDecimal arg1) throws SQLException {
        callDelegate.setBigDecimal(parameterName, arg1);
    }

    @Override
    public void setBinaryStream(String parameterName, java.io.InputStream arg1, int arg2) throws SQLException {
        callDelegate.setBinaryStream(parameterName, arg1, arg2);
    }

    @Override
    public void setBinaryStream(String parameterName, java.io.InputStream arg1, long arg2) throws SQLException {
        callDelegate.setBinaryStream(parameterName, arg1, arg2);
    }

    @Override
    public void setBinaryStream(String parameterName, java.io.InputStream arg1) throws SQLException {
        callDelegate.setBinaryStream(parameterName, arg1);
    }

    @Override
    public void setBlob(String parameterName, java.io.InputStream arg1, long arg2) throws SQLException {
        callDelegate.setBlob(parameterName, arg1, arg2);
    }

    @Override
    public void setBlob(String parameterName, java.io.InputStream arg1) throws SQLException {
        callDelegate.setBlob(parameterName, arg1);
    }

    @Override
    public void setBlob(String parameterName, Blob arg1) throws SQLException {
        callDelegate.setBlob(parameterName, arg1);
    }

    @Override
    public void setBoolean(String parameterName, boolean arg1) throws SQLException {
        callDelegate.setBoolean(parameterName, arg1);
    }

    @Override
    public void setByte(String parameterName, byte arg1) throws SQLException {
        callDelegate.setByte(parameterName, arg1);
    }

    @Override
    public void setBytes(String parameterName, byte[] arg1) throws SQLException {
        callDelegate.setBytes(parameterName, arg1);
    }

    @Override
    public void setCharacterStream(String parameterName, java.io.Reader arg1, int arg2) throws SQLException {
        callDelegate.setCharacterStream(parameterName, arg1, arg2);
    }

    @Override
    public void setCharacterStream(String parameterName, java.io.Reader arg1, long arg2) throws SQLException {
        callDelegate.setCharacterStream(parameterName, arg1, arg2);
    }

    @Override
    public void setCharacterStream(String parameterName, java.io.Reader arg1) throws SQLException {
        callDelegate.setCharacterStream(parameterName, arg1);
    }

    @Override
    public void setClob(String parameterName, java.io.Reader arg1, long arg2) throws SQLException {
        callDelegate.setClob(parameterName, arg1, arg2);
    }

    @Override
    public void setClob(String parameterName, java.io.Reader arg1) throws SQLException {
        callDelegate.setClob(parameterName, arg1);
    }

    @Override
    public void setClob(String parameterName, Clob arg1) throws SQLException {
        callDelegate.setClob(parameterName, arg1);
    }

    @Override
    public void setDate(String parameterName, Date arg1, java.util.Calendar arg2) throws SQLException {
        callDelegate.setDate(parameterName, arg1, arg2);
    }

    @Override
    public void setDate(String parameterName, Date arg1) throws SQLException {
        callDelegate.setDate(parameterName, arg1);
    }

    @Override
    public void setDouble(String parameterName, double arg1) throws SQLException {
        callDelegate.setDouble(parameterName, arg1);
    }

    @Override
    public void setFloat(String parameterName, float arg1) throws SQLException {
        callDelegate.setFloat(parameterName, arg1);
    }

    @Override
    public void setInt(String parameterName, int arg1) throws SQLException {
        callDelegate.setInt(parameterName, arg1);
    }

    @Override
    public void setLong(String parameterName, long arg1) throws SQLException {
        callDelegate.setLong(parameterName, arg1);
    }

    @Override
    public void setNCharacterStream(String parameterName, java.io.Reader arg1, long arg2) throws SQLException {
        callDelegate.setNCharacterStream(parameterName, arg1, arg2);
    }

    @Override
    public void setNCharacterStream(String parameterName, java.io.Reader arg1) throws SQLException {
        callDelegate.setNCharacterStream(parameterName, arg1);
    }

    @Override
    public void setNClob(String parameterName, java.io.Reader arg1, long arg2) throws SQLException {
        callDelegate.setNClob(parameterName, arg1, arg2);
    }

    @Override
    public void setNClob(String parameterName, java.io.Reader arg1) throws SQLException {
        callDelegate.setNClob(parameterName, arg1);
    }

    @Override
    public void setNClob(String parameterName, NClob arg1) throws SQLException {
        callDelegate.setNClob(parameterName, arg1);
    }

    @Override
    public void setNString(String parameterName, String arg1) throws SQLException {
        callDelegate.setNString(parameterName, arg1);
    }

    @Override
    public void setNull(String parameterName, int arg1, String arg2) throws SQLException {
        callDelegate.setNull(parameterName, arg1, arg2);
    }

    @Override
    public void setNull(String parameterName, int arg1) throws SQLException {
        callDelegate.setNull(parameterName, arg1);
    }

    @Override
    public void setObject(String parameterName, Object arg1, int arg2, int arg3) throws SQLException {
        callDelegate.setObject(parameterName, arg1, arg2, arg3);
    }

    @Override
    public void setObject(String parameterName, Object arg1, int arg2) throws SQLException {
        callDelegate.setObject(parameterName, arg1, arg2);
    }

    @Override
    public void setObject(String parameterName, Object arg1, SQLType arg2, int arg3) throws SQLException {
        callDelegate.setObject(parameterName, arg1, arg2, arg3);
    }

    @Override
    public void setObject(String parameterName, Object arg1, SQLType arg2) throws SQLException {
        callDelegate.setObject(parameterName, arg1, arg2);
    }

    @Override
    public void setObject(String parameterName, Object arg1) throws SQLException {
        callDelegate.setObject(parameterName, arg1);
    }

    @Override
    public void setRowId(String parameterName, RowId arg1) throws SQLException {
        callDelegate.setRowId(parameterName, arg1);
    }

    @Override
    public void setSQLXML(String parameterName, SQLXML arg1) throws SQLException {
        callDelegate.setSQLXML(parameterName, arg1);
    }

    @Override
    public void setShort(String parameterName, short arg1) throws SQLException {
        callDelegate.setShort(parameterName, arg1);
    }

    @Override
    public void setString(String parameterName, String arg1) throws SQLException {
        callDelegate.setString(parameterName, arg1);
    }

    @Override
    public void setTime(String parameterName, Time arg1, java.util.Calendar arg2) throws SQLException {
        callDelegate.setTime(parameterName, arg1, arg2);
    }

    @Override
    public void setTime(String parameterName, Time arg1) throws SQLException {
        callDelegate.setTime(parameterName, arg1);
    }

    @Override
    public void setTimestamp(String parameterName, Timestamp arg1, java.util.Calendar arg2) throws SQLException {
        callDelegate.setTimestamp(parameterName, arg1, arg2);
    }

    @Override
    public void setTimestamp(String parameterName, Timestamp arg1) throws SQLException {
        callDelegate.setTimestamp(parameterName, arg1);
    }

    @Override
    public void setURL(String parameterName, java.net.URL arg1) throws SQLException {
        callDelegate.setURL(parameterName, arg1);
    }

    @Override
    public boolean wasNull() throws SQLException {
        return callDelegate.wasNull();
    }
}
