package dev.warden.gateway.backend;

import dev.warden.gateway.auth.GatewayUser;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Where a gateway session gets the JDBC connection that runs its statements. The gateway holds the
 * connection for the whole client session, uses only the java.sql API on it (plus {@link CopyRunner} for
 * COPY), resets it ({@code ROLLBACK} if needed, {@code DISCARD ALL}) and closes it when the client leaves;
 * closing returns it to the source. Implementations are thread-safe.
 */
public interface BackendConnector extends AutoCloseable {

    /** A connection acting as {@code user}'s role for {@code purpose} (may be null: no declared purpose). */
    Connection open(GatewayUser user, String purpose) throws SQLException;

    /** How its pools are used now (read by the admin listener's metrics); {@link PoolUse#NONE} without pools. */
    default PoolUse poolUse() {
        return PoolUse.NONE;
    }

    /**
     * A connection a pool holds idle right now, lent without waiting for one or opening one (the caller closes it,
     * which gives it back), for a health check that must not add connections; null when no pool has one idle.
     */
    default Connection idleConnection() {
        return null;
    }

    @Override
    default void close() {}
}
