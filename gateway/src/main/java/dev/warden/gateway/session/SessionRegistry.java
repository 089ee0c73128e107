package dev.warden.gateway.session;

/**
 * The open sessions, by the process id each announced in BackendKeyData: a new session registers under a
 * fresh pid before it starts, a closing one unregisters, and a CancelRequest (which arrives on a connection
 * of its own) finds its target here. Implementations are thread-safe.
 */
public interface SessionRegistry {

    /** Adds {@code session} under its pid; false when that pid is taken (the caller picks another). */
    boolean register(GatewaySession session);

    /**
     * Makes the backend connection's own process id the session's key, the one its BackendKeyData carries, so
     * that {@code pg_backend_pid()} and the sender pid of the session's notifications match it as on a direct
     * connection. A session has its backend connection to itself for its lifetime, and a session that ends
     * is unregistered before its connection is lent again, so no two sessions hold the same backend pid; the
     * secret stays the gateway's own, so a key is never valid for the database and an earlier client's key is
     * never valid for a later session on the same backend connection.
     *
     * @return the pid the session is registered under now: {@code backendPid}, or {@code provisional} when
     *         the backend's is unknown (0) or, against all odds, taken
     */
    int adoptBackendPid(GatewaySession session, int provisional, int backendPid);

    /** Removes {@code session}, if it is still the one registered under its pid. */
    void unregister(GatewaySession session);

    /** Cancels the running statement of the session with this pid, when {@code secret} is its key. */
    void cancel(int pid, int secret);

    /** Number of open sessions. */
    int size();
}
