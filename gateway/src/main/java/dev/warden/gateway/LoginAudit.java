package dev.warden.gateway;

import dev.warden.engine.EngineConfig;
import dev.warden.engine.WardenEngine;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.Executor;

/**
 * Puts refused logins on the audit trail of the gateway's policy: the engine the backend connections use
 * (engines are shared per policy and master key), so they are chained with the statements. Without a policy
 * there is no trail and nothing is recorded. The record is handed to a worker, as a sync-durability trail
 * would otherwise make the event loop wait for the disk. Never given a password. Thread-safe.
 */
public final class LoginAudit {

    private final EngineConfig engineConfig;
    private final Executor workers;

    LoginAudit(String policy, String masterKey, Executor workers) {
        this.engineConfig = policy == null ? null : new EngineConfig(policy, masterKey);
        this.workers = workers;
    }

    /** The client's address as {@code host:port}, as statements of its session are audited. */
    static String address(SocketAddress remote) {
        return remote instanceof InetSocketAddress a && a.getAddress() != null
                ? a.getAddress().getHostAddress() + ":" + a.getPort() : String.valueOf(remote);
    }

    /**
     * A login ended without a session.
     *
     * @param user the login name the client gave (null before a startup message), {@code role} its role when
     *             the user is known
     * @param reason what the client was told, never a password
     */
    public void refused(String user, String role, String application, SocketAddress remote, String reason, String sqlState) {
        if (engineConfig == null) {
            return;
        }
        String address = address(remote);
        workers.execute(() -> {
            try {
                WardenEngine.forConfig(engineConfig).authenticationRefused(user, role, application, address, reason,
                        sqlState);
            } catch (java.sql.SQLException | RuntimeException e) {
                // the engine cannot be opened (policy or key unreadable): no session can start either
            }
        });
    }
}
