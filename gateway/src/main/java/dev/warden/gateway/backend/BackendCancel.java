package dev.warden.gateway.backend;

import java.sql.Connection;
import java.sql.SQLException;
import org.postgresql.PGConnection;

/**
 * Cancels whatever a backend connection is running, through pgjdbc's connection-level cancel: unlike
 * {@code Statement.cancel()}, which pgjdbc honours only inside an execute, it reaches the backend between two
 * fetches of a streaming result too. Stateless and thread-safe.
 */
public final class BackendCancel {

    private BackendCancel() {}

    /** True when {@code backend} (null: none) is, or wraps, a pgjdbc connection. */
    public static boolean canCancel(Connection backend) throws SQLException {
        return backend != null && backend.isWrapperFor(PGConnection.class);
    }

    /** Sends the backend a CancelRequest for {@code backend}'s running statement, if any. */
    public static void cancel(Connection backend) throws SQLException {
        backend.unwrap(PGConnection.class).cancelQuery();
    }
}
