package dev.warden.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Finds the tables a common schema change acts on, without JSqlParser (which cannot parse much PostgreSQL
 * DDL once literals are lifted, e.g. {@code DEFAULT ?}). Recognises CREATE TABLE (not {@code AS},
 * {@code LIKE}, {@code INHERITS} or {@code PARTITION OF}, which read other tables), CREATE INDEX, ALTER TABLE
 * and DROP TABLE / INDEX / VIEW / SEQUENCE. A {@code REFERENCES other} clause names a table without reading
 * or writing its data, so it is not a target. Anything else returns null and is left to the parser.
 * The analyzer uses it for DROP, and for CREATE and ALTER text that {@link SchemaChangeReader} does not read
 * (such a statement is refused on a protected table, as it carries no {@link SchemaChange}).
 * Stateless and thread-safe.
 */
final class DdlTargets {
    private DdlTargets() {}

    /** Words that make a CREATE TABLE read or attach to another table (CTAS, inheritance, partitions). */
    private static final Set<String> TABLE_READING_WORDS = Set.of("inherits", "partition", "select", "execute");

    /** The target tables of {@code statement}, or null when it is not a recognised shape. */
    static List<TableName> of(String statement) {
        // the schema-change reader's tokens: comments nest as PostgreSQL nests them, and text it cannot read
        // with certainty (a quote left in normalised text, an unterminated name or comment) is no shape at all
        List<String> t = SchemaChangeReader.tokens(statement);
        int i = 0;
        if (t == null || t.isEmpty()) return null;
        switch (t.get(0)) {
            case "create" -> {
                i = 1;
                if (is(t, i, "or") && is(t, i + 1, "replace")) return null;  // views, functions, rules
                if (is(t, i, "unique")) i++;
                if (is(t, i, "index")) {
                    int on = t.indexOf("on");
                    if (on < 0) return null;
                    i = on + 1;
                    if (is(t, i, "only")) i++;
                    return one(t, i);
                }
                while (is(t, i, "global") || is(t, i, "local") || is(t, i, "temp") || is(t, i, "temporary")
                        || is(t, i, "unlogged")) i++;
                if (!is(t, i, "table")) return null;
                i++;
                if (is(t, i, "if") && is(t, i + 1, "not") && is(t, i + 2, "exists")) i += 3;
                int afterName = nameEnd(t, i);
                if (afterName < 0) return null;
                int depth = 0;
                for (int k = afterName; k < t.size(); k++) {
                    String token = t.get(k);
                    if (token.equals("(")) depth++;
                    if (token.equals(")")) depth--;
                    // AS at the top level is CREATE TABLE ... AS query; inside the column list it is GENERATED ... AS
                    if (TABLE_READING_WORDS.contains(token) || (depth == 0 && token.equals("as"))) return null;
                }
                return one(t, i);
            }
            case "alter" -> {
                if (!is(t, 1, "table")) return null;
                i = 2;
                if (is(t, i, "if") && is(t, i + 1, "exists")) i += 2;
                if (is(t, i, "only")) i++;
                return one(t, i);
            }
            case "drop" -> {
                i = 1;
                if (is(t, i, "materialized")) i++;
                if (!(is(t, i, "table") || is(t, i, "index") || is(t, i, "view") || is(t, i, "sequence"))) return null;
                i++;
                if (is(t, i, "concurrently")) i++;
                if (is(t, i, "if") && is(t, i + 1, "exists")) i += 2;
                List<TableName> names = new ArrayList<>();
                while (i < t.size()) {
                    int end = nameEnd(t, i);
                    if (end < 0) return null;
                    names.add(name(t, i, end));
                    i = end;
                    if (is(t, i, ",")) {
                        i++;
                        continue;
                    }
                    break;
                }
                for (int k = i; k < t.size(); k++) {
                    if (!t.get(k).equals("cascade") && !t.get(k).equals("restrict")) return null;
                }
                return names.isEmpty() ? null : List.copyOf(names);
            }
            default -> {
                return null;
            }
        }
    }

    private static List<TableName> one(List<String> t, int i) {
        int end = nameEnd(t, i);
        return end < 0 ? null : List.of(name(t, i, end));
    }

    /** The index after a (possibly schema-qualified) name starting at {@code i}, or -1. */
    private static int nameEnd(List<String> t, int i) {
        if (i >= t.size() || !isName(t.get(i))) return -1;
        if (is(t, i + 1, ".") && i + 2 < t.size() && isName(t.get(i + 2))) return i + 3;
        return i + 1;
    }

    private static TableName name(List<String> t, int i, int end) {
        return end - i == 3 ? new TableName(unquote(t.get(i)), unquote(t.get(i + 2))) : new TableName(null, unquote(t.get(i)));
    }

    private static boolean isName(String token) {
        char c = token.charAt(0);
        return c == '"' || Character.isLetter(c) || c == '_';
    }

    private static String unquote(String token) {
        return token.charAt(0) == '"' ? token.substring(1, token.length() - 1).replace("\"\"", "\"") : token;
    }

    private static boolean is(List<String> t, int i, String word) {
        return i < t.size() && t.get(i).equals(word);
    }
}
