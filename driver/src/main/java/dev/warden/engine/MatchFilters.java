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
 * A pattern given as a parameter is bound as its tokens when the application binds it; ESCAPE must be written
 * inline. A LIMIT, OFFSET or FETCH FIRST count given as a parameter is not sent: its value, bound at each execution,
 * is applied by the row filter and decides the candidate bound of that execution ({@link Rendered#counts}).
 * Immutable.
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
                    int boundOffset, int rowIdIndex, int offsetParameter, int limitParameter, RowOrder order,
                    RangeBound[] rangeParameters, List<RangeCheck> rangeChecks, WardenMinMax minMax) {

        /** True when application parameter {@code index} is the bound of a range through an order index. */
        boolean bindsRange(int index) {
            return index > 0 && index < rangeParameters.length && rangeParameters[index] != null;
        }

        /** True when a count is a parameter: then only a prepared statement runs it (a plain one has none). */
        boolean countsBound() {
            return offsetParameter > 0 || limitParameter > 0;
        }

        /** True when application parameter {@code index} is the count of OFFSET or of LIMIT / FETCH FIRST. */
        boolean bindsCount(int index) {
            return index > 0 && (index == offsetParameter || index == limitParameter);
        }

        /**
         * The value bound to a count parameter, kept for {@link #counts} of each execution (nothing is bound on the
         * real statement: its LIMIT and OFFSET were taken out). As PostgreSQL coerces a LIMIT's or OFFSET's value
         * to bigint: an integer, a number rounded to an integer, text holding an integer (the gateway's untyped
         * parameters), NULL (no limit, or OFFSET 0).
         */
        static Object count(int index, Object value) throws SQLException {
            if (value == null) return NULL_COUNT;
            if (value instanceof CharacterTypedCount) return value;
            if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
                return ((Number) value).longValue();
            }
            try {
                if (value instanceof java.math.BigInteger b) return b.longValueExact();
                if (value instanceof java.math.BigDecimal d) {
                    return d.setScale(0, java.math.RoundingMode.HALF_UP).longValueExact();
                }
                if (value instanceof Double || value instanceof Float) {
                    double d = Math.rint(((Number) value).doubleValue());
                    if (Double.isNaN(d) || d >= 0x1p63 || d < -0x1p63) throw new ArithmeticException();
                    return (long) d;
                }
                if (value instanceof CharSequence text) return Long.parseLong(text.toString().strip());
            } catch (ArithmeticException e) {
                throw SqlStates.of("22003", "bigint out of range (parameter " + index + ", a LIMIT or OFFSET)");
            } catch (NumberFormatException e) {
                throw SqlStates.of("22P02", "invalid input syntax for type bigint (parameter " + index
                        + ", a LIMIT or OFFSET)");
            }
            throw SqlStates.of("42804", "argument of LIMIT or OFFSET must be type bigint, not "
                    + value.getClass().getSimpleName() + " (parameter " + index + ")");
        }

        /**
         * OFFSET and LIMIT of one execution ({@link Long#MAX_VALUE}: no limit): those written inline, or the values
         * bound to their parameters (by {@link #count}, kept by parameter index in {@code bound}). Refuses a count
         * never bound, and a negative one with PostgreSQL's own error (OFFSET is evaluated first, as there).
         */
        long[] counts(Object[] bound) throws SQLException {
            long o = offset;
            long l = limit;
            // PostgreSQL checks the types when it parses (OFFSET first), before any value
            checkType(bound, offsetParameter, "OFFSET");
            checkType(bound, limitParameter, "LIMIT");
            if (offsetParameter > 0) {
                Long v = boundCount(bound, offsetParameter);
                if (v != null && v < 0) throw SqlStates.of("2201X", "OFFSET must not be negative");
                o = v == null ? 0 : v;
            }
            if (limitParameter > 0) {
                Long v = boundCount(bound, limitParameter);
                if (v != null && v < 0) throw SqlStates.of("2201W", "LIMIT must not be negative");
                l = v == null ? Long.MAX_VALUE : v;
            }
            return new long[] {o, l};
        }

        private static void checkType(Object[] bound, int index, String clause) throws SQLException {
            if (index > 0 && bound != null && index < bound.length && bound[index] instanceof CharacterTypedCount c) {
                throw SqlStates.of("42804", "argument of " + clause + " must be type bigint, not type " + c.type());
            }
        }

        private static Long boundCount(Object[] bound, int index) throws SQLException {
            Object v = bound == null || index >= bound.length ? null : bound[index];
            // the count is not sent to the database, so the real driver cannot notice it unbound: say so as it would
            if (v == null) throw SqlStates.of(SqlStates.INVALID_VALUE, "No value specified for parameter " + index + ".");
            return v == NULL_COUNT ? null : (Long) v;
        }

        /** The candidate bound of an execution's first run, for the counts {@link #counts} gave. */
        long firstBound(long[] counts) {
            return counts[1] == Long.MAX_VALUE ? Long.MAX_VALUE : MatchFilters.firstBound(counts[0], counts[1]);
        }

        /** {@link #sql} with the candidate bound {@code k} written in place of its parameter (plain statements). */
        String sqlWithBound(long k) {
            return boundOffset < 0 ? sql : sql.substring(0, boundOffset) + k + sql.substring(boundOffset + 1);
        }

        /**
         * Binds the pattern of application parameter {@code index} (its tokens, unless under NOT, where the
         * statement has no placeholder for it) and returns it compiled, for {@link #rowFilter}.
         */
        Object bind(java.sql.PreparedStatement target, int index, Object plaintext) throws SQLException {
            if (bindsRange(index)) {
                // a range's bound: its left ciphertext, widened outwards when inexact; kept as compared for the re-check
                RangeBound r = rangeParameters[index];
                if (plaintext == null) {
                    target.setNull(targets[index], java.sql.Types.BINARY);
                    return OrderFilters.NULL_BOUND;
                }
                Comparable<?> value = OrderFilters.value(r.range().column(), plaintext, index);
                target.setBytes(targets[index], OrderFilters.left(r.range().column(), value, r.upper()));
                return value;
            }
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
            long[] counts = counts(boundPatterns);
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
            for (RangeCheck r : rangeChecks) checks.add(r.check(boundPatterns));
            return new RowFilter(checks, visibleColumns, counts[0], counts[1], boundTarget < 0 ? -1 : rowIdIndex,
                    boundTarget < 0 ? Long.MAX_VALUE : firstBound(counts), order, minMax);
        }
    }

    /** A range bound given as a parameter: its range, and whether it finds the rows at most it (else at least). */
    record RangeBound(OrderFilters.Range range, boolean upper) {}

    /**
     * The re-check of one range: the hidden column of its value, and each bound, written inline ({@code lo}, {@code
     * hi}, null for NULL) or given as parameter {@code loParameter} / {@code hiParameter} (0: inline).
     */
    record RangeCheck(int rawIndex, OrderFilters.Range range, Comparable<?> lo, int loParameter, Comparable<?> hi,
                      int hiParameter) {

        RowFilter.Check check(Object[] bound) throws SQLException {
            Object l = loParameter > 0 ? boundValue(bound, loParameter) : lo;
            Object h = hiParameter > 0 ? boundValue(bound, hiParameter) : hi;
            boolean loNull = l == null || l == OrderFilters.NULL_BOUND;
            boolean hiNull = h == null || h == OrderFilters.NULL_BOUND;
            return new RowFilter.Check(rawIndex, range.column(), null, false, new OrderFilters.Test(range.op(),
                    loNull ? null : (Comparable<?>) l, hiNull ? null : (Comparable<?>) h, loNull, hiNull));
        }

        private static Object boundValue(Object[] bound, int index) throws SQLException {
            Object v = bound == null || index >= bound.length ? null : bound[index];
            if (v == null) throw SqlStates.of(SqlStates.INVALID_VALUE, "No value specified for parameter " + index + ".");
            return v;
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

    /** What {@link Rendered#count} keeps for a NULL count (LIMIT NULL: no limit; OFFSET NULL: none). */
    private static final Object NULL_COUNT = new Object();

    /**
     * What the JDBC layer binds to a count in place of a value the real driver sends typed as a character type
     * ({@code type} as PostgreSQL's messages name it): PostgreSQL refuses such a LIMIT or OFFSET whatever it holds
     * (42804, naming that type), where untyped text is coerced.
     */
    public record CharacterTypedCount(String type) {}

    /** A String through pgjdbc's default stringtype: sent as character varying. */
    public static final CharacterTypedCount CHARACTER_VARYING_COUNT = new CharacterTypedCount("character varying");

    /** A value sent typed as text (pgjdbc's PGobject of type text, as the gateway binds a client's text parameter). */
    public static final CharacterTypedCount TEXT_COUNT = new CharacterTypedCount("text");

    private final List<Filter> filters;
    private final List<OrderFilters.Range> ranges;
    private final int visibleColumns;
    private final WardenSort sort;  // null: the database orders the rows (or nothing does)
    private final WardenMinMax minMax;  // null: no MIN or MAX of an encrypted column

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
        this(filters, List.of(), visibleColumns, null, null);
    }

    /**
     * @param ranges the ranges answered through order indexes ({@link OrderFilters})
     * @param sort   the ORDER BY over encrypted columns Warden answers itself, or null
     * @param minMax the MIN and MAX of encrypted columns Warden answers itself, or null
     */
    MatchFilters(List<Filter> filters, List<OrderFilters.Range> ranges, int visibleColumns, WardenSort sort,
                 WardenMinMax minMax) {
        this.filters = List.copyOf(filters);
        this.ranges = List.copyOf(ranges);
        this.visibleColumns = visibleColumns;
        this.sort = sort;
        this.minMax = minMax;
    }

    /** True when Warden sorts the rows itself ({@link WardenSort}). */
    boolean sorts() {
        return sort != null;
    }

    /** True when some range compares text without COLLATE "C": exact only if the database's collation is C. */
    boolean needsCodePointCollation() {
        for (OrderFilters.Range r : ranges) {
            if (!r.collateC() && r.column().type() == dev.warden.crypto.LogicalType.TEXT) return true;
        }
        return false;
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
        return render(lexed, slotColumns, iLikeFolding, () -> "unknown");  // no database to ask: not code point order
    }

    /**
     * @param collation the database's default collation, asked only when a text range relies on it (refused unless it
     *                  is code point order: {@link #needsCodePointCollation}) or Warden sorts text by it
     */
    Rendered render(LexedSql lexed, ProtectedColumn[] slotColumns, ILikeFolding iLikeFolding,
                    DatabaseCollation.Source collation) throws SQLException {
        String otherCollation = needsCodePointCollation() ? collation.unlessCodePoint() : null;
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
        java.util.Set<Integer> nullPatterns = new java.util.HashSet<>();
        for (Filter f : filters) {
            boolean nullPattern = f.patternSlot() < 0;
            int t = nullPattern ? nullPatternToken(tokens, tokenOfSlot, f, nullPatterns)
                    : tokenOfSlot[f.patternSlot()];
            // a cast ('%a%'::text, CAST(...)) would stay behind in the statement sent, after the tokens
            if (t < 0 || !nullPattern && (lexed.isTypedLiteral(f.patternSlot())
                    || LiteralCast.of(lexed, f.patternSlot()) != null)) {
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
            Slot pattern = nullPattern ? null : lexed.slots().get(f.patternSlot());
            String companion = qualifier + MatchWrites.identifier(f.column().rule().matchColumn());
            if (nullPattern || pattern instanceof Slot.Literal literal && literal.value() == null) {
                // LIKE NULL (and NOT LIKE NULL) is NULL for every row: no row, as in PostgreSQL, without reading any
                literalChecks.add(new RowFilter.Check(hidden, f.column(), null, f.not()));
                replacement = "FALSE";
            } else if (pattern instanceof Slot.Literal literal) {
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
        OrderFilters.Range[] rangeBySlot = new OrderFilters.Range[lexed.slots().size()];
        List<RangeCheck> rangeChecks = new ArrayList<>();
        boolean rangeLiterals = false;
        for (OrderFilters.Range r : ranges) {
            if (otherCollation != null && !r.collateC() && r.column().type() == dev.warden.crypto.LogicalType.TEXT) {
                throw OrderFilters.collation(r, otherCollation);
            }
            OrderFilters.Placed placed = OrderFilters.place(lexed, tokens, tokenOfSlot, r);
            String columnText = text.substring(tokens.start(placed.columnStart()), tokens.end(placed.columnEnd()));
            String qualifier = text.substring(tokens.start(placed.columnStart()), tokens.start(placed.columnEnd()));
            Integer hidden = hiddenByColumnText.get(columnText);
            if (hidden == null) {
                hidden = visibleColumns + hiddenByColumnText.size() + 1;
                hiddenByColumnText.put(columnText, hidden);
            }
            String companion = qualifier + MatchWrites.identifier(r.column().rule().orderColumn());
            String[] sent = new String[2];
            Comparable<?>[] literal = new Comparable<?>[2];
            int[] parameter = new int[2];
            int[] slots = {r.slot(), r.endSlot()};
            for (int k = 0; k < (r.between() ? 2 : 1); k++) {
                int slot = slots[k];
                if (lexed.slots().get(slot) instanceof Slot.Parameter p) {
                    rangeBySlot[slot] = r;
                    hiddenBySlot[slot] = hidden;
                    parameter[k] = p.jdbcIndex();
                    sent[k] = "?";
                } else {
                    rangeLiterals = true;
                    literal[k] = OrderFilters.literal(lexed, slot, r.column());
                    sent[k] = literal[k] == null ? "NULL::bytea"
                            : OrderFilters.leftLiteral(r.column(), literal[k], r.upper(slot));
                }
            }
            rangeChecks.add(new RangeCheck(hidden, r, literal[0], parameter[0], literal[1], parameter[1]));
            edits.add(new Edit(tokens.start(placed.start()), tokens.end(placed.end()),
                    OrderFilters.condition(r, companion, columnText, sent[0], sent[1])));
        }
        // the values to re-check, after the statement's own columns, before its FROM
        int from = topLevelWord(tokens, "from", 0);
        // not the FROM of a select-list item `a IS [NOT] DISTINCT FROM b`: the columns go before the FROM clause's
        while (from > 0 && isWord(tokens, from - 1, "distinct")) from = topLevelWord(tokens, "from", from + 1);
        if (from < 0) throw SqlStates.unsupported("a LIKE through a match index needs a SELECT ... FROM");
        StringBuilder hiddenColumns = new StringBuilder();
        for (String column : hiddenByColumnText.keySet()) hiddenColumns.append(", ").append(column);
        WardenSort.Rendered sorted = null;
        if (sort != null) {
            // the sort keys follow the values to re-check; the ORDER BY is Warden's (see WardenSort)
            sorted = sort.render(tokens, from, visibleColumns + hiddenByColumnText.size() + 1, collation);
            hiddenColumns.append(sorted.hiddenColumns());
            edits.add(new Edit(sorted.removeFrom(), sorted.removeTo(), ""));
        }
        if (minMax != null) {
            // each aggregate's column in its place, as ciphertext: Warden compares the values (see WardenMinMax)
            edits.add(new Edit(tokens.end(0), tokens.start(from), minMax.selectList(collation)));
        }
        long[] offsetAndLimit = {0, Long.MAX_VALUE};
        int[] countSlots = {-1, -1};  // the slots of OFFSET's and LIMIT's parameters; -1: written inline or none
        int[] offsetEdit = {-1};
        int limitEdit = takeOutLimits(lexed, tokens, tokenOfSlot, from, edits, offsetAndLimit, countSlots, offsetEdit);
        // with a count bound at execution, the bound's parameter takes the place of LIMIT, or else of OFFSET
        if (limitEdit < 0 && countSlots[0] >= 0) limitEdit = offsetEdit[0];
        int rowIdIndex = -1;
        if (sorted == null && limitEdit >= 0 && (offsetAndLimit[1] != Long.MAX_VALUE || countSlots[0] >= 0 || countSlots[1] >= 0)
                && noParameterAfter(lexed, edits, limitEdit)) {
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
        RangeBound[] rangeParameters = new RangeBound[parameters + 1];
        String[] escapeOf = new String[parameters + 1];
        int[] hiddenIndexOf = new int[parameters + 1];
        int offsetParameter = 0;
        int limitParameter = 0;
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
                if (slot instanceof Slot.Parameter p && (s == countSlots[0] || s == countSlots[1])) {
                    // a count, applied by the row filter to the bound value; never sent
                    if (s == countSlots[0]) offsetParameter = p.jdbcIndex(); else limitParameter = p.jdbcIndex();
                    continue;
                }
                if (slot instanceof Slot.Parameter p && rangeBySlot[s] != null) {
                    targets[p.jdbcIndex()] = nextTarget++;
                    rangeParameters[p.jdbcIndex()] = new RangeBound(rangeBySlot[s], rangeBySlot[s].upper(s));
                    hiddenIndexOf[p.jdbcIndex()] = hiddenBySlot[s];
                    continue;
                }
                if (slot instanceof Slot.Parameter p) {
                    if (bySlot[s] == null) throw SqlStates.unsupported("a parameter in ESCAPE of"
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
        // a count has no parameter of its own in the statement sent: described as the bound's (bigint, as LIMIT's)
        if (offsetParameter > 0) targets[offsetParameter] = boundTarget;
        if (limitParameter > 0) targets[limitParameter] = boundTarget;
        // a bound written inline is in the text sent: not shared by statements differing only in their literals
        return new Rendered(out.toString(), targets, literalsEncrypted || !literalChecks.isEmpty()
                || rangeLiterals, patternParameters,
                escapeOf, iLikeFolding, literalChecks, hiddenIndexOf, visibleColumns, offsetAndLimit[0],
                offsetAndLimit[1], boundTarget, boundEdit == null ? -1 : boundOffset, rowIdIndex, offsetParameter,
                limitParameter, sorted == null ? null : new RowOrder(sorted.keys(), sort.cap()), rangeParameters,
                rangeChecks, minMax);
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
                                     long[] offsetAndLimit, int[] countSlots, int[] offsetEdit) throws SQLException {
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
                    countSlots[1] = parameterSlot(lexed, tokenOfSlot, v);
                    Long n = countSlots[1] >= 0 ? null : count(lexed, tokenOfSlot, tokens, v, "LIMIT");
                    endsClause(tokens, v + 1);
                    if (n != null && n < 0) throw SqlStates.of("2201W", "LIMIT must not be negative");
                    if (n != null) offsetAndLimit[1] = n;
                    limitEdit = edits.size();
                    edits.add(new Edit(tokens.start(t), tokens.end(v), ""));
                }
                t = v;
            } else if (isWord(tokens, t, "offset")) {
                int v = t + 1;
                countSlots[0] = parameterSlot(lexed, tokenOfSlot, v);
                Long n = countSlots[0] >= 0 ? null : count(lexed, tokenOfSlot, tokens, v, "OFFSET");
                if (n != null && n < 0) throw SqlStates.of("2201X", "OFFSET must not be negative");
                if (n != null) offsetAndLimit[0] = n;
                int end = v;
                if (isWord(tokens, v + 1, "row") || isWord(tokens, v + 1, "rows")) end = v + 1;
                endsClause(tokens, end + 1);
                offsetEdit[0] = edits.size();
                edits.add(new Edit(tokens.start(t), tokens.end(end), ""));
                t = end;
            } else if (isWord(tokens, t, "fetch")) {
                int v = t + 1;
                if (!(isWord(tokens, v, "first") || isWord(tokens, v, "next"))) throw limitShape();
                v++;
                long n = 1;
                if (!(isWord(tokens, v, "row") || isWord(tokens, v, "rows"))) {
                    countSlots[1] = parameterSlot(lexed, tokenOfSlot, v);
                    Long c = countSlots[1] >= 0 ? null : count(lexed, tokenOfSlot, tokens, v, "FETCH");
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

    /**
     * The token of the pattern {@code NULL} written inline of filter {@code f} (which the analyzer placed without a
     * slot): the first {@code column [NOT] LIKE|ILIKE NULL [ESCAPE e]} of its form not yet taken; -1 when none.
     */
    private static int nullPatternToken(SqlTokens tokens, int[] tokenOfSlot, Filter f, java.util.Set<Integer> taken) {
        for (int t = 2; t < tokens.count(); t++) {
            if (!isWord(tokens, t, "null") || taken.contains(t)) continue;
            if (!isWord(tokens, t - 1, f.ilike() ? "ilike" : "like")) continue;
            if (isWord(tokens, t - 2, "not") != f.not()) continue;
            if (!names(tokens, f.not() ? t - 3 : t - 2, f.column().rule().column())) continue;
            if (f.escapeSlot() >= 0 && tokenOfSlot[f.escapeSlot()] != t + 2) continue;
            taken.add(t);
            return t;
        }
        return -1;
    }

    /** The slot of the parameter that is token {@code t}, or -1 when it is not a parameter. */
    private static int parameterSlot(LexedSql lexed, int[] tokenOfSlot, int t) {
        for (int s = 0; s < tokenOfSlot.length; s++) {
            if (tokenOfSlot[s] == t && lexed.slots().get(s) instanceof Slot.Parameter) return s;
        }
        return -1;
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
            throw limitShape();
        }
        throw limitShape();
    }

    private static SQLException limitShape() {
        return SqlStates.unsupported("a statement filtering through a match index may end with LIMIT n, OFFSET n or"
                + " FETCH FIRST n ROWS ONLY, n an integer, NULL or a parameter; Warden applies them after re-checking"
                + " the pattern");
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

    /** {@link SqlTokens#isWord}, false outside the tokens (also {@link OrderFilters}'). */
    static boolean isWord(SqlTokens tokens, int t, String word) {
        return t >= 0 && t < tokens.count() && tokens.isWord(t, word);
    }

    /** Whether token {@code t} names column {@code name} as PostgreSQL folds names (also {@link OrderFilters}'). */
    static boolean names(SqlTokens tokens, int t, String name) {
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
