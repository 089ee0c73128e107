package dev.warden.sql;

import java.util.Locale;
import java.util.Set;

/**
 * Respells, for the parser only, two PostgreSQL spellings that psql's {@code \d} family sends and JSqlParser
 * cannot parse; the text sent to the server is never changed.
 * <ul>
 * <li>{@code OPERATOR(pg_catalog.~)} (used so that a search_path cannot redirect the operator) becomes the bare
 * operator. Only the regular-expression match operators are respelled: their bare form has the same precedence
 * ("any other operator") and the analysis treats them as computed, so the columns under them are judged exactly
 * as under the server's operator. Any other {@code OPERATOR(...)} stays as written, and its statement is refused
 * when it touches a protected table.
 * <li>{@code COLLATE pg_catalog.default} (or any qualified or quoted collation name) becomes a plain name of the
 * same length: the analysis treats every COLLATE as computed on its operand, whatever the collation.
 * </ul>
 *
 * <p>The result has the same length as the input, with every other character in place, so offsets of
 * parameters in the parsed text still match the lexer's slots. Stateless, thread-safe.
 */
final class ParserSpelling {

    private static final Set<String> BARE = Set.of("~", "~*", "!~", "!~*");

    private ParserSpelling() {
    }

    /** {@code text} respelled for the parser (same length), or {@code text} itself when nothing needs it. */
    static String forParser(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        if (!lower.contains("operator") && !lower.contains("collate")) return text;
        SqlTokens t = SqlLexer.tokens(text, SqlLexer.Dialect.JDBC);
        StringBuilder out = null;
        int i = 0;
        while (i < t.count()) {
            if (t.isWord(i, "operator") && isBareOperator(t, i + 1)) {
                if (out == null) out = new StringBuilder(text);
                String op = t.text(i + 4);
                int start = t.start(i);
                for (int k = start; k < t.end(i + 5); k++) out.setCharAt(k, ' ');
                // the operator stands where OPERATOR stood, separated from what follows by the padding
                for (int k = 0; k < op.length(); k++) out.setCharAt(start + k, op.charAt(k));
                i += 6;
            } else if (t.isWord(i, "collate")) {
                int last = lastRespelledCollationToken(t, i + 1);
                if (last > i) {
                    if (out == null) out = new StringBuilder(text);
                    int from = t.start(i + 1);
                    out.setCharAt(from, 'c');
                    for (int k = from + 1; k < t.end(last); k++) out.setCharAt(k, '_');
                    i = last + 1;
                } else {
                    i++;
                }
            } else {
                i++;
            }
        }
        return out == null ? text : out.toString();
    }

    /** True when tokens from {@code i} are {@code ( pg_catalog . op )} with one of the operators we respell. */
    private static boolean isBareOperator(SqlTokens t, int i) {
        return i + 4 < t.count() && t.is(i, "(") && t.isWord(i + 1, "pg_catalog") && t.is(i + 2, ".")
                && t.kind(i + 3) == SqlTokens.Kind.OPERATOR && BARE.contains(t.text(i + 3)) && t.is(i + 4, ")");
    }

    /**
     * The last token of a collation name starting at token {@code i} when it is qualified or quoted or
     * {@code default} (a plain name parses as it is), else -1. The parts of a qualified name touch their dots.
     */
    private static int lastRespelledCollationToken(SqlTokens t, int i) {
        boolean respell = false;
        int k = i;
        while (k < t.count()) {
            if (t.kind(k) == SqlTokens.Kind.QUOTED_IDENTIFIER) {
                if (t.text(k).charAt(0) != '"' || t.unterminated() && k == t.count() - 1) return -1;
                respell = true;
            } else if (t.kind(k) == SqlTokens.Kind.WORD) {
                respell |= t.isWord(k, "default");
            } else {
                return -1;
            }
            boolean dot = k + 2 < t.count() && t.is(k + 1, ".") && t.start(k + 1) == t.end(k)
                    && t.start(k + 2) == t.end(k + 1);
            if (!dot) return respell ? k : -1;
            respell = true;
            k += 2;
        }
        return -1;
    }
}
