/**
 * The transport layer: how bytes reach a session. The Netty pipeline of a connection (the frame decoder, then
 * {@link dev.warden.gateway.transport.AuthenticationHandler} for the startup phase, then
 * {@link dev.warden.gateway.transport.SessionHandler} on the event loop with
 * {@link dev.warden.gateway.transport.NettyClientOutput}), and the hand-over of a connection off its event
 * loop ({@link dev.warden.gateway.transport.HandoverServerSocketChannel}) to a thread that reads
 * ({@link dev.warden.gateway.transport.ClientSocket}, {@link dev.warden.gateway.transport.SocketSessionLoop})
 * and writes ({@link dev.warden.gateway.transport.SocketClientOutput}) the socket itself, over TLS with the
 * engine the event loop negotiated ({@link dev.warden.gateway.transport.ClientTls}).
 *
 * <p>May use: session, auth, wire, Netty and the JDK; never the backend or pgjdbc. What it needs from the
 * server comes in {@link dev.warden.gateway.transport.StartupServices}; authenticated clients go to a
 * {@link dev.warden.gateway.transport.SessionLauncher}. Used only by the server.
 */
package dev.warden.gateway.transport;
