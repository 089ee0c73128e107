package dev.warden.gateway.session;

import java.util.List;
import java.util.Set;

/**
 * What the gateway needs to know about one statement without parsing it: its leading keywords (depth zero),
 * how it moves the transaction status, whether it is a COPY to or from the client, and which command tag
 * PostgreSQL would send for it. Immutable and thread-safe.
 */
public record StatementKind(List<String> words) {

    private static final Set<String> TWO_WORD_OBJECTS = Set.of("MATERIALIZED", "FOREIGN", "EVENT", "ACCESS",
            "USER", "OPERATOR", "DEFAULT", "CONSTRAINT");
    private static final Set<String> MODIFIERS = Set.of("OR", "REPLACE", "TEMP", "TEMPORARY", "UNLOGGED",
            "GLOBAL", "LOCAL", "UNIQUE", "RECURSIVE", "TRUSTED", "PROCEDURAL", "IF", "NOT", "EXISTS");
    /** Settings that PostgreSQL reports to the client with ParameterStatus when they change. */
    static final Set<String> REPORTED_SETTINGS = Set.of("APPLICATION_NAME", "TIMEZONE", "INTERVALSTYLE",
            "DATESTYLE", "STANDARD_CONFORMING_STRINGS", "CLIENT_ENCODING");

    /** First words for which nothing but the first word matters (tag, transaction status, COPY, SET). */
    private static final Set<String> ONE_WORD_ENOUGH = Set.of("SELECT", "INSERT", "UPDATE", "DELETE", "VALUES",
            "TABLE", "BEGIN", "SHOW", "MERGE");

    /** The kinds whose first word is all that matters, shared: no statement of theirs needs its own. */
    private static final java.util.Map<String, StatementKind> ONE_WORD_KINDS = ONE_WORD_ENOUGH.stream()
            .collect(java.util.stream.Collectors.toUnmodifiableMap(w -> w, w -> new StatementKind(List.of(w))));

    public static StatementKind of(String sql) {
        StatementKind plain = plainFirstWord(sql);
        if (plain != null) {
            return plain;
        }
        List<String> first = SqlText.words(sql, 1);
        if (!first.isEmpty() && ONE_WORD_ENOUGH.contains(first.get(0))) {
            return new StatementKind(first);
        }
        return new StatementKind(SqlText.words(sql, 12));
    }

    /**
     * The shared kind of a statement that opens, after blanks only, with one of {@link #ONE_WORD_ENOUGH} in ASCII
     * letters followed by a blank or '(' (so the word ends there, whatever comes after); null for anything else
     * (a comment, a quote, a parenthesis first; any other word), which the tokenizer reads. Every query of a
     * pgbench-like workload is judged here without tokenizing its text.
     */
    private static StatementKind plainFirstWord(String sql) {
        int n = sql.length();
        int i = 0;
        while (i < n && isBlank(sql.charAt(i))) {
            i++;
        }
        int start = i;
        while (i < n && i - start <= 6 && isAsciiLetter(sql.charAt(i))) {
            i++;
        }
        if (i == start || i == n || !(isBlank(sql.charAt(i)) || sql.charAt(i) == '(')) {
            return null;
        }
        for (StatementKind k : ONE_WORD_KINDS.values()) {
            String w = k.first();
            if (w.length() == i - start && sql.regionMatches(true, start, w, 0, w.length())) {
                return k;
            }
        }
        return null;
    }

    /** The blanks PostgreSQL's scanner skips between tokens (space, tab, newline, carriage return, form feed). */
    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
    }

    private static boolean isAsciiLetter(char c) {
        return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z';
    }

    public String first() {
        return words.isEmpty() ? "" : words.get(0);
    }

    private String word(int i) {
        return i < words.size() ? words.get(i) : "";
    }

    private int indexOf(String w) {
        return words.indexOf(w);
    }

    /** True for {@code COPY ... FROM STDIN}. */
    public boolean isCopyIn() {
        if (!first().equals("COPY")) {
            return false;
        }
        int f = indexOf("FROM");
        return f > 0 && word(f + 1).equals("STDIN");
    }

    /** True for {@code COPY ... TO STDOUT}. */
    public boolean isCopyOut() {
        if (!first().equals("COPY")) {
            return false;
        }
        int t = indexOf("TO");
        return t > 0 && word(t + 1).equals("STDOUT");
    }

    /**
     * True for a query whose result may be large (SELECT, WITH, VALUES, TABLE): the gateway runs it in a
     * transaction of its own so that the driver can fetch it in chunks. Each of these may run inside a
     * transaction block, so that changes nothing the client can see.
     */
    public boolean isQuery() {
        return switch (first()) {
            case "SELECT", "WITH", "VALUES", "TABLE" -> true;
            default -> false;
        };
    }

    /** True for statements that begin, end or roll back (part of) a transaction block. */
    public boolean isTransactionControl() {
        return switch (first()) {
            case "BEGIN", "START", "COMMIT", "END", "ROLLBACK", "ABORT", "SAVEPOINT", "RELEASE", "PREPARE" -> true;
            default -> false;
        };
    }

    /** The transaction status after this statement succeeded, given the status before it ('I', 'T', 'E'). */
    public char statusAfterSuccess(char before) {
        switch (first()) {
            case "BEGIN", "START":
                return 'T';
            case "COMMIT", "END", "ROLLBACK", "ABORT":
                if (words.contains("CHAIN") && !words.contains("NO")) {
                    return 'T';
                }
                if (first().equals("ROLLBACK") && word(1).equals("TO") || first().equals("ROLLBACK")
                        && word(1).equals("WORK") && word(2).equals("TO")
                        || first().equals("ROLLBACK") && word(1).equals("TRANSACTION") && word(2).equals("TO")) {
                    return 'T';
                }
                return 'I';
            case "PREPARE":
                return word(1).equals("TRANSACTION") ? 'I' : before;
            default:
                return before == 'E' ? 'E' : before;
        }
    }

    /** The transaction status after a statement failed. */
    public static char statusAfterFailure(char before) {
        return before == 'I' ? 'I' : 'E';
    }

    /** The transaction status after this statement failed: a failed COMMIT or ROLLBACK still ends the block. */
    public char statusAfterFailureOf(char before) {
        switch (first()) {
            case "COMMIT", "END", "ABORT":
                return word(1).equals("PREPARED") ? statusAfterFailure(before) : 'I';
            case "ROLLBACK":
                return word(1).equals("PREPARED") || words.contains("TO") ? statusAfterFailure(before) : 'I';
            default:
                return statusAfterFailure(before);
        }
    }

    /** Upper-cased name of the setting a SET/RESET changes, or null when it changes no reported setting. */
    public String reportedSettingChanged() {
        String f = first();
        if (!f.equals("SET") && !f.equals("RESET")) {
            return null;
        }
        int i = 1;
        if (word(i).equals("SESSION") || word(i).equals("LOCAL")) {
            i++;
        }
        String name = word(i);
        if (name.equals("TIME") && word(i + 1).equals("ZONE")) {
            name = "TIMEZONE";
        }
        if (f.equals("RESET") && name.equals("ALL")) {
            return "ALL";
        }
        return REPORTED_SETTINGS.contains(name) ? name : null;
    }

    /**
     * The command tag PostgreSQL sends for this statement.
     *
     * @param rows rows returned (when {@code returnedRows}) or the update count otherwise (-1 if unknown)
     */
    public String tag(boolean returnedRows, long rows, char statusBefore) {
        long n = Math.max(rows, 0);
        String f = first();
        String main = f;
        if (f.equals("WITH")) {
            main = "SELECT";
            for (int i = 1; i < words.size(); i++) {
                String w = words.get(i);
                if (w.equals("SELECT") || w.equals("INSERT") || w.equals("UPDATE") || w.equals("DELETE")
                        || w.equals("MERGE") || w.equals("VALUES") || w.equals("TABLE")) {
                    main = w;
                    break;
                }
            }
        }
        switch (main) {
            case "INSERT":
                return "INSERT 0 " + n;
            case "UPDATE", "DELETE", "MERGE", "COPY", "FETCH", "MOVE":
                return main + " " + n;
            case "SELECT", "VALUES", "TABLE":
                return selectTag(n);
            default:
                break;
        }
        if (returnedRows) {
            return switch (f) {
                case "SHOW", "EXPLAIN", "FETCH" -> f.equals("FETCH") ? "FETCH " + n : f;
                default -> "SELECT " + n;
            };
        }
        switch (f) {
            case "BEGIN":
                return "BEGIN";
            case "START":
                return "START TRANSACTION";
            case "COMMIT", "END":
                if (word(1).equals("PREPARED")) {
                    return "COMMIT PREPARED";
                }
                return statusBefore == 'E' ? "ROLLBACK" : "COMMIT";
            case "ABORT", "ROLLBACK":
                return word(1).equals("PREPARED") ? "ROLLBACK PREPARED" : "ROLLBACK";
            case "PREPARE":
                return word(1).equals("TRANSACTION") ? "PREPARE TRANSACTION" : "PREPARE";
            case "TRUNCATE":
                return "TRUNCATE TABLE";
            case "LOCK":
                return "LOCK TABLE";
            case "ANALYSE":
                return "ANALYZE";
            case "DISCARD", "DEALLOCATE":
                return word(1).equals("ALL") ? f + " ALL" : f;
            case "REFRESH":
                return "REFRESH MATERIALIZED VIEW";
            case "CREATE", "ALTER", "DROP":
                return ddlTag(f);
            default:
                return f.isEmpty() ? "SELECT 0" : f;
        }
    }

    /** "SELECT n", the small counts made once: most queries (every point query) return a row or a few. */
    private static final String[] SMALL_SELECT_TAGS = java.util.stream.IntStream.range(0, 64)
            .mapToObj(i -> "SELECT " + i).toArray(String[]::new);

    private static String selectTag(long n) {
        return n < SMALL_SELECT_TAGS.length ? SMALL_SELECT_TAGS[(int) n] : "SELECT " + n;
    }

    private String ddlTag(String verb) {
        int i = 1;
        while (i < words.size() && MODIFIERS.contains(words.get(i))) {
            i++;
        }
        String object = word(i);
        if (verb.equals("CREATE") && object.equals("TABLE") && words.indexOf("AS") > i) {
            return "SELECT 0";
        }
        if (object.equals("CONSTRAINT")) {
            return verb + " TRIGGER";
        }
        if (object.equals("TEXT")) {
            return verb + " TEXT SEARCH " + word(i + 2);
        }
        if (TWO_WORD_OBJECTS.contains(object)) {
            return verb + " " + object + " " + word(i + 1);
        }
        return object.isEmpty() ? verb : verb + " " + object;
    }
}
