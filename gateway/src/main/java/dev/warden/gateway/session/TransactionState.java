package dev.warden.gateway.session;

import dev.warden.engine.BoundedResults;
import dev.warden.engine.EngineSession;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;

/**
 * A session's transaction as the client sees it and as the backend connection runs it: the status of
 * ReadyForQuery ('I', 'T', 'E'), tracked from the statements that succeed or fail ({@link StatementKind}) and
 * replaced at each ReadyForQuery by the backend's own ({@link EngineSession#transactionStatus}), with any error
 * that never reached the database failing the backend's block too ({@link #errorSent}); the implicit transactions
 * the gateway opens itself (several Executes before one Sync, a multi-statement simple query, a query of
 * unbounded result), during which autocommit stays off; the backend connection's autocommit otherwise
 * (on outside a transaction block, off inside one); and which queries are bounded by their shape, so may run
 * as one autocommit statement ({@link BoundedResults}). Not thread-safe: the session's thread only.
 */
final class TransactionState {

    /** First words of statements that change no table name and no unique key (see {@link #afterStatement}). */
    private static final Set<String> KEEPS_TABLES = Set.of("INSERT", "UPDATE", "DELETE",
            "MERGE", "COPY", "BEGIN", "START", "COMMIT", "END", "SAVEPOINT", "RELEASE", "SHOW", "LISTEN", "UNLISTEN",
            "NOTIFY", "FETCH", "MOVE", "CLOSE", "DECLARE");

    private final int fetchSize;
    private Connection conn;
    /** The backend's true transaction status for ReadyForQuery; set once the connection is open. */
    private EngineSession backend;
    private char status = 'I';
    /** True while an implicit transaction spans several Executes before a Sync (autocommit off). */
    private boolean implicitTx;
    /** True while a multi-statement simple query runs as one JDBC transaction. */
    private boolean managedTx;
    /** Which queries may run as one autocommit statement (see {@link #boundedQuery}); made at first use. */
    private BoundedResults boundedResults;
    /** Counts how often the unique keys behind those verdicts were forgotten, so prepared verdicts are redone. */
    private long tablesRead;
    /** The statement being executed, for the transaction status should it fail. */
    private StatementKind executing;

    /** @param fetchSize the rows a result is fetched in, which a bounded query's result does not exceed */
    TransactionState(int fetchSize) {
        this.fetchSize = fetchSize;
    }

    /** The backend connection, once open. */
    void attach(Connection connection, EngineSession engine) {
        conn = connection;
        backend = engine;
    }

    /** 'I', 'T' or 'E' as the backend last reported it; {@code inferred} when its driver does not tell. */
    private char backendStatus(char inferred) {
        char s = backend.transactionStatus();
        return s == 0 ? inferred : s;
    }

    /** The status as tracked so far ('I' idle, 'T' in a block, 'E' in a failed block). */
    char status() {
        return status;
    }

    /** For ReadyForQuery: the backend's own status as the driver last received it replaces the tracked one. */
    char syncWithBackend() {
        status = backendStatus(status);
        return status;
    }

    void succeeded(StatementKind k) {
        status = k.statusAfterSuccess(status);
    }

    void failed(StatementKind k) {
        status = k.statusAfterFailureOf(status);
    }

    /** A failure not tied to a statement's kind (an internal error, a function call, undecodable text). */
    void failed() {
        status = StatementKind.statusAfterFailure(status);
    }

    /** An extended-query message failed: the statement being executed, if any, decides the status. */
    void failedInExtendedQuery() {
        status = executing != null ? executing.statusAfterFailureOf(status) : StatementKind.statusAfterFailure(status);
        executing = null;
    }

    /** The statement whose failure {@link #failedInExtendedQuery} accounts for; null once it succeeded. */
    void executing(StatementKind k) {
        executing = k;
    }

    /**
     * As in PostgreSQL, an error fails the client's transaction block, also one the database never saw (a policy
     * refusal, one of the gateway's protocol checks): if the backend's block is still open, it is failed there
     * too, so that a later COMMIT rolls back instead of committing the work before the error.
     */
    void errorSent() {
        if (status == 'T' && backendStatus('?') == 'T') {
            backend.failTransactionBlock();  // Warden's own statement: not one of the client's events
        }
    }

    /** True inside an implicit transaction of the extended protocol (up to Sync). */
    boolean inImplicit() {
        return implicitTx;
    }

    /** Opens the extended protocol's implicit transaction: autocommit off until {@link #implicitEnded}. */
    void startImplicit() throws SQLException {
        conn.setAutoCommit(false);
        implicitTx = true;
    }

    /** The implicit transaction is over (its commit or rollback is the caller's). */
    void implicitEnded() {
        implicitTx = false;
    }

    /** True while a multi-statement simple query runs as one JDBC transaction. */
    boolean inManaged() {
        return managedTx;
    }

    void managed(boolean on) {
        managedTx = on;
    }

    /** True inside a transaction block or one of the gateway's implicit transactions. */
    boolean inAnyTransaction() {
        return status != 'I' || managedTx || implicitTx;
    }

    /**
     * Outside a transaction block the backend connection autocommits; inside one it does not, which lets the
     * JDBC driver fetch large results in chunks (the fetch size) instead of reading them whole. Called
     * before each statement; the JDBC driver sends nothing for the switch (the block itself was opened or
     * closed by the client's own BEGIN/COMMIT).
     */
    void syncAutoCommit() throws SQLException {
        if (implicitTx || managedTx) {
            return;
        }
        boolean wanted = status == 'I';
        if (conn.getAutoCommit() != wanted) {
            conn.setAutoCommit(wanted);
        }
    }

    /**
     * True when a query outside a transaction block can run as one autocommit statement, without the implicit
     * transaction that lets the driver fetch its result in chunks: its shape bounds the result to the fetch
     * size ({@link BoundedResults}: a point SELECT on a unique key, a small LIMIT, a SELECT without FROM). A
     * single statement runs alike either way, so a wrong verdict costs only memory.
     */
    boolean boundedQuery(String sql) {
        try {
            syncAutoCommit();  // the verdict may read unique keys: that read must not open a transaction itself
        } catch (SQLException e) {
            return false;
        }
        if (boundedResults == null) {
            boundedResults = backend.boundedResults(fetchSize);
        }
        return boundedResults.isBounded(sql);
    }

    /** Changes whenever the unique keys behind {@link #boundedQuery} verdicts are forgotten: a kept verdict is redone. */
    long tablesRead() {
        return tablesRead;
    }

    /**
     * After a statement succeeded: one that may have changed what a table name means or its unique keys (DDL,
     * SET search_path, a temporary table, a ROLLBACK undoing one of these) makes the keys behind bounded verdicts
     * be read again. Queries, DML and the statements of {@link #KEEPS_TABLES} cannot (a function they call could;
     * that costs memory for a stale verdict, never correctness, see {@link #boundedQuery}).
     */
    void afterStatement(StatementKind k) {
        if (boundedResults != null && !k.isQuery() && !KEEPS_TABLES.contains(k.first())) {
            boundedResults.forgetTables();
            tablesRead++;
        }
    }
}
