/**
 * The PostgreSQL-protocol gateway: psql, pgbench and PostgreSQL drivers connect to it unchanged; it
 * authenticates them itself (SCRAM-SHA-256 against configured verifiers, or per user a cleartext or md5
 * password, see {@link dev.warden.gateway.AuthMethod}), maps each to a Warden role and
 * purpose, and runs every statement through a JDBC connection from a {@link dev.warden.gateway.BackendConnector}
 * (plain pgjdbc or the {@code jdbc:warden:} driver over HikariCP).
 *
 * <p>Threads: Netty event loops only decode frames ({@link dev.warden.gateway.PgFrameDecoder}), authenticate
 * ({@link dev.warden.gateway.AuthenticationHandler}) and hand frames over
 * ({@link dev.warden.gateway.SessionHandler}); each session's JDBC work runs in order on its own
 * {@link dev.warden.gateway.SerialExecutor} over a shared pool ({@link dev.warden.gateway.GatewaySession}),
 * which writes results through {@link dev.warden.gateway.ClientOutput} and waits for channel writability
 * while streaming.
 *
 * <p>What JDBC cannot tell is reconstructed: command tags from the statements' leading keywords
 * ({@link dev.warden.gateway.StatementKind}); errors and notices carry the server's own fields
 * ({@link dev.warden.gateway.ErrorFields}). Read from pgjdbc itself: COPY ({@link dev.warden.gateway.CopyRunner}),
 * the backend's transaction status ({@link dev.warden.gateway.BackendTransaction}; keywords are the fallback),
 * and, through the one adapter that touches pgjdbc's private state ({@link dev.warden.gateway.PgjdbcInternals}),
 * the result columns' type OID, length, modifier, table and column number
 * ({@link dev.warden.gateway.ResultColumns}) and the parameters' type OIDs.
 */
package dev.warden.gateway;
