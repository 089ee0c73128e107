package dev.warden.gateway.backend;

import dev.warden.jdbc.WardenConnection;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.postgresql.core.BaseConnection;

/**
 * The backend's true transaction status for ReadyForQuery, as the JDBC driver last received it from
 * PostgreSQL's own ReadyForQuery ({@link WardenConnection#transactionStatus()} through Warden, pgjdbc's
 * {@link BaseConnection#getTransactionState()} on a plain backend), instead of the status inferred from
 * statement keywords ({@code StatementKind}), which stays the fallback for other drivers.
 *
 * <p>It also applies PostgreSQL's rule that any error inside a transaction block fails the block to the
 * errors that never reached the database: a policy refusal or one of the gateway's own protocol checks
 * leaves the backend's block open, and a client that then sends COMMIT would commit the work done before
 * the refused statement while believing it rolled back. Such a block is failed on the backend too, through
 * Warden by the engine's internal (unaudited) statement, so that the client's trail holds the error's event only.
 * Not thread-safe: used by the session's worker only.
 */
public final class BackendTransaction {

    /** Fails the backend's open block with an error that names the reason in the server's log. */
    static final String FAIL_BLOCK = "DO $warden$BEGIN RAISE EXCEPTION 'transaction aborted by the Warden gateway"
            + " after an error in this transaction block' USING ERRCODE = '25P02'; END$warden$";

    private final Connection conn;
    private final WardenConnection warden;
    private final BaseConnection pgjdbc;

    private BackendTransaction(Connection conn, WardenConnection warden, BaseConnection pgjdbc) {
        this.conn = conn;
        this.warden = warden;
        this.pgjdbc = pgjdbc;
    }

    /** The status source of a session's backend connection (a pool's proxy is looked through). */
    public static BackendTransaction of(Connection conn) {
        try {
            if (conn.isWrapperFor(WardenConnection.class)) {
                return new BackendTransaction(conn, conn.unwrap(WardenConnection.class), null);
            }
            if (conn.isWrapperFor(BaseConnection.class)) {
                return new BackendTransaction(conn, null, conn.unwrap(BaseConnection.class));
            }
        } catch (SQLException | RuntimeException e) {
            // a driver that cannot say: the inferred status serves
        }
        return new BackendTransaction(conn, null, null);
    }

    /** 'I', 'T' or 'E' as the backend last reported it; {@code inferred} when the driver does not tell. */
    public char status(char inferred) {
        char s = 0;
        if (warden != null) {
            s = warden.transactionStatus();
        } else if (pgjdbc != null) {
            s = switch (pgjdbc.getTransactionState()) {
                case IDLE -> 'I';
                case OPEN -> 'T';
                case FAILED -> 'E';
            };
        }
        return s == 0 ? inferred : s;
    }

    /**
     * Called when an error is sent to a client inside a transaction block: if the backend's block is still
     * open (the error did not come from the database), fail it there as well.
     */
    public void failOpenBlock() {
        if (status('?') != 'T') {
            return;
        }
        if (warden != null) {
            warden.failTransactionBlock();  // the engine's internal statement: not one of the client's events
            return;
        }
        try (Statement s = conn.createStatement()) {
            s.execute(FAIL_BLOCK);
        } catch (SQLException expected) {
            // the point of the statement: the backend's block is now failed
        }
    }
}
