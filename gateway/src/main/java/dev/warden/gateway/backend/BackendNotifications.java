package dev.warden.gateway.backend;

import dev.warden.gateway.wire.BackendMessages;
import dev.warden.gateway.wire.ClientOutput;
import java.sql.Connection;
import java.sql.SQLException;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * The notifications (LISTEN/NOTIFY) a session's backend connection has received, relayed to the client as
 * NotificationResponse. pgjdbc reads them into a queue whenever they come with a statement's results and,
 * between statements, when asked; this reads them through {@link PGConnection} (on a {@code jdbc:warden:}
 * connection a view that runs no SQL). Channel and payload go out exactly as the database sent them; Warden
 * decrypts nothing there. The sender's process id is the database's, which is also what the gateway's clients
 * get in BackendKeyData ({@link GatewayServer#adoptBackendPid}); should a session have had to keep an invented
 * pid, its own NOTIFYs carry that one, so that a client recognises its own notifications either way.
 *
 * <p>Made on the session's first LISTEN, so that other sessions pay nothing. Not thread-safe: pgjdbc
 * connections are not, so it is used only by the session's thread, between its statements.
 */
public final class BackendNotifications {

    /** How long a poll waits on the backend socket for a notification that has not arrived yet. */
    public static final int POLL_WAIT_MILLIS = 1;

    private final PGConnection pg;
    private final int backendPid;

    private BackendNotifications(PGConnection pg, int backendPid) {
        this.pg = pg;
        this.backendPid = backendPid;
    }

    /** The notification source of a session's backend connection, or null when its driver has none. */
    public static BackendNotifications of(Connection conn) {
        try {
            if (conn.isWrapperFor(PGConnection.class)) {
                PGConnection pg = conn.unwrap(PGConnection.class);
                return new BackendNotifications(pg, pg.getBackendPID());
            }
        } catch (SQLException | RuntimeException e) {
            // a driver that cannot say: no notifications
        }
        return null;
    }

    /**
     * Writes the notifications already received (queued while statements ran, or waiting unread on the
     * backend socket) to {@code out}; does not wait for more. pgjdbc looks at the socket only when the
     * backend is outside a transaction block, as PostgreSQL sends notifications only there.
     *
     * @return how many were written
     */
    public int drainTo(ClientOutput out, int sessionPid) throws SQLException {
        return write(pg.getNotifications(), out, sessionPid);
    }

    /**
     * As {@link #drainTo}, after waiting up to {@code waitMillis} for one to arrive: returns as soon as one
     * has (pgjdbc blocks on the backend socket, outside a transaction block only).
     */
    public int awaitTo(ClientOutput out, int sessionPid, int waitMillis) throws SQLException {
        return write(pg.getNotifications(waitMillis), out, sessionPid);
    }

    /** Drops what has been received: notifications of an earlier client of the same backend connection. */
    public void discard() throws SQLException {
        pg.getNotifications();
    }

    private int write(PGNotification[] received, ClientOutput out, int sessionPid) {
        if (received == null) {
            return 0;
        }
        for (PGNotification n : received) {
            int pid = n.getPID() == backendPid ? sessionPid : n.getPID();
            BackendMessages.notificationResponse(out.buf(), pid, n.getName(), n.getParameter());
        }
        return received.length;
    }
}
