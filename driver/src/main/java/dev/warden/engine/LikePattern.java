package dev.warden.engine;

import dev.warden.crypto.MatchIndex;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntUnaryOperator;

/**
 * A LIKE or ILIKE pattern as PostgreSQL reads it, evaluated on decrypted values so that the rows a match index
 * lets through are exactly those PostgreSQL would return on the plaintext: {@code _} is one character (code
 * point), {@code %} any run of characters, the escape character (backslash unless {@code ESCAPE} says otherwise;
 * none with {@code ESCAPE ''}) makes the next character literal. ILIKE folds pattern and value with the case
 * folding of the database ({@link ILikeFolding}). Also gives the literal runs the index's query tokens come from.
 * Immutable and thread-safe.
 */
final class LikePattern {

    /** One element of the compiled pattern: a literal code point, ONE ({@code _}) or ANY ({@code %}). */
    private static final int ONE = -1;
    private static final int ANY = -2;
    /** An escape character ending the pattern: PostgreSQL raises 22025 only when matching reaches it. */
    private static final int TRAILING_ESCAPE = -4;
    private static final int TRUE = 1;
    private static final int FALSE = 0;
    private static final int ABORT = -1;

    private final int[] elements;
    private final IntUnaryOperator fold;  // null: LIKE (code points compared as they are)

    private LikePattern(int[] elements, IntUnaryOperator fold) {
        this.elements = elements;
        this.fold = fold;
    }

    /**
     * @param escape the ESCAPE string, or null for the default (backslash); "" means no escape character
     * @param fold   ILIKE's case folding (applied to value and pattern), or null for LIKE
     * @throws SQLException 22025 as PostgreSQL raises it: an escape string of more than one character, or a
     *                      pattern ending with the escape character
     */
    static LikePattern compile(String pattern, String escape, IntUnaryOperator fold) throws SQLException {
        int escapeChar = '\\';
        if (escape != null) {
            int count = escape.codePointCount(0, escape.length());
            if (count > 1) throw SqlStates.of("22025", "invalid escape string");
            escapeChar = count == 0 ? -3 : escape.codePointAt(0);
        }
        int[] cps = pattern.codePoints().toArray();
        int[] out = new int[cps.length];
        int n = 0;
        for (int i = 0; i < cps.length; i++) {
            int c = cps[i];
            if (c == escapeChar) {
                if (i + 1 == cps.length) {
                    out[n++] = TRAILING_ESCAPE;
                    break;
                }
                c = cps[++i];
                out[n++] = fold == null ? c : fold.applyAsInt(c);
            } else if (c == '%') {
                if (n == 0 || out[n - 1] != ANY) out[n++] = ANY;  // %% is %
            } else if (c == '_') {
                out[n++] = ONE;
            } else {
                out[n++] = fold == null ? c : fold.applyAsInt(c);
            }
        }
        return new LikePattern(java.util.Arrays.copyOf(out, n), fold);
    }

    /**
     * Whether {@code value} (not null) matches: PostgreSQL's {@code MatchText} (src/backend/utils/adt/like_match.c)
     * on code points, including when it raises 22025 for a pattern ending with the escape character (only once
     * matching reaches it).
     */
    boolean matches(String value) throws SQLException {
        int[] text = value.codePoints().toArray();
        if (fold != null) for (int i = 0; i < text.length; i++) text[i] = fold.applyAsInt(text[i]);
        return match(text, 0, 0) == TRUE;
    }

    private int match(int[] t, int ti, int pi) throws SQLException {
        int[] p = elements;
        while (ti < t.length && pi < p.length) {
            int c = p[pi];
            if (c == TRAILING_ESCAPE) throw endsWithEscape();
            if (c == ANY) {
                for (pi++; pi < p.length; pi++) {
                    if (p[pi] == ANY) continue;
                    if (p[pi] != ONE) break;
                    if (ti >= t.length) return ABORT;
                    ti++;
                }
                if (pi >= p.length) return TRUE;
                if (p[pi] == TRAILING_ESCAPE) throw endsWithEscape();
                int first = p[pi];
                for (; ti < t.length; ti++) {
                    if (t[ti] == first) {
                        int matched = match(t, ti, pi);
                        if (matched != FALSE) return matched;
                    }
                }
                return ABORT;  // no position after this % can match the rest: nor can any earlier %
            }
            if (c != ONE && c != t[ti]) return FALSE;
            ti++;
            pi++;
        }
        if (ti < t.length) return FALSE;
        while (pi < p.length && p[pi] == ANY) pi++;
        return pi >= p.length ? TRUE : ABORT;
    }

    private static SQLException endsWithEscape() {
        return SqlStates.of("22025", "LIKE pattern must not end with escape character");
    }

    /**
     * The index tokens a matching value must hold: those of each literal run between wildcards, anchored to the
     * start (end) when no wildcard precedes (follows) it. Empty when the pattern has no run long enough.
     *
     * @param usable for ILIKE, the code points whose folding the database is sure to do as the index does, or
     *               null (LIKE: every code point)
     */
    long[] tokens(MatchIndex index, java.util.function.IntPredicate usable) {
        List<long[]> parts = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= elements.length; i++) {
            if (i == elements.length || elements[i] < 0) {
                if (i > start) {
                    int[] run = java.util.Arrays.copyOfRange(elements, start, i);
                    parts.add(index.runTokens(run, start == 0, i == elements.length, usable));
                }
                start = i + 1;
            }
        }
        return parts.stream().flatMapToLong(java.util.Arrays::stream).sorted().distinct().toArray();
    }
}
