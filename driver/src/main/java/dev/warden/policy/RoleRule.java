package dev.warden.policy;

import java.util.Objects;
import java.util.Set;

/**
 * A role of the policy and the purposes it may declare (empty: it may declare none). Immutable, thread-safe.
 */
public record RoleRule(String name, Set<String> purposes) {

    public RoleRule {
        Objects.requireNonNull(name, "name");
        purposes = Set.copyOf(purposes);
    }

    /** True when a session of this role may declare {@code purpose}; a null purpose (none declared) always may. */
    public boolean mayActFor(String purpose) {
        return purpose == null || purposes.contains(purpose);
    }
}
