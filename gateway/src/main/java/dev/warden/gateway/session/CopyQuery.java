package dev.warden.gateway.session;

import dev.warden.sql.SqlLexer;
import dev.warden.sql.SqlTokens;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code COPY (query) TO STDOUT [options]} in the text or CSV format, which the gateway answers by running the
 * query through the engine (so protected columns are decrypted, masked or refused as for that SELECT, with the
 * SELECT's one audit event) and writing its rows in COPY's own format: the server cannot, as it would copy
 * ciphertext. Options: {@code FORMAT text|csv}, {@code HEADER}, {@code DELIMITER}, {@code NULL}, {@code QUOTE},
 * {@code ESCAPE}, in the parenthesised and the pre-9.0 syntax (psql's {@code \copy ... with csv header}).
 * Any other shape or option ({@code BINARY}, {@code FORCE_QUOTE}, {@code ENCODING}...) is not one of these
 * ({@link #parse} returns null) and goes to the server's own COPY through the engine, which refuses it on a
 * protected table. Immutable, thread-safe.
 */
record CopyQuery(String query, boolean csv, boolean header, char delimiter, String nullString, char quote,
                 char escape) {

    /** The statement as a query COPY the gateway encodes itself, or null when it is not one. */
    static CopyQuery parse(String sql) {
        SqlTokens t = SqlLexer.tokens(sql, SqlLexer.Dialect.SERVER);
        if (t.count() < 2 || !t.isWord(0, "copy") || !t.is(1, "(")) return null;
        int depth = 0;
        int close = -1;
        for (int k = 1; k < t.count(); k++) {
            if (t.is(k, ";")) return null;  // one statement only: the query runs as it is written
            if (t.is(k, "(")) depth++;
            if (t.is(k, ")") && --depth == 0) {
                close = k;
                break;
            }
        }
        if (close < 0) return null;
        List<String> tokens = options(t, close + 1);
        if (tokens == null || tokens.size() < 2 || !tokens.get(0).equals("to") || !tokens.get(1).equals("stdout")) {
            return null;
        }
        Options o = new Options();
        List<String> rest = tokens.subList(2, tokens.size());
        if (!rest.isEmpty() && rest.get(0).equals("with")) rest = rest.subList(1, rest.size());
        boolean ok = !rest.isEmpty() && rest.get(0).equals("(") ? o.modern(rest) : o.legacy(rest);
        if (!ok || !o.valid()) return null;
        return new CopyQuery(sql.substring(t.end(1), t.start(close)), o.csv, o.header, o.delimiter(),
                o.nullString != null ? o.nullString : o.csv ? "" : "\\N", o.quote(), o.escape());
    }

    /** Options as read, checked as the server checks them for COPY TO. */
    private static final class Options {
        boolean csv;
        boolean header;
        String delimiter;
        String nullString;
        String quote;
        String escape;

        /** {@code ( name [value] [, ...] )} */
        boolean modern(List<String> t) {
            int i = 1;
            while (i < t.size()) {
                String name = t.get(i++);
                List<String> value = new ArrayList<>();
                while (i < t.size() && !t.get(i).equals(",") && !t.get(i).equals(")")) value.add(t.get(i++));
                if (i >= t.size()) return false;
                String end = t.get(i++);
                if (value.size() > 1) return false;
                String v = value.isEmpty() ? null : value.get(0);
                switch (name) {
                    case "format" -> {
                        if (v == null) return false;
                        String f = literal(v) != null ? literal(v) : v;
                        if (f.equals("csv")) csv = true;
                        else if (!f.equals("text")) return false;
                    }
                    case "header" -> {
                        String b = v == null ? "true" : literal(v) != null ? literal(v).toLowerCase(Locale.ROOT) : v;
                        if (List.of("true", "on", "1").contains(b)) header = true;
                        else if (!List.of("false", "off", "0").contains(b)) return false;
                    }
                    case "delimiter" -> delimiter = literal(v);
                    case "null" -> nullString = literal(v);
                    case "quote" -> quote = literal(v);
                    case "escape" -> escape = literal(v);
                    default -> {
                        return false;
                    }
                }
                if ((name.equals("delimiter") || name.equals("null") || name.equals("quote") || name.equals("escape"))
                        && literal(v) == null) {
                    return false;
                }
                if (end.equals(")")) return i == t.size();
            }
            return false;
        }

        /** {@code [DELIMITER [AS] 'c'] [NULL [AS] 's'] [CSV [HEADER] [QUOTE [AS] 'c'] [ESCAPE [AS] 'c']]} */
        boolean legacy(List<String> t) {
            int i = 0;
            while (i < t.size()) {
                String w = t.get(i++);
                switch (w) {
                    case "csv" -> csv = true;
                    case "header" -> header = true;
                    case "delimiter", "null", "quote", "escape" -> {
                        if (i < t.size() && t.get(i).equals("as")) i++;
                        if (i >= t.size() || literal(t.get(i)) == null) return false;
                        String v = literal(t.get(i++));
                        switch (w) {
                            case "delimiter" -> delimiter = v;
                            case "null" -> nullString = v;
                            case "quote" -> quote = v;
                            default -> escape = v;
                        }
                    }
                    default -> {
                        return false;
                    }
                }
            }
            return true;
        }

        boolean valid() {
            if (delimiter != null && delimiter.length() != 1) return false;
            if (!csv && (quote != null || escape != null)) return false;
            if (quote != null && quote.length() != 1 || escape != null && escape.length() != 1) return false;
            char d = delimiter();
            if (d == '\r' || d == '\n' || !csv && (d == '\\' || Character.isLetterOrDigit(d) || d == '.')) return false;
            if (nullString != null && (nullString.indexOf('\r') >= 0 || nullString.indexOf('\n') >= 0)) return false;
            if (csv && (quote() == d || nullString != null && nullString.indexOf(d) >= 0)) return false;
            if (!csv && nullString != null && nullString.indexOf(d) >= 0) return false;
            return true;
        }

        char delimiter() {
            return delimiter != null ? delimiter.charAt(0) : csv ? ',' : '\t';
        }

        char quote() {
            return quote != null ? quote.charAt(0) : '"';
        }

        char escape() {
            return escape != null ? escape.charAt(0) : quote();
        }
    }

    /** A single-quoted literal's value, or null when the token is not one. */
    private static String literal(String token) {
        if (token == null || token.length() < 2 || token.charAt(0) != '\'') return null;
        return token.substring(1, token.length() - 1).replace("''", "'");
    }

    /**
     * Tokens {@code from} on as lower-cased words, punctuation and single-quoted literals (kept with their quotes);
     * null on anything else (an E'' string, a dollar quote, an operator, a semicolon before the end is not expected
     * from a client here).
     */
    private static List<String> options(SqlTokens t, int from) {
        List<String> out = new ArrayList<>();
        for (int k = from; k < t.count(); k++) {
            String text = t.text(k);
            switch (t.kind(k)) {
                case WORD -> out.add(text.toLowerCase(Locale.ROOT));
                case STRING -> {
                    boolean closed = !(t.unterminated() && k == t.count() - 1);
                    if (text.charAt(0) != '\'' || !closed) return null;
                    out.add(text);
                }
                case NUMBER -> {
                    if (!text.chars().allMatch(Character::isDigit)) return null;
                    out.add(text);
                }
                case PUNCTUATION -> {
                    if (text.equals(";") && k == t.count() - 1) return out;
                    if (!text.equals("(") && !text.equals(")") && !text.equals(",")) return null;
                    out.add(text);
                }
                default -> {
                    return null;
                }
            }
        }
        return out;
    }

    /** One row in this format, with its line end, as UTF-8 (the gateway's client encoding). */
    byte[] row(String[] values) {
        StringBuilder line = new StringBuilder(64);
        for (int k = 0; k < values.length; k++) {
            if (k > 0) line.append(delimiter);
            String v = values[k];
            if (v == null) line.append(nullString);
            else if (csv) csvValue(line, v, values.length == 1);
            else textValue(line, v);
        }
        line.append('\n');
        return line.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** As the server's CopyAttributeOutText: backslash escapes for backslash, control characters and the delimiter. */
    private void textValue(StringBuilder line, String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '\\' -> line.append("\\\\");
                case '\b' -> line.append("\\b");
                case '\f' -> line.append("\\f");
                case '\n' -> line.append("\\n");
                case '\r' -> line.append("\\r");
                case '\t' -> line.append("\\t");
                case '\u000b' -> line.append("\\v");
                default -> {
                    if (c == delimiter) line.append('\\');
                    line.append(c);
                }
            }
        }
    }

    /**
     * As the server's CopyAttributeOutCSV: quoted when it holds the delimiter, the quote, a line end, equals the
     * NULL string, or is {@code \.} alone on its line (the end-of-data marker); inside quotes the quote and escape
     * characters are escaped.
     */
    private void csvValue(StringBuilder line, String v, boolean alone) {
        boolean quoteIt = v.equals(nullString) || alone && v.equals("\\.");
        for (int i = 0; i < v.length() && !quoteIt; i++) {
            char c = v.charAt(i);
            quoteIt = c == delimiter || c == quote || c == '\n' || c == '\r';
        }
        if (!quoteIt) {
            line.append(v);
            return;
        }
        line.append(quote);
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == quote || c == escape) line.append(escape);
            line.append(c);
        }
        line.append(quote);
    }
}
