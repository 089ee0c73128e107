/**
 * The backend layer: everything that talks to the session's JDBC connection to the database beyond the plain
 * java.sql API, and the only package that may use pgjdbc. Where connections come from
 * ({@link dev.warden.gateway.backend.BackendConnector}), COPY through pgjdbc's CopyManager
 * ({@link dev.warden.gateway.backend.CopyRunner}, {@link dev.warden.gateway.backend.PgjdbcCopyRunner}), the
 * connection's {@link dev.warden.engine.EngineSession} ({@link dev.warden.gateway.backend.EngineSessions}; for a
 * backend without Warden, {@link dev.warden.gateway.backend.PlainBackendSession}), its notifications
 * ({@link dev.warden.gateway.backend.BackendNotifications}), a connection-level cancel
 * ({@link dev.warden.gateway.backend.BackendCancel}), the backend's process id
 * ({@link dev.warden.gateway.backend.BackendPid}), the result columns' type OID, length, modifier, table and
 * column number and the parameters' type OIDs ({@link dev.warden.gateway.backend.ResultColumns}, through the
 * one adapter that reads pgjdbc's private state, {@link dev.warden.gateway.backend.PgjdbcInternals}, pinned by
 * its test) and what counts as a lost backend ({@link dev.warden.gateway.backend.BackendLoss}).
 *
 * <p>May use: auth (the user a connection acts for), wire, pgjdbc, the engine's session interface and the JDK;
 * never the Warden JDBC wrappers' classes. pgjdbc's internals ({@code org.postgresql.core}/{@code .jdbc}) only in
 * {@code PgjdbcInternals}, pinned by its test. Used by session and the server.
 */
package dev.warden.gateway.backend;
