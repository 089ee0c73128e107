package dev.warden.engine;

import dev.warden.policy.ColumnRule;
import dev.warden.sql.ColumnUse;
import java.util.Locale;

/**
 * The second half of a refusal on a protected column: what change of the policy would allow the statement, or
 * that none would (so nobody goes looking for one). Each hint names the column and the policy key to change,
 * never a value. Stateless and thread-safe.
 */
final class PolicyHints {

    private PolicyHints() {
    }

    /** For a read refused to a role: the read grant that would allow it. */
    static String read(String role, ColumnRule rule) {
        return "; to allow it, grant '" + role + "' plaintext or masked in read: of " + rule.qualifiedName();
    }

    /** For a write refused to a role. */
    static String write(String role, ColumnRule rule) {
        return "; to allow it, add '" + role + "' to write: of " + rule.qualifiedName();
    }

    /** For a comparison (or grouping) refused to a role without the filter right. */
    static String filter(String role, ColumnRule rule) {
        return "; to allow it, add '" + role + "' to filter: of " + rule.qualifiedName()
                + (rule.filterers() == null ? " (or grant it plaintext in read:)" : "");
    }

    /**
     * For an unsupported use (the detail of {@link ColumnUse}): the policy change that allows it where one
     * exists, else which uses do work on the column as the policy stands.
     */
    static String unsupported(ColumnUse use, ColumnRule rule) {
        String detail = use.detail().toLowerCase(Locale.ROOT);
        String column = rule.qualifiedName();
        if (detail.equals("compared with another column")) {
            return "; equality between two different columns works when both are encrypt: deterministic and the"
                    + " policy puts them in one join-group: (see docs/policy.md)";
        }
        if (detail.startsWith("comparison") || detail.startsWith("between") || detail.startsWith("not between")) {
            String hint = OrderFilters.hint(rule);
            if (hint != null) return hint;
        }
        if (detail.contains("order by") || detail.startsWith("comparison") || detail.equals("between")) {
            return "; no policy setting allows ordering or ranges on a protected column yet (only equality)";
        }
        return switch (rule.encryption()) {
            case DETERMINISTIC -> "; on " + column + " (encrypt: deterministic) the database can only compare"
                    + " stored values for equality: =, <>, IN, = ANY (ARRAY[...]), IN (SELECT the same column),"
                    + " joins on it, GROUP BY and DISTINCT of the bare column, COUNT, IS [NOT] NULL";
            case RANDOMIZED -> "; on " + column + " (encrypt: randomized) only IS [NOT] NULL and COUNT work;"
                    + " equality, GROUP BY and DISTINCT work on encrypt: deterministic columns";
            case NONE -> "; on a rules-only column (encrypt: none) a role that reads it in plaintext and may filter"
                    + " on it may compute with it";
        };
    }

    /** For equality between two columns the policy does not put in one join group. */
    static String joinGroup(ColumnRule rule, ColumnRule other) {
        if (other == null) return "; a protected column can only be compared with a column of its join group";
        return "; to allow it, give both columns the same join-group: (they must both be encrypt: deterministic and"
                + " of one type; existing values move to the group with warden keys reencrypt, see docs/policy.md)";
    }

    /** For a use that compares a randomized column's values with each other (GROUP BY, DISTINCT, a join...). */
    static String deterministicOnly(String what) {
        return "; " + what + " works on encrypt: deterministic columns";
    }
}
