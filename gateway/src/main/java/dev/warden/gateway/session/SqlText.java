package dev.warden.gateway.session;

import dev.warden.sql.SqlLexer;
import dev.warden.sql.SqlTokens;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The little SQL text handling the gateway needs without parsing: splitting a simple-query string into
 * statements, reading a statement's leading keywords at parenthesis depth zero (for command tags and
 * transaction tracking), and turning PostgreSQL {@code $n} parameters into JDBC {@code ?} markers. Reads the
 * text through {@link SqlLexer#tokens} (server dialect: {@code ?} is an operator), the tokenizer the engine
 * uses, so a semicolon or {@code $1} inside a string, quoted name, dollar quote or comment is left alone exactly
 * where the engine leaves it alone. Stateless and thread-safe.
 */
public final class SqlText {

    private SqlText() {}

    /**
     * The statements of a simple-query string, trimmed, empty ones (only blanks, comments or ';') dropped. A
     * {@code CREATE FUNCTION ... BEGIN ATOMIC ... END} body stays in its statement.
     */
    public static List<String> split(String sql) {
        String single = singleStatement(sql);
        if (single != null) {
            return List.of(single);
        }
        SqlTokens t = SqlLexer.tokens(sql, SqlLexer.Dialect.SERVER);
        List<String> out = new ArrayList<>(1);
        int start = 0;
        boolean hasCode = false;
        for (int i = 0; i < t.count(); i++) {
            if (t.endsStatement(i)) {
                if (hasCode) {
                    out.add(sql.substring(start, t.start(i)).trim());
                }
                hasCode = false;
                start = t.end(i);
            } else {
                hasCode = true;
            }
        }
        if (hasCode) {
            out.add(sql.substring(start).trim());
        }
        return out;
    }

    /**
     * The common case without tokenizing: one plain statement, at most one ';' at its end, and nothing that could
     * open a quote or a comment (so that ';' is the statement's end). Null when the full split is needed.
     */
    private static String singleStatement(String sql) {
        int n = sql.length();
        int end = n;
        while (end > 0 && Character.isWhitespace(sql.charAt(end - 1))) {
            end--;
        }
        if (end > 0 && sql.charAt(end - 1) == ';') {
            end--;
        }
        boolean code = false;
        for (int i = 0; i < end; i++) {
            char c = sql.charAt(i);
            switch (c) {
                case ';', '\'', '"', '$':
                    return null;
                case '-', '/':
                    if (i + 1 < end && sql.charAt(i + 1) == (c == '-' ? '-' : '*')) {
                        return null; // a comment
                    }
                    code = true;
                    break;
                default:
                    code |= !Character.isWhitespace(c);
            }
        }
        return code ? sql.substring(0, end).strip() : null;
    }

    /**
     * Up to {@code max} upper-cased words (keywords or unquoted identifiers) of the statement at
     * parenthesis depth zero, in order; a quoted identifier counts as the word {@code "}.
     */
    public static List<String> words(String sql, int max) {
        // most statements say what they are in their first tokens: read the whole text only when they do not
        int limit = 4 * max + 8;
        SqlTokens t = SqlLexer.tokens(sql, SqlLexer.Dialect.SERVER, limit);
        List<String> out = words(t, max);
        if (out.size() < max && t.count() == limit) {
            out = words(SqlLexer.tokens(sql, SqlLexer.Dialect.SERVER), max);
        }
        return out;
    }

    private static List<String> words(SqlTokens t, int max) {
        List<String> out = new ArrayList<>(Math.min(max, 8));
        int depth = 0;
        for (int i = 0; i < t.count() && out.size() < max; i++) {
            switch (t.kind(i)) {
                case WORD -> {
                    if (depth == 0) {
                        out.add(t.text(i).toUpperCase(Locale.ROOT));
                    }
                }
                case QUOTED_IDENTIFIER -> {
                    if (depth == 0) {
                        out.add("\"");
                    }
                }
                case PUNCTUATION -> {
                    if (t.is(i, "(")) {
                        depth++;
                    } else if (t.is(i, ")")) {
                        depth = Math.max(0, depth - 1);
                    }
                }
                default -> { }
            }
        }
        return out;
    }

    /** A statement rewritten for JDBC: {@code ?} markers and, per marker, the PostgreSQL parameter number. */
    public record JdbcSql(String sql, int[] markerToParam, int parameterCount) {}

    private static final int[] NO_MARKERS = new int[0];

    /**
     * Replaces each {@code $n} parameter with {@code ?} (remembering n), and doubles every {@code ?} of an
     * operator ({@code ?}, {@code ?|}, {@code ?&}) so that the JDBC driver does not take it for a marker.
     */
    public static JdbcSql toJdbc(String sql) {
        if (sql.indexOf('$') < 0 && sql.indexOf('?') < 0) {
            return new JdbcSql(sql, NO_MARKERS, 0);  // no parameter, no ? operator: nothing to rewrite, nothing to scan
        }
        SqlTokens t = SqlLexer.tokens(sql, SqlLexer.Dialect.SERVER);
        StringBuilder out = new StringBuilder(sql.length() + 8);
        int[] map = new int[8];
        int markers = 0;
        int maxParam = 0;
        int from = 0;
        for (int i = 0; i < t.count(); i++) {
            int start = t.start(i);
            int end = t.end(i);
            if (t.kind(i) == SqlTokens.Kind.PARAMETER) {
                out.append(sql, from, start);
                int p = Integer.parseInt(sql.substring(start + 1, Math.min(end, start + 9)));
                if (markers == map.length) {
                    map = Arrays.copyOf(map, markers * 2);
                }
                map[markers++] = p;
                maxParam = Math.max(maxParam, p);
                out.append('?');
                from = end;
            } else if (t.kind(i) == SqlTokens.Kind.OPERATOR && sql.indexOf('?', start) >= 0
                    && sql.indexOf('?', start) < end) {
                out.append(sql, from, start);
                for (int k = start; k < end; k++) {
                    char c = sql.charAt(k);
                    out.append(c);
                    if (c == '?') {
                        out.append('?');
                    }
                }
                from = end;
            }
        }
        out.append(sql, from, sql.length());
        return new JdbcSql(out.toString(), Arrays.copyOf(map, markers), maxParam);
    }
}
