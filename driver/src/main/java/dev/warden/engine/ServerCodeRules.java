package dev.warden.engine;

import dev.warden.sql.LexedSql;
import dev.warden.sql.ServerCodeReader;
import dev.warden.sql.SqlLexer;
import java.util.Set;

/**
 * Decides whether a statement may hand the server code to run: a {@code DO} block, a function or procedure
 * created through Warden (its body runs later, on every call or trigger fire), or a {@code COPY} to or from a
 * server file or program. Such code is refused, whatever tables the statement names, when Warden cannot tell
 * what it reads or writes: a language other than SQL and PL/pgSQL, a body it cannot read, dynamic SQL
 * ({@code EXECUTE}: a table name assembled at run time), or a call of a {@link RefusedBuiltins refused built-in}.
 * Code that names a protected table or a function reaching one is refused by the engine's other checks (the
 * body's words are the statement's words). {@code format()} alone only builds a string: without EXECUTE nothing
 * runs it. Stateless, thread-safe.
 */
final class ServerCodeRules {

    private static final Set<String> READABLE_LANGUAGES = Set.of("sql", "plpgsql");

    private ServerCodeRules() {
    }

    /** The refusal of {@code sql}'s server code, or null when it has none or Warden can read all of it. */
    static String refusal(LexedSql sql, boolean rulesOnlyColumns) {
        for (ServerCodeReader.Code code : ServerCodeReader.read(sql)) {
            if (!READABLE_LANGUAGES.contains(code.language())) {
                return code.what() + " is written in " + (code.language().equals("?") ? "a language Warden cannot"
                        + " tell" : "language " + code.language()) + ", which Warden cannot read, so it could reach any"
                        + " table: create it outside Warden, and list a function you vouch for under functions: in"
                        + " the policy";
            }
            if (!code.readable()) {
                return code.what() + " has a body Warden cannot read (write it as one literal, not a parameter)";
            }
            if (code.body() == null) continue;  // an SQL-standard body: its words are the statement's own
            Set<String> words = SqlLexer.lex(code.body()).words();
            if (words.contains("execute")) {
                return code.what() + " runs dynamic SQL (EXECUTE): the statement it runs is assembled at run time,"
                        + " so Warden cannot tell which tables it reads or writes";
            }
            String builtin = RefusedBuiltins.firstIn(words, rulesOnlyColumns);
            if (builtin != null) return code.what() + " calls " + RefusedBuiltins.refusal(builtin);
            if (words.contains("copy")) {
                return code.what() + " runs COPY, which may read or write a server file or run a program Warden"
                        + " never sees";
            }
        }
        if (ServerCodeReader.copiesServerFile(sql)) {
            return "COPY to or from a server file or program is refused through Warden: the server would read or"
                    + " write data Warden never sees (use COPY ... FROM STDIN / TO STDOUT)";
        }
        return null;
    }
}
