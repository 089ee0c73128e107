package dev.warden.gateway.backend;

/**
 * How a {@link BackendConnector}'s pools of database connections are used right now, for monitoring: connections
 * lent to sessions, open and idle, and sessions waiting for one; {@code max} is what the pools may open in all.
 */
public record PoolUse(int pools, int active, int idle, int waiting, int max) {

    /** A connector that keeps no pool. */
    public static final PoolUse NONE = new PoolUse(0, 0, 0, 0, 0);
}
