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
 * ({@link dev.warden.gateway.StatementKind}), type OIDs from the type names
 * ({@link dev.warden.gateway.PgTypeCatalog}), error detail and hint from the driver's message text
 * ({@link dev.warden.gateway.ErrorFields}). Three things are read from pgjdbc itself, each in one class:
 * COPY ({@link dev.warden.gateway.CopyRunner}), the backend's transaction status
 * ({@link dev.warden.gateway.BackendTransaction}; keywords are the fallback) and the columns' table, column
 * number and type modifier ({@link dev.warden.gateway.ColumnOrigins}).
 */
package dev.warden.gateway;
