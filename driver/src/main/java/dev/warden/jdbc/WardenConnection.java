package dev.warden.jdbc;

import dev.warden.engine.EngineSession;
import dev.warden.engine.GeneratedKeys;
import dev.warden.engine.GuardedStatement;
import dev.warden.engine.Session;
import dev.warden.engine.WardenEngine;
import java.sql.Array;
import java.sql.Blob;
import java.sql.CallableStatement;
import java.sql.Clob;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.DatabaseMetaData;
import java.sql.NClob;
import java.sql.PreparedStatement;
import java.sql.SQLClientInfoException;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.SQLXML;
import java.sql.Savepoint;
import java.sql.ShardingKey;
import java.sql.Statement;
import java.sql.Struct;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * A connection whose every statement goes through the engine. Methods that create statements are written
 * out by hand; the rest (transactions, client info, types) delegate, because they neither carry SQL nor
 * return rows. {@code DriverSurfaceTest} fails the build if a JDBC method is not declared here.
 * Not thread-safe, like the connection it wraps.
 */
public final class WardenConnection implements Connection {

    private final Connection delegate;
    private final WardenEngine engine;
    private final Session session;
    /** Statements not yet closed, to close (and so finish auditing) with the connection. */
    private final Set<WardenStatement> openStatements = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Found on first use of {@link #realState()}. */
    private RealDriverState realState;
    /** Made on the first {@code unwrap(EngineSession.class)}. */
    private WardenEngineSession engineSession;
    /** Made on the first {@code unwrap(PGConnection.class)}. */
    private Object pgConnectionView;
    /**
     * True once a statement touching a protected table ran here: from then on, what the server reports outside
     * a statement (a deferred constraint failing at COMMIT, a notice) is redacted, as it may concern that table.
     */
    private boolean touchedProtected;

    WardenConnection(Connection delegate, WardenEngine engine, Session session) {
        this.delegate = delegate;
        this.engine = engine;
        this.session = session;
    }

    /**
     * The session this connection acts for (role, purpose), for the driver's own classes. Not part of the API:
     * what a front door needs of it goes through {@link dev.warden.engine.EngineSession} ({@code unwrap}), the
     * narrow interface that alone may change it.
     */
    Session session() {
        return session;
    }

    void opened(WardenStatement statement) {
        openStatements.add(statement);
    }

    void closed(WardenStatement statement) {
        openStatements.remove(statement);
    }

    WardenEngine engine() {
        return engine;
    }

    Connection delegate() {
        return delegate;
    }

    /**
     * {@code error} of the real driver as the application may see it (see
     * {@link dev.warden.engine.ServerErrorRedactor}): redacted when {@code touchesProtected} (the statement that
     * raised it touches a protected table) or the error names a protected table.
     */
    SQLException redact(SQLException error, boolean touchesProtected) {
        touchedProtected |= touchesProtected;
        return engine.errors().redact(error, touchesProtected);
    }

    /** {@link #redact(SQLException, boolean)} for the server's notices. */
    SQLWarning redact(SQLWarning warnings, boolean touchesProtected) {
        touchedProtected |= touchesProtected;
        return engine.errors().redact(warnings, touchesProtected);
    }

    /** A statement touching a protected table is about to run on this connection. */
    void touchesProtected() {
        touchedProtected = true;
    }

    /** An error of the real connection outside any statement (commit, rollback, savepoints, auto-commit). */
    private SQLException connectionError(SQLException error) {
        return engine.errors().redact(error, touchedProtected);
    }

    // ---- statements: every one is guarded by the engine ----

    @Override
    public Statement createStatement() throws SQLException {
        return new WardenStatement(this, delegate.createStatement());
    }

    @Override
    public Statement createStatement(int resultSetType, int resultSetConcurrency) throws SQLException {
        return new WardenStatement(this, delegate.createStatement(resultSetType, resultSetConcurrency));
    }

    @Override
    public Statement createStatement(int resultSetType, int resultSetConcurrency, int resultSetHoldability)
            throws SQLException {
        return new WardenStatement(this,
                delegate.createStatement(resultSetType, resultSetConcurrency, resultSetHoldability));
    }

    @Override
    public PreparedStatement prepareStatement(String sql) throws SQLException {
        return prepared(engine.guardPrepared(session, delegate, sql), Connection::prepareStatement);
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int autoGeneratedKeys) throws SQLException {
        GuardedStatement guarded = guardForKeys(sql, GeneratedKeys.Request.of(autoGeneratedKeys), true);
        return prepared(guarded, switch (guarded.generatedKeys().mode()) {
            case AS_ASKED -> (real, text) -> real.prepareStatement(text, autoGeneratedKeys);
            case RETURNING -> (real, text) -> real.prepareStatement(text, Statement.RETURN_GENERATED_KEYS);
            case NONE -> Connection::prepareStatement;
        });
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int[] columnIndexes) throws SQLException {
        GuardedStatement guarded = guardForKeys(sql, GeneratedKeys.Request.indexed(columnIndexes), true);
        int[] indexes = columnIndexes == null ? null : columnIndexes.clone();  // prepared again after a key reload
        return prepared(guarded, switch (guarded.generatedKeys().mode()) {
            case AS_ASKED -> (real, text) -> real.prepareStatement(text, indexes);
            case RETURNING -> (real, text) -> real.prepareStatement(text, Statement.RETURN_GENERATED_KEYS);
            case NONE -> Connection::prepareStatement;
        });
    }

    @Override
    public PreparedStatement prepareStatement(String sql, String[] columnNames) throws SQLException {
        GuardedStatement guarded = guardForKeys(sql, GeneratedKeys.Request.named(columnNames), true);
        String[] names = columnNames == null ? null : columnNames.clone();  // prepared again after a key reload
        return prepared(guarded, switch (guarded.generatedKeys().mode()) {
            case AS_ASKED -> (real, text) -> real.prepareStatement(text, names);
            case RETURNING -> (real, text) -> real.prepareStatement(text, Statement.RETURN_GENERATED_KEYS);
            case NONE -> Connection::prepareStatement;
        });
    }

    /**
     * A prepared statement over the real one {@code preparer} makes for the guarded text; the statement keeps
     * {@code preparer} to prepare another text with the same arguments after a keyset reload.
     */
    private WardenPreparedStatement prepared(GuardedStatement guarded, WardenPreparedStatement.RealPreparer preparer)
            throws SQLException {
        if (guarded.sortsRows()) {
            // Warden sorts the rows itself (an ORDER BY over encrypted columns): it reads them from a scrollable result
            preparer = (real, text) -> real.prepareStatement(text, ResultSet.TYPE_SCROLL_INSENSITIVE,
                    ResultSet.CONCUR_READ_ONLY);
        }
        return new WardenPreparedStatement(this, preparer.prepare(delegate, guarded.sql()), guarded, preparer);
    }

    /**
     * Guards a statement whose generated keys the application asks for (see {@link WardenEngine#guardForKeys}):
     * on a protected table the keys come from a RETURNING clause the engine analysed, and the real driver is
     * asked for them with RETURN_GENERATED_KEYS, to which pgjdbc appends nothing when the text has a RETURNING.
     */
    GuardedStatement guardForKeys(String sql, GeneratedKeys.Request request, boolean prepared) throws SQLException {
        RealDriverState s = realState();
        return engine.guardForKeys(session, delegate, sql, request, s.quotesReturningIdentifiers(), prepared);
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int resultSetType, int resultSetConcurrency)
            throws SQLException {
        return prepared(engine.guardPrepared(session, delegate, sql),
                (real, text) -> real.prepareStatement(text, resultSetType, resultSetConcurrency));
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int resultSetType, int resultSetConcurrency,
                                              int resultSetHoldability) throws SQLException {
        return prepared(engine.guardPrepared(session, delegate, sql), (real, text) ->
                real.prepareStatement(text, resultSetType, resultSetConcurrency, resultSetHoldability));
    }

    @Override
    public CallableStatement prepareCall(String sql) throws SQLException {
        GuardedStatement guarded = guardCall(sql);
        return new WardenCallableStatement(this, delegate.prepareCall(guarded.sql()), guarded);
    }

    @Override
    public CallableStatement prepareCall(String sql, int resultSetType, int resultSetConcurrency)
            throws SQLException {
        GuardedStatement guarded = guardCall(sql);
        return new WardenCallableStatement(this,
                delegate.prepareCall(guarded.sql(), resultSetType, resultSetConcurrency), guarded);
    }

    @Override
    public CallableStatement prepareCall(String sql, int resultSetType, int resultSetConcurrency,
                                         int resultSetHoldability) throws SQLException {
        GuardedStatement guarded = guardCall(sql);
        return new WardenCallableStatement(this, delegate.prepareCall(guarded.sql(), resultSetType,
                resultSetConcurrency, resultSetHoldability), guarded);
    }

    /**
     * Calls run server-side code the engine cannot see into and bind OUT parameters it cannot decode, so a
     * call is allowed only where it names no protected table.
     */
    private GuardedStatement guardCall(String sql) throws SQLException {
        GuardedStatement guarded = engine.guard(session, delegate, sql);
        if (guarded.touchesProtected() || guarded.local() != GuardedStatement.Local.NONE) {
            throw dev.warden.engine.SqlStates.unsupported("prepareCall on a statement that touches a protected"
                    + " table is not supported; use prepareStatement");
        }
        return guarded;
    }

    @Override
    public String nativeSQL(String sql) throws SQLException {
        return delegate.nativeSQL(sql);  // only translates JDBC escapes; runs nothing
    }

    @Override
    public DatabaseMetaData getMetaData() throws SQLException {
        return new WardenDatabaseMetaData(this, delegate.getMetaData());
    }

    /** What only the real driver knows about its connection (transaction status, settings); read on first use. */
    RealDriverState realState() {
        RealDriverState s = realState;
        if (s == null) {
            realState = s = RealDriverState.of(delegate);
        }
        return s;
    }

    // ---- wrapper: never hand out the real connection, which would bypass the engine ----

    /**
     * This connection itself for the interfaces it implements; for {@link EngineSession}, what a front door
     * (the gateway) needs of it beyond JDBC ({@link WardenEngineSession}); for pgjdbc's {@code PGConnection}, a
     * view that reads notifications (LISTEN/NOTIFY) and other state but runs no SQL ({@link PgConnectionView});
     * the real connection never.
     */
    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface == EngineSession.class) {
            WardenEngineSession s = engineSession;
            if (s == null) {
                engineSession = s = new WardenEngineSession(this);
            }
            return iface.cast(s);
        }
        if (!iface.isInstance(this) && PgConnectionView.serves(iface)) {
            Object view = pgConnectionView;
            if (view == null || !iface.isInstance(view)) {
                view = PgConnectionView.over(delegate, iface);
            }
            if (view != null) {
                pgConnectionView = view;
                return iface.cast(view);
            }
        }
        return Unwrapping.unwrap(this, iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return iface.isInstance(this) || iface == EngineSession.class
                || PgConnectionView.serves(iface) && delegate.isWrapperFor(iface);
    }

    // ---- no SQL, no rows: delegated ----

    @Override
    public void abort(java.util.concurrent.Executor arg0) throws SQLException {
        delegate.abort(arg0);
    }

    @Override
    public void beginRequest() throws SQLException {
        delegate.beginRequest();
    }

    @Override
    public void clearWarnings() throws SQLException {
        delegate.clearWarnings();
    }

    /**
     * Closing the connection closes its statements first, so that the audit record of a result still open
     * is written (exactly one per execution) before the real connection goes.
     */
    @Override
    public void close() throws SQLException {
        try {
            for (WardenStatement statement : List.copyOf(openStatements)) statement.close();
        } finally {
            delegate.close();
        }
    }

    @Override
    public void commit() throws SQLException {
        try {
            delegate.commit();
        } catch (SQLException e) {
            throw connectionError(e);
        } finally {
            engine.transactionEnded(session);  // a search_path or temporary table it changed may be undone
        }
        engine.committed(session);
    }

    @Override
    public Array createArrayOf(String arg0, Object[] arg1) throws SQLException {
        return delegate.createArrayOf(arg0, arg1);
    }

    @Override
    public Blob createBlob() throws SQLException {
        return delegate.createBlob();
    }

    @Override
    public Clob createClob() throws SQLException {
        return delegate.createClob();
    }

    @Override
    public NClob createNClob() throws SQLException {
        return delegate.createNClob();
    }

    @Override
    public SQLXML createSQLXML() throws SQLException {
        return delegate.createSQLXML();
    }

    @Override
    public Struct createStruct(String arg0, Object[] arg1) throws SQLException {
        return delegate.createStruct(arg0, arg1);
    }

    @Override
    public void endRequest() throws SQLException {
        delegate.endRequest();
    }

    @Override
    public boolean getAutoCommit() throws SQLException {
        return delegate.getAutoCommit();
    }

    @Override
    public String getCatalog() throws SQLException {
        return delegate.getCatalog();
    }

    @Override
    public java.util.Properties getClientInfo() throws SQLException {
        return delegate.getClientInfo();
    }

    @Override
    public String getClientInfo(String arg0) throws SQLException {
        return delegate.getClientInfo(arg0);
    }

    @Override
    public int getHoldability() throws SQLException {
        return delegate.getHoldability();
    }

    @Override
    public int getNetworkTimeout() throws SQLException {
        return delegate.getNetworkTimeout();
    }

    @Override
    public String getSchema() throws SQLException {
        return delegate.getSchema();
    }

    @Override
    public int getTransactionIsolation() throws SQLException {
        return delegate.getTransactionIsolation();
    }

    @Override
    public java.util.Map<String, Class<?>> getTypeMap() throws SQLException {
        return delegate.getTypeMap();
    }

    @Override
    public SQLWarning getWarnings() throws SQLException {
        return engine.errors().redact(delegate.getWarnings(), touchedProtected);
    }

    @Override
    public boolean isClosed() throws SQLException {
        return delegate.isClosed();
    }

    @Override
    public boolean isReadOnly() throws SQLException {
        return delegate.isReadOnly();
    }

    @Override
    public boolean isValid(int arg0) throws SQLException {
        return delegate.isValid(arg0);
    }

    @Override
    public void releaseSavepoint(Savepoint arg0) throws SQLException {
        try {
            delegate.releaseSavepoint(arg0);
        } catch (SQLException e) {
            throw connectionError(e);
        }
    }

    @Override
    public void rollback() throws SQLException {
        try {
            delegate.rollback();
        } catch (SQLException e) {
            throw connectionError(e);
        } finally {
            engine.transactionEnded(session);  // a search_path or temporary table it changed may be undone
        }
    }

    @Override
    public void rollback(Savepoint arg0) throws SQLException {
        try {
            delegate.rollback(arg0);
        } catch (SQLException e) {
            throw connectionError(e);
        } finally {
            engine.transactionEnded(session);  // a search_path or temporary table it changed may be undone
        }
    }

    @Override
    public void setAutoCommit(boolean arg0) throws SQLException {
        try {
            delegate.setAutoCommit(arg0);
        } catch (SQLException e) {
            throw connectionError(e);
        } finally {
            engine.transactionEnded(session);  // a search_path or temporary table it changed may be undone
        }
        if (arg0) engine.committed(session);  // switching autocommit on commits the open transaction
    }

    @Override
    public void setCatalog(String arg0) throws SQLException {
        delegate.setCatalog(arg0);
    }

    @Override
    public void setClientInfo(String arg0, String arg1) throws SQLClientInfoException {
        delegate.setClientInfo(arg0, arg1);
    }

    @Override
    public void setClientInfo(java.util.Properties arg0) throws SQLClientInfoException {
        delegate.setClientInfo(arg0);
    }

    @Override
    public void setHoldability(int arg0) throws SQLException {
        delegate.setHoldability(arg0);
    }

    @Override
    public void setNetworkTimeout(java.util.concurrent.Executor arg0, int arg1) throws SQLException {
        delegate.setNetworkTimeout(arg0, arg1);
    }

    @Override
    public void setReadOnly(boolean arg0) throws SQLException {
        delegate.setReadOnly(arg0);
    }

    @Override
    public Savepoint setSavepoint() throws SQLException {
        return delegate.setSavepoint();
    }

    @Override
    public Savepoint setSavepoint(String arg0) throws SQLException {
        return delegate.setSavepoint(arg0);
    }

    @Override
    public void setSchema(String arg0) throws SQLException {
        delegate.setSchema(arg0);
        engine.namesChanged(session);  // pgjdbc sets search_path itself: no statement passes through the engine
    }

    @Override
    public void setShardingKey(ShardingKey arg0, ShardingKey arg1) throws SQLException {
        delegate.setShardingKey(arg0, arg1);
    }

    @Override
    public void setShardingKey(ShardingKey arg0) throws SQLException {
        delegate.setShardingKey(arg0);
    }

    @Override
    public boolean setShardingKeyIfValid(ShardingKey arg0, int arg1) throws SQLException {
        return delegate.setShardingKeyIfValid(arg0, arg1);
    }

    @Override
    public boolean setShardingKeyIfValid(ShardingKey arg0, ShardingKey arg1, int arg2) throws SQLException {
        return delegate.setShardingKeyIfValid(arg0, arg1, arg2);
    }

    @Override
    public void setTransactionIsolation(int arg0) throws SQLException {
        delegate.setTransactionIsolation(arg0);
    }

    @Override
    public void setTypeMap(java.util.Map<String, Class<?>> arg0) throws SQLException {
        delegate.setTypeMap(arg0);
    }

}
