package dev.warden.gateway.auth;

import java.util.Map;

/**
 * The configuration a login is checked against: the known users by name, the method asked of an unknown
 * user (so that it fails like a wrong password), whether cleartext and md5 passwords are accepted without
 * TLS, and how many sessions may be open at once. Immutable.
 */
public record LoginRules(Map<String, GatewayUser> users, AuthMethod defaultAuth, boolean allowCleartextPassword,
                         boolean allowMd5WithoutTls, int maxClients) {

    public LoginRules {
        users = Map.copyOf(users);
    }
}
