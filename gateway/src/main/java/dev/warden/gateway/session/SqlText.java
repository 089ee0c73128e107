package dev.warden.gateway.session;

import dev.warden.sql.SqlLexer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The little SQL text handling the gateway needs without parsing: splitting a simple-query string into
 * statements, reading a statement's leading keywords at parenthesis depth zero (for command tags and
 * transaction tracking), and turning PostgreSQL {@code $n} parameters into JDBC {@code ?} markers.
 * Understands quoted strings (including {@code E''}), quoted identifiers, dollar quotes and both comment
 * forms, so a semicolon or {@code $1} inside any of them is left alone. Stateless and thread-safe.
 */
public final class SqlText {

    private SqlText() {}

    /** The statements of a simple-query string, trimmed, empty ones (only blanks, comments or ';') dropped. */
    public static List<String> split(String sql) {
        String single = singleStatement(sql);
        if (single != null) {
            return List.of(single);
        }
        List<String> out = new ArrayList<>(1);
        int start = 0;
        boolean hasCode = false;
        int n = sql.length();
        int i = 0;
        while (i < n) {
            char c = sql.charAt(i);
            if (c == ';') {
                if (hasCode) {
                    out.add(sql.substring(start, i).trim());
                }
                hasCode = false;
                start = i + 1;
                i++;
                continue;
            }
            int skip = skipNonCode(sql, i);
            if (skip > i) {
                if (!isComment(sql, i)) {
                    hasCode = true;
                }
                i = skip;
                continue;
            }
            if (!Character.isWhitespace(c)) {
                hasCode = true;
            }
            i++;
        }
        if (hasCode) {
            out.add(sql.substring(start).trim());
        }
        return out;
    }

    /**
     * The common case without a scan for quotes: one plain statement, at most one ';' at its end, and no
     * character that could open a quote or a comment. Null when the full split is needed.
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
                case ';', '\'', '"', '$', '-', '/':
                    return null;
                default:
                    code |= !Character.isWhitespace(c);
            }
        }
        return code ? sql.substring(0, end).strip() : null;
    }

    private static boolean isComment(String s, int i) {
        return s.startsWith("--", i) || s.startsWith("/*", i);
    }

    /**
     * If a quoted string, quoted identifier, dollar-quoted string or comment starts at {@code i}, the index
     * just after it; otherwise {@code i}. An unterminated one runs to the end of the text.
     */
    static int skipNonCode(String s, int i) {
        int n = s.length();
        char c = s.charAt(i);
        if (c == '\'') {
            boolean backslash = i > 0 && (s.charAt(i - 1) == 'E' || s.charAt(i - 1) == 'e')
                    && (i < 2 || !isIdentChar(s.charAt(i - 2)));
            int j = i + 1;
            while (j < n) {
                char d = s.charAt(j);
                if (backslash && d == '\\') {
                    j += 2;
                    continue;
                }
                if (d == '\'') {
                    if (j + 1 < n && s.charAt(j + 1) == '\'') {
                        j += 2;
                        continue;
                    }
                    return j + 1;
                }
                j++;
            }
            return n;
        }
        if (c == '"') {
            int j = s.indexOf('"', i + 1);
            while (j >= 0 && j + 1 < n && s.charAt(j + 1) == '"') {
                j = s.indexOf('"', j + 2);
            }
            return j < 0 ? n : j + 1;
        }
        if (c == '-' && i + 1 < n && s.charAt(i + 1) == '-') {
            int j = SqlLexer.lineCommentEnd(s, i);  // a carriage return ends it too
            return j < n ? j + 1 : n;
        }
        if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
            int depth = 1;
            int j = i + 2;
            while (j < n && depth > 0) {
                if (s.startsWith("/*", j)) {
                    depth++;
                    j += 2;
                } else if (s.startsWith("*/", j)) {
                    depth--;
                    j += 2;
                } else {
                    j++;
                }
            }
            return j;
        }
        if (c == '$' && (i == 0 || !isIdentChar(s.charAt(i - 1)))) {
            int j = i + 1;
            while (j < n && (Character.isLetter(s.charAt(j)) || s.charAt(j) == '_'
                    || (j > i + 1 && Character.isDigit(s.charAt(j))))) {
                j++;
            }
            if (j < n && s.charAt(j) == '$') {
                String tag = s.substring(i, j + 1);
                int end = s.indexOf(tag, j + 1);
                return end < 0 ? n : end + tag.length();
            }
        }
        return i;
    }

    private static boolean isIdentChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$';
    }

    /**
     * Up to {@code max} upper-cased words (keywords or unquoted identifiers) of the statement at
     * parenthesis depth zero, in order; a quoted identifier counts as the word {@code "}.
     */
    public static List<String> words(String sql, int max) {
        List<String> out = new ArrayList<>(Math.min(max, 8));
        int depth = 0;
        int n = sql.length();
        int i = 0;
        while (i < n && out.size() < max) {
            char c = sql.charAt(i);
            int skip = skipNonCode(sql, i);
            if (skip > i) {
                if (depth == 0 && c == '"') {
                    out.add("\"");
                }
                i = skip;
                continue;
            }
            if (c == '(') {
                depth++;
                i++;
            } else if (c == ')') {
                depth = Math.max(0, depth - 1);
                i++;
            } else if (Character.isLetter(c) || c == '_') {
                int j = i + 1;
                while (j < n && isIdentChar(sql.charAt(j))) {
                    j++;
                }
                if (depth == 0) {
                    out.add(sql.substring(i, j).toUpperCase(Locale.ROOT));
                }
                i = j;
            } else {
                i++;
            }
        }
        return out;
    }

    /** A statement rewritten for JDBC: {@code ?} markers and, per marker, the PostgreSQL parameter number. */
    public record JdbcSql(String sql, int[] markerToParam, int parameterCount) {}

    /**
     * Replaces each {@code $n} outside quotes and comments with {@code ?} (remembering n), and doubles every
     * literal {@code ?} operator so that the JDBC driver does not take it for a marker.
     */
    public static JdbcSql toJdbc(String sql) {
        StringBuilder out = new StringBuilder(sql.length() + 8);
        int[] map = new int[8];
        int markers = 0;
        int maxParam = 0;
        int n = sql.length();
        int i = 0;
        while (i < n) {
            char c = sql.charAt(i);
            if (c == '$' && i + 1 < n && Character.isDigit(sql.charAt(i + 1))
                    && (i == 0 || !isIdentChar(sql.charAt(i - 1)))) {
                int j = i + 1;
                while (j < n && Character.isDigit(sql.charAt(j))) {
                    j++;
                }
                int p = Integer.parseInt(sql.substring(i + 1, Math.min(j, i + 9)));
                if (markers == map.length) {
                    map = java.util.Arrays.copyOf(map, markers * 2);
                }
                map[markers++] = p;
                maxParam = Math.max(maxParam, p);
                out.append('?');
                i = j;
                continue;
            }
            int skip = skipNonCode(sql, i);
            if (skip > i) {
                out.append(sql, i, skip);
                i = skip;
                continue;
            }
            if (c == '?') {
                out.append("??");
            } else {
                out.append(c);
            }
            i++;
        }
        return new JdbcSql(out.toString(), java.util.Arrays.copyOf(map, markers), maxParam);
    }
}
