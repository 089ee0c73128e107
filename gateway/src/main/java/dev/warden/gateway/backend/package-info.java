/**
 * The backend layer: everything that talks to the session's JDBC connection to the database beyond the plain
 * java.sql API, and the only package that may use pgjdbc. Where connections come from
 * ({@link dev.warden.gateway.backend.BackendConnector}), COPY through pgjdbc's CopyManager
 * ({@link dev.warden.gateway.backend.CopyRunner}, {@link dev.warden.gateway.backend.PgjdbcCopyRunner}), the
 * backend's true transaction status ({@link dev.warden.gateway.backend.BackendTransaction}), its notifications
 * ({@link dev.warden.gateway.backend.BackendNotifications}), a connection-level cancel
 * ({@link dev.warden.gateway.backend.BackendCancel}), the backend's process id
 * ({@link dev.warden.gateway.backend.BackendPid}), the result columns' type OID, length, modifier, table and
 * column number and the parameters' type OIDs ({@link dev.warden.gateway.backend.ResultColumns}, through the
 * one adapter that reads pgjdbc's private state, {@link dev.warden.gateway.backend.PgjdbcInternals}, pinned by
 * its test) and what counts as a lost backend ({@link dev.warden.gateway.backend.BackendLoss}).
 *
 * <p>May use: auth (the user a connection acts for), wire, pgjdbc, the Warden JDBC wrappers and the JDK.
 * Known escape hatches (issue 11: to remove into one adapter behind the engine's session interface):
 * pgjdbc internals in {@code BackendTransaction} and {@code PgjdbcInternals} (private fields by
 * reflection), and the wrappers' {@code unwrapForCopy}, {@code transactionStatus} and
 * {@code unwrapDriverMetaData}. Used by session and the server.
 */
package dev.warden.gateway.backend;
