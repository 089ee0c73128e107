package dev.warden.gateway.session;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * For sessions served on the event loop: bounds how many wait on their backend connection for notifications
 * ({@link #tryStartWaiting}), and every {@link #INTERVAL_MILLIS} asks each session that listens without waiting
 * to look for notifications that reached its backend connection while the client is idle. The look itself runs
 * on the session's serial executor ({@link SessionNotifications#requestPoll}), never at the same time as
 * one of its statements. Its thread exists only while some session listens. Thread-safe.
 *
 * <p>Sessions on their own thread need no poller: they wait on their backend connection themselves, between
 * looks at their client socket ({@code SocketSessionLoop}).
 */
public final class IdleNotificationPoller implements AutoCloseable {

    /** The longest a notification waits while the client is idle (plus the poll itself). */
    static final int INTERVAL_MILLIS = 100;

    /**
     * Event-loop sessions that wait on their backend connection for notifications at the same time, each on a
     * pool thread (blocked in a socket read, no CPU): bounded, so that many idle listeners never take a thread
     * each; the others are polled every {@link #INTERVAL_MILLIS}.
     */
    static final int MAX_WAITING_SESSIONS = 32;

    private final Set<SessionNotifications> listening = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.Semaphore waitPermits = new java.util.concurrent.Semaphore(MAX_WAITING_SESSIONS);
    private ScheduledExecutorService timer;
    private ScheduledFuture<?> ticks;
    private boolean closed;

    synchronized void register(SessionNotifications session) {
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

    synchronized void unregister(SessionNotifications session) {
        if (listening.remove(session) && listening.isEmpty() && ticks != null) {
            ticks.cancel(false);
            ticks = null;
        }
    }

    /** A session may start waiting on its backend connection: true when a permit was free. */
    boolean tryStartWaiting() {
        return waitPermits.tryAcquire();
    }

    /** A session stopped waiting ({@link #tryStartWaiting} gave it a permit). */
    void stopWaiting() {
        waitPermits.release();
    }

    private void tick() {
        for (SessionNotifications s : listening) {
            s.requestPoll();
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
