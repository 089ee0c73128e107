package dev.warden.gateway;

import dev.warden.engine.EngineConfig;
import dev.warden.engine.WardenEngine;
import dev.warden.gateway.auth.RefusedLogins;
import dev.warden.gateway.session.SessionServices;
import java.net.SocketAddress;
import java.util.concurrent.Executor;

/**
 * Puts refused logins on the audit trail of the gateway's policy: the engine the backend connections use
 * (engines are shared per policy and master key), so they are chained with the statements. Without a policy
 * there is no trail and nothing is recorded. The record is handed to a worker, as a sync-durability trail
 * would otherwise make the event loop wait for the disk. Never given a password. Thread-safe.
 */
final class LoginAudit implements RefusedLogins {

    private final EngineConfig engineConfig;
    private final Executor workers;

    LoginAudit(String policy, String masterKey, Executor workers) {
        this.engineConfig = policy == null ? null : new EngineConfig(policy, masterKey);
        this.workers = workers;
    }

    /**
     * A login ended without a session: recorded on a worker.
     *
     * @param user the login name the client gave (null before a startup message), {@code role} its role when
     *             the user is known
     * @param reason what the client was told, never a password
     */
    @Override
    public void refused(String user, String role, String application, SocketAddress remote, String reason, String sqlState) {
        if (engineConfig == null) {
            return;
        }
        String address = SessionServices.clientAddress(remote);
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
