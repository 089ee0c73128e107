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
        StringBuilder out = null;
        int n = text.length();
        int i = 0;
        while (i < n) {
            char c = text.charAt(i);
            if (c == '-' && i + 1 < n && text.charAt(i + 1) == '-') {
                i = SqlLexer.lineCommentEnd(text, i);
            } else if (c == '/' && i + 1 < n && text.charAt(i + 1) == '*') {
                int end = SqlLexer.blockCommentEnd(text, i);
                i = end < 0 ? n : end;
            } else if (c == '"' || c == '\'') {
                int end = text.indexOf(c, i + 1);
                while (end > 0 && end + 1 < n && text.charAt(end + 1) == c) end = text.indexOf(c, end + 2);
                i = end < 0 ? n : end + 1;
            } else if (SqlLexer.isIdentStart(c)) {
                int start = i;
                while (i < n && SqlLexer.isIdentPart(text.charAt(i))) i++;
                if (i - start == 8 && text.regionMatches(true, start, "operator", 0, 8)
                        && (start == 0 || !SqlLexer.isIdentPart(text.charAt(start - 1)))) {
                    int end = operatorEnd(text, i);
                    if (end > 0) {
                        if (out == null) out = new StringBuilder(text);
                        String op = operatorOf(text, i, end);
                        for (int k = start; k < end; k++) out.setCharAt(k, ' ');
                        // the operator stands where OPERATOR stood, separated from what follows by the padding
                        for (int k = 0; k < op.length(); k++) out.setCharAt(start + k, op.charAt(k));
                        i = end;
                    }
                } else if (i - start == 7 && text.regionMatches(true, start, "collate", 0, 7)
                        && (start == 0 || !SqlLexer.isIdentPart(text.charAt(start - 1)))) {
                    int from = skipSpace(text, i);
                    int end = collationEnd(text, from);
                    if (end > from) {
                        if (out == null) out = new StringBuilder(text);
                        out.setCharAt(from, 'c');
                        for (int k = from + 1; k < end; k++) out.setCharAt(k, '_');
                        i = end;
                    }
                }
            } else {
                i++;
            }
        }
        return out == null ? text : out.toString();
    }

    /** The end (after ')') of {@code (pg_catalog.op)} starting at {@code i}, or -1 when it is not one we rewrite. */
    private static int operatorEnd(String text, int i) {
        int p = skipSpace(text, i);
        if (p >= text.length() || text.charAt(p) != '(') return -1;
        p = skipSpace(text, p + 1);
        if (!text.regionMatches(true, p, "pg_catalog", 0, 10)) return -1;
        p = skipSpace(text, p + 10);
        if (p >= text.length() || text.charAt(p) != '.') return -1;
        p = skipSpace(text, p + 1);
        int opStart = p;
        while (p < text.length() && "~!*".indexOf(text.charAt(p)) >= 0) p++;
        if (!BARE.contains(text.substring(opStart, p))) return -1;
        p = skipSpace(text, p);
        if (p >= text.length() || text.charAt(p) != ')') return -1;
        return p + 1;
    }

    /**
     * The end of a collation name starting at {@code i} when it is qualified or quoted (a plain name parses as
     * it is), else {@code i}.
     */
    private static int collationEnd(String text, int i) {
        int n = text.length();
        int p = i;
        boolean respell = false;
        while (true) {
            if (p < n && text.charAt(p) == '"') {
                int close = text.indexOf('"', p + 1);
                while (close > 0 && close + 1 < n && text.charAt(close + 1) == '"') close = text.indexOf('"', close + 2);
                if (close < 0) return i;
                p = close + 1;
                respell = true;
            } else if (p < n && SqlLexer.isIdentStart(text.charAt(p))) {
                int w = p;
                while (p < n && SqlLexer.isIdentPart(text.charAt(p))) p++;
                if (p - w == 7 && text.regionMatches(true, w, "default", 0, 7)) respell = true;
            } else {
                return i;
            }
            if (p < n && text.charAt(p) == '.') {
                p++;
                respell = true;
            } else {
                return respell ? p : i;
            }
        }
    }

    private static String operatorOf(String text, int from, int end) {
        StringBuilder op = new StringBuilder();
        int dot = text.indexOf('.', from);
        for (int k = dot + 1; k < end; k++) {
            char c = text.charAt(k);
            if ("~!*".indexOf(c) >= 0) op.append(c);
        }
        return op.toString();
    }

    private static int skipSpace(String text, int i) {
        while (i < text.length() && Character.isWhitespace(text.charAt(i))) i++;
        return i;
    }
}
