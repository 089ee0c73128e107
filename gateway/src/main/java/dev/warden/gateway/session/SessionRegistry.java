package dev.warden.gateway.session;

/**
 * The open sessions, by the process id each announced in BackendKeyData: a new session registers under a
 * fresh pid before it starts, a closing one unregisters, and a CancelRequest (which arrives on a connection
 * of its own) finds its target here. Implementations are thread-safe.
 */
public interface SessionRegistry {

    /** Adds {@code session} under its pid; false when that pid is taken (the caller picks another). */
    boolean register(GatewaySession session);

    /** Removes {@code session}, if it is still the one registered under its pid. */
    void unregister(GatewaySession session);

    /** Cancels the running statement of the session with this pid, when {@code secret} is its key. */
    void cancel(int pid, int secret);

    /** Number of open sessions. */
    int size();
}
