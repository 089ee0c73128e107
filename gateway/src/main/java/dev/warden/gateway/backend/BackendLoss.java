package dev.warden.gateway.backend;

import dev.warden.gateway.wire.ErrorFields;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Tells a statement's failure from the loss of the backend connection itself (database restarted or shut
 * down, network cut). PostgreSQL ends a client's session with a FATAL error when its backend goes away;
 * the gateway does the same, so the client reconnects (and gets a fresh pooled connection) instead of
 * running every later statement on a dead one. Stateless and thread-safe.
 */
public final class BackendLoss {

    private BackendLoss() {}

    /**
     * True when {@code e} reports a connection exception (class 08) or a server shutdown (57P01 admin
     * shutdown, 57P02 crash shutdown, 57P03 cannot connect now), the classes HikariCP also evicts on, and
     * the connection no longer answers. The second check keeps errors the gateway raises itself with
     * 08P01 (a malformed Bind) as the ordinary errors they are.
     */
    public static boolean isLost(SQLException e, Connection conn) {
        String state = e.getSQLState();
        if (state == null || !(state.startsWith("08") || state.startsWith("57P0"))) {
            return false;
        }
        try {
            return conn == null || conn.isClosed() || !conn.isValid(2);
        } catch (SQLException | RuntimeException broken) {
            return true;
        }
    }

    /** The error as PostgreSQL sends it when it ends a session: severity FATAL, the backend's fields kept. */
    public static ErrorFields fatal(SQLException e) {
        ErrorFields f = BackendErrors.of(e);
        return new ErrorFields("FATAL", f.sqlState(), f.message(), f.detail(), f.hint(), null, null);
    }
}
