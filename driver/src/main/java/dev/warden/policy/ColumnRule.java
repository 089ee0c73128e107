package dev.warden.policy;

import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The rule for one protected column. {@code schema} is null when the policy names the table unqualified.
 * {@code purposes} empty means plaintext grants hold for any purpose. {@code line} is the policy line.
 *
 * <p>Immutable and thread-safe: the collections are copied on construction.
 */
public record ColumnRule(String schema, String table, String column, Encryption encryption, ColumnType type,
                         Map<String, Access> read, MaskKind mask, Set<String> writers, Set<String> purposes,
                         int line) {

    public ColumnRule {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(column, "column");
        Objects.requireNonNull(encryption, "encryption");
        Objects.requireNonNull(type, "type");
        read = Map.copyOf(read);
        writers = Set.copyOf(writers);
        purposes = Set.copyOf(purposes);
        // accessFor may answer MASKED for any plaintext grant too, so without a mask it could hand the
        // engine a MASKED decision it cannot carry out; the loader reports this with a line, this is the backstop.
        if (mask == null && read.containsValue(Access.MASKED)) {
            throw new IllegalArgumentException(table + "." + column + ": a masked grant needs a mask");
        }
    }

    /**
     * What {@code role} acting for {@code purpose} (may be null) sees: the role's grant, with a plaintext
     * grant lowered to MASKED (or DENIED when no mask is set) when the column lists purposes and
     * {@code purpose} is not one of them. Unlisted roles: DENIED.
     */
    public Access accessFor(String role, String purpose) {
        // immutable collections throw on null lookups, hence the explicit null checks
        Access granted = role == null ? null : read.get(role);
        if (granted == null) {
            return Access.DENIED;
        }
        if (granted == Access.PLAINTEXT && !purposes.isEmpty()
                && (purpose == null || !purposes.contains(purpose))) {
            return mask == null ? Access.DENIED : Access.MASKED;
        }
        return granted;
    }

    public boolean mayWrite(String role) {
        return role != null && writers.contains(role);
    }

    /** {@code table.column} as the policy names it (with schema when given): the cipher's binding name. */
    public String qualifiedName() {
        return (schema == null ? "" : schema + ".") + table + "." + column;
    }
}
