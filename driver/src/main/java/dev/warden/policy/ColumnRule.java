package dev.warden.policy;

import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The rule for one protected column. {@code schema} is null when the policy names the table unqualified.
 * {@code purposes} empty means plaintext grants hold for any purpose. {@code filterers} are the roles the
 * policy's {@code filter:} list names, or null when the column has no such list (then the roles that read it
 * in plaintext for the session's purpose may filter, see {@link #mayFilter}). {@code line} is the policy line. {@code match} is true
 * when the column keeps a keyed n-gram index in its companion column {@link #matchColumn()} for LIKE and ILIKE.
 * {@code joinGroup} is the column's {@code join-group:} name, or null: the deterministic columns of one group are
 * encrypted under one binding ({@link #cipherBinding}), so that equal values are equal ciphertexts across them.
 * {@code order} is the column's {@code order:} key: with an order index ({@link OrderIndexKind#any}) the column keeps
 * order-revealing ciphertexts in its companion column {@link #orderColumn()} for range predicates.
 *
 * <p>Immutable and thread-safe: the collections are copied on construction.
 */
public record ColumnRule(String schema, String table, String column, Encryption encryption, ColumnType type,
                         Map<String, Access> read, MaskKind mask, Set<String> writers, Set<String> purposes,
                         Set<String> filterers, int line, boolean match, String joinGroup, OrderIndexKind order) {

    /** The suffix of a match column's companion: {@code name} keeps its index in {@code name_match}. */
    public static final String MATCH_SUFFIX = "_match";

    /** The suffix of an order column's companion: {@code name} keeps its order index in {@code name_order}. */
    public static final String ORDER_SUFFIX = "_order";

    /** A rule without an order index. */
    public ColumnRule(String schema, String table, String column, Encryption encryption, ColumnType type,
                      Map<String, Access> read, MaskKind mask, Set<String> writers, Set<String> purposes,
                      Set<String> filterers, int line, boolean match, String joinGroup) {
        this(schema, table, column, encryption, type, read, mask, writers, purposes, filterers, line, match, joinGroup,
                OrderIndexKind.NONE);
    }

    public ColumnRule {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(column, "column");
        Objects.requireNonNull(encryption, "encryption");
        Objects.requireNonNull(type, "type");
        read = Map.copyOf(read);
        writers = Set.copyOf(writers);
        purposes = Set.copyOf(purposes);
        filterers = filterers == null ? null : Set.copyOf(filterers);
        order = order == null ? OrderIndexKind.NONE : order;
        // accessFor may answer MASKED for any plaintext grant too, so without a mask it could hand the
        // engine a MASKED decision it cannot carry out; the loader reports this with a line, this is the backstop.
        if (mask == null && read.containsValue(Access.MASKED)) {
            throw new IllegalArgumentException(table + "." + column + ": a masked grant needs a mask");
        }
    }

    /** A rule without a match index, in no join group. */
    public ColumnRule(String schema, String table, String column, Encryption encryption, ColumnType type,
                      Map<String, Access> read, MaskKind mask, Set<String> writers, Set<String> purposes,
                      Set<String> filterers, int line) {
        this(schema, table, column, encryption, type, read, mask, writers, purposes, filterers, line, false, null);
    }

    /** A rule in no join group. */
    public ColumnRule(String schema, String table, String column, Encryption encryption, ColumnType type,
                      Map<String, Access> read, MaskKind mask, Set<String> writers, Set<String> purposes,
                      Set<String> filterers, int line, boolean match) {
        this(schema, table, column, encryption, type, read, mask, writers, purposes, filterers, line, match, null);
    }

    /** A rule without a match index. */
    public ColumnRule(String schema, String table, String column, Encryption encryption, ColumnType type,
                      Map<String, Access> read, MaskKind mask, Set<String> writers, Set<String> purposes,
                      Set<String> filterers, int line, String joinGroup) {
        this(schema, table, column, encryption, type, read, mask, writers, purposes, filterers, line, false, joinGroup);
    }

    /** The companion column holding the match index ({@code <column>_match}), or null when {@code match} is off. */
    public String matchColumn() {
        return match ? column + MATCH_SUFFIX : null;
    }

    /** True when the column keeps an order index ({@code order: true}). */
    public boolean ordered() {
        return order.any();
    }

    /** The companion column holding the order index ({@code <column>_order}), or null without one. */
    public String orderColumn() {
        return order.any() ? column + ORDER_SUFFIX : null;
    }

    /** A rule without a {@code filter:} list: the roles that read the column in plaintext may filter on it. */
    public ColumnRule(String schema, String table, String column, Encryption encryption, ColumnType type,
                      Map<String, Access> read, MaskKind mask, Set<String> writers, Set<String> purposes, int line) {
        this(schema, table, column, encryption, type, read, mask, writers, purposes, null, line);
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

    /**
     * Whether {@code role} acting for {@code purpose} (may be null) may have the database compare the column's
     * values: filter on it ({@code =}, {@code <>}, {@code IN}), join or group on it, count its distinct values.
     * Each of these answers "does some row hold this value" and so reveals the value to a role that can guess
     * it, whatever the role sees of the column. With a {@code filter:} list, exactly the listed roles may, for
     * any purpose (like {@code write:}); without one, the roles that read it in plaintext for that purpose.
     */
    public boolean mayFilter(String role, String purpose) {
        if (filterers == null) return accessFor(role, purpose) == Access.PLAINTEXT;
        return role != null && filterers.contains(role);
    }

    public boolean mayWrite(String role) {
        return role != null && writers.contains(role);
    }

    /** {@code table.column} as the policy names it (with schema when given). */
    public String qualifiedName() {
        return (schema == null ? "" : schema + ".") + table + "." + column;
    }

    /**
     * The name the column's ciphertexts are bound to (the cipher's associated data): {@link #qualifiedName}, or
     * {@code join-group:NAME} for a column of a join group (a group name has no dot, so it never equals a column's
     * name). A ciphertext moved to a column of another binding fails to decrypt.
     */
    public String cipherBinding() {
        return joinGroup == null ? qualifiedName() : "join-group:" + joinGroup;
    }

    /** Whether the database may compare this column's ciphertexts with {@code other}'s as values: one join group. */
    public boolean joinsWith(ColumnRule other) {
        return joinGroup != null && other != null && joinGroup.equals(other.joinGroup)
                && encryption == Encryption.DETERMINISTIC && other.encryption == Encryption.DETERMINISTIC
                && type == other.type;
    }
}
