package dev.warden.gateway.session;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * For sessions served on the event loop: every {@link #INTERVAL_MILLIS}, asks each session that listens to
 * look for notifications that reached its backend connection while the client is idle. The look itself runs
 * on the session's serial executor ({@link GatewaySession#requestNotificationPoll}), never at the same time as
 * one of its statements. Its thread exists only while some session listens. Thread-safe.
 *
 * <p>Sessions on their own thread need no poller: they wait on their client socket for at most the same
 * interval while they listen ({@code SocketSessionLoop}).
 */
public final class IdleNotificationPoller implements AutoCloseable {

    /** The longest a notification waits while the client is idle (plus the poll itself). */
    static final int INTERVAL_MILLIS = 100;

    private final Set<GatewaySession> listening = ConcurrentHashMap.newKeySet();
    private ScheduledExecutorService timer;
    private ScheduledFuture<?> ticks;
    private boolean closed;

    synchronized void register(GatewaySession session) {
        if (closed || !listening.add(session) || ticks != null) {
            return;
        }
        if (timer == null) {
            timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "warden-notification-poll");
                t.setDaemon(true);
                return t;
            });
        }
        ticks = timer.scheduleWithFixedDelay(this::tick, INTERVAL_MILLIS, INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
    }

    synchronized void unregister(GatewaySession session) {
        if (listening.remove(session) && listening.isEmpty() && ticks != null) {
            ticks.cancel(false);
            ticks = null;
        }
    }

    private void tick() {
        for (GatewaySession s : listening) {
            s.requestNotificationPoll();
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        listening.clear();
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
