package dev.warden.engine;

import dev.warden.sql.LexedSql;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How one session's table names resolve, as far as the engine knows without asking on every statement:
 * its {@link SearchScope.SearchPath} (read once, with the first statement that needs it), or "has temporary
 * relations" (then each statement's names are resolved on its connection, see {@link SearchScope}).
 *
 * <p>The reading is trusted until the session may have changed it, which the engine learns from the
 * statements passing through it: any statement whose words could change what a name resolves to
 * ({@link #effectOf}: creating a temporary object, {@code SET}/{@code RESET search_path},
 * {@code set_config}, {@code DISCARD}, {@code SET ROLE}/{@code SESSION AUTHORIZATION}, ...) makes the session
 * re-read it before its next analysed statement, and so does, once the session has run such a statement, the
 * end of a transaction (which undoes a {@code SET LOCAL}, a rolled-back {@code SET} or {@code CREATE TEMP},
 * or drops an {@code ON COMMIT DROP} table), a schema change anywhere in the database, and a result whose
 * shape was not the analysed one. A session that never does any of these pays one round trip in its
 * lifetime. What cannot be seen from the text (a function that creates a temporary table or sets
 * search_path for the session) is caught by the result-shape check; it never changes what another session
 * sees, since shared resolutions are computed from the schema list, not from a session's live state.
 *
 * <p>One per session; not thread-safe beyond visibility, as a session is used by one thread at a time.
 */
final class NameResolution {

    /** What running a statement may do to the resolution of names: see {@link #effectOf}. */
    enum Effect { NONE, ENDS_TRANSACTION, CHANGES_NAMES }

    private static final Set<String> CHANGING_WORDS = Set.of(
            "temp", "temporary", "pg_temp",          // CREATE TEMP ..., SELECT ... INTO TEMP, pg_temp.name
            "search_path", "set_config", "reset",    // SET [LOCAL] search_path, set_config(...), RESET [ALL]
            "discard",                               // DISCARD ALL / TEMP
            "authorization");                        // SET SESSION AUTHORIZATION: "$user" and USAGE change
    // SET ROLE changes them too; "role" alone is a common column name, so the phrase is matched
    private static final Pattern SETS_ROLE = Pattern.compile("(?is)\\b(?:set|reset)\\s+(?:(?:session|local)\\s+)?role\\b");
    // END and ABORT end a transaction too, but END is also a word of every CASE expression
    private static final Pattern ENDS_TRANSACTION = Pattern.compile("(?is)(?:^|;)\\s*(?:end|abort)\\b");

    private volatile SearchScope.SearchPath path;  // null: the session has temporary relations
    private volatile boolean stale = true;          // true: not read yet, or may have changed since
    private volatile boolean touched;               // ran a statement that may change names, ever
    private volatile long epoch;                    // the database's schema epoch when read
    private volatile String temporarySchema;        // pg_temp_N of the session, once it has one; else null

    /**
     * What running {@code lexed} may do: change what this session's table names resolve to, end a transaction
     * (undoing such a change made in it), or neither. Computed once per guard, from the lexer's words.
     */
    static Effect effectOf(LexedSql lexed) {
        Set<String> words = lexed.words();
        for (String word : CHANGING_WORDS) {
            if (words.contains(word)) return Effect.CHANGES_NAMES;
        }
        if (words.contains("role") && SETS_ROLE.matcher(lexed.normalized()).find()) return Effect.CHANGES_NAMES;
        if (words.contains("commit") || words.contains("rollback")
                || (words.contains("end") || words.contains("abort")) && ENDS_TRANSACTION.matcher(lexed.normalized()).find()) {
            return Effect.ENDS_TRANSACTION;
        }
        return Effect.NONE;
    }

    /**
     * The session's search path when known without a round trip (read, not possibly changed since, and no
     * temporary relations), else null.
     */
    SearchScope.SearchPath known(DatabaseState database) {
        return stale || epoch != database.epoch() ? null : path;
    }

    /**
     * The session's temporary schema as of the last {@link #current} (null while it has no temporary relation):
     * whose temporary views and trigger tables decide its statements (see ServerSideObjects.Snapshot#forSession).
     */
    String temporarySchema() {
        return temporarySchema;
    }

    /** Notes that a statement with {@code effect} runs in this session. */
    void ran(Effect effect) {
        if (effect == Effect.CHANGES_NAMES) {
            touched = true;
            stale = true;
        } else if (effect == Effect.ENDS_TRANSACTION) {
            transactionEnded();
        }
    }

    /**
     * The session's search path now, or null when it has temporary relations (resolve each statement's names
     * on its connection). Reads it (one round trip) when not known or possibly changed.
     *
     * @throws SQLException when it cannot be read, e.g. in a failed transaction (where the statement would fail)
     */
    SearchScope.SearchPath current(Connection connection, DatabaseState database) throws SQLException {
        long now = database.epoch();
        if (!stale && epoch == now) return path;
        LiveCatalog.ScopeReading reading = LiveCatalog.readScope(connection);
        path = reading.temporaryRelations() ? null : database.searchPath(reading.schemas());
        temporarySchema = reading.temporaryRelations() ? reading.temporarySchema() : null;
        epoch = now;
        stale = false;
        return path;
    }

    /** Something the text did not show may have changed names (a result of an unexpected shape): re-read. */
    void changed() {
        touched = true;
        stale = true;
    }

    /** A transaction ended (by the JDBC API): what it changed may have been undone. */
    void transactionEnded() {
        if (touched) stale = true;
    }
}
