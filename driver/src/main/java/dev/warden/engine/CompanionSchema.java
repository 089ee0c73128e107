package dev.warden.engine;

import dev.warden.policy.ColumnRule;
import dev.warden.policy.Policy;
import java.util.ArrayList;
import java.util.List;

/**
 * The DDL a policy's companion columns need ({@code warden schema}): for each column with {@code match: true},
 * the companion {@code <column>_match bigint[]}, a GIN index on it, which answers the containment
 * ({@code @>}) filters Warden sends for LIKE and ILIKE, and a partial index of the rows whose companion is still
 * missing (which every LIKE reads too). Statements are idempotent ({@code IF NOT EXISTS}), so
 * applying them again after a policy change adds only what is missing. Stateless.
 */
public final class CompanionSchema {

    private CompanionSchema() {}

    /** The statements, in order; empty when the policy has no match column. */
    public static List<String> statements(Policy policy) {
        List<String> out = new ArrayList<>();
        for (ColumnRule rule : policy.columns()) {
            if (!rule.match()) continue;
            String table = (rule.schema() == null ? "" : MatchWrites.identifier(rule.schema()) + ".")
                    + MatchWrites.identifier(rule.table());
            String companion = MatchWrites.identifier(rule.matchColumn());
            out.add("ALTER TABLE " + table + " ADD COLUMN IF NOT EXISTS " + companion + " bigint[]");
            out.add("CREATE INDEX IF NOT EXISTS " + MatchWrites.identifier(indexName(rule)) + " ON " + table
                    + " USING gin (" + companion + ")");
            // the rows with a value but no index yet, which every LIKE also reads (MatchFilters#candidates)
            out.add("CREATE INDEX IF NOT EXISTS " + MatchWrites.identifier(unindexedName(rule)) + " ON " + table
                    + " (" + companion + ") WHERE " + companion + " IS NULL AND "
                    + MatchWrites.identifier(rule.column()) + " IS NOT NULL");
        }
        return out;
    }

    /** {@code <table>_<column>_match_unindexed_idx}, cut to PostgreSQL's 63-byte names. */
    static String unindexedName(ColumnRule rule) {
        String name = rule.table() + "_" + rule.matchColumn() + "_unindexed_idx";
        return name.length() <= 63 ? name : name.substring(0, 63);
    }

    /** {@code <table>_<column>_match_idx}, cut to PostgreSQL's 63-byte names. */
    static String indexName(ColumnRule rule) {
        String name = rule.table() + "_" + rule.matchColumn() + "_idx";
        return name.length() <= 63 ? name : name.substring(0, 63);
    }
}
