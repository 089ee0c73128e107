package dev.warden.engine;

import dev.warden.policy.ColumnRule;
import dev.warden.policy.Policy;
import dev.warden.sql.TableName;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Views and materialized views that the database defines over protected tables (directly or through other
 * views), found in PostgreSQL's catalog. Such a view was created outside Warden (Warden refuses DDL naming a
 * protected table), so Warden cannot tell which of its columns hold ciphertext: reading one would show
 * ciphertext as data, and an equality filter on it would compare plaintext with ciphertext and silently
 * match nothing. The engine therefore refuses data statements that name such a view (0A000), which is why
 * it must know their names before its cheap "mentions a protected table" check.
 *
 * <p>Read on first use and again when older than {@link #REFRESH_NANOS} or after DDL passes through the
 * engine ({@link #invalidate}); a refresh that finds a different set tells the caller to drop its cached
 * verdicts. On other databases (H2) views are not looked up. Thread-safe.
 */
final class ProtectedViews {

    /** How long a reading of the catalog is trusted: views created outside Warden are seen within this. */
    static final long REFRESH_NANOS = TimeUnit.SECONDS.toNanos(60);

    /** One reading: bare lower-case view names for the lexer check, and each view's description by name. */
    record Snapshot(Set<String> names, Map<String, String> described, long readAtNanos) {
        /** No views: on databases other than PostgreSQL (never read again), or while the catalog cannot be read. */
        static final Snapshot NONE = new Snapshot(Set.of(), Map.of(), 0);

        /** "schema.view (over table, …)" when {@code table} names one of the views, else null. */
        String describe(TableName table) {
            if (described.isEmpty() || table == null || table.name() == null) return null;
            String found = described.get(key(table.schema(), table.name()));
            return found != null || table.schema() != null ? found : described.get(key(null, table.name()));
        }
    }

    // views whose rewrite rule depends on a protected table, then on such a view, and so on
    private static final String PG_DEPENDENT_VIEWS = """
            WITH RECURSIVE dependent(oid, over) AS (
                SELECT DISTINCT r.ev_class, tn.nspname || '.' || t.relname
                  FROM pg_catalog.pg_class t
                  JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace
                  JOIN pg_catalog.pg_depend d ON d.refobjid = t.oid
                       AND d.refclassid = 'pg_catalog.pg_class'::regclass
                       AND d.classid = 'pg_catalog.pg_rewrite'::regclass
                  JOIN pg_catalog.pg_rewrite r ON r.oid = d.objid
                 WHERE t.relkind IN ('r', 'p', 'f')
                   AND ((tn.nspname || '.' || t.relname) = ANY (?) OR ('*.' || t.relname) = ANY (?))
                   AND r.ev_class <> t.oid
              UNION
                SELECT r.ev_class, v.over
                  FROM dependent v
                  JOIN pg_catalog.pg_depend d ON d.refobjid = v.oid
                       AND d.refclassid = 'pg_catalog.pg_class'::regclass
                       AND d.classid = 'pg_catalog.pg_rewrite'::regclass
                  JOIN pg_catalog.pg_rewrite r ON r.oid = d.objid
                 WHERE r.ev_class <> v.oid
            )
            SELECT n.nspname, c.relname, string_agg(DISTINCT v.over, ', ' ORDER BY v.over)
              FROM dependent v
              JOIN pg_catalog.pg_class c ON c.oid = v.oid
              JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             GROUP BY n.nspname, c.relname""";

    private final String[] protectedTables;  // "schema.table", or "*.table" for a policy table of any schema
    private volatile Snapshot snapshot;       // null: not read yet, or invalidated

    ProtectedViews(Policy policy) {
        Set<String> tables = new LinkedHashSet<>();
        for (ColumnRule rule : policy.columns()) {
            tables.add((rule.schema() == null ? "*" : rule.schema()) + "." + rule.table());
        }
        this.protectedTables = tables.toArray(String[]::new);
    }

    /**
     * The current reading, read through {@code connection} when there is none or it is stale. {@code changed}
     * runs when a re-reading differs from the previous one.
     */
    Snapshot current(Connection connection, Runnable changed) {
        Snapshot current = snapshot;
        if (current == Snapshot.NONE
                || current != null && System.nanoTime() - current.readAtNanos() < REFRESH_NANOS) {
            return current;
        }
        Snapshot fresh;
        try {
            fresh = read(connection);
        } catch (SQLException e) {
            // e.g. the application's transaction has failed: its statement fails anyway; keep what we knew
            // and read again with the next statement
            return current != null ? current : Snapshot.NONE;
        }
        snapshot = fresh;
        if (current != null && !current.described().equals(fresh.described())) changed.run();
        return fresh;
    }

    void invalidate() {
        snapshot = null;
    }

    private Snapshot read(Connection connection) throws SQLException {
        if (protectedTables.length == 0
                || !"PostgreSQL".equalsIgnoreCase(connection.getMetaData().getDatabaseProductName())) {
            return Snapshot.NONE;
        }
        Set<String> names = new LinkedHashSet<>();
        Map<String, String> described = new HashMap<>();
        try (PreparedStatement ps = connection.prepareStatement(PG_DEPENDENT_VIEWS)) {
            Array tables = connection.createArrayOf("text", protectedTables);
            ps.setArray(1, tables);
            ps.setArray(2, tables);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String schema = rs.getString(1);
                    String view = rs.getString(2);
                    String description = schema + "." + view + " (over " + rs.getString(3) + ")";
                    names.add(view.toLowerCase(Locale.ROOT));
                    described.put(key(schema, view), description);
                    // a statement naming the view without a schema: refuse if any schema has it
                    described.merge(key(null, view), description, (a, b) -> a);
                }
            }
        }
        return new Snapshot(Set.copyOf(names), Map.copyOf(described), System.nanoTime());
    }

    private static String key(String schema, String name) {
        return (schema == null ? "" : schema.toLowerCase(Locale.ROOT)) + "." + name.toLowerCase(Locale.ROOT);
    }
}
