package dev.warden.gateway.backend;

import java.sql.Connection;
import java.sql.SQLException;

/** The process id of the backend behind a connection, for the session's BackendKeyData. */
public final class BackendPid {

    private BackendPid() {
    }

    /**
     * The backend connection's process id, as PostgreSQL's BackendKeyData gave it to pgjdbc ({@code
     * pg_backend_pid()}); 0 when the driver cannot say.
     */
    public static int of(Connection connection) {
        try {
            if (connection.isWrapperFor(org.postgresql.PGConnection.class)) {
                return connection.unwrap(org.postgresql.PGConnection.class).getBackendPID();
            }
        } catch (SQLException | RuntimeException e) {
            // a driver that cannot say: the session keeps its provisional pid
        }
        return 0;
    }
}
