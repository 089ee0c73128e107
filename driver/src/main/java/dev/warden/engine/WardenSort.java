package dev.warden.engine;

import dev.warden.crypto.LogicalType;
import dev.warden.policy.SortRowCap;
import dev.warden.sql.ColumnRef;
import dev.warden.sql.OutputColumn;
import dev.warden.sql.SqlTokens;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code ORDER BY} over encrypted columns, answered by Warden (docs/order-index.md, option D): the database cannot
 * order ciphertext, so the statement is sent without its ORDER BY, each sort key comes back as a hidden column after
 * the statement's own (an encrypted key as its ciphertext, a plain key as its rank under the database's own order,
 * {@code pg_catalog.dense_rank() OVER (ORDER BY key ...)}, so that the server's collation decides plain text), and
 * {@link RowOrder} sorts the decrypted rows, at most {@link SortRowCap} of them, before OFFSET and LIMIT apply
 * ({@link MatchFilters} takes those out and {@link RowFilter} applies them, as for a LIKE's re-check).
 *
 * <p>Only one shape is accepted, read from the tokens of the statement sent: one plain SELECT from one table,
 * without subquery, CTE, set operation, grouping, DISTINCT, window or locking clause, whose top-level ORDER BY items
 * are each a column (bare, qualified, an output name or position) with optional {@code COLLATE "C"|"POSIX"},
 * {@code ASC|DESC} and {@code NULLS FIRST|LAST}. Every encrypted column the analyzer saw in an ORDER BY must be one
 * of those items; anything else is refused (0A000) as before. Text keys are sorted by code point, which is
 * PostgreSQL's order only under the "C" (or "POSIX") collation: written in the ORDER BY, or the database's default.
 * Immutable.
 */
final class WardenSort {

    /** An encrypted column the analyzer saw in an ORDER BY ({@code collated}: inside COLLATE). */
    record SortUse(ProtectedColumn column, boolean collated) {}

    /**
     * One sort key: an encrypted column read from hidden column {@code rawIndex} and compared decrypted, or (column
     * null) a plain key whose rank the database computed there.
     */
    record Key(ProtectedColumn column, boolean descending, boolean nullsFirst, int rawIndex) {}

    /** What {@link #render} adds to the statement sent: the ORDER BY removed, the hidden columns, the keys. */
    record Rendered(int removeFrom, int removeTo, String hiddenColumns, List<Key> keys) {}

    private static final java.util.Set<String> REFUSED_WORDS = java.util.Set.of("group", "having", "distinct",
            "over", "window", "union", "intersect", "except", "with", "within", "for", "join", "lateral", "using",
            "recursive");

    private final List<SortUse> uses;
    private final List<OutputColumn> outputs;
    private final SortRowCap cap;

    WardenSort(List<SortUse> uses, List<OutputColumn> outputs, SortRowCap cap) {
        this.uses = List.copyOf(uses);
        this.outputs = List.copyOf(outputs);
        this.cap = cap;
    }

    SortRowCap cap() {
        return cap;
    }

    /**
     * Whether a statement may be one Warden sorts, by its words alone (one SELECT, none of the clauses refused): the
     * statement compiler lets an encrypted ORDER BY key through only then, so that every other statement keeps the
     * refusal it had ({@link #render} checks the shape fully).
     */
    static boolean eligible(dev.warden.sql.LexedSql sql) {
        if (sql.statementCount() != 1) return false;
        for (String word : REFUSED_WORDS) if (sql.words().contains(word)) return false;
        return true;
    }

    /**
     * Reads the ORDER BY of {@code tokens} (the statement sent, its FROM at token {@code from}) and says how to send
     * it; the first hidden column is result column {@code firstHidden}.
     */
    Rendered render(SqlTokens tokens, int from, int firstHidden, DatabaseCollation.Source collation) throws SQLException {
        String subject = subject();
        int selects = 0;
        for (int t = 0; t < tokens.count(); t++) {
            if (tokens.kind(t) != SqlTokens.Kind.WORD) continue;
            if (isWord(tokens, t, "select")) selects++;
            if (REFUSED_WORDS.contains(tokens.lower(t))) {
                throw shape(subject, "a statement with " + tokens.lower(t).toUpperCase(Locale.ROOT));
            }
        }
        if (selects != 1 || !isWord(tokens, 0, "select")) throw shape(subject, "a subquery, CTE or set operation");
        int order = -1;
        int depth = 0;
        for (int t = from; t < tokens.count(); t++) {
            if (is(tokens, t, "(")) depth++;
            else if (is(tokens, t, ")")) depth--;
            else if (depth == 0 && isWord(tokens, t, "order") && t + 1 < tokens.count() && isWord(tokens, t + 1, "by")) {
                order = t;
                break;
            }
        }
        if (order < 0) throw shape(subject, "an ORDER BY Warden could not find at the statement's top level");
        List<Key> keys = new ArrayList<>();
        StringBuilder hidden = new StringBuilder();
        List<SortUse> unmatched = new ArrayList<>(uses);
        int t = order + 2;
        int end;
        while (true) {
            // the key itself: a position, or a column name with up to two qualifiers
            ColumnRef origin;
            String keyText;
            boolean output;
            int keyEnd;
            if (t < tokens.count() && tokens.kind(t) == SqlTokens.Kind.NUMBER) {
                // "2 COLLATE ..." is an integer constant collated, not a position: PostgreSQL refuses it
                if (isWord(tokens, t + 1, "collate")) throw notCollatable("integer");
                origin = outputs.get(position(tokens, t, subject) - 1).origin();
                keyText = null;
                output = true;
                keyEnd = t;
            } else if (isName(tokens, t)) {
                keyEnd = t;
                while (keyEnd + 2 < tokens.count() && is(tokens, keyEnd + 1, ".") && isName(tokens, keyEnd + 2)) {
                    keyEnd += 2;
                }
                String name = identifier(tokens, keyEnd);
                // PostgreSQL looks a bare name up among the output columns first; "name COLLATE ..." is an
                // expression, whose name is always the table's column
                boolean bare = keyEnd == t && !isWord(tokens, keyEnd + 1, "collate");
                OutputColumn named = bare ? outputNamed(name) : null;
                output = named != null;
                origin = output ? named.origin() : new ColumnRef(null, name);
                keyText = tokens.text().substring(tokens.start(t), tokens.end(keyEnd));
            } else {
                throw shape(subject, "an ORDER BY item that is not a column, an output name or a position");
            }
            t = keyEnd + 1;
            // COLLATE "C" / "POSIX" (optionally pg_catalog.): code point order
            String collate = null;
            if (isWord(tokens, t, "collate")) {
                int c = t + 1;
                if (isWord(tokens, c, "pg_catalog") && is(tokens, c + 1, ".")) c += 2;
                collate = c < tokens.count() && tokens.kind(c) == SqlTokens.Kind.QUOTED_IDENTIFIER ? tokens.text(c)
                        : "?";
                t = c + 1;
            }
            boolean descending = false;
            if (isWord(tokens, t, "asc")) t++;
            else if (isWord(tokens, t, "desc")) {
                descending = true;
                t++;
            }
            boolean nullsFirst = descending;  // PostgreSQL's default: NULLs sort as larger than any value
            if (isWord(tokens, t, "nulls") && (isWord(tokens, t + 1, "first") || isWord(tokens, t + 1, "last"))) {
                nullsFirst = isWord(tokens, t + 1, "first");
                t += 2;
            }
            ProtectedColumn encrypted = origin == null ? null : take(unmatched, origin.column(), collate != null);
            int rawIndex = firstHidden + keys.size();
            if (encrypted != null) {
                if (collate != null && encrypted.type() != LogicalType.TEXT) {
                    throw notCollatable(encrypted.type().name().toLowerCase(Locale.ROOT));
                }
                if (collate != null && !collate.equals("\"C\"") && !collate.equals("\"POSIX\"")) {
                    throw shape(subject, "COLLATE other than \"C\" or \"POSIX\" on " + encrypted.name());
                }
                if (encrypted.type() == LogicalType.TEXT && collate == null && collation.unlessCodePoint() != null) {
                    throw SqlStates.unsupported("ORDER BY " + encrypted.name() + ": Warden sorts this encrypted text"
                            + " column itself, by code point, which is PostgreSQL's order only under the \"C\""
                            + " collation, and this database's default collation is not \"C\"; write ORDER BY "
                            + encrypted.rule().column() + " COLLATE \"C\" to sort it in that order");
                }
                // a qualified key as written: in a FROM naming the table twice the bare column would be ambiguous
                hidden.append(", ").append(output ? quoted(encrypted.rule().column()) : keyText);
            } else {
                if (output && origin == null) {
                    throw shape(subject, "an ORDER BY item naming a computed output column beside an encrypted key");
                }
                String expression = output ? quoted(origin.column()) : keyText;
                String modifiers = t - 1 > keyEnd ? tokens.text().substring(tokens.start(keyEnd + 1), tokens.end(t - 1))
                        : "";
                // the database ranks the plain key in its own order (collation, type), with this item's direction
                hidden.append(", pg_catalog.dense_rank() OVER (ORDER BY ").append(expression).append(' ')
                        .append(modifiers).append(')');
            }
            // a plain key's rank already follows the item's direction and NULLS: ascending, never null
            keys.add(encrypted == null ? new Key(null, false, false, rawIndex)
                    : new Key(encrypted, descending, nullsFirst, rawIndex));
            if (t < tokens.count() && is(tokens, t, ",")) {
                t++;
                continue;
            }
            end = t;
            break;
        }
        if (end < tokens.count() && !is(tokens, end, ";") && !isWord(tokens, end, "limit")
                && !isWord(tokens, end, "offset") && !isWord(tokens, end, "fetch")) {
            throw shape(subject, "an ORDER BY item Warden does not read (only column [COLLATE \"C\"] [ASC|DESC]"
                    + " [NULLS FIRST|LAST])");
        }
        if (!unmatched.isEmpty()) {
            throw shape(unmatched.get(0).column().name(), "the column used elsewhere than as a whole ORDER BY item");
        }
        return new Rendered(tokens.start(order), tokens.end(end - 1), hidden.toString(), List.copyOf(keys));
    }

    /** The encrypted column named {@code column} among {@code unmatched} used as {@code collated} says, taken. */
    private static ProtectedColumn take(List<SortUse> unmatched, String column, boolean collated) {
        for (int i = 0; i < unmatched.size(); i++) {
            SortUse use = unmatched.get(i);
            if (use.column().rule().column().equals(column) && use.collated() == collated) {
                unmatched.remove(i);
                return use.column();
            }
        }
        return null;
    }

    private OutputColumn outputNamed(String name) {
        OutputColumn found = null;
        for (OutputColumn o : outputs) {
            if (o.label() != null && o.label().equals(name)) {
                if (found != null) return null;  // ambiguous: PostgreSQL refuses it, the analyzer did too
                found = o;
            }
        }
        return found;
    }

    private int position(SqlTokens tokens, int t, String subject) throws SQLException {
        try {
            int n = Integer.parseInt(tokens.text(t));
            if (n >= 1 && n <= outputs.size()) return n;
        } catch (NumberFormatException e) {
            // not a position
        }
        throw shape(subject, "an ORDER BY position out of range");
    }

    /**
     * Always quoted: a column named like a keyword (order, user) must not change the statement sent. This and the
     * token helpers below serve {@link WardenMinMax} too.
     */
    static String quoted(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    /** {@link SqlTokens#isWord}, false past the last token. */
    static boolean isWord(SqlTokens tokens, int t, String word) {
        return t >= 0 && t < tokens.count() && tokens.isWord(t, word);
    }

    /** {@link SqlTokens#is}, false past the last token. */
    static boolean is(SqlTokens tokens, int t, String text) {
        return t >= 0 && t < tokens.count() && tokens.is(t, text);
    }

    static boolean isName(SqlTokens tokens, int t) {
        return t < tokens.count()
                && (tokens.kind(t) == SqlTokens.Kind.WORD || tokens.kind(t) == SqlTokens.Kind.QUOTED_IDENTIFIER);
    }

    /** A name token as PostgreSQL folds it: unquoted lower-cased, quoted as written. */
    static String identifier(SqlTokens tokens, int t) {
        if (tokens.kind(t) == SqlTokens.Kind.WORD) return tokens.lower(t);
        String text = tokens.text(t);
        return text.substring(1, text.length() - 1).replace("\"\"", "\"");
    }

    private String subject() {
        return uses.isEmpty() ? "an encrypted column" : uses.get(0).column().name();
    }

    /** PostgreSQL's own refusal of COLLATE on a value of a type without collations (42804). */
    private static SQLException notCollatable(String type) {
        return SqlStates.of("42804", "collations are not supported by type " + type);
    }

    private static SQLException shape(String column, String what) {
        return SqlStates.unsupported("ORDER BY " + column + ": Warden sorts rows of an encrypted column itself only in"
                + " SELECT columns FROM one table [WHERE ...] ORDER BY column [COLLATE \"C\"] [ASC|DESC]"
                + " [NULLS FIRST|LAST], ... [LIMIT n] [OFFSET n]; not " + what);
    }
}
