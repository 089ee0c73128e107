/**
 * The session layer: one client session's protocol state machine
 * ({@link dev.warden.gateway.session.GatewaySession}, the dispatcher that owns the backend connection, over
 * {@link dev.warden.gateway.session.SimpleQueryRunner}, {@link dev.warden.gateway.session.ExtendedQuery} with its
 * {@link dev.warden.gateway.session.PreparedStatements} and {@link dev.warden.gateway.session.Portals},
 * {@link dev.warden.gateway.session.TransactionState}, {@link dev.warden.gateway.session.SessionNotifications},
 * {@link dev.warden.gateway.session.ResultStreamer}, {@link dev.warden.gateway.session.SessionStartup} and the
 * {@link dev.warden.gateway.session.SessionContext} they share), COPY ({@link dev.warden.gateway.session.CopyRelay},
 * {@link dev.warden.gateway.session.CopyQuery}, {@link dev.warden.gateway.session.QueuedCopyInput}), LISTEN
 * bookkeeping ({@link dev.warden.gateway.session.ListenedChannels},
 * {@link dev.warden.gateway.session.IdleNotificationPoller}), what the gateway reads of SQL text
 * ({@link dev.warden.gateway.session.SqlText}, {@link dev.warden.gateway.session.StatementKind}), and the
 * per-session {@link dev.warden.gateway.session.SerialExecutor}.
 *
 * <p>What JDBC cannot tell is reconstructed: command tags from the statements' leading keywords
 * ({@code StatementKind}), type OIDs from the type names ({@code PgTypeCatalog}), error fields from the driver's
 * message text when the driver kept no server fields ({@code ErrorFields}).
 *
 * <p>May use: backend, auth, wire, the JDBC API, the engine's session interface
 * ({@link dev.warden.engine.EngineSession}: lend, transaction status, result metadata, COPY, audit hooks, internal
 * reads; never the JDBC wrappers' classes), the engine's {@code SqlLexer}, Netty channels and the JDK; never pgjdbc (the backend layer wraps
 * what is needed of it) nor the transport. What a session shares with the others comes in
 * {@link dev.warden.gateway.session.SessionServices}; it registers in a
 * {@link dev.warden.gateway.session.SessionRegistry}, where CancelRequests find it. Used by transport and
 * the server.
 */
package dev.warden.gateway.session;
