package dev.warden.gateway.session;

import dev.warden.gateway.auth.GatewayUser;
import dev.warden.gateway.backend.BackendErrors;
import dev.warden.gateway.backend.BackendPid;
import dev.warden.gateway.backend.ReportedParameter;
import dev.warden.gateway.backend.EngineSessions;
import dev.warden.gateway.wire.BackendMessages;
import dev.warden.gateway.wire.ClientOutput;
import dev.warden.gateway.wire.ErrorFields;
import dev.warden.gateway.wire.MessageTranscoder;
import dev.warden.gateway.wire.PgFrame;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

/**
 * One authenticated client session: it owns the backend JDBC connection for the session's lifetime (opened by
 * {@link #start}, lent to this client, reset and returned by {@link #close}) and dispatches each frontend
 * message in order, exactly once, to the part that answers it: {@link SimpleQueryRunner} (Query),
 * {@link ExtendedQuery} (Parse, Bind, Describe, Execute, Close, Sync), {@link FunctionCallRunner}
 * (FunctionCall). Every response to the client ends with ReadyForQuery sent here, with the transaction status of
 * {@link TransactionState} and the notifications of {@link SessionNotifications} just before it. What the parts
 * share is in one {@link SessionContext}. Every method except {@link #cancel} and {@link #clientGone} (and
 * {@link SessionNotifications#requestPoll}) runs on the session's {@link SerialExecutor} (or its own thread),
 * never on the event loop; those are thread-safe.
 *
 * <p>Warden session state (purpose, the client the statements are audited under) belongs to this session:
 * the pooled connection is lent to it at start, with everything set from this client's configuration, and
 * the lease ends at close, whatever the client did meanwhile ({@link #lendToClient}). A lost backend ends the
 * session with FATAL ({@link dev.warden.gateway.backend.BackendLoss}), as do a malformed message and an unknown message type (08P01).
 */
public final class GatewaySession {

    private final Channel channel;
    private final ClientOutput out;
    private final SessionServices services;
    private final GatewayUser user;
    private final String purpose;
    private final Map<String, String> settings;
    /**
     * The process id of the session's BackendKeyData: the backend connection's own once it is open
     * ({@link SessionRegistry#adoptBackendPid}). Written once by {@link #start}, before the client can know it.
     */
    volatile int pid;
    final int secret;
    public final SerialExecutor executor;

    private final SessionContext ctx;
    private final TransactionState transaction;
    private final ResultStreamer results;
    private final SessionNotifications notifications;
    private final ExtendedQuery extended;
    private final SimpleQueryRunner simpleQueries;
    /** The fast-path FunctionCall message (large objects). */
    private final FunctionCallRunner functionCalls;

    /**
     * @param channel the client's channel, for its address (the session may serve it off the event loop)
     * @param out where replies go
     * @param copyInput where COPY FROM STDIN data comes from
     * @param services what all sessions share (workers, backend connections, registry...)
     */
    public GatewaySession(Channel channel, ClientOutput out, CopyRelay.CopyInput copyInput, SessionServices services,
                   GatewayUser user, String purpose, Map<String, String> settings, int pid, int secret,
                   boolean ownThread) {
        this.channel = channel;
        this.out = out;
        this.services = services;
        this.user = user;
        this.purpose = purpose;
        this.settings = settings;
        this.pid = pid;
        this.secret = secret;
        this.executor = new SerialExecutor(services.workers());
        this.ctx = new SessionContext(out, services);
        this.transaction = ctx.transaction;
        this.results = ctx.results;
        this.functionCalls = new FunctionCallRunner(ctx::refusedHere);
        this.notifications = new SessionNotifications(ctx, executor, ownThread, () -> this.pid, this::close);
        this.extended = new ExtendedQuery(ctx, notifications);
        this.simpleQueries = new SimpleQueryRunner(ctx, notifications,
                new CopyRelay(copyInput, out, services.copyRunner()));
    }

    public ClientOutput output() {
        return out;
    }

    // ---------------------------------------------------------------- lifecycle

    /**
     * Through Warden, the pooled connection is lent to this client: it acts for this session's purpose (its
     * startup option or the user's default), under which any later {@code SET warden.purpose} is limited to
     * what the gateway user may declare, and its statements are audited under the client's user, application
     * and address. The lend replaces whatever an earlier client of the connection set.
     */
    private void lendToClient() throws SQLException {
        ctx.engine.lend(user.name(), purpose, settings.get("application_name"),
                SessionServices.clientAddress(channel.remoteAddress()), user::mayDeclare);
    }

    /** Ends the Warden lease: the connection goes back to its pool acting as it was opened. */
    private void endLease() {
        if (ctx.engine != null) {
            ctx.engine.endLease();
        }
    }

    /** Opens the backend connection and completes the startup: AuthenticationOk ... ReadyForQuery. */
    public void start() {
        ByteBuf b = out.buf();
        BackendMessages.authenticationOk(b);
        try {
            Connection conn = services.connector().open(user, purpose);
            ctx.conn = conn;  // first: close() gives it back should what follows fail
            ctx.attach(conn, EngineSessions.of(conn));
            lendToClient();
            ctx.defaultEncoding = SessionStartup.clientEncoding(settings);
            out.encoding(ctx.defaultEncoding);
            SessionStartup.applySettings(ctx.conn, settings);
            SessionStartup.reportParameters(ctx.engine, b, ctx.defaultEncoding, user.name());
            ctx.applicationName = new ApplicationNameReport(ReportedParameter.of(conn, "application_name"));
            ctx.simple = ctx.conn.createStatement();
            ctx.simple.setEscapeProcessing(false);
            ctx.simple.setFetchSize(SessionContext.FETCH_SIZE);
        } catch (SQLException | RuntimeException e) {
            ErrorFields f = e instanceof SQLException se ? BackendErrors.of(se)
                    : e.getCause() instanceof SQLException cause ? BackendErrors.of(cause)
                    : ErrorFields.fatal("08006", "could not connect to the backend database: "
                            + e.getClass().getSimpleName());
            BackendMessages.errorOrNotice(out.buf(), 'E', new ErrorFields("FATAL", f.sqlState(), f.message(),
                    f.detail(), f.hint(), null, null));
            out.flush();
            out.closeClient();
            close();
            return;
        }
        pid = services.registry().adoptBackendPid(this, pid, BackendPid.of(ctx.conn));
        BackendMessages.backendKeyData(b, pid, secret);
        BackendMessages.readyForQuery(b, transaction.status());
        out.flush();
    }

    /**
     * The client's connection closed: cancels what runs; the session's thread then skips what is left and
     * {@link #close closes}. Any thread.
     */
    public void clientGone() {
        ctx.gone = true;
        cancel();
    }

    public boolean isClosed() {
        return ctx.closed;
    }

    /** True while a statement runs on the backend (the client is then not being read). */
    public boolean isRunningStatement() {
        return results.isRunning();
    }

    /** Cancels the running statement, if any (CancelRequest or client gone). Any thread. */
    void cancel() {
        results.cancel(ctx.conn, services.workers());
    }

    /** Resets the backend connection and returns it to its pool. Idempotent. */
    public void close() {
        if (ctx.closed) {
            return;
        }
        ctx.closed = true;
        services.registry().unregister(this);
        notifications.close();
        out.discard();
        extended.closeAll();
        if (ctx.conn == null) {
            return;
        }
        // first, whatever happens to the database reset below: Warden's own session state is not in the database
        endLease();
        try {
            if (!ctx.conn.getAutoCommit()) {
                ctx.conn.rollback();
                ctx.conn.setAutoCommit(true);
            }
            try (Statement s = ctx.conn.createStatement()) {
                if (transaction.status() != 'I') {
                    s.execute("ROLLBACK");
                }
                // back to the connection's own defaults before another client gets it (DISCARD ALL also
                // ends its LISTENs)
                s.execute("DISCARD ALL");
            }
            notifications.discardReceived(); // received before the DISCARD: not for the next client
            SessionContext.closeQuietly(ctx.simple);
            ctx.conn.close();
        } catch (SQLException | RuntimeException e) {
            try {
                ctx.conn.abort(Runnable::run);
            } catch (SQLException | RuntimeException ignored) {
                // already broken
            }
            try {
                ctx.conn.close();
            } catch (SQLException | RuntimeException ignored) {
                // the pool notices the broken connection and evicts it
            }
        }
        ctx.conn = null;
    }

    // ---------------------------------------------------------------- ReadyForQuery and notifications

    /**
     * Ends a response with ReadyForQuery and sends it. Notifications the backend received meanwhile go
     * first, as PostgreSQL sends them just before its ReadyForQuery.
     */
    private void readyForQuery() {
        char status = transaction.syncWithBackend();
        if (ctx.applicationName != null && !ctx.closed) ctx.applicationName.sync(ctx.engine, out.buf());
        notifications.beforeReady(status);
        BackendMessages.readyForQuery(out.buf(), status);
        out.flush();
        notifications.afterReady(status);
    }

    /**
     * True while the client is idle outside a transaction block and the session listens: a notification may
     * come at any moment ({@link SessionNotifications#awaitsNotifications}).
     */
    public boolean awaitsNotifications() {
        return notifications.awaitsNotifications();
    }

    /**
     * Waits on the backend connection for at most {@link #MAX_WAIT_SLICE_MILLIS} and sends the notifications
     * that arrive ({@link SessionNotifications#awaitNotifications}). Runs on the session's thread.
     *
     * @return false when it did not wait: not idle and listening, or the client is not reading what it is sent
     */
    public boolean awaitNotifications() {
        return notifications.awaitNotifications();
    }

    /** The longest wait on the backend connection before the session looks at its client again. */
    public static final int MAX_WAIT_SLICE_MILLIS = SessionNotifications.MAX_WAIT_SLICE_MILLIS;

    // ---------------------------------------------------------------- dispatch

    /**
     * Handles the frames of one read in order. Knowing what follows lets several Executes before one Sync
     * run in one implicit transaction, as PostgreSQL runs them (a pgjdbc batch is all or nothing).
     */
    public void handleAll(List<PgFrame> frames) {
        int n = frames.size();
        for (int i = 0; i < n; i++) {
            PgFrame f = frames.get(i);
            byte t = f.type();
            if (t == 'E' || t == 'D') {
                int executes = 0;
                for (int j = i; j < n && frames.get(j).type() != 'S'; j++) {
                    if (frames.get(j).type() == 'E') {
                        executes++;
                    }
                }
                extended.executesInGroup(executes);
            }
            handle(f);
            extended.executesInGroup(0);
        }
    }

    /** Handles one frontend message. */
    public void handle(PgFrame f) {
        try {
            handleFrame(f);
        } catch (ClientOutput.ClientGoneException e) {
            // raised while answering an error: the client left, or the backend was lost (see sendError)
            close();
        }
    }

    private void handleFrame(PgFrame f) {
        if (ctx.closed || ctx.gone) {
            // messages a vanished client pipelined before leaving are not run
            return;
        }
        notifications.clientActive();
        byte type = f.type();
        try {
            if (extended.skippingToSync() && type != 'S' && type != 'X') {
                return;
            }
            if (out.encoding().converts() && (f = inBackendEncoding(f)) == null) {
                return;
            }
            switch (type) {
                case 'Q' -> {
                    String sql = f.readCString();
                    extended.stopSkipping();
                    simpleQueries.run(sql);
                    readyForQuery();
                }
                case 'P' -> extended.parse(f);
                case 'B' -> extended.bind(f);
                case 'D' -> extended.describe(f);
                case 'E' -> extended.execute(f);
                case 'C' -> extended.close(f);
                case 'S' -> {
                    extended.sync();
                    readyForQuery();
                }
                case 'H' -> out.flush();
                case 'F' -> {
                    // PostgreSQL follows a FunctionCall's answer with ReadyForQuery at once (no Sync)
                    try {
                        transaction.syncAutoCommit();
                        functionCalls.run(f, ctx.conn, ctx.engine, out.buf());
                    } catch (SQLException e) {
                        ctx.sendError(e);
                        transaction.failed();
                    }
                    readyForQuery();
                }
                case 'X' -> {
                    out.flush();
                    close();
                    out.closeClient();
                }
                default -> {
                    BackendMessages.errorOrNotice(out.buf(), 'E', ErrorFields.fatal("08P01",
                            "invalid frontend message type " + (type & 0xff)));
                    out.flush();
                    out.closeClient();
                    close();
                }
            }
        } catch (ClientOutput.ClientGoneException e) {
            close();
        } catch (PgFrame.MalformedMessageException e) {
            BackendMessages.errorOrNotice(out.buf(), 'E', ErrorFields.fatal("08P01", e.getMessage()));
            out.flush();
            out.closeClient();
            close();
        } catch (SQLException e) {
            extended.failed(e);
        } catch (RuntimeException e) {
            if (ctx.gone) {
                close();
                return;
            }
            SQLException internal = new SQLException("internal gateway error: " + e.getClass().getSimpleName(),
                    "XX000");
            if (type == 'Q' || type == 'F') {
                // a simple query (or a function call) is always answered up to ReadyForQuery, whatever went wrong
                ctx.sendError(internal);
                transaction.failed();
                readyForQuery();
            } else {
                extended.failed(internal);
            }
        }
    }

    /** The frame with its text in UTF-8; null, with the 22021 error answered, for bytes invalid in the client's encoding. */
    private PgFrame inBackendEncoding(PgFrame f) {
        try {
            return MessageTranscoder.toUtf8(f, out.encoding());
        } catch (SQLException e) {
            if (f.type() == 'Q') {
                extended.stopSkipping();
                ctx.sendError(ctx.refusedHere(null, e));
                transaction.failed();
                readyForQuery();
            } else {
                extended.failed(ctx.refusedHere(null, e));
            }
            return null;
        }
    }

}
