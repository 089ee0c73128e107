package dev.warden.engine;

import dev.warden.sql.LexedSql;
import dev.warden.sql.SqlLexer;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The one explicit list of PostgreSQL built-ins (functions and system views) through which the server reads a
 * table named by a string or an oid, exposes stored values, or runs a query given as text, out of Warden's view.
 * A statement naming one is refused (0A000) whatever else it names: the table may be assembled at run time
 * ({@code query_to_xml('select ssn from cust' || 'omers', ...)}), so no analysis of the statement could tell it
 * is harmless. The policy's {@code functions:} section cannot widen this list.
 *
 * <p>Names are matched as lower-cased identifiers of the normalised text, so schema-qualified
 * ({@code pg_catalog.query_to_xml}), quoted ({@code "query_to_xml"}) and upper-case spellings are all caught; a
 * name inside a string literal is not a call and is not matched (function bodies and DO blocks are judged on all
 * their words, see {@link ServerCodeRules}). {@code RefusedBuiltinsIT} checks against the live catalog that every
 * function of these families is listed. Stateless, thread-safe.
 *
 * <p>Deliberately not listed: {@code pg_get_*def} and {@code pg_get_expr} (they show the catalog, where Warden's
 * schema-change rules keep protected values out, and schema tools need them); {@code current_query()} (the
 * session's own statement, as Warden sent it); {@code set_config} (the same power as SET, which passes through;
 * Warden asks the server for {@code standard_conforming_strings} itself); {@code xpath} and other XML functions
 * computing on their arguments (the analyzer judges their arguments like any function's); {@code pg_statistic_ext}
 * (the definitions of extended statistics: name, columns, kinds, which psql's {@code \d} lists; the values
 * ANALYZE collects for them are in {@code pg_statistic_ext_data} and {@code pg_stats_ext}, which are listed).
 */
final class RefusedBuiltins {

    private RefusedBuiltins() {
    }

    /** A family of built-ins and why it is refused. */
    enum Family {
        QUERY_TEXT("runs a query, or reads a table, schema, database or cursor, named by a string or an oid"),
        STATISTICS("exposes stored values of columns (most common values, histogram bounds) collected by ANALYZE"),
        SERVER_FILES("reads or lists files on the database server"),
        LARGE_OBJECTS("reads or writes large objects and server files outside any table's rules"),
        /**
         * What clients call through libpq's large-object interface (and the FunctionCall message): refused only in
         * code the server runs for a statement (function and view bodies, DO blocks), where Warden does not see
         * their arguments, and in any statement naming a protected table ({@code StatementCompiler}): a large
         * object is outside every table's rules, so no protected value may reach one, not even one the role may
         * read. {@code lo_from_bytea}, {@code lo_put}, {@code lo_get} and the server-file functions stay refused.
         */
        CLIENT_LARGE_OBJECTS("reads or writes large objects outside any table's rules"),
        REMOTE("runs statements on another connection, out of Warden's view"),
        STATEMENT_TEXT("shows the text of other sessions' statements, which holds plaintext literals of rules-only"
                + " columns"),
        /**
         * Logical decoding through SQL: a replication slot's changes are every row written since it was made, any
         * table, with their stored values (the plaintext of rules-only columns), named by the slot, not a table.
         */
        WRITE_AHEAD_LOG("reads the changes of a logical replication slot: the stored values of every row written,"
                + " in any table");

        final String reason;

        Family(String reason) {
            this.reason = reason;
        }
    }

    private static final Map<String, Family> BUILTINS = new HashMap<>();

    /**
     * The large-object functions a client uses through libpq's {@code lo_*} interface (the FunctionCall message)
     * or in a statement: open, read, write, seek, tell, truncate, create, close, unlink. Allowed in a statement,
     * refused in server code (see {@link Family#CLIENT_LARGE_OBJECTS}).
     */
    static final Set<String> CLIENT_LARGE_OBJECT_FUNCTIONS = Set.of("lo_open", "lo_close", "loread", "lowrite",
            "lo_lseek", "lo_lseek64", "lo_tell", "lo_tell64", "lo_truncate", "lo_truncate64", "lo_creat", "lo_create",
            "lo_unlink");

    private static void add(Family family, String... names) {
        for (String name : names) BUILTINS.put(name, family);
    }

    static {
        add(Family.QUERY_TEXT,
                "query_to_xml", "query_to_xmlschema", "query_to_xml_and_xmlschema",
                "table_to_xml", "table_to_xmlschema", "table_to_xml_and_xmlschema",
                "cursor_to_xml", "cursor_to_xmlschema",
                "schema_to_xml", "schema_to_xmlschema", "schema_to_xml_and_xmlschema",
                "database_to_xml", "database_to_xmlschema", "database_to_xml_and_xmlschema",
                // text search: ts_stat(sqlquery) and ts_rewrite(query, select) run the query they are given
                "ts_stat", "ts_rewrite");
        add(Family.STATISTICS,
                "pg_stats", "pg_stats_ext", "pg_stats_ext_exprs", "pg_statistic",
                "pg_statistic_ext_data", "pg_mcv_list_items", "pg_mcv_list_in", "pg_mcv_list_out", "pg_mcv_list_recv",
                "pg_mcv_list_send");
        add(Family.SERVER_FILES,
                "pg_read_file", "pg_read_file_old", "pg_read_binary_file", "pg_stat_file", "pg_ls_dir", "pg_ls_logdir", "pg_ls_waldir",
                "pg_ls_tmpdir", "pg_ls_archive_statusdir", "pg_ls_logicalmapdir", "pg_ls_logicalsnapdir",
                "pg_ls_replslotdir", "pg_ls_summariesdir",
                // adminpack
                "pg_file_write", "pg_file_read", "pg_file_rename", "pg_file_unlink", "pg_file_sync", "pg_logdir_ls");
        // lo_import/lo_export with a path read and write server files; lo_from_bytea, lo_put and lo_get move a
        // whole value in or out in one expression, which no client's large-object interface needs
        add(Family.LARGE_OBJECTS,
                "lo_import", "lo_export", "lo_get", "lo_put", "lo_from_bytea", "pg_largeobject");
        add(Family.CLIENT_LARGE_OBJECTS, CLIENT_LARGE_OBJECT_FUNCTIONS.toArray(String[]::new));
        add(Family.REMOTE,
                "dblink", "dblink_exec", "dblink_open", "dblink_fetch", "dblink_close", "dblink_connect",
                "dblink_connect_u", "dblink_disconnect", "dblink_send_query", "dblink_get_result",
                "dblink_get_connections", "dblink_is_busy", "dblink_cancel_query", "dblink_error_message",
                "dblink_get_notify", "dblink_get_pkey", "dblink_build_sql_insert", "dblink_build_sql_delete",
                "dblink_build_sql_update", "dblink_fdw_validator");
        add(Family.WRITE_AHEAD_LOG,
                "pg_logical_slot_get_changes", "pg_logical_slot_peek_changes", "pg_logical_slot_get_binary_changes",
                "pg_logical_slot_peek_binary_changes");
        add(Family.STATEMENT_TEXT,
                "pg_stat_activity", "pg_stat_get_activity", "pg_stat_get_backend_activity", "pg_stat_statements",
                "pg_prepared_statements", "pg_cursors");
    }

    /** Every listed name (lower case), for tests; the client large-object functions included. */
    static Set<String> names() {
        return Set.copyOf(BUILTINS.keySet());
    }

    /**
     * Whether {@code word} (any word of a statement, string contents included) could be a listed built-in: the
     * engine's fast path sends such a statement to analysis. Also true for a name the lexer could not decode.
     */
    static boolean isCandidate(String word) {
        return BUILTINS.containsKey(word) || word.startsWith("dblink");
    }

    /** True when some word of {@code sql} is a {@linkplain #isCandidate candidate}. */
    static boolean mentionedIn(LexedSql sql) {
        if (sql.hasUndecodableName()) return true;
        for (String word : sql.words()) {
            if (isCandidate(word)) return true;
        }
        return false;
    }

    /**
     * The first listed built-in in {@code words} of code the server runs (a function or view body, a DO block),
     * or null.
     *
     * @param rulesOnlyColumns whether the policy has rules-only columns: statement texts then hold their plaintext
     */
    static String firstIn(Iterable<String> words, boolean rulesOnlyColumns) {
        return first(words, rulesOnlyColumns, true);
    }

    private static String first(Iterable<String> words, boolean rulesOnlyColumns, boolean inServerCode) {
        for (String word : words) {
            Family family = family(word);
            if (family == null || family == Family.STATEMENT_TEXT && !rulesOnlyColumns
                    || family == Family.CLIENT_LARGE_OBJECTS && !inServerCode) {
                continue;
            }
            return word;
        }
        return null;
    }

    /** The refusal of a statement naming {@code builtin} (a name {@link #firstIn} returned). */
    static String refusal(String builtin) {
        return "built-in " + builtin + " is refused through Warden: it " + family(builtin).reason;
    }

    private static Family family(String word) {
        Family family = BUILTINS.get(word);
        return family == null && word.startsWith("dblink") ? Family.REMOTE : family;
    }

    /** The first client large-object function named as an identifier of {@code sql} (not in a string), or null. */
    static String clientLargeObjectIn(LexedSql sql) {
        boolean named = false;
        for (String name : CLIENT_LARGE_OBJECT_FUNCTIONS) named |= sql.words().contains(name);
        if (!named) return null;
        for (String word : SqlLexer.lex(sql.normalized()).words()) {
            if (CLIENT_LARGE_OBJECT_FUNCTIONS.contains(word)) return word;
        }
        return null;
    }

    /**
     * The refusal for a listed built-in named as an identifier of {@code sql} (not inside a string), or null. The
     * client large-object functions are not refused here: {@code StatementCompiler} refuses them in a statement on
     * a protected table ({@link #clientLargeObjectIn}).
     */
    static String refusalInStatement(LexedSql sql, boolean rulesOnlyColumns) {
        if (sql.hasUndecodableName()) {
            return "a name written with U&\"...\" escapes cannot be decoded, so Warden cannot tell which function or"
                    + " view it names";
        }
        // the normalised text has every literal replaced by ?, so its words are identifiers and keywords only
        String builtin = first(SqlLexer.lex(sql.normalized()).words(), rulesOnlyColumns, false);
        return builtin == null ? null : refusal(builtin);
    }
}
