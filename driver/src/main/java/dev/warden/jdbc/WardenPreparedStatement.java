package dev.warden.jdbc;

import dev.warden.engine.GuardedStatement;
import dev.warden.engine.SqlStates;
import dev.warden.engine.StatementAudit;
import java.sql.Array;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.Date;
import java.sql.NClob;
import java.sql.ParameterMetaData;
import java.sql.PreparedStatement;
import java.sql.Ref;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.RowId;
import java.sql.SQLException;
import java.sql.SQLType;
import java.sql.SQLXML;
import java.sql.Time;
import java.sql.Timestamp;

/**
 * A prepared statement analysed once when prepared: each setter for a parameter that carries a protected
 * column's value encrypts it before binding; other parameters are bound as given. After the engine reloads
 * its keyset, the next protected bind or execution takes the guard compiled with the new keys (see
 * {@link dev.warden.engine.WardenEngine#current}). Not thread-safe.
 */
public class WardenPreparedStatement extends WardenStatement implements PreparedStatement {

    final PreparedStatement delegate;
    GuardedStatement guarded;  // replaced only by current(), after a keyset reload
    private long batchedSets;

    WardenPreparedStatement(WardenConnection connection, PreparedStatement delegate, GuardedStatement guarded) {
        super(connection, delegate);
        this.delegate = delegate;
        this.guarded = guarded;
    }

    /**
     * The guard to bind or execute with: the one compiled when the statement was prepared until the engine
     * reloads its keyset, then one compiled with the new keys (an execution is refused when the text sent
     * would have to change).
     */
    private GuardedStatement current(boolean executing) throws SQLException {
        return guarded = connection.engine().current(connection.session(), connection.delegate(), guarded, executing);
    }

    /**
     * True when the engine reloaded its keyset since this statement was prepared and the text it must send
     * changed (see {@link dev.warden.engine.WardenEngine#current}), so that its next execution would be
     * refused: a caller that holds the statement's text and parameters, as the gateway does for a client's
     * named statement, prepares it again instead. While the keyset is unchanged this costs a comparison.
     */
    public boolean mustBePreparedAgain() throws SQLException {
        return !connection.engine().usesKeysInUse(current(false));
    }

    private void bindProtected(int parameterIndex, Object plaintext) throws SQLException {
        current(false).bind(delegate, parameterIndex, plaintext);
    }

    // ---- execution ----

    @Override
    public ResultSet executeQuery() throws SQLException {
        GuardedStatement guarded = current(true);
        if (guarded.local() != GuardedStatement.Local.NONE) {
            throw SqlStates.unsupported("SET warden.purpose returns no result; use execute");
        }
        StatementAudit audit = begin(guarded);
        try {
            return wrapResult(delegate.executeQuery(), guarded, audit);
        } catch (SQLException e) {
            audit.failed(e);  // a no-op when wrapResult already recorded the failure
            throw e;
        }
    }

    @Override
    public boolean execute() throws SQLException {
        return executeGuarded(current(true), sql -> delegate.execute());
    }

    @Override
    public int executeUpdate() throws SQLException {
        return (int) executeLargeUpdate();
    }

    @Override
    public long executeLargeUpdate() throws SQLException {
        return updateGuarded(current(true), sql -> delegate.executeLargeUpdate());
    }

    @Override
    public void addBatch() throws SQLException {
        if (guarded.local() != GuardedStatement.Local.NONE) {
            throw SqlStates.unsupported("SET warden.purpose cannot be batched");
        }
        batchedSets++;
        delegate.addBatch();
    }

    @Override
    public void clearBatch() throws SQLException {
        batchedSets = 0;
        delegate.clearBatch();
    }

    /** One audit record for the whole batch, with the total rows affected. */
    @Override
    public long[] executeLargeBatch() throws SQLException {
        if (batchedSets == 0) return super.executeLargeBatch();  // Statement.addBatch(String) misuse: let it fail
        GuardedStatement guarded = current(true);
        StatementAudit audit = begin(guarded);
        batchedSets = 0;
        long[] counts;
        try {
            counts = delegate.executeLargeBatch();
        } catch (SQLException e) {
            audit.failed(e);
            throw e;
        }
        long total = 0;
        for (long c : counts) total += Math.max(c, 0);
        succeeded(guarded, audit, total);
        return counts;
    }

    @Override
    public int[] executeBatch() throws SQLException {
        long[] counts = executeLargeBatch();
        int[] result = new int[counts.length];
        for (int i = 0; i < counts.length; i++) result[i] = (int) counts[i];
        return result;
    }

    @Override
    public ResultSetMetaData getMetaData() throws SQLException {
        ResultSetMetaData meta = delegate.getMetaData();
        return meta == null ? null : new WardenResultSetMetaData(meta, guarded.decoder());
    }

    @Override
    public void clearParameters() throws SQLException {
        delegate.clearParameters();
    }

    /** Parameter forms that cannot be turned into a value to encrypt are refused for protected columns. */
    private void refuseProtected(int parameterIndex, String setter) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            throw SqlStates.unsupported(setter + " cannot bind protected column "
                    + guarded.parameterColumnName(parameterIndex) + "; bind a String, number, date or byte[]");
        }
    }

    // ---- parameters: protected ones are encrypted, the rest bound as given ----

    @Override
    public ParameterMetaData getParameterMetaData() throws SQLException {
        ParameterMetaData meta = delegate.getParameterMetaData();
        // after a key rotation the text sent may carry more parameters than the application's
        return meta == null || guarded.targetParameterCount() < 0 ? meta : new ExpandedParameterMetaData(meta, guarded);
    }

    @Override
    public void setArray(int parameterIndex, Array x) throws SQLException {
        refuseProtected(parameterIndex, "setArray");
        delegate.setArray(guarded.targetIndex(parameterIndex), x);
    }

    @Override
    public void setAsciiStream(int parameterIndex, java.io.InputStream x, int arg2) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, ParameterValues.text(x, "setAsciiStream"));
            return;
        }
        delegate.setAsciiStream(guarded.targetIndex(parameterIndex), x, arg2);
    }

    @Override
    public void setAsciiStream(int parameterIndex, java.io.InputStream x, long arg2) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, ParameterValues.text(x, "setAsciiStream"));
            return;
        }
        delegate.setAsciiStream(guarded.targetIndex(parameterIndex), x, arg2);
    }

    @Override
    public void setAsciiStream(int parameterIndex, java.io.InputStream x) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, ParameterValues.text(x, "setAsciiStream"));
            return;
        }
        delegate.setAsciiStream(guarded.targetIndex(parameterIndex), x);
    }

    @Override
    public void setBigDecimal(int parameterIndex, java.math.BigDecimal x) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, x);
            return;
        }
        delegate.setBigDecimal(guarded.targetIndex(parameterIndex), x);
    }

    @Override
    public void setBinaryStream(int parameterIndex, java.io.InputStream x, int arg2) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, ParameterValues.bytes(x, "setBinaryStream"));
            return;
        }
        delegate.setBinaryStream(guarded.targetIndex(parameterIndex), x, arg2);
    }

    @Override
    public void setBinaryStream(int parameterIndex, java.io.InputStream x, long arg2) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, ParameterValues.bytes(x, "setBinaryStream"));
            return;
        }
        delegate.setBinaryStream(guarded.targetIndex(parameterIndex), x, arg2);
    }

    @Override
    public void setBinaryStream(int parameterIndex, java.io.InputStream x) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, ParameterValues.bytes(x, "setBinaryStream"));
            return;
        }
        delegate.setBinaryStream(guarded.targetIndex(parameterIndex), x);
    }

    @Override
    public void setBlob(int parameterIndex, java.io.InputStream x, long arg2) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, ParameterValues.bytes(x, "setBlob"));
            return;
        }
        delegate.setBlob(guarded.targetIndex(parameterIndex), x, arg2);
    }

    @Override
    public void setBlob(int parameterIndex, java.io.InputStream x) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, ParameterValues.bytes(x, "setBlob"));
            return;
        }
        delegate.setBlob(guarded.targetIndex(parameterIndex), x);
    }

    @Override
    public void setBlob(int parameterIndex, Blob x) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, ParameterValues.bytes(x, "setBlob"));
            return;
        }
        delegate.setBlob(guarded.targetIndex(parameterIndex), x);
    }

    @Override
    public void setBoolean(int parameterIndex, boolean x) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, x);
            return;
        }
        delegate.setBoolean(guarded.targetIndex(parameterIndex), x);
    }

    @Override
    public void setByte(int parameterIndex, byte x) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, x);
            return;
        }
        delegate.setByte(guarded.targetIndex(parameterIndex), x);
    }

    @Override
    public void setBytes(int parameterIndex, byte[] x) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, x);
            return;
        }
        delegate.setBytes(guarded.targetIndex(parameterIndex), x);
    }

    @Override
    public void setCharacterStream(int parameterIndex, java.io.Reader x, int arg2) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, ParameterValues.text(x, "setCharacterStream"));
            return;
        }
        delegate.setCharacterStream(guarded.targetIndex(parameterIndex), x, arg2);
    }

    @Override
    public void setCharacterStream(int parameterIndex, java.io.Reader x, long arg2) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, ParameterValues.text(x, "setCharacterStream"));
            return;
        }
        delegate.setCharacterStream(guarded.targetIndex(parameterIndex), x, arg2);
    }

    @Override
    public void setCharacterStream(int parameterIndex, java.io.Reader x) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, ParameterValues.text(x, "setCharacterStream"));
            return;
        }
        delegate.setCharacterStream(guarded.targetIndex(parameterIndex), x);
    }

    @Override
    public void setClob(int parameterIndex, java.io.Reader x, long arg2) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, ParameterValues.text(x, "setClob"));
            return;
        }
        delegate.setClob(guarded.targetIndex(parameterIndex), x, arg2);
    }

    @Override
    public void setClob(int parameterIndex, java.io.Reader x) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, ParameterValues.text(x, "setClob"));
            return;
        }
        delegate.setClob(guarded.targetIndex(parameterIndex), x);
    }

    @Override
    public void setClob(int parameterIndex, Clob x) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, ParameterValues.text(x, "setClob"));
            return;
        }
        delegate.setClob(guarded.targetIndex(parameterIndex), x);
    }

    @Override
    public void setDate(int parameterIndex, Date x, java.util.Calendar arg2) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, x);
            return;
        }
        delegate.setDate(guarded.targetIndex(parameterIndex), x, arg2);
    }

    @Override
    public void setDate(int parameterIndex, Date x) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, x);
            return;
        }
        delegate.setDate(guarded.targetIndex(parameterIndex), x);
    }

    @Override
    public void setDouble(int parameterIndex, double x) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, x);
            return;
        }
        delegate.setDouble(guarded.targetIndex(parameterIndex), x);
    }

    @Override
    public void setFloat(int parameterIndex, float x) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, x);
            return;
        }
        delegate.setFloat(guarded.targetIndex(parameterIndex), x);
    }

    @Override
    public void setInt(int parameterIndex, int x) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, x);
            return;
        }
        delegate.setInt(guarded.targetIndex(parameterIndex), x);
    }

    @Override
    public void setLong(int parameterIndex, long x) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, x);
            return;
        }
        delegate.setLong(guarded.targetIndex(parameterIndex), x);
    }

    @Override
    public void setNCharacterStream(int parameterIndex, java.io.Reader x, long arg2) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, ParameterValues.text(x, "setNCharacterStream"));
            return;
        }
        delegate.setNCharacterStream(guarded.targetIndex(parameterIndex), x, arg2);
    }

    @Override
    public void setNCharacterStream(int parameterIndex, java.io.Reader x) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, ParameterValues.text(x, "setNCharacterStream"));
            return;
        }
        delegate.setNCharacterStream(guarded.targetIndex(parameterIndex), x);
    }

    @Override
    public void setNClob(int parameterIndex, java.io.Reader x, long arg2) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, ParameterValues.text(x, "setNClob"));
            return;
        }
        delegate.setNClob(guarded.targetIndex(parameterIndex), x, arg2);
    }

    @Override
    public void setNClob(int parameterIndex, java.io.Reader x) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, ParameterValues.text(x, "setNClob"));
            return;
        }
        delegate.setNClob(guarded.targetIndex(parameterIndex), x);
    }

    @Override
    public void setNClob(int parameterIndex, NClob x) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, ParameterValues.text(x, "setNClob"));
            return;
        }
        delegate.setNClob(guarded.targetIndex(parameterIndex), x);
    }

    @Override
    public void setNString(int parameterIndex, String x) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, x);
            return;
        }
        delegate.setNString(guarded.targetIndex(parameterIndex), x);
    }

    @Override
    public void setNull(int parameterIndex, int x, String arg2) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, null);
            return;
        }
        delegate.setNull(guarded.targetIndex(parameterIndex), x, arg2);
    }

    @Override
    public void setNull(int parameterIndex, int x) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, null);
            return;
        }
        delegate.setNull(guarded.targetIndex(parameterIndex), x);
    }

    @Override
    public void setObject(int parameterIndex, Object x, int arg2, int arg3) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, x);
            return;
        }
        delegate.setObject(guarded.targetIndex(parameterIndex), x, arg2, arg3);
    }

    @Override
    public void setObject(int parameterIndex, Object x, int arg2) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, x);
            return;
        }
        delegate.setObject(guarded.targetIndex(parameterIndex), x, arg2);
    }

    @Override
    public void setObject(int parameterIndex, Object x, SQLType arg2, int arg3) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, x);
            return;
        }
        delegate.setObject(guarded.targetIndex(parameterIndex), x, arg2, arg3);
    }

    @Override
    public void setObject(int parameterIndex, Object x, SQLType arg2) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, x);
            return;
        }
        delegate.setObject(guarded.targetIndex(parameterIndex), x, arg2);
    }

    @Override
    public void setObject(int parameterIndex, Object x) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, x);
            return;
        }
        delegate.setObject(guarded.targetIndex(parameterIndex), x);
    }

    @Override
    public void setRef(int parameterIndex, Ref x) throws SQLException {
        refuseProtected(parameterIndex, "setRef");
        delegate.setRef(guarded.targetIndex(parameterIndex), x);
    }

    @Override
    public void setRowId(int parameterIndex, RowId x) throws SQLException {
        refuseProtected(parameterIndex, "setRowId");
        delegate.setRowId(guarded.targetIndex(parameterIndex), x);
    }

    @Override
    public void setSQLXML(int parameterIndex, SQLXML x) throws SQLException {
        refuseProtected(parameterIndex, "setSQLXML");
        delegate.setSQLXML(guarded.targetIndex(parameterIndex), x);
    }

    @Override
    public void setShort(int parameterIndex, short x) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, x);
            return;
        }
        delegate.setShort(guarded.targetIndex(parameterIndex), x);
    }

    @Override
    public void setString(int parameterIndex, String x) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, x);
            return;
        }
        delegate.setString(guarded.targetIndex(parameterIndex), x);
    }

    @Override
    public void setTime(int parameterIndex, Time x, java.util.Calendar arg2) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, x);
            return;
        }
        delegate.setTime(guarded.targetIndex(parameterIndex), x, arg2);
    }

    @Override
    public void setTime(int parameterIndex, Time x) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, x);
            return;
        }
        delegate.setTime(guarded.targetIndex(parameterIndex), x);
    }

    @Override
    public void setTimestamp(int parameterIndex, Timestamp x, java.util.Calendar arg2) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, x);
            return;
        }
        delegate.setTimestamp(guarded.targetIndex(parameterIndex), x, arg2);
    }

    @Override
    public void setTimestamp(int parameterIndex, Timestamp x) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, x);
            return;
        }
        delegate.setTimestamp(guarded.targetIndex(parameterIndex), x);
    }

    @Override
    public void setURL(int parameterIndex, java.net.URL x) throws SQLException {
        refuseProtected(parameterIndex, "setURL");
        delegate.setURL(guarded.targetIndex(parameterIndex), x);
    }

    @Override
    public void setUnicodeStream(int parameterIndex, java.io.InputStream x, int arg2) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, x);
            return;
        }
        delegate.setUnicodeStream(guarded.targetIndex(parameterIndex), x, arg2);
    }
}
