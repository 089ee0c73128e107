package dev.warden.engine;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.warden.policy.ColumnRule;
import dev.warden.policy.Policy;
import dev.warden.sql.Plan;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Everything an engine derives from one live database: table shapes, server-side objects over protected tables, the compiled
 * protected columns (whose storage depends on the column's real type), analysed plans (whose {@code *} expansion depends on table
 * shapes) and verdicts. One per database URL, shared by its sessions; thread-safe.
 */
final class DatabaseState {

    /**
     * Cache key of a verdict: it depends on the text, the role and the purpose, and on whether columns the role
     * may not read are withheld (generated keys of every column) rather than refused.
     */
    record VerdictKey(String normalized, String role, String purpose, boolean withholdDenied) {}

    /** Cache key of a prepared statement's guard: the exact text the application passed, role, purpose, mode. */
    record PreparedKey(String sql, String role, String purpose, boolean withholdDenied) {}

    final LiveCatalog catalog = new LiveCatalog();
    final ServerSideObjects serverSideObjects;
    final Map<ColumnRule, ProtectedColumn> protectedColumns = new ConcurrentHashMap<>();
    final Cache<String, Plan> plans = Caffeine.newBuilder().maximumSize(10_000).build();
    final Cache<VerdictKey, CompiledStatement> verdicts = Caffeine.newBuilder().maximumSize(20_000).build();
    /**
     * Guards of prepared statements, so that an application preparing the same text per call (as Spring's
     * JdbcTemplate does) does not even lex it again. Only guards whose text carries no encrypted literal are
     * kept: a cached randomized ciphertext would be reused, revealing equal values.
     */
    final Cache<PreparedKey, GuardedStatement> prepared = Caffeine.newBuilder().maximumSize(10_000).build();

    DatabaseState(Policy policy) {
        this.serverSideObjects = new ServerSideObjects(policy);
    }

    /** When the server-side objects over protected tables changed: drop the verdicts that did (or did not) refuse them. */
    void invalidateDerived() {
        verdicts.invalidateAll();
        prepared.invalidateAll();
    }

    /** After DDL: table shapes may have changed, so drop everything derived from them. */
    void invalidate() {
        catalog.invalidate();
        serverSideObjects.invalidate();
        protectedColumns.clear();
        plans.invalidateAll();
        verdicts.invalidateAll();
        prepared.invalidateAll();
    }
}
