/**
 * The backend layer: everything that talks to the session's JDBC connection to the database beyond the plain
 * java.sql API, and the only package that may use pgjdbc. Where connections come from
 * ({@link dev.warden.gateway.backend.BackendConnector}), COPY through pgjdbc's CopyManager
 * ({@link dev.warden.gateway.backend.CopyRunner}, {@link dev.warden.gateway.backend.PgjdbcCopyRunner}), the
 * backend's true transaction status ({@link dev.warden.gateway.backend.BackendTransaction}), its notifications
 * ({@link dev.warden.gateway.backend.BackendNotifications}), a connection-level cancel
 * ({@link dev.warden.gateway.backend.BackendCancel}), the columns' table, column number and type modifier
 * ({@link dev.warden.gateway.backend.ColumnOrigins}) and what counts as a lost backend
 * ({@link dev.warden.gateway.backend.BackendLoss}).
 *
 * <p>May use: auth (the user a connection acts for), wire, pgjdbc, the Warden JDBC wrappers and the JDK.
 * Known escape hatches (issue 11: to remove into one adapter behind the engine's session interface):
 * pgjdbc internals in {@code BackendTransaction} and {@code ColumnOrigins} (private {@code fields} by
 * reflection), and the wrappers' {@code unwrapForCopy}, {@code transactionStatus} and
 * {@code unwrapDriverMetaData}. Used by session and the server.
 */
package dev.warden.gateway.backend;
