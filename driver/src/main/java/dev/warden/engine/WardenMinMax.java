package dev.warden.engine;

import static dev.warden.engine.WardenSort.identifier;
import static dev.warden.engine.WardenSort.is;
import static dev.warden.engine.WardenSort.isName;
import static dev.warden.engine.WardenSort.isWord;
import static dev.warden.engine.WardenSort.quoted;

import dev.warden.crypto.LogicalType;
import dev.warden.policy.SortRowCap;
import dev.warden.sql.SqlLexer;
import dev.warden.sql.SqlTokens;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code MIN(col)} and {@code MAX(col)} over encrypted columns, answered by Warden: the database cannot compare
 * ciphertext, so the statement is sent with each aggregate replaced by its column's ciphertext ({@code SELECT
 * COALESCE("c", NULL) AS "min", ... FROM t WHERE ...}: computed, as an aggregate's column is), at most
 * {@link SortRowCap} rows are read from a scrollable result, decrypted and compared as {@link RowOrder} compares them
 * for ORDER BY, and the result shows one row (always, as PostgreSQL) whose column i is read from the row holding
 * aggregate i's answer ({@link #pick}), or NULL when no row has a value.
 *
 * <p>Only one shape is accepted, read from the statement's tokens: {@code SELECT MIN(col)|MAX(col) [[AS] label],
 * ... FROM one_table [WHERE ...]}, every item an aggregate of an encrypted column, no grouping, DISTINCT, window,
 * FILTER, ORDER BY, LIMIT, OFFSET, set operation, CTE, subquery or join. Text is compared by code point, which is
 * PostgreSQL's order only under the database's default collation "C" (or "POSIX"). On ties the later row wins, as
 * PostgreSQL's {@code numeric_larger} and kin keep their second argument (1.5 vs 1.50: the scale of the later row).
 * DISTINCT is not among the words refused ({@code IS DISTINCT FROM} may filter), but {@code SELECT DISTINCT} and
 * {@code MIN(DISTINCT col)} are not the shape read. Immutable.
 */
final class WardenMinMax {

    /** Result column {@code i + 1}'s aggregate: MAX (else MIN) of {@code column}, labelled {@code label}. */
    record Aggregate(ProtectedColumn column, boolean max, String label, boolean collatedC) {}

    private static final Set<String> REFUSED_WORDS = Set.of("group", "having", "over", "window", "union",
            "intersect", "except", "with", "within", "for", "join", "lateral", "using", "recursive", "filter",
            "order", "limit", "offset", "fetch");

    private static final String SUPPORTED = "Warden computes MIN and MAX of an encrypted column itself only in"
            + " SELECT MIN(col) | MAX(col) [[AS] label], ... FROM one_table [WHERE ...], every item MIN or MAX of an"
            + " encrypted column";

    private final List<Aggregate> aggregates;
    private final SortRowCap cap;

    private WardenMinMax(List<Aggregate> aggregates, SortRowCap cap) {
        this.aggregates = List.copyOf(aggregates);
        this.cap = cap;
    }

    /**
     * Whether {@code detail} (an analyzer's use detail) is MIN or MAX of a column (or a COLLATE, maybe inside one): the statement compiler then asks
     * {@link #of} whether Warden can answer the statement.
     */
    static boolean isMinOrMax(String detail, Set<String> words) {
        return "aggregate min()".equals(detail) || "aggregate max()".equals(detail)
                || "COLLATE".equals(detail) && (words.contains("min") || words.contains("max"));
    }

    /** The columns of the statement's one table, as {@link #of} looks them up. */
    interface Columns {
        /** The encrypted column of the table named {@code name} (as PostgreSQL folds it), or null. */
        ProtectedColumn encrypted(String name) throws SQLException;
    }

    /**
     * Reads the select list of {@code sql} (normalised text, one statement): each item MIN or MAX of an encrypted
     * column, labelled as PostgreSQL labels it ({@code labels}, the analyzer's output labels). Refuses (0A000, saying
     * which shape is supported) anything else.
     */
    static WardenMinMax of(String sql, List<String> labels, Columns columns, SortRowCap cap) throws SQLException {
        SqlTokens tokens = SqlLexer.tokens(sql, SqlLexer.Dialect.JDBC);
        int selects = 0;
        for (int t = 0; t < tokens.count(); t++) {
            if (tokens.kind(t) != SqlTokens.Kind.WORD) continue;
            if (isWord(tokens, t, "select")) selects++;
            if (REFUSED_WORDS.contains(tokens.lower(t))) {
                throw shape("a statement with " + tokens.lower(t).toUpperCase(Locale.ROOT));
            }
        }
        if (selects != 1 || !isWord(tokens, 0, "select")) throw shape("a subquery, CTE or set operation");
        List<Aggregate> aggregates = new ArrayList<>();
        int t = 1;
        while (true) {
            boolean max = isWord(tokens, t, "max");
            if (!(max || isWord(tokens, t, "min")) || !is(tokens, t + 1, "(") || !isName(tokens, t + 2)) {
                throw shape("a select-list item other than MIN(column) or MAX(column)");
            }
            int end = t + 2;
            while (is(tokens, end + 1, ".") && isName(tokens, end + 2)) end += 2;
            int close = end + 1;
            // COLLATE "C" / "POSIX" (optionally pg_catalog.): code point order, whatever the database's default
            boolean collatedC = false;
            if (isWord(tokens, close, "collate")) {
                int c = close + 1;
                if (isWord(tokens, c, "pg_catalog") && is(tokens, c + 1, ".")) c += 2;
                if (!is(tokens, c, "\"C\"") && !is(tokens, c, "\"POSIX\"")) {
                    throw shape("MIN or MAX under a COLLATE other than \"C\" or \"POSIX\"");
                }
                collatedC = true;
                close = c + 1;
            }
            if (!is(tokens, close, ")")) throw shape("MIN or MAX of an expression");
            String name = identifier(tokens, end);
            ProtectedColumn column = columns.encrypted(name);
            if (column == null) {
                throw shape("MIN or MAX of a column that is not encrypted (" + name + ") beside one that is");
            }
            if (aggregates.size() >= labels.size()) throw shape("a select list Warden could not read");
            String label = labels.get(aggregates.size());
            aggregates.add(new Aggregate(column, max, label != null ? label : max ? "max" : "min", collatedC));
            t = close + 1;
            if (isWord(tokens, t, "as")) t++;
            if (isName(tokens, t) && !isWord(tokens, t, "from")) t++;
            if (is(tokens, t, ",")) {
                t++;
                continue;
            }
            break;
        }
        if (!isWord(tokens, t, "from") || aggregates.size() != labels.size()) {
            throw shape("a select-list item other than MIN(column) or MAX(column)");
        }
        return new WardenMinMax(aggregates, cap);
    }

    List<Aggregate> aggregates() {
        return aggregates;
    }

    /** The most rows to ask the database for: one more than the cap, to tell when it is exceeded. */
    long rowsToRead() {
        return cap.rows() + 1L;
    }

    /**
     * The select list to send in place of the statement's, between its SELECT and its FROM: each aggregate's column,
     * as ciphertext, under the aggregate's label. Refuses (0A000) text without COLLATE "C" when code point order is
     * not the database's default ({@code collation}).
     */
    String selectList(DatabaseCollation.Source collation) throws SQLException {
        StringBuilder out = new StringBuilder(" ");
        for (Aggregate a : aggregates) {
            if (a.column().type() == LogicalType.TEXT && !a.collatedC() && collation.unlessCodePoint() != null) {
                throw SqlStates.unsupported((a.max() ? "MAX(" : "MIN(") + a.column().name() + "): Warden compares"
                        + " this encrypted text column itself, by code point, which is PostgreSQL's order only under"
                        + " the \"C\" collation, and this database's default collation is not \"C\"; write "
                        + (a.max() ? "MAX(" : "MIN(") + a.column().rule().column() + " COLLATE \"C\")");
            }
            if (out.length() > 1) out.append(", ");
            // COALESCE: a computed column, described without table and column, as PostgreSQL describes an aggregate
            out.append("COALESCE(").append(quoted(a.column().rule().column())).append(", NULL) AS ")
                    .append(quoted(a.label()));
        }
        return out.append(' ').toString();
    }

    /**
     * Reads the whole result {@code raw}: for each aggregate (result column i + 1), the number of the row holding
     * its answer among the rows {@code keep} accepts, or 0 when none has a value (the answer is NULL). Refuses (54000)
     * a result of more than the cap's rows before any value is shown.
     */
    int[] pick(ResultSet raw, RowFilter keep) throws SQLException {
        int[] rows = new int[aggregates.size() + 1];
        Object[] best = new Object[aggregates.size() + 1];
        int number = 0;
        while (raw.next()) {
            number++;
            if (number > cap.rows()) throw capExceeded();
            if (!keep.matches(raw, number)) continue;
            for (int i = 1; i <= aggregates.size(); i++) {
                Aggregate a = aggregates.get(i - 1);
                Object value = a.column().readPlaintext(raw, i, null, number, false);
                if (value == null) continue;
                int c = best[i] == null ? 0 : RowOrder.compareValues(value, best[i]);
                // on a tie the later value wins, as PostgreSQL's numeric_larger/_smaller keep their second argument
                if (best[i] == null || (a.max() ? c >= 0 : c <= 0)) {
                    best[i] = value;
                    rows[i] = number;
                }
            }
        }
        return rows;
    }

    private SQLException capExceeded() {
        StringBuilder what = new StringBuilder();
        for (Aggregate a : aggregates) {
            if (what.length() > 0) what.append(", ");
            what.append(a.max() ? "MAX(" : "MIN(").append(a.column().name()).append(')');
        }
        return SqlStates.of("54000", what + ": Warden computes MIN and MAX of encrypted columns itself and reads at"
                + " most " + cap.rows() + " rows to do so, but this statement selects more; narrow it with WHERE, or"
                + " raise the policy's " + cap.origin());
    }

    private static SQLException shape(String what) {
        return SqlStates.unsupported(SUPPORTED + "; not " + what);
    }
}
