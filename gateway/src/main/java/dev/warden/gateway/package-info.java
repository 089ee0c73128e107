/**
 * The PostgreSQL-protocol gateway: psql, pgbench and PostgreSQL drivers connect to it unchanged; it
 * authenticates them itself (SCRAM-SHA-256 against configured verifiers, or per user a cleartext or md5
 * password), maps each to a Warden role and purpose, and runs every statement through a JDBC connection
 * (plain pgjdbc or the {@code jdbc:warden:} driver over HikariCP, {@link dev.warden.gateway.PooledBackendConnector}).
 *
 * <p>This package is the top of the stack: the server ({@link dev.warden.gateway.GatewayServer}), which owns
 * the event loops, the worker pool and the registries and builds the services records the layers below are
 * given instead of itself; its configuration ({@link dev.warden.gateway.GatewayConfig}), the start-up checks
 * ({@link dev.warden.gateway.GatewayPreflight}) and the audit of refused logins
 * ({@link dev.warden.gateway.LoginAudit}). Nothing below depends on it. The layers, each using only those
 * under it (kept so by {@code GatewayLayersTest}):
 * <pre>
 *   dev.warden.gateway   server, configuration, preflight, login audit      (and dev.warden.cli)
 *     transport          Netty pipeline, authentication handler, per-session socket thread
 *       session          simple and extended query, COPY, notifications, transaction state
 *         backend        the JDBC connection to the database: the only home of pgjdbc
 *           auth         users, verifiers, SCRAM, the failure limiter
 *             wire       frames, messages, codecs: the JDK and Netty buffers only
 * </pre>
 *
 * <p>Threads: Netty event loops decode frames, authenticate and hand frames over; each session's JDBC work
 * runs in order on its own executor over the shared worker pool, or, for plain-text clients, on a thread of
 * its own that reads and writes the client socket itself.
 */
package dev.warden.gateway;
