package dev.warden.gateway.auth;

import java.net.SocketAddress;

/**
 * Where a login that ended without a session is recorded (the gateway puts it on the audit trail).
 * Implementations never block the caller, an event loop, and are thread-safe.
 */
@FunctionalInterface
public interface RefusedLogins {

    /**
     * A login ended without a session.
     *
     * @param user the login name the client gave (null before a startup message), {@code role} its role when
     *             the user is known
     * @param reason what the client was told, never a password
     */
    void refused(String user, String role, String application, SocketAddress remote, String reason, String sqlState);
}
