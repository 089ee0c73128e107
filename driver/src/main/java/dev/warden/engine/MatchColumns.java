package dev.warden.engine;

import dev.warden.crypto.KeyException;
import dev.warden.crypto.MatchIndex;
import dev.warden.crypto.WardenKeyset;
import dev.warden.policy.ColumnRule;
import dev.warden.policy.Policy;
import dev.warden.sql.Catalog;
import dev.warden.sql.TableName;
import dev.warden.sql.UniqueKey;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What the engine checks of columns with {@code match: true} before using them: the keyset holds a match key,
 * and the live table has the companion column {@code <column>_match} of type {@code bigint[]} (which
 * {@code warden schema} creates). Stateless.
 */
final class MatchColumns {

    /** The type of the companion column as the catalog names it ({@code pg_type.typname} of {@code bigint[]}). */
    static final String COMPANION_TYPE = "_int8";

    private MatchColumns() {}

    /**
     * At start-up and before a keyset reload is installed: a policy with match columns needs a keyset with a match
     * key (keysets written before match indexes existed have none).
     */
    static void checkKeyset(Policy policy, WardenKeyset keyset) throws KeyException {
        if (keyset == null || keyset.hasMatchKey() || !policy.hasMatchColumns()) return;
        StringBuilder columns = new StringBuilder();
        for (ColumnRule rule : policy.columns()) {
            if (!rule.match()) continue;
            if (!columns.isEmpty()) columns.append(", ");
            columns.append(rule.qualifiedName()).append(" (policy line ").append(rule.line()).append(')');
        }
        throw new KeyException("the policy asks for match indexes (" + columns + ") but keyset "
                + policy.keysetPath() + " has no match key (it was created before match indexes existed): run"
                + " warden keys add-match-key, or warden keys rotate, which adds one");
    }

    /**
     * The match index of {@code rule} on the live table {@code info}, or null when the rule has none.
     *
     * @param where " (policy file line N)" for messages
     */
    static MatchIndex index(Policy policy, ColumnRule rule, WardenKeyset keyset, LiveCatalog.TableInfo info,
                            String where) throws SQLException {
        if (!rule.match()) return null;
        String companion = rule.matchColumn();
        String type = info.typeNames().get(companion);
        if (type == null || !type.equals(COMPANION_TYPE)) {
            throw SqlStates.of(SqlStates.POLICY_MISMATCH, rule.qualifiedName() + where + " has match: true, so table "
                    + info.relation() + " needs the companion column " + companion + " of type bigint[]"
                    + (type == null ? ", which it lacks" : ", which is of type " + type)
                    + ": run warden schema --policy " + policy.source() + " to see the DDL (--apply runs it)");
        }
        if (keyset == null) {
            throw SqlStates.of(SqlStates.KEY_UNAVAILABLE, "no keyset is loaded for the match index of "
                    + rule.qualifiedName());
        }
        try {
            return keyset.matchIndex(rule.qualifiedName());
        } catch (KeyException e) {
            throw SqlStates.of(SqlStates.KEY_UNAVAILABLE, e.getMessage(), e);
        }
    }

    /**
     * {@code catalog} as the analyzer must see it under {@code policy}: the companion columns of the policy's match
     * and order columns are internal ({@link Catalog#internalColumns}), so that {@code *} and an INSERT without a column list
     * mean what they mean on the table without them. {@code catalog} itself when the policy has no match column.
     */
    static Catalog hidingCompanions(Catalog catalog, Policy policy) {
        if (!policy.hasMatchColumns() && !policy.hasOrderColumns()) return catalog;
        return new Catalog() {
            @Override
            public List<String> columns(TableName table) {
                return catalog.columns(table);
            }

            @Override
            public List<UniqueKey> uniqueKeys(TableName table) {
                return catalog.uniqueKeys(table);
            }

            @Override
            public Set<String> internalColumns(TableName table) {
                List<String> columns = catalog.columns(table);
                if (columns == null || !policy.protectsTable(table.schema(), table.name())) return Set.of();
                Set<String> companions = new HashSet<>();
                for (String column : columns) {
                    if (policy.matchCompanionOwner(table.schema(), table.name(), column).isPresent()
                            || policy.orderCompanionOwner(table.schema(), table.name(), column).isPresent()) {
                        companions.add(column);
                    }
                }
                return companions;
            }
        };
    }
}
