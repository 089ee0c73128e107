package dev.warden.jdbc;

import dev.warden.engine.BoundedResults;
import dev.warden.engine.EngineSession;
import dev.warden.engine.GuardedStatement;
import dev.warden.engine.SqlStates;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.List;
import java.util.function.Predicate;

/**
 * The {@link EngineSession} of one {@link WardenConnection}, which hands it out from
 * {@code unwrap(EngineSession.class)}: the engine's session and the connection's package-private state, behind
 * the interface a front door uses instead of methods on the JDBC wrappers. The real connection stays in this
 * package, except for the one COPY the engine allowed ({@link #copy}). Not thread-safe, like its connection.
 */
final class WardenEngineSession implements EngineSession {

    private final WardenConnection connection;

    WardenEngineSession(WardenConnection connection) {
        this.connection = connection;
    }

    @Override
    public void lend(String user, String purpose, String client, String clientAddress, Predicate<String> mayDeclare)
            throws SQLException {
        connection.engine().lend(connection.session(), user, purpose, client, clientAddress, mayDeclare);
    }

    @Override
    public void clientRenamed(String applicationName) {
        connection.engine().clientRenamed(connection.session(), applicationName);
    }

    @Override
    public void endLease() {
        connection.engine().endLease(connection.session());
    }

    @Override
    public char transactionStatus() {
        return connection.realState().transactionStatus();
    }

    @Override
    public void failTransactionBlock() {
        connection.engine().failTransactionBlock(connection.delegate());
    }

    @Override
    public boolean mustBePreparedAgain(PreparedStatement statement) throws SQLException {
        return statement.isWrapperFor(WardenPreparedStatement.class)
                && statement.unwrap(WardenPreparedStatement.class).mustBePreparedAgain();
    }

    @Override
    public void refusedByFrontDoor(String sql, SQLException refusal) throws SQLException {
        connection.engine().refusedByFrontDoor(connection.session(), sql, refusal);
    }

    @Override
    public void readingFailed(ResultSet result, SQLException reason) throws SQLException {
        if (result.isWrapperFor(WardenResultSet.class)) {
            result.unwrap(WardenResultSet.class).readingFailed(reason);
        }
    }

    /** Its catalog reads go through the connection underneath, like the engine's own catalog reads. */
    @Override
    public BoundedResults boundedResults(int maxRows) {
        return connection.engine().boundedResults(connection.delegate(), maxRows);
    }

    @Override
    public ResultSetMetaData serverMetaData(ResultSetMetaData result) throws SQLException {
        return result.isWrapperFor(WardenResultSetMetaData.class)
                ? result.unwrap(WardenResultSetMetaData.class).driverMetaData() : result;
    }

    @Override
    public boolean isProtected(ResultSetMetaData result, int column) throws SQLException {
        return result.isWrapperFor(WardenResultSetMetaData.class)
                && result.unwrap(WardenResultSetMetaData.class).isProtected(column);
    }

    @Override
    public boolean namesNoProtectedTable(String sql) throws SQLException {
        return connection.engine().namesNoProtectedTable(connection.session(), connection.delegate(), sql);
    }

    @Override
    public <T> T copy(String copySql, CopyStarter<T> starter) throws SQLException {
        GuardedStatement guarded = connection.engine().guard(connection.session(), connection.delegate(), copySql);
        if (guarded.touchesProtected() || guarded.local() != GuardedStatement.Local.NONE) {
            throw SqlStates.unsupported("COPY on a protected table is not supported");
        }
        connection.engine().audit(connection.session(), guarded).succeeded(-1);
        return starter.start(connection.delegate(), copySql);
    }

    @Override
    public <T> T readInternally(String sql, List<?> parameters, ResultReader<T> reader) throws SQLException {
        connection.engine().checkInternalRead(sql);
        Connection real = connection.delegate();
        try (PreparedStatement ps = real.prepareStatement(sql)) {
            for (int i = 0; i < parameters.size(); i++) {
                ps.setObject(i + 1, parameters.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                return reader.read(rs);
            }
        } catch (SQLException e) {
            throw connection.redact(e, false);  // about the catalog, unless it names a protected table
        }
    }
}
