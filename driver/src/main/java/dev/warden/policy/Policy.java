package dev.warden.policy;

import java.nio.file.Path;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;

/**
 * An immutable, validated policy snapshot. Thread-safe. Reloading builds a new snapshot; nothing mutates one.
 */
public final class Policy {

    /** A short stable fingerprint of the policy content (for caches and the audit trail). */
    public String version() {
        throw new UnsupportedOperationException("TODO policy");
    }

    /** Where the policy came from (file path or classpath resource), for messages. */
    public String source() {
        throw new UnsupportedOperationException("TODO policy");
    }

    /** The keyset file, resolved against the policy file's directory; null for a classpath policy w/o file. */
    public Path keysetPath() {
        throw new UnsupportedOperationException("TODO policy");
    }

    public Optional<RoleRule> role(String name) {
        throw new UnsupportedOperationException("TODO policy");
    }

    public Collection<ColumnRule> columns() {
        throw new UnsupportedOperationException("TODO policy");
    }

    /**
     * The rule for a column, or empty. An unqualified policy table matches any schema; a qualified one
     * matches statements that name that schema, or no schema at all.
     */
    public Optional<ColumnRule> column(String schema, String table, String column) {
        throw new UnsupportedOperationException("TODO policy");
    }

    /** True when the policy has rules for this table (same matching as {@link #column}). */
    public boolean protectsTable(String schema, String table) {
        throw new UnsupportedOperationException("TODO policy");
    }

    /** The bare (unqualified) names of protected tables, for the lexer's cheap "might touch" check. */
    public Set<String> protectedTableNames() {
        throw new UnsupportedOperationException("TODO policy");
    }

    /**
     * Checks that {@code role} exists and may act for {@code purpose} (null: no purpose declared).
     * @throws PolicyException naming the role or purpose and the policy source
     */
    public void checkSession(String role, String purpose) throws PolicyException {
        throw new UnsupportedOperationException("TODO policy");
    }
}
