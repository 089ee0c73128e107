package dev.warden.gateway.session;

import dev.warden.gateway.backend.BackendLoss;
import dev.warden.gateway.backend.BackendNotifications;
import dev.warden.gateway.wire.BackendMessages;
import dev.warden.gateway.wire.ClientOutput;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntSupplier;

/**
 * LISTEN/NOTIFY of one session: what it listens on ({@link ListenedChannels}), kept in step with the statements
 * that succeed and the transactions that end; the notifications its backend connection received
 * ({@link BackendNotifications}), sent just before each ReadyForQuery as PostgreSQL does; and, while the client
 * is idle outside a transaction block, the waits on the backend connection that send each notification as it
 * arrives ({@link #awaitNotifications}): on the session's own thread, between non-blocking looks at its client;
 * on the event loop, as tasks of the session's executor behind the client's messages, for as many sessions as
 * the gateway's bounded wait permits allow, the others polled every {@link IdleNotificationPoller#INTERVAL_MILLIS}.
 * Either way between the session's statements, never during one. Not thread-safe (the session's thread),
 * except {@link #requestPoll}.
 */
final class SessionNotifications {

    /** The longest wait on the backend connection before the session looks at its client again. */
    static final int MAX_WAIT_SLICE_MILLIS = 16;

    private final SessionContext ctx;
    private final ClientOutput out;
    private final SerialExecutor executor;
    /** True when the session runs on its own thread, which polls for notifications itself. */
    private final boolean ownThread;
    /** The session's pid, which the notifications it sends carry when they come from its own backend. */
    private final IntSupplier pid;
    /** Ends the session after its backend was lost while it waited. */
    private final Runnable closeSession;
    /** What the session may be listening on (LISTEN/NOTIFY). */
    private final ListenedChannels listened = new ListenedChannels();
    /** Made at the first LISTEN; null before, or when the backend driver has no notifications. */
    private BackendNotifications notifications;
    /** True from a ReadyForQuery outside a transaction until the next client message: the client is idle. */
    private boolean idle;
    /** Set by a statement that changed listening: ReadyForQuery then delivers what came before the change. */
    private boolean drainAtReady;
    /** Registered with the server's {@link IdleNotificationPoller} (event-loop sessions). */
    private boolean polled;
    /** An event-loop session's waits on the backend are under way ({@link #awaitNotificationsInTurn}). */
    private boolean waiting;
    /** The next wait on the backend for notifications, in ms ({@link #awaitNotifications}). */
    private int waitSlice = 1;
    private final AtomicBoolean pollQueued = new AtomicBoolean();

    SessionNotifications(SessionContext ctx, SerialExecutor executor, boolean ownThread, IntSupplier pid,
                         Runnable closeSession) {
        this.ctx = ctx;
        this.out = ctx.out;
        this.executor = executor;
        this.ownThread = ownThread;
        this.pid = pid;
        this.closeSession = closeSession;
    }

    /**
     * Just before ReadyForQuery with {@code status}: notifications the backend received meanwhile go first, as
     * PostgreSQL sends them; only sessions that listen look for them.
     */
    void beforeReady(char status) {
        if (status == 'I') {
            listened.rolledBack(); // a transaction that ended without a recognised COMMIT undid its UNLISTENs
        }
        if (notifications != null && (listened.any() || drainAtReady)) {
            drainAtReady = false;
            try {
                notifications.drainTo(out, pid.getAsInt());
            } catch (SQLException e) {
                // a lost backend shows at the client's next statement; a notification is never worth a failure
            }
        }
    }

    /** ReadyForQuery with {@code status} was sent: outside a block the client is idle, and notifications may be awaited. */
    void afterReady(char status) {
        idle = status == 'I';
        waitSlice = 1;
        if (!ownThread) {
            boolean poll = listening(); // the poll itself waits for the client to be idle
            if (poll != polled) {
                polled = poll;
                if (poll) {
                    ctx.services.notificationPoller().register(this);
                } else {
                    ctx.services.notificationPoller().unregister(this);
                }
            }
            if (!waiting && awaitsNotifications() && ctx.services.notificationPoller().tryStartWaiting()) {
                waiting = true;
                executor.execute(this::awaitNotificationsInTurn);
            }
        }
    }

    /** A client message arrived: the client is no longer idle. */
    void clientActive() {
        idle = false;
    }

    private boolean listening() {
        return notifications != null && listened.any();
    }

    /**
     * Before a LISTEN of a session not listening yet: what the backend connection received before is an
     * earlier client's (it was returned to the pool with its queue), and is dropped.
     */
    void beforeStatement(StatementKind k) throws SQLException {
        if (listened.any() || !k.first().equals("LISTEN")) {
            return;
        }
        if (notifications == null) {
            notifications = BackendNotifications.of(ctx.conn);
        }
        if (notifications != null) {
            notifications.discard();
        }
    }

    /**
     * After a statement succeeded ({@code before}: the status before it): LISTEN, UNLISTEN, DISCARD ALL and the
     * end of their transaction.
     */
    void afterSuccess(StatementKind k, String sql, char before) {
        if (ListenedChannels.changesListening(k)) {
            listened.succeeded(sql, k, before != 'I' || ctx.transaction.inManaged() || ctx.transaction.inImplicit());
            drainAtReady = true;
        } else if (before != 'I' && k.isTransactionControl()) {
            switch (k.first()) {
                case "COMMIT", "END" -> {
                    if (before == 'T') {
                        listened.committed();
                    } else {
                        listened.rolledBack();
                    }
                }
                case "ROLLBACK", "ABORT" -> listened.rolledBack(); // also ROLLBACK TO: its UNLISTENs are undone
                default -> { }
            }
        }
    }

    /** One of the gateway's implicit transactions committed: its LISTENs and UNLISTENs take effect. */
    void committed() {
        listened.committed();
    }

    /** The session ends: no more polls. */
    void close() {
        if (polled) {
            polled = false;
            ctx.services.notificationPoller().unregister(this);
        }
    }

    /** After the backend connection's reset: what it received before is not for its next client. */
    void discardReceived() throws SQLException {
        if (notifications != null) {
            notifications.discard();
        }
    }

    /**
     * True while the client is idle outside a transaction block (PostgreSQL delivers notifications only there)
     * and the session listens: a notification may come at any moment, and is to be sent as it comes.
     */
    boolean awaitsNotifications() {
        return idle && listening() && !ctx.closed && !ctx.gone;
    }

    /**
     * Waits on the backend connection for one slice ({@link #waitSlice}) and sends the notifications that
     * arrive, as soon as they arrive (pgjdbc's wait returns at the first one). The slice bounds how long the
     * client's next message may wait for the backend connection: it starts at 1 ms after each ReadyForQuery,
     * when a client is most likely to send again, and doubles up to {@link #MAX_WAIT_SLICE_MILLIS} while it
     * stays idle. Runs on the session's thread, between statements, so never at the same time as one.
     *
     * @return false when it did not wait: not idle and listening, or the client is not reading what it is sent
     */
    boolean awaitNotifications() {
        if (!awaitsNotifications() || !out.canTakeMore()) {
            return false;
        }
        int slice = waitSlice;
        waitSlice = Math.min(slice * 2, MAX_WAIT_SLICE_MILLIS);
        deliverNotifications(slice);
        return true;
    }

    /**
     * Event-loop sessions: one wait on the session's executor, then again behind whatever the client sent
     * meanwhile (its message runs first; ReadyForQuery then starts the waits again). Holds one of the
     * gateway's bounded wait permits ({@link IdleNotificationPoller#tryStartWaiting}) until it stops.
     */
    private void awaitNotificationsInTurn() {
        if (executor.hasQueued() || !awaitNotifications()) {
            waiting = false;
            ctx.services.notificationPoller().stopWaiting();
            return;
        }
        executor.execute(this::awaitNotificationsInTurn);
    }

    /** From the {@link IdleNotificationPoller}: queues one poll on the session's executor. Any thread. */
    void requestPoll() {
        if (pollQueued.compareAndSet(false, true)) {
            executor.execute(this::pollNotifications);
        }
    }

    /**
     * For an event-loop session without a wait permit: sends the notifications that reached the backend
     * connection while the client is idle, waiting at most {@link BackendNotifications#POLL_WAIT_MILLIS} for
     * one. Runs on the session's thread, between statements.
     */
    private void pollNotifications() {
        pollQueued.set(false);
        if (waiting || !awaitsNotifications() || !out.canTakeMore()) {
            return;
        }
        deliverNotifications(BackendNotifications.POLL_WAIT_MILLIS);
    }

    /**
     * Sends what arrives within {@code waitMillis}. A backend lost meanwhile ends the session with FATAL, as
     * PostgreSQL ends an idle one.
     */
    private void deliverNotifications(int waitMillis) {
        try {
            if (notifications.awaitTo(out, pid.getAsInt(), waitMillis) > 0) {
                out.flush();
            }
        } catch (SQLException e) {
            if (BackendLoss.isLost(e, ctx.conn)) {
                BackendMessages.errorOrNotice(out.buf(), 'E', BackendLoss.fatal(e));
                out.flush();
                out.closeClient();
                ctx.gone = true;
                closeSession.run();
            }
        }
    }
}
