package dev.warden.gateway.backend;

import dev.warden.engine.BoundedResults;
import dev.warden.engine.EngineSession;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.function.Predicate;

/**
 * The {@link EngineSession} of a backend connection without Warden (a gateway run without a policy): there is
 * nothing to audit, lend or decrypt, so those methods do nothing and the connection's own driver answers the
 * rest, pgjdbc's internals through {@link PgjdbcInternals}. Not thread-safe, like the connection.
 */
final class PlainBackendSession implements EngineSession {

    /** Fails the backend's open block with an error that names the reason in the server's log. */
    static final String FAIL_BLOCK = "DO $warden$BEGIN RAISE EXCEPTION 'transaction aborted by the Warden gateway"
            + " after an error in this transaction block' USING ERRCODE = '25P02'; END$warden$";

    private final Connection conn;
    private final PgjdbcInternals.TransactionStatus status;

    PlainBackendSession(Connection conn) {
        this.conn = conn;
        this.status = PgjdbcInternals.transactionStatus(conn);
    }

    @Override
    public void lend(String user, String purpose, String client, String clientAddress, Predicate<String> mayDeclare) {
        // no engine session to lend: the statements are not audited
    }

    @Override
    public void clientRenamed(String applicationName) {
        // nothing is audited
    }

    @Override
    public void endLease() {
        // nothing was lent
    }

    @Override
    public char transactionStatus() {
        return status.get();
    }

    @Override
    public void failTransactionBlock() {
        try (Statement s = conn.createStatement()) {
            s.execute(FAIL_BLOCK);
        } catch (SQLException expected) {
            // the point of the statement: the backend's block is now failed
        }
    }

    @Override
    public boolean mustBePreparedAgain(PreparedStatement statement) {
        return false;  // no keyset: a statement's text never changes under it
    }

    @Override
    public void refusedByFrontDoor(String sql, SQLException refusal) {
        // no trail to record it in
    }

    @Override
    public void readingFailed(ResultSet result, SQLException reason) {
        // no trail to record it in
    }

    @Override
    public BoundedResults boundedResults(int maxRows) {
        return new BoundedResults(conn, maxRows);
    }

    @Override
    public ResultSetMetaData serverMetaData(ResultSetMetaData result) {
        return result;
    }

    @Override
    public boolean isProtected(ResultSetMetaData result, int column) {
        return false;
    }

    @Override
    public boolean namesNoProtectedTable(String sql) {
        return true;  // no policy: no table is protected
    }

    @Override
    public <T> T copy(String copySql, CopyStarter<T> starter) throws SQLException {
        return starter.start(conn, copySql);
    }

    @Override
    public <T> T readInternally(String sql, List<?> parameters, ResultReader<T> reader) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            for (int i = 0; i < parameters.size(); i++) {
                ps.setObject(i + 1, parameters.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                return reader.read(rs);
            }
        }
    }
}
