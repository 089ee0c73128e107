package dev.warden.engine;

import dev.warden.sql.LexedSql;
import dev.warden.sql.LiteralCast;
import dev.warden.sql.Slot;
import dev.warden.sql.SqlLexer;
import dev.warden.sql.SqlTokens;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntUnaryOperator;

/**
 * Answers {@code col [NOT] LIKE|ILIKE pattern [ESCAPE e]} on match columns ({@code match: true}) exactly, in a
 * plain single-table SELECT (the analyzer places them, see {@code FILTER_MATCH}):
 * <ul>
 *   <li>{@code col LIKE p} is sent as {@code col_match @> tokens}: the rows whose index holds every token of the
 *       pattern's literal runs (the GIN index answers it), a superset of the matching rows;</li>
 *   <li>{@code col NOT LIKE p} is sent as {@code col IS NOT NULL}: the index cannot exclude rows;</li>
 *   <li>the column's ciphertext is appended to the select list, and the LIMIT, OFFSET or FETCH FIRST of the
 *       statement are taken out;</li>
 *   <li>{@link RowFilter} then keeps the rows whose decrypted value matches the pattern as PostgreSQL would
 *       evaluate it ({@link LikePattern}) and applies OFFSET and LIMIT to them.</li>
 *   <li>With a LIMIT, the database is asked for a bounded number of candidates instead ({@code LIMIT ?}, a
 *       parameter of Warden's own placed last, {@link #firstBound}), well above OFFSET + LIMIT, and each candidate
 *       also brings its row's identity ({@code ctid, tableoid}, hidden too): when the re-check runs out of
 *       candidates while the database sent as many as asked, the statement runs again with a bound 16 times
 *       larger and the rows already seen are skipped ({@link RowFilter#needsMoreCandidates}). Under ORDER BY the
 *       candidates come in that order, so the first rows that pass are the answer's; without it any rows are.</li>
 * </ul>
 * A pattern given as a parameter is bound as its tokens when the application binds it; ESCAPE, LIMIT and OFFSET
 * must be written inline (their parameters could not be taken out of the statement). Immutable.
 */
final class MatchFilters {

    /** One LIKE on a match column; {@code escapeSlot} -1 without ESCAPE. */
    record Filter(int patternSlot, int escapeSlot, boolean not, boolean ilike, ProtectedColumn column) {}

    /**
     * The SQL to send; where each application parameter went ({@link KeyExpansion.Rendered#targets}); for each
     * application parameter that is a pattern, its filter (else null); the filters of literal patterns compiled;
     * and OFFSET/LIMIT.
     */
    record Rendered(String sql, int[] targets, boolean literalsEncrypted, Filter[] patternParameters,
                    String[] escapeOf, ILikeFolding iLikeFolding, List<RowFilter.Check> literalChecks,
                    int[] hiddenIndexOf, int visibleColumns, long offset, long limit, int boundTarget,
                    int boundOffset, int rowIdIndex) {

        /** {@link #sql} with the candidate bound {@code k} written in place of its parameter (plain statements). */
        String sqlWithBound(long k) {
            return boundOffset < 0 ? sql : sql.substring(0, boundOffset) + k + sql.substring(boundOffset + 1);
        }

        /**
         * Binds the pattern of application parameter {@code index} (its tokens, unless under NOT, where the
         * statement has no placeholder for it) and returns it compiled, for {@link #rowFilter}.
         */
        Object bind(java.sql.PreparedStatement target, int index, Object plaintext) throws SQLException {
            Filter f = patternParameters[index];
            if (plaintext == null) {
                if (!f.not()) target.setNull(targets[index], java.sql.Types.ARRAY);
                return NULL_PATTERN;
            }
            String text = patternText(plaintext, f);
            LikePattern pattern = LikePattern.compile(text, escapeOf[index], f.ilike() ? iLikeFolding : null);
            if (!f.not()) target.setObject(targets[index], tokensOf(pattern, f, iLikeFolding));
            return pattern;
        }


        /** The row filter of one execution, given the patterns bound by parameter index (by {@link #bind}). */
        RowFilter rowFilter(Object[] boundPatterns) throws SQLException {
            List<RowFilter.Check> checks = new ArrayList<>(literalChecks);
            for (int i = 1; i < patternParameters.length; i++) {
                Filter f = patternParameters[i];
                if (f == null) continue;
                Object bound = boundPatterns == null || i >= boundPatterns.length ? null : boundPatterns[i];
                if (bound == null) {
                    // a pattern under NOT has no placeholder in the statement sent, so the real driver cannot
                    // notice it unbound: say so as it would, rather than answer with no pattern or an old one
                    throw SqlStates.of(SqlStates.INVALID_VALUE, "No value specified for parameter " + i + ".");
                }
                LikePattern p = bound == NULL_PATTERN ? null : (LikePattern) bound;
                checks.add(new RowFilter.Check(hiddenIndexOf[i], f.column(), p, f.not()));
            }
            return new RowFilter(checks, visibleColumns, offset, limit, boundTarget < 0 ? -1 : rowIdIndex,
                    boundTarget < 0 ? Long.MAX_VALUE : firstBound(offset, limit));
        }
    }

    /**
     * The text of a pattern bound as a parameter, accepted as a value of the column would be (a character
     * sequence of valid Unicode): PostgreSQL has no LIKE of text with a number, date or bytes, and the real driver
     * would send an unpaired surrogate as '?', so a pattern Warden evaluated as given would answer differently.
     */
    static String patternText(Object plaintext, Filter f) throws SQLException {
        try {
            dev.warden.crypto.ValueCodec.encode(dev.warden.crypto.LogicalType.TEXT, plaintext);
        } catch (IllegalArgumentException e) {
            // the codec's message names the type and Java class, never the value
            throw SqlStates.of(SqlStates.INVALID_VALUE, "pattern for " + (f.ilike() ? "ILIKE" : "LIKE") + " on "
                    + f.column().name() + ": " + e.getMessage());
        }
        return plaintext.toString();
    }

    /** What {@link Rendered#bind} returns for a NULL pattern (LIKE NULL: no row), unlike an unbound one. */
    private static final Object NULL_PATTERN = new Object();

    private final List<Filter> filters;
    private final int visibleColumns;

    /**
     * The first candidate bound for OFFSET + LIMIT rows: 8 times as many, at least 64 (a pattern's false positives
     * are usually a fraction of its candidates), saturating.
     */
    static long firstBound(long offset, long limit) {
        long wanted = offset + limit;
        if (wanted < 0 || wanted > Long.MAX_VALUE / 8) return Long.MAX_VALUE;
        return Math.max(64, wanted * 8);
    }

    /** @param visibleColumns the number of output columns of the statement as written */
    MatchFilters(List<Filter> filters, int visibleColumns) {
        this.filters = List.copyOf(filters);
        this.visibleColumns = visibleColumns;
    }

    boolean anyIlike() {
        for (Filter f : filters) if (f.ilike()) return true;
        return false;
    }

    /**
     * @param visibleColumns the statement's own output columns
     * @param iLikeFolding   ILIKE's case folding for this database, or null when the statement has no ILIKE
     */
    Rendered render(LexedSql lexed, ProtectedColumn[] slotColumns, ILikeFolding iLikeFolding) throws SQLException {
        String text = lexed.normalized();
        SqlTokens tokens = SqlLexer.tokens(text, SqlLexer.Dialect.JDBC);
        int[] tokenOfSlot = new int[lexed.slots().size()];
        for (int s = 0; s < tokenOfSlot.length; s++) tokenOfSlot[s] = -1;
        for (int t = 0, s = 0; t < tokens.count() && s < tokenOfSlot.length; t++) {
            while (s < tokenOfSlot.length && lexed.slotOffsets()[s] < tokens.start(t)) s++;
            if (s < tokenOfSlot.length && lexed.slotOffsets()[s] == tokens.start(t)) tokenOfSlot[s] = t;
        }
        List<Edit> edits = new ArrayList<>();
        Map<String, Integer> hiddenByColumnText = new LinkedHashMap<>();
        List<RowFilter.Check> literalChecks = new ArrayList<>();
        Filter[] bySlot = new Filter[lexed.slots().size()];
        String[] escapeBySlot = new String[lexed.slots().size()];
        int[] hiddenBySlot = new int[lexed.slots().size()];
        for (Filter f : filters) {
            int t = tokenOfSlot[f.patternSlot()];
            // a cast ('%a%'::text, CAST(...)) would stay behind in the statement sent, after the tokens
            if (t < 0 || lexed.isTypedLiteral(f.patternSlot()) || LiteralCast.of(lexed, f.patternSlot()) != null) {
                throw shape(f);
            }
            int keyword = t - 1;
            if (!(isWord(tokens, keyword, "like") || isWord(tokens, keyword, "ilike"))) throw shape(f);
            int columnEnd = f.not() ? keyword - 2 : keyword - 1;
            if (f.not() && !isWord(tokens, keyword - 1, "not")) throw shape(f);
            if (columnEnd < 0 || !names(tokens, columnEnd, f.column().rule().column())) throw shape(f);
            int columnStart = columnEnd;
            while (columnStart >= 2 && tokens.is(columnStart - 1, ".")
                    && (tokens.kind(columnStart - 2) == SqlTokens.Kind.WORD
                        || tokens.kind(columnStart - 2) == SqlTokens.Kind.QUOTED_IDENTIFIER)) {
                columnStart -= 2;
            }
            int end = t;
            String escape = null;
            if (f.escapeSlot() >= 0) {
                int e = tokenOfSlot[f.escapeSlot()];
                if (e != t + 2 || !isWord(tokens, t + 1, "escape") || lexed.isTypedLiteral(f.escapeSlot())
                        || LiteralCast.of(lexed, f.escapeSlot()) != null) {
                    throw shape(f);
                }
                escape = ((Slot.Literal) lexed.slots().get(f.escapeSlot())).value();
                if (escape == null) throw KeyExpansion.unencryptableLiteral(f.column());
                end = e;
            }
            String columnText = text.substring(tokens.start(columnStart), tokens.end(columnEnd));
            String qualifier = text.substring(tokens.start(columnStart), tokens.start(columnEnd));
            Integer hidden = hiddenByColumnText.get(columnText);
            if (hidden == null) {
                hidden = visibleColumns + hiddenByColumnText.size() + 1;
                hiddenByColumnText.put(columnText, hidden);
            }
            IntUnaryOperator fold = f.ilike() ? iLikeFolding : null;
            String replacement;
            Slot pattern = lexed.slots().get(f.patternSlot());
            String companion = qualifier + MatchWrites.identifier(f.column().rule().matchColumn());
            if (pattern instanceof Slot.Literal literal) {
                if (literal.value() == null) throw KeyExpansion.unencryptableLiteral(f.column());
                LikePattern compiled = LikePattern.compile(literal.value(), escape, fold);
                literalChecks.add(new RowFilter.Check(hidden, f.column(), compiled, f.not()));
                replacement = f.not() ? columnText + " IS NOT NULL"
                        : candidates(companion, columnText, "'" + dev.warden.crypto.MatchIndex.arrayText(
                                tokensOf(compiled, f, iLikeFolding)) + "'::bigint[]");
            } else {
                bySlot[f.patternSlot()] = f;
                hiddenBySlot[f.patternSlot()] = hidden;
                escapeBySlot[f.patternSlot()] = escape;
                replacement = f.not() ? columnText + " IS NOT NULL" : candidates(companion, columnText, "?");
            }
            edits.add(new Edit(tokens.start(columnStart), tokens.end(end), replacement));
        }
        // the values to re-check, after the statement's own columns, before its FROM
        int from = topLevelWord(tokens, "from", 0);
        // not the FROM of a select-list item `a IS [NOT] DISTINCT FROM b`: the columns go before the FROM clause's
        while (from > 0 && isWord(tokens, from - 1, "distinct")) from = topLevelWord(tokens, "from", from + 1);
        if (from < 0) throw SqlStates.unsupported("a LIKE through a match index needs a SELECT ... FROM");
        StringBuilder hiddenColumns = new StringBuilder();
        for (String column : hiddenByColumnText.keySet()) hiddenColumns.append(", ").append(column);
        long[] offsetAndLimit = {0, Long.MAX_VALUE};
        int limitEdit = takeOutLimits(lexed, tokens, tokenOfSlot, from, edits, offsetAndLimit);
        int rowIdIndex = -1;
        if (limitEdit >= 0 && offsetAndLimit[1] != Long.MAX_VALUE && noParameterAfter(lexed, edits, limitEdit)) {
            // a bounded number of candidates, each with its row's identity (see the class comment)
            rowIdIndex = visibleColumns + hiddenByColumnText.size() + 1;
            hiddenColumns.append(", ctid, tableoid");
            Edit limit = edits.get(limitEdit);
            edits.set(limitEdit, new Edit(limit.start(), limit.end(), "LIMIT ?"));
        } else {
            limitEdit = -1;
        }
        edits.add(new Edit(tokens.start(from), tokens.start(from), hiddenColumns.append(' ').toString()));
        Edit boundEdit = limitEdit < 0 ? null : edits.get(limitEdit);
        edits.sort(java.util.Comparator.comparingInt(Edit::start));

        int parameters = 0;
        for (Slot s : lexed.slots()) if (s instanceof Slot.Parameter) parameters++;
        int boundOffset = -1;
        int[] targets = new int[parameters + 2];
        Filter[] patternParameters = new Filter[parameters + 1];
        String[] escapeOf = new String[parameters + 1];
        int[] hiddenIndexOf = new int[parameters + 1];
        int nextTarget = 1;
        boolean literalsEncrypted = false;
        StringBuilder out = new StringBuilder(text.length() + 64);
        int at = 0;
        int e = 0;
        for (int s = 0; s < lexed.slots().size(); s++) {
            int offset = lexed.slotOffsets()[s];
            while (e < edits.size() && edits.get(e).start() <= offset) {
                Edit edit = edits.get(e++);
                if (edit.start() < at) continue;
                out.append(text, at, edit.start());
                if (edit == boundEdit) boundOffset = out.length() + edit.text().indexOf('?');
                out.append(edit.text());
                at = edit.end();
            }
            Slot slot = lexed.slots().get(s);
            if (offset < at) {
                // inside an edit: a pattern (bound as tokens, or not at all under NOT), an escape or a LIMIT value
                if (slot instanceof Slot.Parameter p) {
                    if (bySlot[s] == null) throw SqlStates.unsupported("a parameter in ESCAPE, LIMIT, OFFSET or FETCH of"
                            + " a statement filtering through a match index: write that value inline");
                    targets[p.jdbcIndex()] = nextTarget;
                    patternParameters[p.jdbcIndex()] = bySlot[s];
                    escapeOf[p.jdbcIndex()] = escapeBySlot[s];
                    hiddenIndexOf[p.jdbcIndex()] = hiddenBySlot[s];
                    if (!bySlot[s].not()) nextTarget++;
                }
                continue;
            }
            int start = offset;
            int end = offset + 1;
            if (lexed.isTypedLiteral(s)) {
                start = offset - 5;
                end = text.indexOf(')', offset) + 1;
            }
            out.append(text, at, start);
            if (slot instanceof Slot.Parameter p) {
                targets[p.jdbcIndex()] = nextTarget++;
                out.append('?');
            } else {
                Slot.Literal literal = (Slot.Literal) slot;
                ProtectedColumn column = slotColumns[s];
                if (column == null) {
                    out.append(literal.sourceText());
                } else {
                    if (literal.value() == null) throw KeyExpansion.unencryptableLiteral(column);
                    out.append(column.protectLiteral(literal.value(), literal.sourceText()));
                    literalsEncrypted = true;
                }
            }
            at = end;
        }
        while (e < edits.size()) {
            Edit edit = edits.get(e++);
            if (edit.start() < at) continue;
            out.append(text, at, edit.start());
            if (edit == boundEdit) boundOffset = out.length() + edit.text().indexOf('?');
            out.append(edit.text());
            at = edit.end();
        }
        out.append(text, at, text.length());
        // the bound is the statement's last parameter (noParameterAfter); an index the application binds past its
        // own last parameter stays past it, so the real driver refuses it as it would have
        int boundTarget = boundEdit == null ? -1 : nextTarget;
        targets[parameters + 1] = boundEdit == null ? nextTarget : nextTarget + 1;
        return new Rendered(out.toString(), targets, literalsEncrypted || !literalChecks.isEmpty(), patternParameters,
                escapeOf, iLikeFolding, literalChecks, hiddenIndexOf, visibleColumns, offsetAndLimit[0],
                offsetAndLimit[1], boundTarget, boundEdit == null ? -1 : boundOffset, rowIdIndex);
    }

    /** A text edit of the normalised statement: {@code [start, end)} replaced by {@code text}. */
    private record Edit(int start, int end, String text) {}

    /** The query tokens of a pattern; refuses a pattern with none (it would scan every row). */
    static long[] tokensOf(LikePattern pattern, Filter f, ILikeFolding iLikeFolding) throws SQLException {
        long[] tokens = pattern.tokens(f.column().matchIndex(), f.ilike() ? iLikeFolding::usableInIndex : null);
        if (tokens.length == 0) {
            throw SqlStates.unsupported("the pattern of " + (f.ilike() ? "ILIKE" : "LIKE") + " on "
                    + f.column().name() + " is too short for its match index: the index holds runs of 3 characters,"
                    + " so the pattern needs 3 consecutive literal characters, or 2 at its start or end ('ab%',"
                    + " '%yz')" + (f.ilike() ? " (for ILIKE, of characters the database folds to lower case as the"
                    + " index does)" : "") + "; a shorter pattern would have the database read every row");
        }
        return tokens;
    }

    /** True when no parameter of the statement follows edit {@code limitEdit} (other than inside an edit). */
    private static boolean noParameterAfter(LexedSql lexed, List<Edit> edits, int limitEdit) {
        int after = edits.get(limitEdit).end();
        for (int s = 0; s < lexed.slots().size(); s++) {
            int offset = lexed.slotOffsets()[s];
            if (offset < after || !(lexed.slots().get(s) instanceof Slot.Parameter)) continue;
            boolean inEdit = false;
            for (Edit edit : edits) inEdit |= offset >= edit.start() && offset < edit.end();
            if (!inEdit) return false;
        }
        return true;
    }

    /**
     * Takes LIMIT, OFFSET and FETCH FIRST of the top-level statement out of it, into {@code offsetAndLimit}; returns
     * the index in {@code edits} of the edit that took out LIMIT or FETCH FIRST n, or -1.
     */
    private static int takeOutLimits(LexedSql lexed, SqlTokens tokens, int[] tokenOfSlot, int from, List<Edit> edits,
                                     long[] offsetAndLimit) throws SQLException {
        int limitEdit = -1;
        int depth = 0;
        for (int t = from; t < tokens.count(); t++) {
            if (tokens.is(t, "(")) depth++;
            else if (tokens.is(t, ")")) depth--;
            if (depth != 0 || tokens.kind(t) != SqlTokens.Kind.WORD) continue;
            if (isWord(tokens, t, "limit")) {
                int v = t + 1;
                if (isWord(tokens, v, "all")) {
                    edits.add(new Edit(tokens.start(t), tokens.end(v), ""));
                } else {
                    Long n = count(lexed, tokenOfSlot, tokens, v, "LIMIT");
                    endsClause(tokens, v + 1);
                    if (n != null && n < 0) throw SqlStates.of("2201W", "LIMIT must not be negative");
                    if (n != null) offsetAndLimit[1] = n;
                    limitEdit = edits.size();
                    edits.add(new Edit(tokens.start(t), tokens.end(v), ""));
                }
                t = v;
            } else if (isWord(tokens, t, "offset")) {
                int v = t + 1;
                Long n = count(lexed, tokenOfSlot, tokens, v, "OFFSET");
                if (n != null && n < 0) throw SqlStates.of("2201X", "OFFSET must not be negative");
                if (n != null) offsetAndLimit[0] = n;
                int end = v;
                if (isWord(tokens, v + 1, "row") || isWord(tokens, v + 1, "rows")) end = v + 1;
                endsClause(tokens, end + 1);
                edits.add(new Edit(tokens.start(t), tokens.end(end), ""));
                t = end;
            } else if (isWord(tokens, t, "fetch")) {
                int v = t + 1;
                if (!(isWord(tokens, v, "first") || isWord(tokens, v, "next"))) throw limitShape();
                v++;
                long n = 1;
                if (!(isWord(tokens, v, "row") || isWord(tokens, v, "rows"))) {
                    Long c = count(lexed, tokenOfSlot, tokens, v, "FETCH");
                    if (c != null && c < 0) throw SqlStates.of("2201W", "FETCH FIRST must not be negative");
                    n = c == null ? Long.MAX_VALUE : c;
                    v++;
                }
                if (!(isWord(tokens, v, "row") || isWord(tokens, v, "rows")) || !isWord(tokens, v + 1, "only")) {
                    throw limitShape();
                }
                endsClause(tokens, v + 2);
                offsetAndLimit[1] = n;
                limitEdit = edits.size();
                edits.add(new Edit(tokens.start(t), tokens.end(v + 1), ""));
                t = v + 1;
            }
        }
        return limitEdit;
    }

    /**
     * Refuses a count that is not the whole clause: {@code LIMIT 1+1} would otherwise be read as LIMIT 1 with
     * {@code +1} left in the statement sent (there appended to the ORDER BY). After a count only the statement's
     * end, another LIMIT/OFFSET/FETCH clause or a locking clause may follow.
     */
    private static void endsClause(SqlTokens tokens, int next) throws SQLException {
        if (next >= tokens.count() || tokens.is(next, ";") || isWord(tokens, next, "limit")
                || isWord(tokens, next, "offset") || isWord(tokens, next, "fetch") || isWord(tokens, next, "for")) {
            return;
        }
        throw limitShape();
    }

    /** The count in token {@code t}: an inline integer, or null for NULL (no limit). */
    private static Long count(LexedSql lexed, int[] tokenOfSlot, SqlTokens tokens, int t, String clause)
            throws SQLException {
        if (isWord(tokens, t, "null")) return null;
        for (int s = 0; s < tokenOfSlot.length; s++) {
            if (tokenOfSlot[s] != t) continue;
            if (lexed.slots().get(s) instanceof Slot.Literal literal && literal.numeric() && literal.value() != null) {
                try {
                    return Long.parseLong(literal.value());
                } catch (NumberFormatException e) {
                    throw limitShape();
                }
            }
            throw SqlStates.unsupported(clause + " with a parameter on a statement filtering through a match index:"
                    + " write the number inline (Warden applies it after re-checking the pattern)");
        }
        throw limitShape();
    }

    private static SQLException limitShape() {
        return SqlStates.unsupported("a statement filtering through a match index may end with LIMIT n, OFFSET n or"
                + " FETCH FIRST n ROWS ONLY written inline; Warden applies them after re-checking the pattern");
    }

    /** The first {@code word} at parenthesis depth 0 from token {@code start}, or -1. */
    private static int topLevelWord(SqlTokens tokens, String word, int start) {
        int depth = 0;
        for (int t = start; t < tokens.count(); t++) {
            if (tokens.is(t, "(")) depth++;
            else if (tokens.is(t, ")")) depth--;
            else if (depth == 0 && tokens.isWord(t, word)) return t;
        }
        return -1;
    }

    /** {@link SqlTokens#isWord}, false past the last token. */
    private static boolean isWord(SqlTokens tokens, int t, String word) {
        return t >= 0 && t < tokens.count() && tokens.isWord(t, word);
    }

    private static boolean names(SqlTokens tokens, int t, String name) {
        if (t < 0 || t >= tokens.count()) return false;
        return switch (tokens.kind(t)) {
            case WORD -> tokens.lower(t).equals(name);
            case QUOTED_IDENTIFIER -> tokens.text(t).equals('"' + name.replace("\"", "\"\"") + '"');
            default -> false;
        };
    }

    private static SQLException shape(Filter f) {
        return SqlStates.unsupported((f.ilike() ? "ILIKE" : "LIKE") + " on " + f.column().name() + " goes through its"
                + " match index only as `column [NOT] LIKE pattern [ESCAPE 'c']` with the column (optionally"
                + " qualified) first and the pattern a literal or parameter");
    }

    /**
     * The candidates of a LIKE: the rows whose index holds every token, and the rows that have a value but no index
     * yet (written before {@code match: true}, or by a process that had not reloaded the policy, until
     * {@code warden keys reencrypt} fills them). Without the second part such rows would silently be missing from
     * the answer; they are re-checked exactly like every candidate, and the partial index {@code warden schema}
     * creates ({@link CompanionSchema}) keeps finding them cheap.
     */
    static String candidates(String companion, String columnText, String tokens) {
        return "(" + companion + " @> " + tokens + " OR " + companion + " IS NULL AND " + columnText + " IS NOT NULL)";
    }
}
