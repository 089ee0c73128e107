package dev.warden.policy;

import java.util.Map;
import java.util.Set;

/**
 * The rule for one protected column. {@code schema} is null when the policy names the table unqualified.
 * {@code purposes} empty means plaintext grants hold for any purpose. {@code line} is the policy line.
 */
public record ColumnRule(String schema, String table, String column, Encryption encryption, ColumnType type,
                         Map<String, Access> read, MaskKind mask, Set<String> writers, Set<String> purposes,
                         int line) {

    /**
     * What {@code role} acting for {@code purpose} (may be null) sees: the role's grant, with a plaintext
     * grant lowered to MASKED (or DENIED when no mask is set) when the column lists purposes and
     * {@code purpose} is not one of them. Unlisted roles: DENIED.
     */
    public Access accessFor(String role, String purpose) {
        throw new UnsupportedOperationException("TODO policy");
    }

    public boolean mayWrite(String role) {
        return writers.contains(role);
    }

    /** {@code table.column} as the policy names it (with schema when given): the cipher's binding name. */
    public String qualifiedName() {
        return (schema == null ? "" : schema + ".") + table + "." + column;
    }
}
