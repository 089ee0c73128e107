package dev.warden.engine;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.List;
import java.util.function.Predicate;

/**
 * What a front door that speaks the PostgreSQL protocol (the gateway) needs from one database connection beyond
 * the JDBC API, which it keeps using for everything else (statements with their parameters, results, result
 * metadata, transactions). Each method answers a question the protocol asks and JDBC cannot: the transaction
 * status of ReadyForQuery, the type OIDs of RowDescription, COPY, the audit of what the front door refuses or
 * stops itself, whose client the pooled connection serves, and the front door's own catalog reads, which are
 * not the client's statements.
 *
 * <p>Obtained once per connection: {@code connection.unwrap(EngineSession.class)} on a {@code jdbc:warden:}
 * connection (a pool's proxy is looked through); a front door over a plain driver (no policy) supplies its own
 * implementation, for which the audit methods do nothing. The real connection underneath is never handed out,
 * except to a {@link CopyStarter} for the one COPY the engine allowed.
 *
 * <p>Call order: {@link #lend} when a client takes the connection, then any of the others while it holds it,
 * then {@link #endLease} when it leaves. Not thread-safe, like the connection it belongs to (a session runs one
 * statement at a time).
 */
public interface EngineSession {

    /**
     * The connection serves a client from now on: its statements act for {@code purpose} and are audited under
     * the client's {@code user}, application name ({@code client}) and network address, and
     * {@code SET warden.purpose} may switch only to purposes {@code mayDeclare} accepts. Replaces everything an
     * earlier client set; the role stays the connection's own.
     *
     * @throws SQLException 28000 when the connection's role may not act for {@code purpose}
     */
    void lend(String user, String purpose, String client, String clientAddress, Predicate<String> mayDeclare)
            throws SQLException;

    /**
     * The client's {@code application_name} is now {@code applicationName}, as the database reported it (a SET, a
     * RESET, a SET LOCAL or SET rolled back): its statements are audited under it, and observe mode's call sites
     * name it, from now on. Only while lent; never fails.
     */
    void clientRenamed(String applicationName);

    /** The client left: the connection acts again as it was opened, whatever the client set. Never fails. */
    void endLease();

    /**
     * The backend's transaction status as the driver last received it in PostgreSQL's ReadyForQuery: 'I' idle,
     * 'T' in a transaction block, 'E' in a failed block; 0 when the driver does not tell (the caller then keeps
     * the status it inferred from the statements).
     */
    char transactionStatus();

    /**
     * Fails the open transaction block on the database after an error the front door sent its client that never
     * reached the database (a refusal, a protocol error), as PostgreSQL fails a block on any error, so that a
     * later COMMIT rolls back. Runs a fixed statement of Warden's that is not audited (the error's own event is
     * the record); its expected error is swallowed.
     */
    void failTransactionBlock();

    /**
     * True when {@code statement} (prepared on this connection) must be prepared again from its text before it
     * runs, because the engine reloaded its keyset since and the text it sends changed, as PostgreSQL re-plans a
     * statement whose objects changed. Costs a comparison while the keyset is unchanged.
     */
    boolean mustBePreparedAgain(PreparedStatement statement) throws SQLException;

    /**
     * Audits {@code sql}, which the front door refused before it reached this connection (a Parse holding two
     * statements), so that it still leaves its one event; {@code sql} is normalised (literals replaced) first.
     *
     * @throws SQLException 58000 when the trail cannot take the event and is fail-closed
     */
    void refusedByFrontDoor(String sql, SQLException refusal) throws SQLException;

    /**
     * The front door stops reading {@code result} (of a statement of this connection) because of {@code reason},
     * an error of its own (its client cancelled while the rows streamed, 57014): the execution is recorded as
     * failed with that SQLState and the rows read so far, once.
     */
    void readingFailed(ResultSet result, SQLException reason) throws SQLException;

    /**
     * Which queries are bounded by their shape to at most {@code maxRows} rows ({@link BoundedResults}), for a
     * session of this connection; its catalog reads are Warden's own, not the client's, and leave no audit event.
     */
    BoundedResults boundedResults(int maxRows);

    /**
     * The metadata of {@code result} (of a statement of this connection) as the database described it, for a
     * RowDescription that carries the server's own type OIDs, table OIDs and column numbers: the real driver's
     * metadata, which holds no row value and runs no statement. For a protected column it describes the column
     * that holds the ciphertext; {@link #isProtected} tells which those are, and {@code result} itself gives
     * their logical type.
     */
    ResultSetMetaData serverMetaData(ResultSetMetaData result) throws SQLException;

    /** True when column {@code column} (1-based) of {@code result} is shown decrypted, masked or denied by Warden. */
    boolean isProtected(ResultSetMetaData result, int column) throws SQLException;

    /**
     * True when {@code sql} names no protected table and no server-side object that may read one (a view, a
     * function defined outside Warden): its result holds nothing the engine would decrypt or mask, so a front door
     * may let the server answer it in a form the engine does not read (the gateway: {@code COPY (query) TO STDOUT}
     * as the server's own COPY). Only a choice of path: the statement is still guarded and audited when it runs.
     */
    boolean namesNoProtectedTable(String sql) throws SQLException;

    /**
     * Starts {@code copySql} (a {@code COPY ... FROM STDIN} or {@code TO STDOUT}, which JDBC cannot express)
     * through {@code starter}, the real driver's copy API. Through Warden the text is first guarded like any
     * statement (a COPY that touches a protected table is refused, 0A000) and audited once; only then is the
     * real connection given to {@code starter}, which must run exactly {@code copySql} on it and nothing else.
     */
    <T> T copy(String copySql, CopyStarter<T> starter) throws SQLException;

    /**
     * Runs {@code sql}, a fixed read of the front door's own (the catalog, settings; never a client's text),
     * with {@code parameters}, on the database connection underneath, and gives its result to {@code reader}:
     * like the engine's own catalog reads it is not a client statement, so it leaves no audit event and is not
     * guarded. A text that names a protected table is a programming error and is refused
     * ({@link IllegalArgumentException}). Qualify catalog objects with {@code pg_catalog} (a user's same-named
     * function or operator must not answer).
     */
    <T> T readInternally(String sql, List<?> parameters, ResultReader<T> reader) throws SQLException;

    /** Starts a COPY on the real driver's connection; see {@link #copy}. */
    @FunctionalInterface
    interface CopyStarter<T> {
        T start(Connection real, String copySql) throws SQLException;
    }

    /** Reads the result of an internal read; see {@link #readInternally}. The result is closed afterwards. */
    @FunctionalInterface
    interface ResultReader<T> {
        T read(ResultSet result) throws SQLException;
    }
}
