package dev.warden.engine;

import dev.warden.policy.ColumnRule;
import dev.warden.policy.Policy;
import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes values from the errors and notices the database reports, before they reach the application, the
 * gateway's client or the audit trail. PostgreSQL echoes row values in its errors ({@code Failing row contains
 * (...)}, {@code Key (email)=(...) already exists.}, the text of the statement a function ran, what a trigger
 * put in a {@code RAISE}), and pgjdbc adds the values of a failed batch entry to its {@link BatchUpdateException}.
 *
 * <p>An error is redacted when the statement that raised it touches a protected table, or when the error
 * itself names one (its table field, or a protected table quoted in its message, detail, hint, context or
 * internal query: a cascade, a deferred constraint checked at COMMIT, a trigger of another table writing a
 * protected one). Every other
 * error is returned as the same object, so statements on unprotected tables fail exactly as with pgjdbc.
 *
 * <p>Redaction works on the protocol fields ({@link ServerErrorFields}), never on the message text pgjdbc
 * composed, and keeps what names things, by construction, dropping every field it has no rule for:
 * <ul>
 *   <li>kept: severity, SQLState, position, schema, table, column, data type and constraint names, file,
 *       line and routine;</li>
 *   <li>message and hint: each double-quoted part that is not a name the error or the policy knows (a table,
 *       column or constraint) is replaced, byte sequences ({@code 0x..}) too; a text left with anything but
 *       ASCII (a translated message quoting with other marks) is replaced whole; so is a message or hint
 *       raised by a server-side function (PL/pgSQL {@code RAISE} and {@code ASSERT}, any procedural-language
 *       handler): it is user text;</li>
 *   <li>detail: the shapes PostgreSQL uses for constraint violations keep their column list and table
 *       ({@code Key (email)=(redacted) already exists.}); any other detail is replaced whole;</li>
 *   <li>where (context): lines naming a function and line number are kept, every other line (the statement a
 *       function ran, COPY input, bind parameters) is replaced;</li>
 *   <li>internal query: replaced, and its position dropped.</li>
 * </ul>
 * A redacted error is rebuilt as the same pgjdbc class with the redacted fields, so an application reading
 * {@code PSQLException.getServerErrorMessage()} still can; {@code getNextException()} and cause chains are
 * rebuilt the same way, and the original exception is never attached. An error of the real driver that
 * carries no server fields keeps its text only when its SQLState class is one whose messages hold no values
 * (connection, cancellation, object state, unsupported feature); otherwise its message is withheld.
 * Warden's own exceptions (built by {@link SqlStates}) are returned as they are.
 *
 * <p>Immutable and thread-safe.
 */
public final class ServerErrorRedactor {

    static final String REDACTED = "(redacted)";
    static final String DETAIL_REDACTED = "detail redacted by Warden";
    static final String MESSAGE_REDACTED = "message redacted by Warden: raised by server-side code";
    static final String HINT_REDACTED = "hint redacted by Warden";
    static final String CONTEXT_REDACTED = "context redacted by Warden";
    static final String TRANSLATED_REDACTED = "text redacted by Warden: not in a form it can read"
            + " (set lc_messages to C or en for the server's names)";
    static final String INTERNAL_QUERY_REDACTED = "internal query redacted by Warden";

    /** Fields kept as they are: they name things or place them, and never hold a value. */
    private static final String KEPT = "SCPstcdnFLR";
    /** SQLState classes whose client-side (pgjdbc) messages hold no values. */
    private static final Set<String> CLIENT_CLASSES_KEPT = Set.of("08", "57", "55", "0A");

    private static final Pattern FAILING_ROW = Pattern.compile("(?s)Failing row contains \\(.*\\)\\.?");
    private static final Pattern KEY = Pattern.compile(
            "(?s)Key \\((.*?)\\)=\\(.*\\) (already exists\\.|is not present in table \"([^\"]*)\"\\."
                    + "|is still referenced from table \"([^\"]*)\"\\.)");
    private static final Pattern CONFLICT = Pattern.compile(
            "(?s)Key \\((.*?)\\)=\\(.*\\) conflicts with (existing )?key \\((.*?)\\)=\\(.*\\)\\.");
    private static final Pattern HEX_BYTES = Pattern.compile("0x[0-9A-Fa-f]+(?: 0x[0-9A-Fa-f]+)*");
    private static final Pattern CONTEXT_LINE = Pattern.compile(
            "PL/pgSQL function [^\"\\n]* (?:line \\d+ at [A-Z][A-Za-z ]*|during [a-z ]+|while [a-z' ]+)"
                    + "|SQL function \"[^\"\\n]*\" (?:statement \\d+|during startup|during inlining)"
                    + "|parallel worker");
    private static final Pattern BATCH_ENTRY = Pattern.compile("^Batch entry (\\d+) ");

    private final Policy policy;
    private final Set<String> knownNames;  // lower-cased policy table and column names, kept where quoted

    public ServerErrorRedactor(Policy policy) {
        this.policy = policy;
        Set<String> names = new HashSet<>();
        for (ColumnRule rule : policy.columns()) {
            names.add(rule.table().toLowerCase(Locale.ROOT));
            names.add(rule.column().toLowerCase(Locale.ROOT));
        }
        for (String table : policy.protectedTableNames()) names.add(table.toLowerCase(Locale.ROOT));
        this.knownNames = Set.copyOf(names);
    }

    /**
     * {@code error} as the application may see it: redacted when {@code touchesProtected} (the statement that
     * raised it touches a protected table) or when the error names a protected table; otherwise {@code error}
     * itself.
     */
    public SQLException redact(SQLException error, boolean touchesProtected) {
        if (error == null || !touchesProtected && !namesProtectedTable(error)) return error;
        return new Rebuild().exception(error);
    }

    /** {@link #redact} for a chain of warnings (server notices), rebuilt whole when any of it is redacted. */
    public SQLWarning redact(SQLWarning first, boolean touchesProtected) {
        if (first == null || !touchesProtected && !namesProtectedTable(first)) return first;
        Rebuild rebuild = new Rebuild();
        SQLWarning head = null;
        SQLWarning tail = null;
        for (SQLWarning w = first; w != null; w = w.getNextWarning()) {
            SQLWarning redacted = rebuild.warning(w);
            if (head == null) head = redacted; else tail.setNextWarning(redacted);
            tail = redacted;
        }
        return head;
    }

    /** True when some error of the chain (next exceptions and causes) names a protected table. */
    private boolean namesProtectedTable(SQLException error) {
        Set<Throwable> links = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        for (SQLException e = error; e != null && links.add(e); e = e.getNextException()) {
            Set<Throwable> causes = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
            for (Throwable t = e; t != null && causes.add(t); t = t.getCause()) {
                ServerErrorFields fields = ServerErrorFields.of(t);
                if (fields != null && namesProtectedTable(fields)) return true;
            }
        }
        return false;
    }

    private boolean namesProtectedTable(ServerErrorFields fields) {
        if (fields.get('t') != null && policy.protectsTable(fields.get('s'), fields.get('t'))) return true;
        // the context and internal query name the tables a cascade or a function's statement reached
        for (char code : "MDHWq".toCharArray()) {
            if (quotesProtectedTable(fields.get(code))) return true;
        }
        return false;
    }

    private boolean quotesProtectedTable(String text) {
        if (text == null) return false;
        for (String table : policy.protectedTableNames()) {
            if (text.contains("\"" + table + "\"")) return true;
        }
        return false;
    }

    /** The redacted fields of one server error or notice. */
    ServerErrorFields redact(ServerErrorFields fields) {
        Set<String> names = new HashSet<>(knownNames);
        for (char code : "stcdn".toCharArray()) {
            if (fields.get(code) != null) names.add(fields.get(code).toLowerCase(Locale.ROOT));
        }
        boolean userText = raisedByServerCode(fields);
        Map<Character, String> out = new LinkedHashMap<>();
        for (Map.Entry<Character, String> f : fields.asMap().entrySet()) {
            char code = f.getKey();
            String value = f.getValue();
            if (KEPT.indexOf(code) >= 0) {
                out.put(code, value);
            } else if (code == 'M') {
                out.put(code, userText ? MESSAGE_REDACTED : names(value, names));
            } else if (code == 'H') {
                out.put(code, userText ? HINT_REDACTED : names(value, names));
            } else if (code == 'D') {
                out.put(code, detail(value));
            } else if (code == 'W') {
                out.put(code, context(value));
            } else if (code == 'q') {
                out.put(code, INTERNAL_QUERY_REDACTED);
            }
            // 'p' (a position in the internal query, now gone) and any field without a rule: dropped
        }
        return new ServerErrorFields(out);
    }

    /**
     * True when the text was written by server-side code rather than by PostgreSQL: PL/pgSQL's RAISE and
     * ASSERT, and any procedural-language handler (their source files are named pl*), or a report that does
     * not say where it was raised.
     */
    static boolean raisedByServerCode(ServerErrorFields fields) {
        String file = fields.get('F');
        String routine = fields.get('R');
        if (file == null || routine == null) return true;
        return file.startsWith("pl") || routine.startsWith("exec_stmt_raise") || routine.startsWith("exec_stmt_assert");
    }

    /**
     * Keeps each double-quoted name in {@code names}; the span from the first other quote to the last one is
     * replaced whole (a value may itself hold quotes), and so are byte sequences. What is left must be ASCII
     * (PostgreSQL's English messages), else the whole text is replaced.
     */
    static String names(String text, Set<String> names) {
        StringBuilder kept = new StringBuilder();
        java.util.List<String> placeholders = new java.util.ArrayList<>();
        Matcher m = Pattern.compile("\"([^\"]*)\"").matcher(text);
        int at = 0;
        while (m.find()) {
            if (!names.contains(m.group(1).toLowerCase(Locale.ROOT))) continue;
            kept.append(text, at, m.start()).append('\u0001').append(placeholders.size()).append('\u0001');
            placeholders.add(m.group());
            at = m.end();
        }
        kept.append(text.substring(at));
        String s = kept.toString();
        int first = s.indexOf('"');
        if (first >= 0) {
            int last = s.lastIndexOf('"');
            s = s.substring(0, first) + "\"" + REDACTED + "\"" + (last > first ? s.substring(last + 1) : "");
        }
        s = HEX_BYTES.matcher(s).replaceAll(REDACTED);
        if (!s.chars().allMatch(ch -> ch < 0x80)) {
            // a translated message (lc_messages) quotes with other marks (»...«, « ... », „...“) that the rule
            // above cannot see, or a value stands outside quotes: nothing of it can be vouched for
            return TRANSLATED_REDACTED;
        }
        StringBuilder restored = new StringBuilder();
        Matcher p = Pattern.compile("\u0001(\\d+)\u0001").matcher(s);
        while (p.find()) p.appendReplacement(restored, Matcher.quoteReplacement(placeholders.get(Integer.parseInt(p.group(1)))));
        p.appendTail(restored);
        return restored.toString();
    }

    /** The detail of a constraint violation keeps its shape and names, loses its values; any other is replaced. */
    static String detail(String detail) {
        if (FAILING_ROW.matcher(detail).matches()) return "Failing row contains (values redacted by Warden).";
        Matcher key = KEY.matcher(detail);
        if (key.matches() && plainColumns(key.group(1))) {
            return "Key (" + key.group(1) + ")=" + REDACTED + " " + key.group(2);
        }
        Matcher conflict = CONFLICT.matcher(detail);
        if (conflict.matches() && plainColumns(conflict.group(1)) && plainColumns(conflict.group(3))) {
            return "Key (" + conflict.group(1) + ")=" + REDACTED + " conflicts with "
                    + (conflict.group(2) == null ? "" : conflict.group(2)) + "key (" + conflict.group(3) + ")="
                    + REDACTED + ".";
        }
        return DETAIL_REDACTED;
    }

    /** A key's column list: names (or index expressions) with no quoted text, which could hide a value. */
    private static boolean plainColumns(String columns) {
        return columns.indexOf('\'') < 0 && columns.indexOf('"') < 0 && columns.indexOf('\n') < 0;
    }

    /** Keeps the context lines that name a function and a line; replaces every other. */
    static String context(String where) {
        StringBuilder b = new StringBuilder();
        for (String line : where.split("\n", -1)) {
            if (b.length() > 0) b.append('\n');
            b.append(CONTEXT_LINE.matcher(line).matches() ? line : CONTEXT_REDACTED);
        }
        return b.toString();
    }

    /** One redaction of a chain: each exception rebuilt once, so shared links (cause and next) stay shared. */
    private final class Rebuild {
        private final Map<Throwable, Throwable> done = new IdentityHashMap<>();

        SQLException exception(SQLException e) {
            Throwable already = done.get(e);
            if (already != null) return (SQLException) already;
            if (isWardens(e)) {
                done.put(e, e);
                return e;
            }
            SQLException redacted;
            ServerErrorFields fields = ServerErrorFields.of(e);
            if (fields != null) {
                redacted = redact(fields).toException(e);
            } else if (e instanceof BatchUpdateException batch) {
                redacted = batch(batch);
            } else {
                redacted = clientSide(e);
            }
            redacted.setStackTrace(e.getStackTrace());
            done.put(e, redacted);
            if (redacted != e) link(e, redacted);
            return redacted;
        }

        SQLWarning warning(SQLWarning w) {
            ServerErrorFields fields = ServerErrorFields.of(w);
            SQLWarning redacted = fields != null ? redact(fields).toWarning(w)
                    : new SQLWarning(withheld(w), w.getSQLState(), w.getErrorCode());
            redacted.setStackTrace(w.getStackTrace());
            return redacted;
        }

        /** The next exceptions and the cause, redacted; a cause that is not an SQLException is dropped. */
        private void link(SQLException from, SQLException to) {
            if (from.getCause() instanceof SQLException cause && cause != from && to.getCause() == null
                    && !(to instanceof BatchUpdateException)) {
                to.initCause(exception(cause));  // a batch exception got its cause when built
            }
            SQLException next = from.getNextException();
            if (next != null && next != from) to.setNextException(exception(next));
        }

        private BatchUpdateException batch(BatchUpdateException e) {
            Matcher entry = BATCH_ENTRY.matcher(e.getMessage() == null ? "" : e.getMessage());
            SQLException first = e.getNextException() != null ? exception(e.getNextException()) : null;
            String message = (entry.find() ? "Batch entry " + entry.group(1) + " " : "A batch entry ")
                    + "(its statement and values withheld by Warden) was aborted"
                    + (first == null ? "." : ": " + first.getMessage()
                            + "  Call getNextException to see other errors in the batch.");
            SQLException cause = e.getCause() instanceof SQLException c && c != e ? exception(c) : null;
            return new BatchUpdateException(message, e.getSQLState(), e.getErrorCode(), e.getLargeUpdateCounts(), cause);
        }

        private SQLException clientSide(SQLException e) {
            String state = e.getSQLState();
            if (state != null && state.length() == 5 && CLIENT_CLASSES_KEPT.contains(state.substring(0, 2))
                    && !(e.getCause() instanceof SQLException) && e.getNextException() == null) {
                return e;
            }
            return new SQLException(withheld(e), state, e.getErrorCode());
        }
    }

    private static String withheld(SQLException e) {
        return "the database driver reported an error (SQLState " + e.getSQLState()
                + "); its text is withheld by Warden, as the statement involves a protected table";
    }

    /** Warden's own refusals (see {@link SqlStates}): their messages name rules and columns, never values. */
    private static boolean isWardens(SQLException e) {
        return SqlStates.raisedByWarden(e);
    }
}
