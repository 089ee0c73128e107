/**
 * The wire layer: PostgreSQL protocol v3 as bytes. Frames from the client
 * ({@link dev.warden.gateway.wire.PgFrame}, split by {@link dev.warden.gateway.wire.PgFrameDecoder}), the
 * backend messages sent back ({@link dev.warden.gateway.wire.BackendMessages},
 * {@link dev.warden.gateway.wire.ErrorFields}), the value codecs between JDBC values and the text and
 * binary formats ({@link dev.warden.gateway.wire.ColumnWriter}, {@link dev.warden.gateway.wire.ParameterBinder},
 * the type OIDs of {@link dev.warden.gateway.wire.PgTypeCatalog}), and the buffered sink replies go to
 * ({@link dev.warden.gateway.wire.ClientOutput}).
 *
 * <p>May use: the JDK (including {@code java.sql} values) and Netty's buffers and codec base classes, nothing
 * else of Warden's (the server's error fields come from the backend layer, {@code BackendErrors}). Used by every
 * layer above.
 */
package dev.warden.gateway.wire;
