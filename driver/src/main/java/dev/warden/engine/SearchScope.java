package dev.warden.engine;

import dev.warden.sql.TableName;
import java.util.Arrays;
import java.util.List;

/**
 * What a session's table names resolve to, as a part of every cache key derived from table shapes (plans,
 * verdicts, prepared guards): two sessions share an analysis only when their names resolve to the same
 * relations. Immutable values; thread-safe.
 *
 * <ul>
 *   <li>{@link SearchPath}: the session has no temporary relation, so its unqualified names resolve along its
 *       effective schema list alone. Every session with the same list resolves every name alike, so the
 *       engine resolves such names itself (from the list, not from the asking session's live search_path)
 *       and shares the result with all of them. Held by the session, read once (and again after a statement
 *       that may change it): no round trip per statement.</li>
 *   <li>{@link Relations}: the session has temporary relations (which anything may create or drop: its own
 *       statements, a function, the end of its transaction), so the names a statement uses are resolved on
 *       the session's own connection for that statement, and the analysis is keyed by the relations (oids)
 *       they resolved to.</li>
 * </ul>
 */
sealed interface SearchScope {

    /**
     * The schemas {@code current_schemas(true)} lists, in order, without the session's own temporary schema
     * (empty, see above); {@link #ANY} on databases other than PostgreSQL, where names are resolved by name.
     */
    record SearchPath(List<String> schemas) implements SearchScope {
        static final SearchPath ANY = new SearchPath(List.of());

        public SearchPath {
            schemas = List.copyOf(schemas);
        }
    }

    /** The relations (oid, 0 for none) {@code names} resolved to on one session's connection, in order. */
    record Relations(List<TableName> names, long[] oids) implements SearchScope {
        public Relations {
            names = List.copyOf(names);
            oids = oids.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Relations r && Arrays.equals(oids, r.oids) && names.equals(r.names);
        }

        @Override
        public int hashCode() {
            return 31 * names.hashCode() + Arrays.hashCode(oids);
        }

        @Override
        public String toString() {
            return "Relations" + names + Arrays.toString(oids);
        }
    }
}
