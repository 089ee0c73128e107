package dev.warden.engine;

import dev.warden.policy.ColumnRule;
import dev.warden.policy.Policy;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The DDL a policy's companion columns need ({@code warden schema}): for each column with {@code match: true},
 * the companion {@code <column>_match bigint[]}, a GIN index on it, which answers the containment
 * ({@code @>}) filters Warden sends for LIKE and ILIKE, and a partial index of the rows whose companion is still
 * missing (which every LIKE reads too); for each column with {@code order: true}, the companion
 * {@code <column>_order bytea} (right ciphertexts of its order index), and once the comparison function
 * {@code warden.ore_compare} of {@code dev/warden/crypto/ore-compare.sql} (which needs the pgcrypto extension,
 * {@link #PGCRYPTO}). Statements are idempotent ({@code IF NOT EXISTS}), so
 * applying them again after a policy change adds only what is missing. Stateless.
 */
public final class CompanionSchema {

    private CompanionSchema() {}

    /** The statement creating pgcrypto, which the order functions need (see {@code warden schema}). */
    public static final String PGCRYPTO = "CREATE EXTENSION IF NOT EXISTS pgcrypto";

    /** The resource holding the SQL functions of order indexes. */
    static final String ORDER_FUNCTIONS = "/dev/warden/crypto/ore-compare.sql";

    /** The statements, in order; empty when the policy has no match or order column. */
    public static List<String> statements(Policy policy) {
        List<String> out = new ArrayList<>();
        for (ColumnRule rule : policy.columns()) {
            if (!rule.ordered()) continue;
            out.add("ALTER TABLE " + tableOf(rule) + " ADD COLUMN IF NOT EXISTS "
                    + MatchWrites.identifier(rule.orderColumn()) + " bytea");
        }
        if (policy.hasOrderColumns()) out.addAll(orderFunctions());
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

    private static String tableOf(ColumnRule rule) {
        return (rule.schema() == null ? "" : MatchWrites.identifier(rule.schema()) + ".")
                + MatchWrites.identifier(rule.table());
    }

    /**
     * The statements of {@link #ORDER_FUNCTIONS} ({@link #PGCRYPTO} first), comments left out: split after each
     * {@code ;} ending a line outside a dollar-quoted body.
     */
    static List<String> orderFunctions() {
        String script;
        try (InputStream in = CompanionSchema.class.getResourceAsStream(ORDER_FUNCTIONS)) {
            if (in == null) throw new IllegalStateException(ORDER_FUNCTIONS + " is missing from the driver jar");
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> out = new ArrayList<>();
        StringBuilder statement = new StringBuilder();
        boolean inBody = false;
        for (String line : script.split("\n")) {
            if (!inBody && (line.isBlank() || line.stripLeading().startsWith("--"))) continue;
            int dollars = line.split("\\$\\$", -1).length - 1;
            if (dollars % 2 == 1) inBody = !inBody;
            if (!statement.isEmpty()) statement.append('\n');
            statement.append(line);
            if (!inBody && line.stripTrailing().endsWith(";")) {
                String sql = statement.toString().strip();
                out.add(sql.substring(0, sql.length() - 1));
                statement.setLength(0);
            }
        }
        if (!statement.toString().isBlank()) out.add(statement.toString().strip());
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
