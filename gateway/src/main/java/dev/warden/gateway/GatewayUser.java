package dev.warden.gateway;

import java.util.Set;

/**
 * A client identity the gateway accepts: its login name, its SCRAM verifier, the Warden role it is mapped
 * to, its default purpose (may be null) and the purposes it may declare with {@code -c warden.purpose=...}
 * (empty: only the default; a user without a default purpose may declare any). Immutable and thread-safe.
 */
public record GatewayUser(String name, ScramVerifier verifier, String role, String purpose, Set<String> purposes) {

    public GatewayUser {
        purposes = purposes == null ? Set.of() : Set.copyOf(purposes);
    }

    /** True when this user may run under {@code requested} (a null request means the default). */
    public boolean mayDeclare(String requested) {
        if (requested == null || requested.equals(purpose)) {
            return true;
        }
        if (!purposes.isEmpty()) {
            return purposes.contains(requested);
        }
        return purpose == null;
    }

    @Override
    public String toString() {
        return "GatewayUser[" + name + ", role=" + role + ", purpose=" + purpose + "]";
    }
}
