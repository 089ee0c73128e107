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
 * user's role exists in the policy and may act for the user's default purpose and each of its purposes.
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
}
