/**
 * The PostgreSQL-protocol gateway: psql, pgbench and PostgreSQL drivers connect to it unchanged; it
 * authenticates them itself (SCRAM-SHA-256 against configured verifiers), maps each to a Warden role and
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
 * <p>What JDBC cannot tell is reconstructed: the transaction status from the statements' leading keywords
 * ({@link dev.warden.gateway.StatementKind}), command tags likewise, type OIDs from the type names
 * ({@link dev.warden.gateway.PgTypeCatalog}), error detail and hint from the driver's message text
 * ({@link dev.warden.gateway.ErrorFields}). COPY is the one operation outside java.sql
 * ({@link dev.warden.gateway.CopyRunner}).
 */
package dev.warden.gateway;
