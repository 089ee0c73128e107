package dev.warden.jdbc;

import dev.warden.engine.GuardedStatement;
import dev.warden.engine.SqlStates;
import dev.warden.engine.StatementAudit;
import dev.warden.engine.WardenEngine;
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
 * its keyset, the statement follows it (see {@link dev.warden.engine.WardenEngine#current}): when the text to
 * send is unchanged, the guard compiled with the new keys replaces the old one and protected values already
 * bound are encrypted again under the new keys; when the text changed (an equality filter on a deterministic
 * column goes out once per enabled key), the real statement is prepared again with the new text, the same
 * creation arguments and settings, and the parameters bound again (see {@link BoundParameters}). What cannot
 * be replayed exactly (an unprotected stream, a pending batch) is refused with 0A000. Not thread-safe.
 */
public class WardenPreparedStatement extends WardenStatement implements PreparedStatement {

    /** Prepares the real statement for a text, with the creation arguments the application gave. */
    @FunctionalInterface
    interface RealPreparer {
        PreparedStatement prepare(java.sql.Connection real, String sql) throws SQLException;
    }

    PreparedStatement delegate;  // replaced only by reprepare(), after a keyset reload
    GuardedStatement guarded;    // replaced only by followReload(), after a keyset reload
    private final RealPreparer preparer;  // null: never prepared again (a call)
    /** The application's binds, kept while the statement is open; null when its guard depends on no key. */
    private final BoundParameters bound;
    private long batchedSets;
    private Object[] matchPatterns;  // by parameter index: LIKE patterns through a match index, compiled; null: none

    @Override
    Object[] boundMatchPatterns() {
        return matchPatterns;
    }

    WardenPreparedStatement(WardenConnection connection, PreparedStatement delegate, GuardedStatement guarded) {
        this(connection, delegate, guarded, null);
    }

    WardenPreparedStatement(WardenConnection connection, PreparedStatement delegate, GuardedStatement guarded,
                            RealPreparer preparer) {
        super(connection, delegate);
        this.delegate = delegate;
        this.guarded = guarded;
        this.preparer = preparer;
        // a guard compiled without a keyset changes only with the policy (WardenEngine#isCurrent), and binds
        // nothing protected: nothing to replay (followReload refuses what a reload newly protects)
        this.bound = preparer != null && guarded.dependsOnKeys() ? new BoundParameters() : null;
    }

    /**
     * The guard to bind or execute with: the one compiled when the statement was prepared until the engine
     * reloads its keyset, then one compiled with the new keys. While the keyset is unchanged this costs a
     * field read and a comparison.
     */
    private GuardedStatement current(boolean executing) throws SQLException {
        GuardedStatement g = guarded;
        return connection.engine().isCurrent(g) ? g : followReload(g, executing);
    }

    /** {@link #current}, for an execution: also checked by {@link WardenEngine#checkStringsReadAlike} (a look-up). */
    private GuardedStatement forExecution() throws SQLException {
        GuardedStatement g = current(true);
        connection.engine().checkStringsReadAlike(connection.session(), connection.delegate(), g);
        connection.engine().checkNamesUnchanged(connection.session(), connection.delegate(), g);
        if (g.candidateBoundIndex() > 0) {
            long bound;
            try {
                bound = g.firstCandidateBound(matchPatterns);
            } catch (SQLException e) {
                // a LIMIT or OFFSET bound negative (or not bound): refused before anything is sent, as PostgreSQL does
                connection.engine().auditRefusal(connection.session(), g, e);
                throw e;
            }
            delegate.setLong(g.candidateBoundIndex(), bound);
        }
        return g;
    }

    /** Always the prepared real statement, which holds the bound parameters (prepared scrollable when it sorts). */
    @Override
    java.sql.Statement realStatementFor(GuardedStatement guarded) {
        return delegate;
    }

    /** Runs again with a larger candidate bound; the application's parameters stay bound on the real statement. */
    @Override
    ResultSet moreCandidates(long bound) throws SQLException {
        delegate.setLong(current.candidateBoundIndex(), bound);
        return delegate.executeQuery();
    }

    /**
     * The engine reloaded its keyset since {@code old} was compiled. Binding ({@code executing} false): the new
     * guard is taken when it sends the same text, the protected values bound so far encrypted again under the
     * new keys; otherwise the old one binds into the old real statement, which is replaced before anything is
     * sent. Executing: the real statement is prepared again when the text changed.
     */
    private GuardedStatement followReload(GuardedStatement old, boolean executing) throws SQLException {
        WardenEngine engine = connection.engine();
        if (bound == null) return followPolicyReload(engine, old, executing);
        if (!executing) {
            GuardedStatement now = engine.current(connection.session(), connection.delegate(), old, false);
            if (now != old) adopt(engine, now, false);
            return guarded;
        }
        GuardedStatement fresh = engine.recompiled(connection.session(), connection.delegate(), old);
        if (WardenEngine.sendsSameText(old, fresh)) {
            if (batchedSets > 0 && old.protectsAnyParameter()) {
                throw refuseBatch(engine, old, fresh);
            }
            adopt(engine, fresh, true);
            return fresh;
        }
        if (batchedSets > 0) throw refuseBatch(engine, old, fresh);
        return reprepare(engine, old, fresh);
    }

    /**
     * A statement whose guard bound nothing protected (no values kept) follows a reload: when the new guard
     * protects a parameter (a policy reload put its column under the policy), what was bound so far went into the
     * real statement as the application gave it, so it is cleared, and an execution is refused (0A000, audited):
     * the application binds the parameters again, and they are then encrypted.
     */
    private GuardedStatement followPolicyReload(WardenEngine engine, GuardedStatement old, boolean executing)
            throws SQLException {
        GuardedStatement now = engine.current(connection.session(), connection.delegate(), old, executing);
        if (now != old && now.protectsAnyParameter() && !old.protectsAnyParameter()) {
            return rebindAfterReload(engine, now, executing);
        }
        return guarded = now;
    }

    /**
     * Takes {@code fresh} (same text) in place of the guard: protected values bound are encrypted anew. When a
     * policy reload changed which parameters are protected, what was bound is cleared instead (a value bound as
     * given may now belong encrypted) and an execution refused (0A000, audited): the application binds again.
     */
    private void adopt(WardenEngine engine, GuardedStatement fresh, boolean executing) throws SQLException {
        if (!bound.protectsAlike(fresh)) {
            rebindAfterReload(engine, fresh, executing);
            return;
        }
        bound.replay(delegate, fresh, true);
        guarded = fresh;
    }

    /**
     * A policy reload changed which parameters are protected: everything bound before it went into the real
     * statement as it was then protected (as the application gave it, in observe mode or while the column was not
     * encrypted), so all of it is cleared, the parameter sets already added to the batch too: the real statement
     * keeps those in its own batch, which a later execution would send. An execution is refused (0A000, audited),
     * and so is the bind or execution that finds a batch cleared: the application binds (and adds) again.
     */
    private GuardedStatement rebindAfterReload(WardenEngine engine, GuardedStatement fresh, boolean executing)
            throws SQLException {
        if (bound != null) bound.clear();
        delegate.clearParameters();
        guarded = fresh;
        long sets = batchedSets;
        if (sets > 0) clearBatch();
        if (executing || sets > 0) throw reboundRefusal(engine, fresh, sets);
        return fresh;
    }

    private SQLException reboundRefusal(WardenEngine engine, GuardedStatement fresh, long clearedSets)
            throws SQLException {
        SQLException refused = SqlStates.unsupported("the policy was reloaded after the parameters of this statement"
                + " were bound and now protects them differently: they were cleared"
                + (clearedSets > 0 ? ", with the " + clearedSets + " parameter set(s) added to the batch before the"
                        + " reload; bind and add them again" : ", bind them again"));
        engine.auditRefusal(connection.session(), fresh, refused);
        return refused;
    }

    /**
     * Parameter sets added to the batch before the reload went into the real statement encrypted under the
     * previous keys (and, when the text changed, for a text that would miss rows): they cannot be encrypted
     * again, so the batch is cleared and refused; the application adds it again.
     */
    private SQLException refuseBatch(WardenEngine engine, GuardedStatement old, GuardedStatement fresh)
            throws SQLException {
        long sets = batchedSets;
        clearBatch();
        String remedy = sets + " parameter set(s) added to the batch before the reload cannot be sent: the batch"
                + " was cleared, add them again";
        if (!WardenEngine.sendsSameText(old, fresh)) return engine.stale(connection.session(), old, fresh, remedy);
        SQLException refused = SqlStates.unsupported("the keyset was reloaded after parameter sets with protected"
                + " values were added to the batch, encrypted under the previous keys: " + remedy);
        engine.auditRefusal(connection.session(), old, refused);
        return refused;
    }

    /**
     * Prepares the real statement again for {@code fresh}'s text, with the same creation arguments, the
     * settings the application gave the old one, and its parameters bound again. When a bound parameter
     * cannot be bound again (an unprotected stream the real driver may have read), the statement still
     * follows the reload, with no parameter bound, and this execution is refused: the application binds
     * them again.
     */
    private GuardedStatement reprepare(WardenEngine engine, GuardedStatement old, GuardedStatement fresh)
            throws SQLException {
        PreparedStatement previous = delegate;
        PreparedStatement next = preparer.prepare(connection.delegate(), fresh.sql());
        String unreplayable = bound.unreplayable();
        if (unreplayable == null && !bound.protectsAlike(fresh)) {
            unreplayable = "a parameter the reloaded policy protects differently";
        }
        try {
            carrySettings(previous, next);
            if (unreplayable == null) bound.replay(next, fresh, false);
        } catch (SQLException | RuntimeException e) {
            next.close();
            throw e;
        }
        replaceDelegate(next);
        delegate = next;
        guarded = fresh;
        previous.close();
        if (unreplayable != null) {
            bound.clear();
            throw engine.stale(connection.session(), old, fresh, "it was prepared again, but " + unreplayable
                    + " cannot be bound again: bind the parameters again and execute it");
        }
        return fresh;
    }

    /** The settings that shape an execution, as the application left them on the real statement replaced. */
    private void carrySettings(PreparedStatement from, PreparedStatement to) throws SQLException {
        if (from.getFetchSize() != to.getFetchSize()) to.setFetchSize(from.getFetchSize());
        long maxRows = largeMaxRows(from);
        if (maxRows != largeMaxRows(to)) {
            if (maxRows <= Integer.MAX_VALUE) to.setMaxRows((int) maxRows); else to.setLargeMaxRows(maxRows);
        }
        if (from.getQueryTimeout() != to.getQueryTimeout()) to.setQueryTimeout(from.getQueryTimeout());
        if (from.getFetchDirection() != to.getFetchDirection()) to.setFetchDirection(from.getFetchDirection());
        if (from.getMaxFieldSize() != to.getMaxFieldSize()) to.setMaxFieldSize(from.getMaxFieldSize());
        if (from.isPoolable() != to.isPoolable()) to.setPoolable(from.isPoolable());
        if (escapeProcessing != null) to.setEscapeProcessing(escapeProcessing);
        if (from.isCloseOnCompletion() && !to.isCloseOnCompletion()) to.closeOnCompletion();
    }

    private static long largeMaxRows(PreparedStatement ps) throws SQLException {
        try {
            return ps.getLargeMaxRows();
        } catch (java.sql.SQLFeatureNotSupportedException | UnsupportedOperationException e) {
            return ps.getMaxRows();
        }
    }

    /**
     * True when the engine reloaded its keyset since this statement was prepared and the text it must send
     * changed (see {@link dev.warden.engine.WardenEngine#current}): a caller that holds the statement's text
     * and parameters, as the gateway does for a client's named statement, may prepare it again itself (the
     * statement would otherwise do so at its next execution). While the keyset is unchanged this costs a
     * comparison.
     */
    boolean mustBePreparedAgain() throws SQLException {
        return !connection.engine().isCurrent(current(false));
    }

    /**
     * {@code x} bound to parameter {@code index} with a character setter: for a LIMIT or OFFSET count taken out
     * of the statement, what the real driver's typing makes of it. pgjdbc sends such a value as character varying
     * (unless stringtype=unspecified), which PostgreSQL refuses as a count whatever it holds (42804); untyped
     * text (Types.OTHER, as the gateway binds a client's untyped parameter) is coerced.
     */
    private Object asCharacterVarying(int index, Object x) throws SQLException {
        return current(false).bindsCount(index) && sendsStringsAsVarchar()
                ? GuardedStatement.CHARACTER_VARYING_COUNT : x;
    }

    /**
     * {@code x} bound to parameter {@code index} with {@code setObject}: a PGobject of type text or varchar (see
     * {@link PgTypedText}) is, for a LIMIT or OFFSET count taken out of the statement, refused as PostgreSQL refuses
     * a count of that type (42804, naming it), and otherwise the string it holds; anything else is {@code x}.
     */
    private Object asTypedText(int index, Object x) throws SQLException {
        String type = PgTypedText.typeOf(x);
        if (type == null) return x;
        if (current(false).bindsCount(index)) {
            return "text".equals(type) ? GuardedStatement.TEXT_COUNT : GuardedStatement.CHARACTER_VARYING_COUNT;
        }
        return PgTypedText.valueOf(x);
    }

    private static boolean isCharacterType(int sqlType) {
        return sqlType == java.sql.Types.VARCHAR || sqlType == java.sql.Types.CHAR
                || sqlType == java.sql.Types.LONGVARCHAR;
    }

    private Boolean stringsAsVarchar;  // the real driver's stringtype, read once

    private boolean sendsStringsAsVarchar() {
        if (stringsAsVarchar == null) {
            boolean varchar = true;  // pgjdbc's default
            try {
                java.sql.Connection real = connection.delegate();
                Class<?> iface = Class.forName("org.postgresql.core.BaseConnection", false,
                        real.getClass().getClassLoader());
                if (real.isWrapperFor(iface)) {
                    varchar = (Boolean) iface.getMethod("getStringVarcharFlag").invoke(real.unwrap(iface));
                }
            } catch (SQLException | ReflectiveOperationException | LinkageError | RuntimeException e) {
                // not pgjdbc, or it does not say: its default
            }
            stringsAsVarchar = varchar;
        }
        return stringsAsVarchar;
    }

    private void bindProtected(int parameterIndex, Object plaintext) throws SQLException {
        GuardedStatement guard = current(false);
        if (guard.bindsMatchPattern(parameterIndex)) {
            // a LIKE pattern through a match index: bound as its tokens, kept compiled for the re-check of rows
            if (matchPatterns == null || matchPatterns.length <= parameterIndex) {
                matchPatterns = java.util.Arrays.copyOf(matchPatterns == null ? new Object[0] : matchPatterns,
                        parameterIndex + 1);
            }
            matchPatterns[parameterIndex] = guard.bindMatchPattern(delegate, parameterIndex, plaintext);
            if (bound != null) bound.protectedValue(parameterIndex, plaintext);
            return;
        }
        guard.bind(delegate, parameterIndex, plaintext);
        if (bound != null) bound.protectedValue(parameterIndex, plaintext);
    }

    // ---- execution ----

    @Override
    public ResultSet executeQuery() throws SQLException {
        GuardedStatement guarded = forExecution();
        if (guarded.local() != GuardedStatement.Local.NONE) {
            throw SqlStates.unsupported("SET warden.purpose returns no result; use execute");
        }
        StatementAudit audit = begin(guarded);
        try {
            return wrapResult(delegate.executeQuery(), guarded, audit);
        } catch (SQLException e) {
            throw failed(e, guarded, audit);  // recording is a no-op when wrapResult already recorded the failure
        }
    }

    @Override
    public boolean execute() throws SQLException {
        return executeGuarded(forExecution(), sql -> delegate.execute());
    }

    @Override
    public int executeUpdate() throws SQLException {
        return (int) executeLargeUpdate();
    }

    @Override
    public long executeLargeUpdate() throws SQLException {
        return updateGuarded(forExecution(), sql -> delegate.executeLargeUpdate());
    }

    /**
     * After a keyset reload the set being added follows it first (see {@link #followReload}), so that a batch
     * begun after the reload goes out with the new keys and text.
     */
    @Override
    public void addBatch() throws SQLException {
        if (guarded.local() != GuardedStatement.Local.NONE) {
            throw SqlStates.unsupported("SET warden.purpose cannot be batched");
        }
        if (bound != null) current(true);
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
        GuardedStatement guarded = forExecution();
        StatementAudit audit = begin(guarded);
        batchedSets = 0;
        long[] counts;
        try {
            counts = delegate.executeLargeBatch();
        } catch (SQLException e) {
            // pgjdbc's BatchUpdateException shows the failed entry with its parameter values inlined
            throw failed(e, guarded, audit);
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
        ResultSetMetaData meta;
        try {
            meta = delegate.getMetaData();  // may ask the server to describe the statement
        } catch (SQLException e) {
            throw connection.redact(e, guarded.touchesProtected());
        }
        if (meta == null) return null;
        return new WardenResultSetMetaData(meta, guarded.decoder(), guarded.visibleColumns());
    }

    @Override
    public void clearParameters() throws SQLException {
        delegate.clearParameters();
        matchPatterns = null;  // a pattern under NOT is bound nowhere else: it must be bound again too
        if (bound != null) bound.clear();
    }

    @Override
    public void close() throws SQLException {
        if (bound != null) bound.clear();  // the application's values are not kept past the statement
        super.close();
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
        ParameterMetaData meta;
        try {
            meta = delegate.getParameterMetaData();  // asks the server to describe the statement
        } catch (SQLException e) {
            throw connection.redact(e, guarded.touchesProtected());
        }
        // after a key rotation the text sent may carry more parameters than the application's
        return meta == null || guarded.targetParameterCount() < 0 ? meta : new ExpandedParameterMetaData(meta, guarded);
    }

    @Override
    public void setArray(int parameterIndex, Array x) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            // col = ANY (?): each element is encrypted (any other use of a protected parameter refuses an array)
            bindProtected(parameterIndex, x);
            return;
        }
        delegate.setArray(guarded.targetIndex(parameterIndex), x);
        if (bound != null) bound.set(parameterIndex, BoundParameters.Setter.ARRAY, x);
    }

    @Override
    public void setAsciiStream(int parameterIndex, java.io.InputStream x, int arg2) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, ParameterValues.text(x, "setAsciiStream"));
            return;
        }
        delegate.setAsciiStream(guarded.targetIndex(parameterIndex), x, arg2);
        if (bound != null) bound.stream(parameterIndex, "setAsciiStream");
    }

    @Override
    public void setAsciiStream(int parameterIndex, java.io.InputStream x, long arg2) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, ParameterValues.text(x, "setAsciiStream"));
            return;
        }
        delegate.setAsciiStream(guarded.targetIndex(parameterIndex), x, arg2);
        if (bound != null) bound.stream(parameterIndex, "setAsciiStream");
    }

    @Override
    public void setAsciiStream(int parameterIndex, java.io.InputStream x) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, ParameterValues.text(x, "setAsciiStream"));
            return;
        }
        delegate.setAsciiStream(guarded.targetIndex(parameterIndex), x);
        if (bound != null) bound.stream(parameterIndex, "setAsciiStream");
    }

    @Override
    public void setBigDecimal(int parameterIndex, java.math.BigDecimal x) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, x);
            return;
        }
        delegate.setBigDecimal(guarded.targetIndex(parameterIndex), x);
        if (bound != null) bound.set(parameterIndex, BoundParameters.Setter.BIG_DECIMAL, x);
    }

    @Override
    public void setBinaryStream(int parameterIndex, java.io.InputStream x, int arg2) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, ParameterValues.bytes(x, "setBinaryStream"));
            return;
        }
        delegate.setBinaryStream(guarded.targetIndex(parameterIndex), x, arg2);
        if (bound != null) bound.stream(parameterIndex, "setBinaryStream");
    }

    @Override
    public void setBinaryStream(int parameterIndex, java.io.InputStream x, long arg2) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, ParameterValues.bytes(x, "setBinaryStream"));
            return;
        }
        delegate.setBinaryStream(guarded.targetIndex(parameterIndex), x, arg2);
        if (bound != null) bound.stream(parameterIndex, "setBinaryStream");
    }

    @Override
    public void setBinaryStream(int parameterIndex, java.io.InputStream x) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, ParameterValues.bytes(x, "setBinaryStream"));
            return;
        }
        delegate.setBinaryStream(guarded.targetIndex(parameterIndex), x);
        if (bound != null) bound.stream(parameterIndex, "setBinaryStream");
    }

    @Override
    public void setBlob(int parameterIndex, java.io.InputStream x, long arg2) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, ParameterValues.bytes(x, "setBlob"));
            return;
        }
        delegate.setBlob(guarded.targetIndex(parameterIndex), x, arg2);
        if (bound != null) bound.stream(parameterIndex, "setBlob");
    }

    @Override
    public void setBlob(int parameterIndex, java.io.InputStream x) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, ParameterValues.bytes(x, "setBlob"));
            return;
        }
        delegate.setBlob(guarded.targetIndex(parameterIndex), x);
        if (bound != null) bound.stream(parameterIndex, "setBlob");
    }

    @Override
    public void setBlob(int parameterIndex, Blob x) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, ParameterValues.bytes(x, "setBlob"));
            return;
        }
        delegate.setBlob(guarded.targetIndex(parameterIndex), x);
        if (bound != null) bound.set(parameterIndex, BoundParameters.Setter.BLOB, x);
    }

    @Override
    public void setBoolean(int parameterIndex, boolean x) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, x);
            return;
        }
        delegate.setBoolean(guarded.targetIndex(parameterIndex), x);
        if (bound != null) bound.primitive(parameterIndex, BoundParameters.Setter.BOOLEAN, x ? 1 : 0);
    }

    @Override
    public void setByte(int parameterIndex, byte x) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, x);
            return;
        }
        delegate.setByte(guarded.targetIndex(parameterIndex), x);
        if (bound != null) bound.primitive(parameterIndex, BoundParameters.Setter.BYTE, x);
    }

    @Override
    public void setBytes(int parameterIndex, byte[] x) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, x);
            return;
        }
        delegate.setBytes(guarded.targetIndex(parameterIndex), x);
        if (bound != null) bound.set(parameterIndex, BoundParameters.Setter.BYTES, x);
    }

    @Override
    public void setCharacterStream(int parameterIndex, java.io.Reader x, int arg2) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, ParameterValues.text(x, "setCharacterStream"));
            return;
        }
        delegate.setCharacterStream(guarded.targetIndex(parameterIndex), x, arg2);
        if (bound != null) bound.stream(parameterIndex, "setCharacterStream");
    }

    @Override
    public void setCharacterStream(int parameterIndex, java.io.Reader x, long arg2) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, ParameterValues.text(x, "setCharacterStream"));
            return;
        }
        delegate.setCharacterStream(guarded.targetIndex(parameterIndex), x, arg2);
        if (bound != null) bound.stream(parameterIndex, "setCharacterStream");
    }

    @Override
    public void setCharacterStream(int parameterIndex, java.io.Reader x) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, ParameterValues.text(x, "setCharacterStream"));
            return;
        }
        delegate.setCharacterStream(guarded.targetIndex(parameterIndex), x);
        if (bound != null) bound.stream(parameterIndex, "setCharacterStream");
    }

    @Override
    public void setClob(int parameterIndex, java.io.Reader x, long arg2) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, ParameterValues.text(x, "setClob"));
            return;
        }
        delegate.setClob(guarded.targetIndex(parameterIndex), x, arg2);
        if (bound != null) bound.stream(parameterIndex, "setClob");
    }

    @Override
    public void setClob(int parameterIndex, java.io.Reader x) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, ParameterValues.text(x, "setClob"));
            return;
        }
        delegate.setClob(guarded.targetIndex(parameterIndex), x);
        if (bound != null) bound.stream(parameterIndex, "setClob");
    }

    @Override
    public void setClob(int parameterIndex, Clob x) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, ParameterValues.text(x, "setClob"));
            return;
        }
        delegate.setClob(guarded.targetIndex(parameterIndex), x);
        if (bound != null) bound.set(parameterIndex, BoundParameters.Setter.CLOB, x);
    }

    @Override
    public void setDate(int parameterIndex, Date x, java.util.Calendar arg2) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, ParameterValues.date(x, arg2));
            return;
        }
        delegate.setDate(guarded.targetIndex(parameterIndex), x, arg2);
        if (bound != null) bound.set(parameterIndex, BoundParameters.Setter.DATE, x, arg2);
    }

    @Override
    public void setDate(int parameterIndex, Date x) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, x);
            return;
        }
        delegate.setDate(guarded.targetIndex(parameterIndex), x);
        if (bound != null) bound.set(parameterIndex, BoundParameters.Setter.DATE, x);
    }

    @Override
    public void setDouble(int parameterIndex, double x) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, x);
            return;
        }
        delegate.setDouble(guarded.targetIndex(parameterIndex), x);
        if (bound != null) bound.primitive(parameterIndex, BoundParameters.Setter.DOUBLE, Double.doubleToRawLongBits(x));
    }

    @Override
    public void setFloat(int parameterIndex, float x) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, x);
            return;
        }
        delegate.setFloat(guarded.targetIndex(parameterIndex), x);
        if (bound != null) bound.primitive(parameterIndex, BoundParameters.Setter.FLOAT, Float.floatToRawIntBits(x));
    }

    @Override
    public void setInt(int parameterIndex, int x) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, x);
            return;
        }
        delegate.setInt(guarded.targetIndex(parameterIndex), x);
        if (bound != null) bound.primitive(parameterIndex, BoundParameters.Setter.INT, x);
    }

    @Override
    public void setLong(int parameterIndex, long x) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, x);
            return;
        }
        delegate.setLong(guarded.targetIndex(parameterIndex), x);
        if (bound != null) bound.primitive(parameterIndex, BoundParameters.Setter.LONG, x);
    }

    @Override
    public void setNCharacterStream(int parameterIndex, java.io.Reader x, long arg2) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, ParameterValues.text(x, "setNCharacterStream"));
            return;
        }
        delegate.setNCharacterStream(guarded.targetIndex(parameterIndex), x, arg2);
        if (bound != null) bound.stream(parameterIndex, "setNCharacterStream");
    }

    @Override
    public void setNCharacterStream(int parameterIndex, java.io.Reader x) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, ParameterValues.text(x, "setNCharacterStream"));
            return;
        }
        delegate.setNCharacterStream(guarded.targetIndex(parameterIndex), x);
        if (bound != null) bound.stream(parameterIndex, "setNCharacterStream");
    }

    @Override
    public void setNClob(int parameterIndex, java.io.Reader x, long arg2) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, ParameterValues.text(x, "setNClob"));
            return;
        }
        delegate.setNClob(guarded.targetIndex(parameterIndex), x, arg2);
        if (bound != null) bound.stream(parameterIndex, "setNClob");
    }

    @Override
    public void setNClob(int parameterIndex, java.io.Reader x) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, ParameterValues.text(x, "setNClob"));
            return;
        }
        delegate.setNClob(guarded.targetIndex(parameterIndex), x);
        if (bound != null) bound.stream(parameterIndex, "setNClob");
    }

    @Override
    public void setNClob(int parameterIndex, NClob x) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, ParameterValues.text(x, "setNClob"));
            return;
        }
        delegate.setNClob(guarded.targetIndex(parameterIndex), x);
        if (bound != null) bound.set(parameterIndex, BoundParameters.Setter.NCLOB, x);
    }

    @Override
    public void setNString(int parameterIndex, String x) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, x);
            return;
        }
        delegate.setNString(guarded.targetIndex(parameterIndex), x);
        if (bound != null) bound.set(parameterIndex, BoundParameters.Setter.NSTRING, x);
    }

    @Override
    public void setNull(int parameterIndex, int x, String arg2) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, null);
            return;
        }
        delegate.setNull(guarded.targetIndex(parameterIndex), x, arg2);
        if (bound != null) bound.typed(parameterIndex, BoundParameters.Setter.NULL_NAMED, null, x, 0, arg2);
    }

    @Override
    public void setNull(int parameterIndex, int x) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, isCharacterType(x) ? asCharacterVarying(parameterIndex, null) : null);
            return;
        }
        delegate.setNull(guarded.targetIndex(parameterIndex), x);
        if (bound != null) bound.typed(parameterIndex, BoundParameters.Setter.NULL, null, x, 0, null);
    }

    @Override
    public void setObject(int parameterIndex, Object x, int arg2, int arg3) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, x);
            return;
        }
        delegate.setObject(guarded.targetIndex(parameterIndex), x, arg2, arg3);
        if (bound != null) bound.typed(parameterIndex, BoundParameters.Setter.OBJECT_TYPED_SCALED, x, arg2, arg3, null);
    }

    @Override
    public void setObject(int parameterIndex, Object x, int arg2) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, isCharacterType(arg2) ? asCharacterVarying(parameterIndex, x) : x);
            return;
        }
        delegate.setObject(guarded.targetIndex(parameterIndex), x, arg2);
        if (bound != null) bound.typed(parameterIndex, BoundParameters.Setter.OBJECT_TYPED, x, arg2, 0, null);
    }

    @Override
    public void setObject(int parameterIndex, Object x, SQLType arg2, int arg3) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, x);
            return;
        }
        delegate.setObject(guarded.targetIndex(parameterIndex), x, arg2, arg3);
        if (bound != null) bound.typed(parameterIndex, BoundParameters.Setter.OBJECT_SQLTYPE_SCALED, x, 0, arg3, arg2);
    }

    @Override
    public void setObject(int parameterIndex, Object x, SQLType arg2) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, x);
            return;
        }
        delegate.setObject(guarded.targetIndex(parameterIndex), x, arg2);
        if (bound != null) bound.typed(parameterIndex, BoundParameters.Setter.OBJECT_SQLTYPE, x, 0, 0, arg2);
    }

    @Override
    public void setObject(int parameterIndex, Object x) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, x instanceof String ? asCharacterVarying(parameterIndex, x)
                    : asTypedText(parameterIndex, x));
            return;
        }
        delegate.setObject(guarded.targetIndex(parameterIndex), x);
        if (bound != null) bound.object(parameterIndex, x);
    }

    @Override
    public void setRef(int parameterIndex, Ref x) throws SQLException {
        refuseProtected(parameterIndex, "setRef");
        delegate.setRef(guarded.targetIndex(parameterIndex), x);
        if (bound != null) bound.set(parameterIndex, BoundParameters.Setter.REF, x);
    }

    @Override
    public void setRowId(int parameterIndex, RowId x) throws SQLException {
        refuseProtected(parameterIndex, "setRowId");
        delegate.setRowId(guarded.targetIndex(parameterIndex), x);
        if (bound != null) bound.set(parameterIndex, BoundParameters.Setter.ROWID, x);
    }

    @Override
    public void setSQLXML(int parameterIndex, SQLXML x) throws SQLException {
        refuseProtected(parameterIndex, "setSQLXML");
        delegate.setSQLXML(guarded.targetIndex(parameterIndex), x);
        if (bound != null) bound.stream(parameterIndex, "setSQLXML");  // an SQLXML value may be read only once
    }

    @Override
    public void setShort(int parameterIndex, short x) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, x);
            return;
        }
        delegate.setShort(guarded.targetIndex(parameterIndex), x);
        if (bound != null) bound.primitive(parameterIndex, BoundParameters.Setter.SHORT, x);
    }

    @Override
    public void setString(int parameterIndex, String x) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, asCharacterVarying(parameterIndex, x));
            return;
        }
        delegate.setString(guarded.targetIndex(parameterIndex), x);
        if (bound != null) bound.set(parameterIndex, BoundParameters.Setter.STRING, x);
    }

    @Override
    public void setTime(int parameterIndex, Time x, java.util.Calendar arg2) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, x);
            return;
        }
        delegate.setTime(guarded.targetIndex(parameterIndex), x, arg2);
        if (bound != null) bound.set(parameterIndex, BoundParameters.Setter.TIME, x, arg2);
    }

    @Override
    public void setTime(int parameterIndex, Time x) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, x);
            return;
        }
        delegate.setTime(guarded.targetIndex(parameterIndex), x);
        if (bound != null) bound.set(parameterIndex, BoundParameters.Setter.TIME, x);
    }

    @Override
    public void setTimestamp(int parameterIndex, Timestamp x, java.util.Calendar arg2) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, ParameterValues.timestamp(x, arg2));
            return;
        }
        delegate.setTimestamp(guarded.targetIndex(parameterIndex), x, arg2);
        if (bound != null) bound.set(parameterIndex, BoundParameters.Setter.TIMESTAMP, x, arg2);
    }

    @Override
    public void setTimestamp(int parameterIndex, Timestamp x) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, x);
            return;
        }
        delegate.setTimestamp(guarded.targetIndex(parameterIndex), x);
        if (bound != null) bound.set(parameterIndex, BoundParameters.Setter.TIMESTAMP, x);
    }

    @Override
    public void setURL(int parameterIndex, java.net.URL x) throws SQLException {
        refuseProtected(parameterIndex, "setURL");
        delegate.setURL(guarded.targetIndex(parameterIndex), x);
        if (bound != null) bound.set(parameterIndex, BoundParameters.Setter.URL, x);
    }

    @Override
    public void setUnicodeStream(int parameterIndex, java.io.InputStream x, int arg2) throws SQLException {
        if (guarded.protectsParameter(parameterIndex)) {
            bindProtected(parameterIndex, x);
            return;
        }
        delegate.setUnicodeStream(guarded.targetIndex(parameterIndex), x, arg2);
        if (bound != null) bound.stream(parameterIndex, "setUnicodeStream");
    }
}
