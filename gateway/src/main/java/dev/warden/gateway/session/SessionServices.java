package dev.warden.gateway.session;

import dev.warden.gateway.backend.BackendConnector;
import dev.warden.gateway.backend.CopyRunner;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.ExecutorService;

/**
 * What every session shares, built once by the server: the pool that runs the sessions' blocking work, where
 * backend connections come from, how COPY reaches the backend, the type catalog, the poller that looks for
 * notifications of idle event-loop sessions, and the registry of open sessions. A session is given this
 * instead of the server, so it can reach nothing else. Immutable; each service is thread-safe.
 */
public record SessionServices(ExecutorService workers, BackendConnector connector, CopyRunner copyRunner,
                              IdleNotificationPoller notificationPoller,
                              SessionRegistry registry) {

    /** The client's address as {@code host:port}, as its statements and refused logins are audited. */
    public static String clientAddress(SocketAddress remote) {
        return remote instanceof InetSocketAddress a && a.getAddress() != null
                ? a.getAddress().getHostAddress() + ":" + a.getPort() : String.valueOf(remote);
    }
}
