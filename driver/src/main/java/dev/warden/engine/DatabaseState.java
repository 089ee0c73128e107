package dev.warden.engine;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.warden.crypto.WardenKeyset;
import dev.warden.policy.ColumnRule;
import dev.warden.policy.Policy;
import dev.warden.sql.Plan;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Everything an engine derives from one live database: table shapes, server-side objects over protected
 * tables, the compiled protected columns (whose storage depends on the column's real type), analysed plans
 * (whose {@code *} expansion depends on table shapes) and verdicts. One per database URL, shared by its sessions; thread-safe.
 *
 * <p>Protected columns, verdicts and guards also depend on the keyset (their ciphers, and the text sent for
 * equality filters while several deterministic keys are enabled), so they live in a {@link Keyed} set of
 * caches made for one keyset: when the engine reloads its keyset, the next statement gets a fresh set, and a
 * statement compiled meanwhile under the old keyset lands in the old set, which nothing reads any more.
 */
final class DatabaseState {

    /**
     * Cache key of a verdict (text: the normalised statement) or of a prepared statement's guard (text: the
     * exact SQL the application passed): the text, the role and the purpose, and whether columns the role may
     * not read are withheld (generated keys of every column) rather than refused; and what the session's table
     * names resolved to ({@link SearchScope}; null for a guard that touches no table shape: one passed through).
     */
    record StatementKey(String text, String role, String purpose, boolean withholdDenied, SearchScope scope) {
        // written out: looked up for every statement, and the generated record methods did not fully inline;
        // the text is usually the same String instance (an application's constant), so identity comes first
        @Override
        public boolean equals(Object o) {
            return o instanceof StatementKey k && withholdDenied == k.withholdDenied
                    && (text == k.text || (text != null && text.equals(k.text)))
                    && Objects.equals(role, k.role) && Objects.equals(purpose, k.purpose)
                    && (scope == k.scope || (scope != null && scope.equals(k.scope)));
        }

        @Override
        public int hashCode() {
            int h = Objects.hashCode(text);
            h = 31 * h + Objects.hashCode(role);
            h = 31 * h + Objects.hashCode(purpose);
            h = 31 * h + Objects.hashCode(scope);
            return 31 * h + (withholdDenied ? 1 : 0);
        }
    }

    /** Cache key of an analysis: the normalised text and what the session's table names resolved to. */
    record PlanKey(SearchScope scope, String text) {}

    /** Cache key of a compiled protected column: its rule and how the resolved table's column stores ciphertext. */
    record ColumnKey(ColumnRule rule, Storage storage) {}

    /** The caches whose content was compiled with one keyset under one policy. */
    static final class Keyed {
        /** The policy every entry was compiled under. */
        final Policy policy;
        /** The keyset every entry was compiled with; null for a rules-only policy. */
        final WardenKeyset keyset;
        final Map<ColumnKey, ProtectedColumn> protectedColumns = new ConcurrentHashMap<>();
        final Cache<StatementKey, CompiledStatement> verdicts = Caffeine.newBuilder().maximumSize(20_000).build();
        /**
         * Guards of prepared statements, so that an application preparing the same text per call (as Spring's
         * JdbcTemplate does) does not even lex it again. Only guards whose text carries no encrypted literal
         * are kept: a cached randomized ciphertext would be reused, revealing equal values.
         */
        final Cache<StatementKey, GuardedStatement> prepared = Caffeine.newBuilder().maximumSize(10_000).build();

        Keyed(Policy policy, WardenKeyset keyset) {
            this.policy = policy;
            this.keyset = keyset;
        }
    }

    final LiveCatalog catalog = new LiveCatalog();
    private volatile ServerSideObjects serverSideObjects;  // of one policy: made again after a policy reload
    final Cache<PlanKey, Plan> plans = Caffeine.newBuilder().maximumSize(10_000).build();
    /**
     * For sessions with temporary relations: the table names the analysis of a normalised text looked up, to
     * resolve them on the session's connection before looking for a cached analysis (see {@link SearchScope}).
     */
    final Cache<String, java.util.List<dev.warden.sql.TableName>> namesLookedUp =
            Caffeine.newBuilder().maximumSize(10_000).build();
    private final Map<java.util.List<String>, SearchScope.SearchPath> searchPaths = new ConcurrentHashMap<>();
    private volatile long epoch;  // counts schema changes: sessions read their search path again after one
    private volatile Keyed keyed;

    DatabaseState(Policy policy, WardenKeyset keyset) {
        this.serverSideObjects = new ServerSideObjects(policy);
        this.keyed = new Keyed(policy, keyset);
    }

    /**
     * The caches for {@code policy} and {@code keyset} (the engine's current ones): a new, empty set after a
     * keyset or policy reload. After a policy reload the analyses are dropped too (they are cheap to redo, and
     * nothing analysed under one policy's view of the protected tables is reused under another).
     */
    Keyed keyed(Policy policy, WardenKeyset keyset) {
        Keyed k = keyed;
        if (k.keyset == keyset && k.policy == policy) return k;
        synchronized (this) {
            k = keyed;
            if (k.keyset != keyset || k.policy != policy) {
                if (k.policy != policy) {
                    plans.invalidateAll();
                    namesLookedUp.invalidateAll();
                }
                k = new Keyed(policy, keyset);
                keyed = k;
            }
            return k;
        }
    }

    /** The server-side objects over {@code policy}'s protected tables (made again after a policy reload). */
    ServerSideObjects serverSideObjects(Policy policy) {
        ServerSideObjects s = serverSideObjects;
        if (s.isFor(policy)) return s;
        synchronized (this) {
            s = serverSideObjects;
            if (!s.isFor(policy)) {
                s = new ServerSideObjects(policy);
                serverSideObjects = s;
            }
            return s;
        }
    }

    /**
     * When the server-side objects over protected tables changed: drop the verdicts and guards that did (or did
     * not) refuse them.
     */
    void invalidateDerived() {
        synchronized (this) {
            keyed = new Keyed(keyed.policy, keyed.keyset);
        }
    }

    /** The one instance for this schema list, so that cache keys compare by identity on the hot path. */
    SearchScope.SearchPath searchPath(java.util.List<String> schemas) {
        if (schemas.isEmpty()) return SearchScope.SearchPath.ANY;  // databases other than PostgreSQL
        return searchPaths.computeIfAbsent(java.util.List.copyOf(schemas), SearchScope.SearchPath::new);
    }

    /** Counts the schema changes seen; a session's search path read at another count is read again. */
    long epoch() {
        return epoch;
    }

    /**
     * A statement may have changed which schemas a session may use (GRANT, REVOKE): sessions read their search
     * path again (one round trip each, at their next analysed statement).
     */
    void privilegesChanged() {
        synchronized (this) {
            epoch++;
        }
    }

    /** After DDL: table shapes may have changed, so drop everything derived from them. */
    void invalidate() {
        synchronized (this) {
            epoch++;  // a created or dropped schema changes "$user" and the schemas current_schemas lists
        }
        catalog.invalidate();
        serverSideObjects.invalidate();
        plans.invalidateAll();
        namesLookedUp.invalidateAll();
        synchronized (this) {
            keyed = new Keyed(keyed.policy, keyed.keyset);
        }
    }
}
