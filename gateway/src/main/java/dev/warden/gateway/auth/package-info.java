/**
 * The authentication layer, free of any transport: who may log in ({@link dev.warden.gateway.auth.GatewayUser},
 * checked against {@link dev.warden.gateway.auth.LoginRules}), how ({@link dev.warden.gateway.auth.AuthMethod}:
 * {@link dev.warden.gateway.auth.ScramVerifier} and the {@link dev.warden.gateway.auth.ScramServerExchange} of
 * SCRAM-SHA-256, with channel binding over TLS; {@link dev.warden.gateway.auth.Md5Verifier}), the per-address
 * {@link dev.warden.gateway.auth.AuthFailureLimiter}, and where refused logins are recorded
 * ({@link dev.warden.gateway.auth.RefusedLogins}, implemented by the server's login audit).
 *
 * <p>May use: the JDK and the wire layer. Used by transport (the authentication handler runs the exchange),
 * session and backend (a session acts for a {@code GatewayUser}; its backend connection carries the user's
 * role) and the server.
 */
package dev.warden.gateway.auth;
