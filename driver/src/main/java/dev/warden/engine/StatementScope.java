package dev.warden.engine;

import dev.warden.sql.Plan;
import dev.warden.sql.TableName;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * The tables of one statement of one session: how its names are looked up ({@link #lookup}) and the key under
 * which what was derived from them is cached ({@link #key}). One per guard of a statement; not thread-safe.
 */
final class StatementScope {
    private final LiveCatalog.Lookup lookup;
    private final LiveCatalog.Recording recording;  // null for a session resolved along a shared search path
    private SearchScope key;

    private StatementScope(LiveCatalog.Lookup lookup, LiveCatalog.Recording recording, SearchScope key) {
        this.lookup = lookup;
        this.recording = recording;
        this.key = key;
    }

    /**
     * The scope of {@code normalized} for {@code session}: its shared search path (no round trip once read),
     * or, while it has temporary relations, the names an earlier analysis of this text looked up, resolved on
     * {@code connection} now (one round trip).
     */
    static StatementScope of(Session session, Connection connection, String normalized) throws SQLException {
        DatabaseState database = session.database();
        SearchScope.SearchPath path = session.names().current(connection, database);
        if (path != null) return new StatementScope(database.catalog.shared(path, connection), null, path);
        List<TableName> names = database.namesLookedUp.getIfPresent(normalized);
        SearchScope.Relations known = names == null ? null
                : new SearchScope.Relations(names, database.catalog.resolveLive(connection, names));
        LiveCatalog.Recording recording = database.catalog.live(connection, known);
        return new StatementScope(recording, recording, known);
    }

    LiveCatalog.Lookup lookup() {
        return lookup;
    }

    /** The cache key; null until the statement's names are known (first analysis in a session with temp tables). */
    SearchScope key() {
        return key;
    }

    /**
     * After analysing {@code plan} from {@code normalized}: resolves its tables too and fixes the key to every
     * name looked up, remembering them for the next guard of this text.
     */
    void analysed(DatabaseState database, String normalized, Plan plan) {
        if (recording == null) return;
        for (TableName table : plan.tables()) lookup.lookup(table);
        SearchScope.Relations relations = recording.relations();
        key = relations;
        database.namesLookedUp.put(normalized, relations.names());
    }

    /**
     * True when what was derived from the lookups may be cached under {@link #key}: every lookup succeeded and
     * none was made beyond the names the key holds.
     */
    boolean cacheable() {
        if (!lookup.complete() || key == null) return false;
        return recording == null || recording.relations().equals(key);
    }
}
