package dev.warden.gateway.backend;

import java.sql.Connection;
import java.sql.SQLException;
import org.postgresql.PGConnection;

/**
 * A setting as the backend last reported it in a ParameterStatus message (PostgreSQL reports {@code application_name},
 * {@code TimeZone} and the other {@code GUC_REPORT} settings after every change: SET, RESET, and a SET or SET LOCAL
 * that a ROLLBACK undid), which pgjdbc keeps ({@code PGConnection.getParameterStatus}, public API; through Warden
 * the connection's read-only view of it). Reading it costs a map lookup, no round trip. Not thread-safe, like the
 * connection.
 */
public final class ReportedParameter {

    private final PGConnection pg;  // null: the driver does not tell
    private final String name;

    private ReportedParameter(PGConnection pg, String name) {
        this.pg = pg;
        this.name = name;
    }

    /** Setting {@code name} of {@code connection} (a pool's proxy is looked through). */
    public static ReportedParameter of(Connection connection, String name) {
        try {
            if (connection.isWrapperFor(PGConnection.class)) {
                return new ReportedParameter(connection.unwrap(PGConnection.class), name);
            }
        } catch (SQLException | RuntimeException e) {
            // a driver that cannot say
        }
        return new ReportedParameter(null, name);
    }

    /** The value last reported, or null when the driver does not tell. */
    public String value() {
        if (pg == null) return null;
        try {
            return pg.getParameterStatus(name);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
