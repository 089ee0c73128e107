package dev.warden.gateway.transport;

import dev.warden.gateway.auth.AuthFailureLimiter;
import dev.warden.gateway.auth.LoginRules;
import dev.warden.gateway.auth.RefusedLogins;
import dev.warden.gateway.session.SessionServices;
import io.netty.handler.ssl.SslContext;

/**
 * What the startup phase of every client connection ({@link AuthenticationHandler}) uses, built once by the
 * server: the login rules, the per-address failure limiter, TLS (null: not offered) and its channel-binding
 * data (null: SCRAM-SHA-256-PLUS not offered), where refused logins are recorded, where authenticated
 * clients go, and the services sessions share (their workers also check cleartext passwords; their registry
 * takes CancelRequests and counts clients). Immutable; each service is thread-safe.
 */
public record StartupServices(LoginRules login, AuthFailureLimiter limiter, SslContext sslContext,
                              byte[] channelBindingData, RefusedLogins refusedLogins, SessionLauncher launcher,
                              SessionServices sessions) {}
