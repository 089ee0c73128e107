package dev.warden.gateway;

import dev.warden.gateway.auth.GatewayUser;
import dev.warden.engine.EngineConfig;
import dev.warden.engine.WardenEngine;
import dev.warden.policy.Policy;
import dev.warden.policy.PolicyException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What {@code warden serve} checks before it listens, so that a configuration that cannot serve its users
 * fails at start-up with a message instead of at the first client's login with a bare FATAL: the policy
 * loads and validates (its errors name file:line), the keyset opens with the master key, and every configured
 * user's role exists in the policy and may act for the user's default purpose and each of its purposes; with
 * {@code isolate-users: true}, no database user is shared by gateway users of different roles or purposes
 * ({@link BackendUserSharing}; without it that is a {@linkplain #warnings warning}); and no user name in
 * {@code backend.url} overrides the gateway users' own database users.
 *
 * <p>It opens the same shared engine the gateway's backend connections use ({@link WardenEngine#forConfig}),
 * so nothing is loaded twice. The backend database itself is not contacted: it may come up after the gateway,
 * as with pgbouncer. Stateless.
 */
public final class GatewayPreflight {

    private GatewayPreflight() {
    }

    /** Every problem found (empty when the gateway can serve every configured user). */
    public static List<String> problems(GatewayConfig config) {
        List<String> problems = new ArrayList<>();
        if (config.isolateUsers()) {
            BackendUserSharing.find(config).forEach(s -> problems.add("isolate-users: " + BackendUserSharing.describe(s)));
        }
        if (urlNamesUser(config.backend().url())
                && config.users().values().stream().anyMatch(u -> u.backendLogin() != null)) {
            // pgjdbc lets the URL's user win over the pool's: every gateway user would run as that one
            problems.add("backend.url names a user, which would override the users' own backend-user: put it in"
                    + " backend.user instead");
        }
        if (config.policy() == null) return problems;  // nothing to load: statements pass through (warned elsewhere)
        Policy policy;
        try {
            policy = WardenEngine.forConfig(new EngineConfig(config.policy(), config.masterKey())).policy();
        } catch (SQLException e) {
            problems.add(e.getMessage());
            return problems;
        }
        for (GatewayUser user : config.users().values()) {
            Set<String> purposes = new LinkedHashSet<>();
            purposes.add(user.purpose());
            purposes.addAll(user.purposes());
            for (String purpose : purposes) {
                try {
                    policy.checkSession(user.role(), purpose);
                } catch (PolicyException e) {
                    problems.add("users." + user.name() + ": " + e.getMessage());
                    break;
                }
            }
        }
        return problems;
    }

    /** What {@code warden serve} prints as warnings and serves anyway (each a line, without a prefix). */
    public static List<String> warnings(GatewayConfig config) {
        if (config.isolateUsers()) return List.of();  // then they are problems
        return BackendUserSharing.find(config).stream().map(s -> BackendUserSharing.describe(s)
                + "; isolate-users: true makes this a start-up error").toList();
    }

    private static boolean urlNamesUser(String url) {
        int query = url.indexOf('?');
        if (query < 0) return false;
        for (String param : url.substring(query + 1).split("&")) {
            if (param.toLowerCase(java.util.Locale.ROOT).startsWith("user=")) return true;
        }
        return false;
    }
}
