package dev.warden.gateway.session;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A {@link SessionRegistry} over a concurrent map from pid to session. Thread-safe. */
public final class SessionsByPid implements SessionRegistry {

    private final Map<Integer, GatewaySession> sessions = new ConcurrentHashMap<>();

    @Override
    public boolean register(GatewaySession session) {
        return sessions.putIfAbsent(session.pid, session) == null;
    }

    @Override
    public int adoptBackendPid(GatewaySession s, int provisional, int backendPid) {
        if (backendPid <= 0 || backendPid == provisional || sessions.putIfAbsent(backendPid, s) != null) {
            return provisional;
        }
        sessions.remove(provisional, s);
        return backendPid;
    }

    @Override
    public void unregister(GatewaySession session) {
        sessions.remove(session.pid, session);
    }

    @Override
    public void cancel(int pid, int secret) {
        GatewaySession s = sessions.get(pid);
        if (s != null && s.secret == secret) {
            s.cancel();
        }
    }

    @Override
    public int size() {
        return sessions.size();
    }
}
