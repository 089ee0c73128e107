package dev.warden.engine;

import dev.warden.crypto.KeyException;
import dev.warden.crypto.LogicalType;
import dev.warden.crypto.OrderIndex;
import dev.warden.crypto.WardenKeyset;
import dev.warden.policy.ColumnRule;
import dev.warden.policy.Policy;
import java.sql.SQLException;

/**
 * What the engine checks of columns with {@code order: true} before using them: the keyset holds an order key, and
 * the live table has the companion column {@code <column>_order} of type {@code bytea} (which {@code warden schema}
 * creates). Stateless.
 */
final class OrderColumns {

    /** The type of the companion column as the catalog names it. */
    static final String COMPANION_TYPE = "bytea";

    private OrderColumns() {}

    /**
     * At start-up: a policy with order columns needs a keyset with an order key (keysets written before order
     * indexes existed have none).
     */
    static void checkKeyset(Policy policy, WardenKeyset keyset) throws KeyException {
        if (keyset == null || keyset.hasOrderKey() || !policy.hasOrderColumns()) return;
        StringBuilder columns = new StringBuilder();
        for (ColumnRule rule : policy.columns()) {
            if (!rule.ordered()) continue;
            if (!columns.isEmpty()) columns.append(", ");
            columns.append(rule.qualifiedName()).append(" (policy line ").append(rule.line()).append(')');
        }
        throw new KeyException("the policy asks for order indexes (" + columns + ") but keyset "
                + policy.keysetPath() + " has no order key (it was created before order indexes existed): run"
                + " warden keys add-order-key, or warden keys rotate, which adds one");
    }

    /**
     * The order index of {@code rule} on the live table {@code info}, or null when the rule has none.
     *
     * @param where " (policy file line N)" for messages
     */
    static OrderIndex index(Policy policy, ColumnRule rule, WardenKeyset keyset, LiveCatalog.TableInfo info,
                            String where) throws SQLException {
        if (!rule.ordered()) return null;
        String companion = rule.orderColumn();
        String type = info.typeNames().get(companion);
        if (type == null || !type.equals(COMPANION_TYPE)) {
            throw SqlStates.of(SqlStates.POLICY_MISMATCH, rule.qualifiedName() + where + " has order: true, so table "
                    + info.relation() + " needs the companion column " + companion + " of type bytea"
                    + (type == null ? ", which it lacks" : ", which is of type " + type)
                    + ": run warden schema --policy " + policy.source() + " to see the DDL (--apply runs it)");
        }
        if (keyset == null) {
            throw SqlStates.of(SqlStates.KEY_UNAVAILABLE, "no keyset is loaded for the order index of "
                    + rule.qualifiedName());
        }
        try {
            return keyset.orderIndex(rule.qualifiedName(), LogicalType.valueOf(rule.type().name()));
        } catch (KeyException e) {
            throw SqlStates.of(SqlStates.KEY_UNAVAILABLE, e.getMessage(), e);
        }
    }
}
