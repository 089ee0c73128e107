package dev.warden.engine;

import dev.warden.policy.ColumnRule;
import dev.warden.policy.Policy;
import dev.warden.sql.TableName;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Server-side objects that reach protected tables behind a name Warden would otherwise pass through, read
 * from PostgreSQL's catalog. They were all created outside Warden (Warden refuses creating them over a
 * protected table, see {@link SchemaChangeRules}), and Warden cannot see inside them:
 * <ul>
 *   <li><b>relations</b>: views, materialized views and tables with rewrite rules that depend, directly or
 *       through one another, on a protected table ({@code pg_depend} over {@code pg_rewrite}). Reading one
 *       shows ciphertext as data, a filter on it silently matches nothing, and a write through an
 *       updatable view or a rule would store plaintext in a protected column.</li>
 *   <li><b>functions</b> (SQL, PL/pgSQL or any language, outside the system schemas) whose source names a
 *       protected table: calling one may write plaintext into it or return ciphertext as data.</li>
 *   <li><b>trigger tables</b>: tables with a trigger whose function is such a function; a write to them
 *       may move the written values into a protected table.</li>
 * </ul>
 * The engine refuses data statements naming a relation or a function, and writes to a trigger table
 * (0A000), so it must know their names before its cheap "mentions a protected table" check. Function
 * sources are matched on the protected tables' bare names as whole words, which errs on the side of
 * refusing; a name assembled at run time (dynamic SQL) is not seen.
 *
 * <p>Read on first use and again when older than {@link #REFRESH_NANOS} or after DDL passes through the
 * engine ({@link #invalidate}); a re-reading that differs tells the caller to drop its cached verdicts. On
 * other databases (H2) nothing is looked up. Thread-safe.
 */
final class ServerSideObjects {

    /** How long a reading of the catalog is trusted: objects created outside Warden are seen within this. */
    static final long REFRESH_NANOS = TimeUnit.SECONDS.toNanos(60);

    /**
     * One reading. Keys are lower-case; {@code words} holds every bare name, for the lexer check. Relations and
     * trigger tables in a temporary schema belong to the one session that owns the schema: they are kept apart
     * ({@code temporary}, by schema) and seen only through {@link #forSession}, so that one session's temporary
     * view never decides another's statements.
     */
    record Snapshot(Set<String> words, Map<String, String> relations, Map<String, String> triggerTables,
                    Map<String, String> functions, Map<String, Snapshot> temporary, long readAtNanos) {
        /** Nothing found: on databases other than PostgreSQL (never read again), or while unreadable. */
        static final Snapshot NONE = new Snapshot(Set.of(), Map.of(), Map.of(), Map.of(), Map.of(), 0);

        /**
         * This reading as the session whose temporary schema is {@code temporarySchema} (null: none) sees it:
         * its own temporary relations (by bare name, by that schema's name and by {@code pg_temp}), no other
         * session's. Costs nothing while no session has a temporary relation over a protected table.
         */
        Snapshot forSession(String temporarySchema) {
            if (temporary.isEmpty()) return this;
            Snapshot own = temporarySchema == null ? null : temporary.get(temporarySchema.toLowerCase(Locale.ROOT));
            if (own == null) return new Snapshot(words, relations, triggerTables, functions, Map.of(), readAtNanos);
            Map<String, String> ownRelations = new HashMap<>(relations);
            ownRelations.putAll(own.relations());  // searched first by the server, so it wins for a bare name
            Map<String, String> ownTriggerTables = new HashMap<>(triggerTables);
            ownTriggerTables.putAll(own.triggerTables());
            return new Snapshot(words, Map.copyOf(ownRelations), Map.copyOf(ownTriggerTables), functions, Map.of(),
                    readAtNanos);
        }

        /** "view public.v (over public.customers)" when {@code table} is such a relation, else null. */
        String relation(TableName table) {
            return lookup(relations, table);
        }

        /** "table public.t, trigger t_copy runs public.f() which names customers", else null. */
        String triggerTable(TableName table) {
            return lookup(triggerTables, table);
        }

        /** "function public.f() names customers" for the first of {@code words} naming such a function. */
        String function(Collection<String> words) {
            if (functions.isEmpty()) return null;
            for (String word : words) {
                String found = functions.get(word);
                if (found != null) return found;
            }
            return null;
        }

        private static String lookup(Map<String, String> byName, TableName table) {
            if (byName.isEmpty() || table == null || table.name() == null) return null;
            String found = byName.get(key(table.schema(), table.name()));
            return found != null || table.schema() == null ? found : null;
        }
    }

    // relations whose rewrite rule (a view's, a materialized view's, a rule's) depends on a protected table,
    // then on such a relation, and so on
    private static final String PG_DEPENDENT_RELATIONS = """
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
            SELECT n.nspname, c.relname, c.relkind::text, string_agg(DISTINCT v.over, ', ' ORDER BY v.over)
              FROM dependent v
              JOIN pg_catalog.pg_class c ON c.oid = v.oid
              JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             GROUP BY n.nspname, c.relname, c.relkind""";

    // user functions whose source names a protected table (the server filters, so that a database with many
    // functions, PostGIS say, sends only the few that matter), and the user triggers that run them
    private static final String PG_USER_FUNCTIONS = """
            SELECT p.oid, n.nspname, p.proname, p.prosrc
              FROM pg_catalog.pg_proc p
              JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
             WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
               AND p.prosrc ~* ?""";
    private static final String PG_USER_TRIGGERS = """
            SELECT tg.tgfoid, n.nspname, c.relname, tg.tgname
              FROM pg_catalog.pg_trigger tg
              JOIN pg_catalog.pg_class c ON c.oid = tg.tgrelid
              JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             WHERE NOT tg.tgisinternal""";

    private final Policy policy;
    private final String[] protectedTables;  // "schema.table", or "*.table" for a policy table of any schema
    private final Pattern protectedNameInSource;
    private final String protectedNameRegexForServer;  // the same, as a PostgreSQL regular expression
    private volatile Snapshot snapshot;       // null: not read yet, or invalidated

    ServerSideObjects(Policy policy) {
        this.policy = policy;
        Set<String> tables = new LinkedHashSet<>();
        Set<String> bareNames = new LinkedHashSet<>();
        Set<String> serverNames = new LinkedHashSet<>();
        for (ColumnRule rule : policy.columns()) {
            tables.add((rule.schema() == null ? "*" : rule.schema()) + "." + rule.table());
            String name = rule.table().toLowerCase(Locale.ROOT);
            bareNames.add(Pattern.quote(name));
            serverNames.add(name.replaceAll("[^\\p{L}\\p{N}_]", "\\\\$0"));
        }
        // \\m and \\M: start and end of a word; the Java pattern below decides, this one only narrows
        this.protectedNameRegexForServer = "\\m(" + String.join("|", serverNames) + ")\\M";
        this.protectedTables = tables.toArray(String[]::new);
        // a protected table's name as a whole word (not part of a longer identifier)
        this.protectedNameInSource = bareNames.isEmpty() ? null : Pattern.compile(
                "(?<![\\p{L}\\p{N}_$])(" + String.join("|", bareNames) + ")(?![\\p{L}\\p{N}_$])");
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
            // e.g. the application's transaction has failed: its own statement fails anyway; keep what we
            // knew and read again with the next statement
            return current != null ? current : Snapshot.NONE;
        }
        snapshot = fresh;
        if (current != null && !sameObjects(current, fresh)) changed.run();
        return fresh;
    }

    void invalidate() {
        snapshot = null;
    }

    private static boolean sameObjects(Snapshot a, Snapshot b) {
        return a.relations().equals(b.relations()) && a.triggerTables().equals(b.triggerTables())
                && a.functions().equals(b.functions());
    }

    private Snapshot read(Connection connection) throws SQLException {
        if (protectedTables.length == 0
                || !"PostgreSQL".equalsIgnoreCase(connection.getMetaData().getDatabaseProductName())) {
            return Snapshot.NONE;
        }
        Set<String> words = new LinkedHashSet<>();
        Map<String, String> relations = new HashMap<>();
        Map<String, Map<String, String>> temporaryRelations = new HashMap<>();
        Map<String, Map<String, String>> temporaryTriggerTables = new HashMap<>();
        try (PreparedStatement ps = connection.prepareStatement(PG_DEPENDENT_RELATIONS)) {
            Array tables = connection.createArrayOf("text", protectedTables);
            ps.setArray(1, tables);
            ps.setArray(2, tables);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String kind = switch (rs.getString(3)) {
                        case "v" -> "view";
                        case "m" -> "materialized view";
                        default -> "table with a rule";
                    };
                    put(relations, temporaryRelations, words, rs.getString(1), rs.getString(2),
                            kind + " " + rs.getString(1) + "." + rs.getString(2) + " (over " + rs.getString(4) + ")");
                }
            }
        }
        Map<Long, String> namingFunctions = new HashMap<>();
        Map<String, String> functions = new HashMap<>();
        try (PreparedStatement ps = connection.prepareStatement(PG_USER_FUNCTIONS)) {
            ps.setString(1, protectedNameRegexForServer);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String named = protectedTableNamedIn(rs.getString(4));
                    if (named == null) continue;
                    String description = "function " + rs.getString(2) + "." + rs.getString(3) + "() names " + named;
                    namingFunctions.put(rs.getLong(1), description);
                    // looked up by the bare word the lexer saw, whatever schema the statement names
                    String word = rs.getString(3).toLowerCase(Locale.ROOT);
                    functions.putIfAbsent(word, description);
                    words.add(word);
                }
            }
        }
        Map<String, String> triggerTables = new HashMap<>();
        if (!namingFunctions.isEmpty()) {
            try (PreparedStatement ps = connection.prepareStatement(PG_USER_TRIGGERS);
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String function = namingFunctions.get(rs.getLong(1));
                    // a trigger on a protected table itself only sees the ciphertext Warden wrote
                    if (function == null || policy.protectsTable(rs.getString(2), rs.getString(3))) continue;
                    put(triggerTables, temporaryTriggerTables, words, rs.getString(2), rs.getString(3), "table " + rs.getString(2) + "."
                            + rs.getString(3) + " (its trigger " + rs.getString(4) + " runs " + function + ")");
                }
            }
        }
        Map<String, Snapshot> temporary = new HashMap<>();
        Set<String> temporarySchemas = new LinkedHashSet<>(temporaryRelations.keySet());
        temporarySchemas.addAll(temporaryTriggerTables.keySet());
        for (String schema : temporarySchemas) {
            temporary.put(schema, new Snapshot(Set.of(), Map.copyOf(temporaryRelations.getOrDefault(schema, Map.of())),
                    Map.copyOf(temporaryTriggerTables.getOrDefault(schema, Map.of())), Map.of(), Map.of(), 0));
        }
        return new Snapshot(Set.copyOf(words), Map.copyOf(relations), Map.copyOf(triggerTables),
                Map.copyOf(functions), Map.copyOf(temporary), System.nanoTime());
    }

    private String protectedTableNamedIn(String source) {
        if (protectedNameInSource == null || source == null) return null;
        var matcher = protectedNameInSource.matcher(source.toLowerCase(Locale.ROOT));
        return matcher.find() ? matcher.group(1) : null;
    }

    /**
     * A relation under "schema.name" and, for statements naming no schema, ".name" (first one found wins); one
     * in a temporary schema only among that schema's (also under "pg_temp.name"), see {@link Snapshot#forSession}.
     */
    private static void put(Map<String, String> byName, Map<String, Map<String, String>> temporary, Set<String> words,
                            String schema, String name, String description) {
        String lowerSchema = schema.toLowerCase(Locale.ROOT);
        if (lowerSchema.startsWith("pg_temp_")) {
            byName = temporary.computeIfAbsent(lowerSchema, s -> new HashMap<>());
            byName.putIfAbsent(key("pg_temp", name), description);
        }
        byName.putIfAbsent(key(schema, name), description);
        byName.putIfAbsent(key(null, name), description);
        words.add(name.toLowerCase(Locale.ROOT));
    }

    private static String key(String schema, String name) {
        return (schema == null ? "" : schema.toLowerCase(Locale.ROOT)) + "." + name.toLowerCase(Locale.ROOT);
    }
}
